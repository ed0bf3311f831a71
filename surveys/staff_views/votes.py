"""Owners' vote pages: the list, the result with every figure and condition,
opening and closing, paper ballots (with written proxies) and consents."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from baitang.decorators import office_staff_required
from communities.models import Household
from communities.permissions import estates_visible_to

from .. import selectors, services
from ..models import Vote
from ..permissions import can_edit_vote, votes_visible_to
from ..services.votes import VOTE_TRANSITIONS, vote_accepts_ballots
from ..staff_forms import (
    BallotForm,
    ConsentForm,
    ReasonForm,
)
from ._common import (
    LIST_PAGE_SIZE,
    add_errors,
    buildings_of,
    household_picker,
    query_string,
    status_actions,
    vote_in_scope,
)

VOTE_ACTION_LABELS = {
    (Vote.Status.DRAFT, Vote.Status.OPEN): gettext_lazy("开始表决"),
    (Vote.Status.OPEN, Vote.Status.CLOSED): gettext_lazy("结束表决并固定结果"),
}


@require_safe
@office_staff_required
def vote_list(request):
    """The owners' votes of the estates in scope."""
    votes = (
        votes_visible_to(request.user)
        .select_related("estate__community", "building")
        .order_by("-created_at", "-id")
    )
    estate = None
    estate_id = request.GET.get("estate", "")
    if estate_id.isdecimal():
        estate = estates_visible_to(request.user).filter(pk=estate_id).first()
        if estate is not None:
            votes = votes.filter(estate=estate)
    page = Paginator(votes, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "surveys/staff/vote_list.html",
        {
            "page": page,
            "estate": estate,
            "page_query": query_string(request.GET, page=None),
        },
    )


def _percent(share: Fraction) -> str:
    """An exact share as a percentage with two decimals, rounded half up."""
    value = Decimal(share.numerator) * 100 / Decimal(share.denominator)
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def _area(area: Fraction) -> str:
    value = Decimal(area.numerator) / Decimal(area.denominator)
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,} ㎡"


def _threshold(share: Fraction, inclusive: bool) -> str:
    words = _("%(share)s以上") if inclusive else _("超过%(share)s")
    fraction = f"{share.numerator}/{share.denominator}"
    return words % {"share": fraction} + f"（{_percent(share)}）"


def vote_figures(tally) -> dict:
    """What the result page prints for a count: each figure and each condition,
    percentages from the exact fractions."""
    base = _("参与表决") if tally.rules.base == "participants" else _("全体")
    quorum = tally.rules.quorum
    required = _threshold(tally.required_share, tally.boundary_passes)
    missing = len(tally.missing_consent)
    conditions = [
        {
            "label": _("参与表决的业主专有部分面积占总面积"),
            "actual": _percent(tally.part_area_share),
            "required": _threshold(quorum, True) if quorum else _("该规则不设参与门槛"),
            "ok": tally.quorum_area,
        },
        {
            "label": _("参与表决的业主人数占总人数"),
            "actual": _percent(tally.part_heads_share),
            "required": _threshold(quorum, True) if quorum else _("该规则不设参与门槛"),
            "ok": tally.quorum_heads,
        },
        {
            "label": _("同意的专有部分面积占%(base)s业主专有部分面积") % {"base": base},
            "actual": _percent(tally.yes_area_share),
            "required": required,
            "ok": tally.approve_area,
        },
        {
            "label": _("同意的业主人数占%(base)s业主人数") % {"base": base},
            "actual": _percent(tally.yes_heads_share),
            "required": required,
            "ok": tally.approve_heads,
        },
        {
            "label": _("专有部分受影响的业主书面同意"),
            "actual": (
                _("全部已同意或无受影响业主")
                if tally.consent_ok
                else (
                    _("%(count)s 位未同意") % {"count": missing}
                    if missing
                    else _("未全部同意")
                )
            ),
            "required": _("每位受影响业主书面同意"),
            "ok": tally.consent_ok,
        },
    ]
    return {
        "area": {
            "total": _area(tally.total_area),
            "part": _area(tally.part_area),
            "part_share": _percent(tally.part_area_share),
            "yes": _area(tally.yes_area),
            "yes_share": _percent(tally.yes_area_share),
            "no": _area(tally.no_area),
        },
        "heads": {
            "total": tally.total_heads,
            "part": tally.part_heads,
            "part_share": _percent(tally.part_heads_share),
            "yes": tally.yes_heads,
            "yes_share": _percent(tally.yes_heads_share),
            "no": tally.no_heads,
        },
        "base": base,
        "conditions": conditions,
    }


