"""The order menu's pages for office staff: campaigns (list, results, residents'
words and replies, paper entry, opening and closing, copies), owners' votes
(result, paper ballots, consents, opening and closing) and household slips.

Every object is fetched through its `*_visible_to` selector, so another
community's campaign looks missing (404); every write goes through a service,
whose Chinese ValidationError is shown on the form it came from.
"""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from communities.models import Household
from communities.permissions import can_edit_estate, estates_visible_to
from communities.views import bar_chart, office_staff_required

from . import selectors, services
from .answers import clean_answers
from .excel import campaign_results_workbook, results_filename
from .forms import answers_from_post, fields_from_answers
from .models import Answer, Campaign, Question, Reply, Response, Vote
from .permissions import (
    campaigns_visible_to,
    can_edit_campaign,
    can_edit_vote,
    votes_visible_to,
)
from .question_block import fill, question_block, question_extras
from .services.campaigns import (
    CAMPAIGN_TRANSITIONS,
    campaign_accepts_answers,
    campaign_transition_check,
)
from .services.responses import household_in_scope
from .services.votes import VOTE_TRANSITIONS, vote_accepts_ballots
from .slips import slip_sheets, slips_for
from .staff_forms import (
    BallotForm,
    CampaignCopyForm,
    CampaignFilterForm,
    ConsentForm,
    HouseholdSearchForm,
    PaperDateForm,
    ReasonForm,
    ReplyForm,
    SlipsForm,
)
from .structure import campaign_structure

LIST_PAGE_SIZE = 20
WORDS_PAGE_SIZE = 20
HOUSEHOLDS_PAGE_SIZE = 40
SLIPS_PAGE_SIZE = 80  # ten A4 sheets: a request stays well under a second


def _query_string(params, **changes) -> str:
    query = params.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value:
            query[key] = value
    return query.urlencode()


def _add_errors(form, error: ValidationError) -> None:
    """Put a service's errors on the form fields they name, the rest on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message.messages)
    else:
        form.add_error(None, error.messages)


def _campaign(request, pk) -> Campaign:
    """A campaign (not a template) the user may see; another scope's is a 404."""
    return get_object_or_404(
        campaigns_visible_to(request.user)
        .filter(is_template=False)
        .select_related("estate__community", "building"),
        pk=pk,
    )


def _vote(request, pk) -> Vote:
    return get_object_or_404(
        votes_visible_to(request.user).select_related(
            "estate__community", "building", "item"
        ),
        pk=pk,
    )


# --- Campaign list ------------------------------------------------------------------


