"""Campaign pages: the list, results (and their .xlsx), residents' words with
the office's replies, opening/closing/reopening with a reason, and copies."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from baitang.decorators import office_staff_required
from communities.excel import xlsx_response
from communities.permissions import estates_visible_to
from communities.views import bar_chart

from .. import selectors, services
from ..excel import campaign_results_workbook, results_filename
from ..models import Answer, Campaign, Question, Reply
from ..permissions import campaigns_visible_to, can_edit_campaign
from ..services.campaigns import (
    CAMPAIGN_TRANSITIONS,
    campaign_accepts_answers,
    campaign_transition_check,
)
from ..staff_forms import (
    CampaignCopyForm,
    CampaignFilterForm,
    ReasonForm,
    ReplyForm,
)
from ._common import (
    LIST_PAGE_SIZE,
    WORDS_PAGE_SIZE,
    add_errors,
    campaign_in_scope,
    query_string,
    status_actions,
)


@require_safe
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
            "page_query": query_string(request.GET, page=None),
            "templates": templates,
            "filtered": any(form.filters().values()),
        },
    )


SCORE_LABELS = {
    Question.Kind.MENU_RANK: gettext_lazy("排序得分"),
    Question.Kind.MENU_POINTS: gettext_lazy("积分合计"),
    Question.Kind.MENU_BUDGET: gettext_lazy("选择户数"),
}


SCORE_HELP = {
    Question.Kind.MENU_RANK: gettext_lazy(
        "按排序计分：共 n 项时，排第1的得 n 分，排最后的得 1 分，未排的不得分。"
    ),
    Question.Kind.MENU_POINTS: gettext_lazy("各户分配给该项目的积分之和。"),
    Question.Kind.MENU_BUDGET: gettext_lazy("在预算内选择了该项目的户数。"),
}


CAMPAIGN_ACTION_LABELS = {
    (Campaign.Status.DRAFT, Campaign.Status.OPEN): gettext_lazy("开始征询"),
    (Campaign.Status.OPEN, Campaign.Status.CLOSED): gettext_lazy("结束征询"),
    (Campaign.Status.CLOSED, Campaign.Status.OPEN): gettext_lazy("重新开始征询"),
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


@require_safe
@office_staff_required
def campaign_results(request, pk):
    """Response rate overall and per building, the ranked menu overall and per
    group, ratings and choices, and how many words await a reply."""
    campaign = campaign_in_scope(request, pk)
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
            "actions": status_actions(
                campaign.status, CAMPAIGN_TRANSITIONS, CAMPAIGN_ACTION_LABELS
            )
            if can_edit
            else [],
            "accepting": campaign_accepts_answers(campaign, timezone.now()),
        },
    )


@require_safe
@office_staff_required
def campaign_results_export(request, pk):
    """The results page as an .xlsx workbook."""
    campaign = campaign_in_scope(request, pk)
    return xlsx_response(
        campaign_results_workbook(campaign=campaign), results_filename(campaign)
    )


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
            "url": "?" + query_string(params, status=value, page=None),
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
            "page_query": query_string(params, page=None),
            "return_query": query_string(params),
            "tabs": tabs,
            "reply_status": reply_status,
            "can_edit": can_edit,
        },
        status=status,
    )


@require_safe
@office_staff_required
def campaign_words(request, pk):
    """Residents' free text and photos, newest first, each with its reply."""
    return _words_page(request, campaign_in_scope(request, pk))


@require_http_methods(["POST"])
@office_staff_required
def campaign_word_reply(request, pk, answer_pk):
    """Reply to one resident's words (reply_set); errors show on its form."""
    campaign = campaign_in_scope(request, pk)
    answer = get_object_or_404(
        # Only residents' words (text or photo) take a reply.
        Answer.objects.select_related("response", "question").filter(
            ~Q(text="") | ~Q(photo="")
        ),
        pk=answer_pk,
        response__campaign=campaign,
    )
    params = QueryDict(request.POST.get("return_query", ""))
    params = QueryDict(
        query_string(
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
            add_errors(form, error)
        else:
            messages.success(request, _("答复已保存，居民可在自己的页面上看到。"))
            url = reverse("surveys:campaign_words", args=[campaign.pk])
            query = params.urlencode()
            return redirect(f"{url}{'?' + query if query else ''}#a{answer.pk}")
    return _words_page(
        request, campaign, params=params, failed=(answer.pk, form), status=400
    )


@require_http_methods(["GET", "HEAD", "POST"])
@office_staff_required
def campaign_status(request, pk):
    """Confirm opening, closing or reopening a campaign, with a reason."""
    campaign = campaign_in_scope(request, pk)
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
            add_errors(form, error)
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
    if str(estate_id or "").isdecimal():  # a garbled id finds no estate
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
                add_errors(form, error)
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