@require_safe
@office_staff_required
def vote_result(request, pk):
    """Every figure of the count, each condition passed or failed in words, the
    rule version used and the consent of affected owners. A closed vote shows
    the count frozen when it closed."""
    vote = vote_in_scope(request, pk)
    result = selectors.vote_result(vote=vote)
    can_edit = can_edit_vote(request.user, vote)
    return render(
        request,
        "surveys/staff/vote_result.html",
        {
            "vote": vote,
            "result": result,
            "figures": vote_figures(result.tally),
            "ballots": selectors.vote_ballot_counts(vote=vote),
            "consents": list(selectors.vote_consents(vote=vote)),
            "can_edit": can_edit,
            "actions": status_actions(vote.status, VOTE_TRANSITIONS, VOTE_ACTION_LABELS)
            if can_edit
            else [],
            "accepting": vote_accepts_ballots(vote, timezone.now()),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@office_staff_required
def vote_status(request, pk):
    """Confirm opening or closing a vote; closing freezes its count."""
    vote = vote_in_scope(request, pk)
    if not can_edit_vote(request.user, vote):
        raise PermissionDenied
    to_status = request.POST.get("to") or request.GET.get("to", "")
    label = VOTE_ACTION_LABELS.get((vote.status, to_status))
    form = ReasonForm(request.POST or None)
    problem = None
    if label is None:
        problem = _("表决当前为“%(status)s”，不能进行该操作。") % {
            "status": vote.get_status_display()
        }
    if request.method == "POST" and problem is None and form.is_valid():
        try:
            services.vote_set_status(
                vote=vote,
                status=to_status,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("表决状态已改为“%(status)s”。")
                % {"status": vote.get_status_display()},
            )
            return redirect("surveys:vote_result", pk=vote.pk)
    status = 409 if problem else (400 if request.method == "POST" else 200)
    return render(
        request,
        "surveys/staff/status_confirm.html",
        {
            "object": vote,
            "kind": "vote",
            "to_status": to_status,
            "action_label": label or "",
            "problem": problem,
            "form": form,
            "back_url": reverse("surveys:vote_result", args=[vote.pk]),
            "closing": to_status == Vote.Status.CLOSED,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@office_staff_required
def vote_paper(request, pk):
    """A worker enters a paper ballot (with a written proxy when there is one)
    or records an affected owner's consent, for a household picked by room."""
    vote = vote_in_scope(request, pk)
    if not can_edit_vote(request.user, vote):
        raise PermissionDenied
    in_vote = selectors.households_in_vote(vote)
    household = None
    household_id = request.POST.get("household") or request.GET.get("household", "")
    if household_id:
        if not household_id.isdecimal():
            return HttpResponseBadRequest(_("户的编号无效。"))
        household = get_object_or_404(
            Household.objects.filter(building__estate_id=vote.estate_id).select_related(
                "building"
            ),
            pk=household_id,
        )
    ballot_form = BallotForm(prefix="ballot", initial={"paper_date": None})
    consent_form = ConsentForm(prefix="consent")
    status = 200
    if request.method == "POST":
        if household is None:
            return HttpResponseBadRequest(_("请先选择户。"))
        action = request.POST.get("action")
        if action == "ballot":
            ballot_form = BallotForm(request.POST, prefix="ballot")
            if ballot_form.is_valid():
                try:
                    services.ballot_cast(
                        vote=vote,
                        household=household,
                        actor=request.user,
                        **ballot_form.cleaned_data,
                    )
                except ValidationError as error:
                    add_errors(ballot_form, error)
                else:
                    messages.success(
                        request,
                        _("已登记%(household)s的表决票。") % {"household": household},
                    )
                    return redirect(_vote_paper_next(vote, household))
        elif action == "consent":
            consent_form = ConsentForm(request.POST, prefix="consent")
            if consent_form.is_valid():
                try:
                    services.consent_record(
                        vote=vote,
                        household=household,
                        actor=request.user,
                        **consent_form.cleaned_data,
                    )
                except ValidationError as error:
                    add_errors(consent_form, error)
                else:
                    messages.success(
                        request,
                        _("已登记%(household)s的书面意见。") % {"household": household},
                    )
                    return redirect(_vote_paper_next(vote, household))
        else:
            return HttpResponseBadRequest(_("未知的操作。"))
        status = 400
    context = {
        "vote": vote,
        "household": household,
        "ballot_form": ballot_form,
        "consent_form": consent_form,
        "accepting": vote_accepts_ballots(vote, timezone.now()),
    }
    if household is not None:
        context["in_scope"] = in_vote.filter(pk=household.pk).exists()
        context["existing_ballot"] = selectors.holder_ballot(
            vote=vote, household=household
        )
        context["existing_consent"] = vote.consents.filter(household=household).first()
    else:
        context.update(
            household_picker(
                request,
                households_query=lambda building, number: (
                    selectors.households_for_entry(
                        households=in_vote, building=building, number=number
                    )
                ),
                buildings=buildings_of(vote),
                base_url=reverse("surveys:vote_paper", args=[vote.pk]),
            )
        )
    return render(request, "surveys/staff/vote_paper.html", context, status=status)


def _vote_paper_next(vote, household) -> str:
    url = reverse("surveys:vote_paper", args=[vote.pk])
    return f"{url}?building={household.building_id}"