@require_GET
@office_staff_required
def campaign_list(request):
    """The campaigns of the estates in scope, searchable, with the templates to
    copy from."""
    form = CampaignFilterForm(request.GET or None, user=request.user)
    visible = campaigns_visible_to(request.user)
    campaigns = selectors.campaigns_listed(campaigns=visible, **form.filters())
    page = Paginator(campaigns, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    templates = list(visible.filter(is_template=True).order_by("title")[:50])
    return render(
        request,
        "surveys/staff/campaign_list.html",
        {
            "form": form,
            "page": page,
            "page_query": _query_string(request.GET, page=None),
            "templates": templates,
            "filtered": any(form.filters().values()),
        },
    )


# --- Results ------------------------------------------------------------------------

SCORE_LABELS = {
    Question.Kind.MENU_RANK: _("排序得分"),
    Question.Kind.MENU_POINTS: _("积分合计"),
    Question.Kind.MENU_BUDGET: _("选择户数"),
}
SCORE_HELP = {
    Question.Kind.MENU_RANK: _(
        "按排序计分：共 n 项时，排第1的得 n 分，排最后的得 1 分，未排的不得分。"
    ),
    Question.Kind.MENU_POINTS: _("各户分配给该项目的积分之和。"),
    Question.Kind.MENU_BUDGET: _("在预算内选择了该项目的户数。"),
}


def _status_actions(status: str, transitions, labels: dict) -> list[dict]:
    return [
        {"to": to, "label": labels[(status, to)]}
        for to in sorted(transitions.get(status, ()))
        if (status, to) in labels
    ]


CAMPAIGN_ACTION_LABELS = {
    (Campaign.Status.DRAFT, Campaign.Status.OPEN): _("开始征询"),
    (Campaign.Status.OPEN, Campaign.Status.CLOSED): _("结束征询"),
    (Campaign.Status.CLOSED, Campaign.Status.OPEN): _("重新开始征询"),
}
VOTE_ACTION_LABELS = {
    (Vote.Status.DRAFT, Vote.Status.OPEN): _("开始表决"),
    (Vote.Status.OPEN, Vote.Status.CLOSED): _("结束表决并固定结果"),
}


def _results_charts(results) -> dict:
    buildings = bar_chart(
        chart_id="chart-buildings",
        title=_("各楼栋已填写户数"),
        description=_("每栋楼已提交答卷的户数，分手机填写和纸质代填。"),
        rows=[
            (
                row["name"],
                {"online": row["responded"] - row["paper"], "paper": row["paper"]},
            )
            for row in results.buildings
        ],
        series=[("online", _("手机填写")), ("paper", _("纸质代填"))],
    )
    menus = []
    for question, ranked in results.menus:
        label = SCORE_LABELS[question.kind]
        for item in ranked:
            item.group_cells = [
                {"score": item.by_group[key], "rank": item.group_ranks[key]}
                for key in results.groups
            ]
        menus.append(
            {
                "question": question,
                "ranked": ranked,
                "score_label": label,
                "score_help": SCORE_HELP[question.kind],
                "chart": bar_chart(
                    chart_id=f"chart-q{question.id}",
                    title=_("各项目%(label)s") % {"label": label},
                    description=_("第%(number)s题各项目的%(label)s，从高到低。")
                    % {"number": question.number, "label": label},
                    rows=[(item.name, {"score": item.score}) for item in ranked],
                    series=[("score", label)],
                ),
            }
        )
    ratings = [
        {
            "question": question,
            "mean": mean,
            "total": sum(row["count"] for row in rows),
            "chart": bar_chart(
                chart_id=f"chart-q{question.id}",
                title=_("第%(number)s题：%(prompt)s")
                % {"number": question.number, "prompt": question.prompt},
                description=_("给出每个分数的户数。"),
                rows=[
                    (_("%(rating)s分") % {"rating": row["rating"]}, {"n": row["count"]})
                    for row in rows
                ],
                series=[("n", _("户数"))],
            ),
            "rows": rows,
        }
        for question, rows, mean in results.ratings
    ]
    choices = [
        {
            "question": question,
            "chart": bar_chart(
                chart_id=f"chart-q{question.id}",
                title=_("第%(number)s题：%(prompt)s")
                % {"number": question.number, "prompt": question.prompt},
                description=_("选择每个选项的次数。"),
                rows=[(row["label"], {"n": row["count"]}) for row in rows],
                series=[("n", _("选择次数"))],
            ),
            "rows": rows,
        }
        for question, rows in results.choices
    ]
    return {
        "buildings": buildings,
        "menus": menus,
        "ratings": ratings,
        "choices": choices,
    }


@require_GET
@office_staff_required
def campaign_results(request, pk):
    """Response rate overall and per building, the ranked menu overall and per
    group, ratings and choices, and how many words await a reply."""
    campaign = _campaign(request, pk)
    results = selectors.campaign_results(campaign=campaign)
    can_edit = can_edit_campaign(request.user, campaign)
    return render(
        request,
        "surveys/staff/campaign_results.html",
        {
            "campaign": campaign,
            "results": results,
            "charts": _results_charts(results),
            "groups": [
                {"label": label, "size": results.group_sizes.get(key, 0)}
                for key, label in results.groups.items()
            ],
            "can_edit": can_edit,
            "actions": _status_actions(
                campaign.status, CAMPAIGN_TRANSITIONS, CAMPAIGN_ACTION_LABELS
            )
            if can_edit
            else [],
            "accepting": campaign_accepts_answers(campaign, timezone.now()),
        },
    )


@require_GET
@office_staff_required
def campaign_results_export(request, pk):
    """The results page as an .xlsx workbook."""
    from communities.excel import xlsx_response

    campaign = _campaign(request, pk)
    return xlsx_response(
        campaign_results_workbook(campaign=campaign), results_filename(campaign)
    )


# --- Residents' words and the office's replies ------------------------------------

WORD_FILTERS = ["", *Reply.Status.values]


def _words_page(request, campaign, *, params=None, failed=None, status=200):
    params = params if params is not None else request.GET
    reply_status = params.get("status", "")
    if reply_status not in WORD_FILTERS:
        reply_status = ""
    words = selectors.campaign_words(campaign=campaign)
    if reply_status:
        words = words.filter(reply_status=reply_status)
    page = Paginator(words, WORDS_PAGE_SIZE).get_page(params.get("page"))
    can_edit = can_edit_campaign(request.user, campaign)
    failed_pk, failed_form = failed or (None, None)
    for answer in page:
        if answer.pk == failed_pk:
            answer.form = failed_form
        elif can_edit:
            initial = {}
            if answer.reply_status and answer.reply_status != Reply.Status.PENDING:
                initial = {"status": answer.reply_status, "text": answer.reply_text}
            answer.form = ReplyForm(prefix=f"a{answer.pk}", initial=initial)
        answer.reply_status_label = (
            Reply.Status(answer.reply_status).label if answer.reply_status else ""
        )
    counts = selectors.reply_status_counts(campaign=campaign)
    tabs = [
        {
            "value": value,
            "label": _("全部") if not value else Reply.Status(value).label,
            "count": sum(counts.values()) if not value else counts[value],
            "url": "?" + _query_string(params, status=value, page=None),
            "current": value == reply_status,
        }
        for value in WORD_FILTERS
    ]
    return render(
        request,
        "surveys/staff/campaign_words.html",
        {
            "campaign": campaign,
            "page": page,
            "page_query": _query_string(params, page=None),
            "return_query": _query_string(params),
            "tabs": tabs,
            "reply_status": reply_status,
            "can_edit": can_edit,
        },
        status=status,
    )


@require_GET
@office_staff_required
def campaign_words(request, pk):
    """Residents' free text and photos, newest first, each with its reply."""
    return _words_page(request, _campaign(request, pk))


@require_http_methods(["POST"])
@office_staff_required
def campaign_word_reply(request, pk, answer_pk):
    """Reply to one resident's words (reply_set); errors show on its form."""
    campaign = _campaign(request, pk)
    answer = get_object_or_404(
        Answer.objects.select_related("response", "question"),
        pk=answer_pk,
        response__campaign=campaign,
    )
    params = QueryDict(request.POST.get("return_query", ""))
    params = QueryDict(
        _query_string(
            QueryDict(mutable=True),
            status=params.get("status", ""),
            page=params.get("page", ""),
        )
    )
    form = ReplyForm(request.POST, prefix=f"a{answer.pk}")
    if form.is_valid():
        try:
            services.reply_set(
                response=answer.response,
                question=answer.question,
                status=form.cleaned_data["status"],
                text=form.cleaned_data["text"],
                actor=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("答复已保存，居民可在自己的页面上看到。"))
            url = reverse("surveys:campaign_words", args=[campaign.pk])
            query = params.urlencode()
            return redirect(f"{url}{'?' + query if query else ''}#a{answer.pk}")
    return _words_page(
        request, campaign, params=params, failed=(answer.pk, form), status=400
    )


# --- Opening, closing, copying --------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@office_staff_required
def campaign_status(request, pk):
    """Confirm opening, closing or reopening a campaign, with a reason."""
    campaign = _campaign(request, pk)
    if not can_edit_campaign(request.user, campaign):
        raise PermissionDenied
    to_status = request.POST.get("to") or request.GET.get("to", "")
    labels = {
        to: label
        for (frm, to), label in CAMPAIGN_ACTION_LABELS.items()
        if frm == campaign.status
    }
    form = ReasonForm(request.POST or None)
    problem = None
    try:
        campaign_transition_check(campaign=campaign, to_status=to_status)
    except ValidationError as error:
        problem = " ".join(error.messages)
    if request.method == "POST" and problem is None and form.is_valid():
        try:
            services.campaign_set_status(
                campaign=campaign,
                status=to_status,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("征询状态已改为“%(status)s”。")
                % {"status": campaign.get_status_display()},
            )
            return redirect("surveys:campaign_results", pk=campaign.pk)
    status = 200
    if problem is not None:
        status = 409
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "surveys/staff/status_confirm.html",
        {
            "object": campaign,
            "kind": "campaign",
            "to_status": to_status,
            "action_label": labels.get(to_status, ""),
            "problem": problem,
            "form": form,
            "back_url": reverse("surveys:campaign_results", args=[campaign.pk]),
            "reopening": campaign.status == Campaign.Status.CLOSED,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@office_staff_required
def campaign_copy(request, pk):
    """Copy a campaign or a template (its questions, options and menu items) to
    an estate, a building or a stairwell unit, as a new draft."""
    source = get_object_or_404(
        campaigns_visible_to(request.user).select_related("estate", "building"),
        pk=pk,
    )
    data = request.POST if request.method == "POST" else None
    estate = None
    estate_id = (data or {}).get("estate") or (
        source.estate_id if source.estate_id else None
    )
    if estate_id:
        estate = estates_visible_to(request.user).filter(pk=estate_id).first()
    copying = data is not None and data.get("action") == "copy"
    initial = {"estate": source.estate_id, "title": source.title}
    if data is not None and not copying:
        # "List the buildings": show the form again for the chosen estate.
        initial = {
            "estate": estate.pk if estate else None,
            "title": data.get("title", source.title),
            "unit": data.get("unit", ""),
        }
    form = CampaignCopyForm(
        data if copying else None, user=request.user, estate=estate, initial=initial
    )
    status = 200
    if copying:
        if form.is_valid():
            try:
                copy = services.campaign_copy(
                    source=source,
                    actor=request.user,
                    estate=form.cleaned_data["estate"],
                    building=form.cleaned_data["building"],
                    unit=form.cleaned_data["unit"],
                    title=form.cleaned_data["title"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已复制为草稿“%(title)s”。请核对题目后开始征询。")
                    % {"title": copy.title},
                )
                return redirect("surveys:campaign_results", pk=copy.pk)
        status = 400
    return render(
        request,
        "surveys/staff/campaign_copy.html",
        {"source": source, "form": form, "estate": estate},
        status=status,
    )


# --- Paper entry (代填) -------------------------------------------------------------


def _household_picker(request, *, households_query, buildings, base_url):
    """The building → room-number search a worker uses on a phone."""
    form = HouseholdSearchForm(request.GET or None, buildings=buildings)
    building, number = None, ""
    if form.is_valid():
        building = form.cleaned_data["building"]
        number = form.cleaned_data["number"]
    page = None
    if building is not None or number.strip():
        page = Paginator(
            households_query(building=building, number=number), HOUSEHOLDS_PAGE_SIZE
        ).get_page(request.GET.get("page"))
    return {
        "picker": form,
        "households": page,
        "page_query": _query_string(request.GET, page=None, household=None),
        "pick_query": _query_string(request.GET, page=None, household=None),
        "base_url": base_url,
    }


def _error_dict(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"__all__": error.messages}


@require_http_methods(["GET", "HEAD", "POST"])
@office_staff_required
def campaign_paper(request, pk):
    """A worker enters a household's paper form: building → household → the
    paper's date and the answers, the same questions as the resident's form
    (response_submit with the worker as actor, marked as paper)."""
    campaign = _campaign(request, pk)
    if not can_edit_campaign(request.user, campaign):
        raise PermissionDenied
    context = {
        "campaign": campaign,
        "accepting": campaign_accepts_answers(campaign, timezone.now()),
    }
    household_id = request.POST.get("household") or request.GET.get("household", "")
    if not household_id:
        if request.method == "POST":
            return HttpResponseBadRequest(_("请先选择户。"))
        context.update(
            _household_picker(
                request,
                households_query=lambda building, number: selectors.campaign_households(
                    campaign=campaign, building=building, number=number
                ),
                buildings=_buildings_of(campaign),
                base_url=reverse("surveys:campaign_paper", args=[campaign.pk]),
            ),
            show_progress=True,
        )
        return render(request, "surveys/staff/campaign_paper.html", context)
    if not household_id.isdigit():
        return HttpResponseBadRequest(_("户的编号无效。"))
    household = get_object_or_404(
        Household.objects.filter(building__estate_id=campaign.estate_id).select_related(
            "building"
        ),
        pk=household_id,
    )
    return _paper_form(request, campaign, household, context)


def _paper_form(request, campaign, household, context):
    structure = campaign_structure(campaign)
    response = (
        Response.objects.filter(campaign=campaign, household=household)
        .select_related("entered_by")
        .first()
    )
    date_form = PaperDateForm(request.POST if request.method == "POST" else None)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        parsed = answers_from_post(structure, request.POST, request.FILES)
        errors = dict(parsed.errors)
        if not errors and date_form.is_valid():
            try:
                saved = services.response_submit(
                    campaign=campaign,
                    household=household,
                    answers=parsed.answers,
                    actor=request.user,
                    paper_date=date_form.cleaned_data["paper_date"],
                )
            except ValidationError as error:
                errors = _error_dict(error)
            else:
                messages.success(
                    request,
                    _("已保存%(household)s的纸质问卷（第 %(version)s 版）。")
                    % {"household": household, "version": saved.version},
                )
                url = reverse("surveys:campaign_paper", args=[campaign.pk])
                return redirect(f"{url}?building={household.building_id}")
        else:
            # Report every problem at once, not one round at a time.
            try:
                clean_answers(structure, parsed.answers)
            except ValidationError as error:
                errors = _error_dict(error) | errors
        for message in errors.pop("paper_date", []):
            date_form.add_error("paper_date", message)
        fields = dict(request.POST.lists())
        values = (
            selectors.response_values(response, structure)
            if structure.has_photo_questions
            else {}
        )
    else:
        values = selectors.response_values(response, structure)
        fields = fields_from_answers(structure, values)
    numbers = {f"q{q.id}": q.number for q in structure.questions}
    context.update(
        {
            "household": household,
            "response": response,
            "in_scope": household_in_scope(campaign, household),
            "date_form": date_form,
            "questions": fill(
                question_block(campaign, structure),
                fields,
                extras=question_extras(structure, errors, frozenset(request.FILES)),
                stored_photos=frozenset(f"q{q}" for q, v in values.items() if v),
            ),
            "has_photos": structure.has_photo_questions,
            "question_errors": sorted(
                (numbers[key], " ".join(found))
                for key, found in errors.items()
                if key in numbers
            ),
            "general_errors": [
                m for key, found in errors.items() if key not in numbers for m in found
            ],
        }
    )
    status = 400 if request.method == "POST" else 200
    return render(request, "surveys/staff/campaign_paper.html", context, status=status)


# --- Votes ----------------------------------------------------------------------------


@require_GET
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
    if estate_id.isdigit():
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
            "page_query": _query_string(request.GET, page=None),
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


@require_GET
@office_staff_required
def vote_result(request, pk):
    """Every figure of the count, each condition passed or failed in words, the
    rule version used and the consent of affected owners. A closed vote shows
    the count frozen when it closed."""
    vote = _vote(request, pk)
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
            "actions": _status_actions(
                vote.status, VOTE_TRANSITIONS, VOTE_ACTION_LABELS
            )
            if can_edit
            else [],
            "accepting": vote_accepts_ballots(vote, timezone.now()),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@office_staff_required
def vote_status(request, pk):
    """Confirm opening or closing a vote; closing freezes its count."""
    vote = _vote(request, pk)
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
            _add_errors(form, error)
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
    vote = _vote(request, pk)
    if not can_edit_vote(request.user, vote):
        raise PermissionDenied
    in_vote = selectors.households_in_vote(vote)
    household = None
    household_id = request.POST.get("household") or request.GET.get("household", "")
    if household_id:
        if not household_id.isdigit():
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
                    _add_errors(ballot_form, error)
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
                    _add_errors(consent_form, error)
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
            _household_picker(
                request,
                households_query=lambda building, number: (
                    selectors.households_for_entry(
                        households=in_vote, building=building, number=number
                    )
                ),
                buildings=_buildings_of(vote),
                base_url=reverse("surveys:vote_paper", args=[vote.pk]),
            )
        )
    return render(request, "surveys/staff/vote_paper.html", context, status=status)


def _buildings_of(scoped):
    """The buildings a campaign or vote covers."""
    buildings = scoped.estate.buildings.order_by("name")
    if scoped.building_id:
        buildings = buildings.filter(pk=scoped.building_id)
    return buildings


def _vote_paper_next(vote, household) -> str:
    url = reverse("surveys:vote_paper", args=[vote.pk])
    return f"{url}?building={household.building_id}"


# --- Household slips ------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@office_staff_required
def slips(request):
    """The A4 sheets of household slips of an estate or one building, for the
    office's printer; POST issues the codes (and the open link) still missing."""
    data = request.POST if request.method == "POST" else request.GET
    estate = None
    if data.get("estate", "").isdigit():
        estate = estates_visible_to(request.user).filter(pk=data["estate"]).first()
    form = SlipsForm(data or None, user=request.user, estate=estate)
    context = {"form": form, "estate": None}
    if not form.is_valid():
        return render(request, "surveys/staff/slips.html", context)
    estate = form.cleaned_data["estate"]
    building = form.cleaned_data["building"]
    can_issue = can_edit_estate(request.user, estate)
    if request.method == "POST":
        if not can_issue:
            raise PermissionDenied
        issued = services.access_codes_ensure(
            estate=estate, building=building, actor=request.user
        )
        services.open_link_ensure(estate=estate, actor=request.user)
        messages.success(
            request, _("已为 %(count)s 户生成访问码。") % {"count": issued}
        )
        query = _query_string(
            QueryDict(mutable=True),
            estate=str(estate.pk),
            building=str(building.pk) if building else "",
        )
        return redirect(f"{reverse('surveys:slips')}?{query}")
    rows = slips_for(estate=estate, building=building)
    page = Paginator(rows["households"], SLIPS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context.update(
        {
            "estate": estate,
            "building": building,
            "sheets": slip_sheets(
                estate=estate, households=list(page), open_link=rows["open_link"]
            ),
            "page": page,
            "page_query": _query_string(request.GET, page=None),
            "missing": rows["missing"],
            "open_link": rows["open_link"],
            "can_issue": can_issue,
            "base_url": settings.PUBLIC_BASE_URL,
        }
    )
    return render(request, "surveys/staff/slips.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@office_staff_required
def slip_reissue(request, household_pk):
    """Confirm, then give one household a new code: its old slip stops working."""
    household = get_object_or_404(
        Household.objects.filter(
            building__estate__in=estates_visible_to(request.user)
        ).select_related("building__estate"),
        pk=household_pk,
    )
    estate = household.building.estate
    if not can_edit_estate(request.user, estate):
        raise PermissionDenied
    back = (
        f"{reverse('surveys:slips')}?estate={estate.pk}"
        f"&building={household.building_id}"
    )
    if request.method == "POST":
        access = services.access_code_issue(household=household, actor=request.user)
        from .codes import format_code

        messages.success(
            request,
            _("已为%(household)s补发新访问码 %(code)s，旧访问码已作废。")
            % {"household": household, "code": format_code(access.code)},
        )
        return redirect(f"{back}#h{household.pk}")
    return render(
        request,
        "surveys/staff/slip_reissue.html",
        {"household": household, "estate": estate, "back_url": back},
    )
