"""What residents left: responses (read-only, with every version), the office's
replies to their words, open opinions, and the household access codes."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, OuterRef, Subquery, Value, When
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baitang.admin import ReadOnlyInline
from baitang.roles import is_office_staff, is_street_staff
from surveys import services
from surveys.codes import format_code
from surveys.models import (
    AccessCode,
    Answer,
    Opinion,
    Reply,
    Response,
    ResponseVersion,
)
from surveys.permissions import (
    access_codes_visible_to,
    can_edit_campaign,
    opinions_visible_to,
    replies_visible_to,
    responses_visible_to,
)

from .base import (
    SurveysAdmin,
    community_filter,
    estate_filter,
    household_label,
    links,
    photo_preview,
    refusal,
    slips_url,
)


def _short(text: str, length: int = 40) -> str:
    return Truncator(text).chars(length) if text else "—"


class ReadOnlyRecordsAdmin(SurveysAdmin):
    """Records residents made: nobody adds or edits them here."""

    def has_add_permission(self, request):
        return False

    def can_edit(self, user, obj) -> bool:
        return False


# --- Responses ------------------------------------------------------------------------


class AnswerInline(ReadOnlyInline, admin.TabularInline):
    model = Answer
    fields = ["question", "choice", "rank", "points", "rating", "text", "photo_link"]
    readonly_fields = fields
    verbose_name_plural = _("回答")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("question", "option", "item")
            .order_by("question__position", "rank", "id")
        )

    @admin.display(description=_("选择"))
    def choice(self, obj):
        return obj.item or obj.option or "—"

    @admin.display(description=_("照片"))
    def photo_link(self, obj):
        return photo_preview(obj.photo)


class ResponseVersionInline(ReadOnlyInline, admin.TabularInline):
    model = ResponseVersion
    fields = ["version", "channel_label", "entered_by", "paper_date", "saved_at"]
    readonly_fields = fields
    verbose_name_plural = _("历次版本")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("entered_by")

    @admin.display(description=_("填写方式"))
    def channel_label(self, obj):
        try:
            return Response.Channel(obj.channel).label
        except ValueError:
            return obj.channel


class ReplyInline(ReadOnlyInline, admin.TabularInline):
    model = Reply
    fields = ["question", "status", "text", "replied_by", "replied_at"]
    readonly_fields = fields
    show_change_link = True
    verbose_name_plural = _("意见答复")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question", "replied_by")


@admin.register(Response)
class ResponseAdmin(ReadOnlyRecordsAdmin):
    """Answers as submitted (online or entered from paper), every version kept.
    Paper responses are entered on the campaign's paper-entry page; the street
    office deletes a response entered by mistake (response_delete)."""

    visible_to = responses_visible_to
    # The newest first, on the primary key: the table is the biggest there is.
    ordering = ["-id"]
    list_display = [
        "campaign",
        "household_column",
        "channel",
        "entered_by",
        "paper_date",
        "version",
        "updated_at",
    ]
    list_filter = [
        "channel",
        community_filter("campaign__estate__community"),
        estate_filter("campaign__estate"),
    ]
    search_fields = ["household__number", "household__building__name"]
    fields = [
        "campaign",
        "household",
        "channel",
        "entered_by",
        "paper_date",
        "version",
        "submitted_at",
        "updated_at",
        "pages",
    ]
    readonly_fields = fields
    inlines = [AnswerInline, ResponseVersionInline, ReplyInline]

    def optimize(self, request, queryset):
        return queryset.select_related(
            "campaign", "household__building__estate", "entered_by"
        )

    def can_delete(self, user, obj) -> bool:
        return is_street_staff(user)

    @admin.display(description=_("户"), ordering="household")
    def household_column(self, obj):
        return household_label(obj.household)

    @admin.display(description=_("工作页面"))
    def pages(self, obj):
        campaign = obj.campaign
        return links(
            (reverse("surveys:campaign_results", args=[campaign.pk]), gettext("结果")),
            (
                reverse("surveys:campaign_paper", args=[campaign.pk])
                + f"?household={obj.household_id}",
                gettext("纸质代填（修改本户答卷）"),
            ),
        )


# --- Replies (全程响应) ---------------------------------------------------------------


class ReplyForm(forms.ModelForm):
    """The office's answer; reply_set checks it and records who and when."""

    status = forms.ChoiceField(
        label=_("答复结果"),
        choices=[(s.value, s.label) for s in Reply.Status if s != Reply.Status.PENDING],
    )
    text = forms.CharField(
        label=_("答复与理由（居民可以看到）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    class Meta:
        model = Reply
        fields = ["status", "text"]


@admin.register(Reply)
class ReplyAdmin(SurveysAdmin):
    """Residents' words awaiting an answer come first."""

    visible_to = replies_visible_to
    form = ReplyForm
    list_display = [
        "words_column",
        "campaign_column",
        "household_column",
        "status",
        "replied_by",
        "replied_at",
    ]
    list_filter = [
        "status",
        community_filter("response__campaign__estate__community"),
        estate_filter("response__campaign__estate"),
    ]
    search_fields = ["response__campaign__title", "text"]
    readonly_fields = [
        "campaign_column",
        "household_column",
        "question",
        "words",
        "replied_by",
        "replied_at",
        "pages",
    ]
    fields = [*readonly_fields[:4], "status", "text", *readonly_fields[4:]]

    def get_ordering(self, request):
        pending_first = Case(
            When(status=Reply.Status.PENDING, then=Value(0)), default=Value(1)
        )
        return [pending_first.asc(), "-id"]

    def optimize(self, request, queryset):
        words = Answer.objects.filter(
            response_id=OuterRef("response_id"), question_id=OuterRef("question_id")
        )
        return queryset.select_related(
            "response__campaign",
            "response__household__building__estate",
            "question",
            "replied_by",
        ).annotate(
            resident_text=Subquery(words.values("text")[:1]),
            resident_photo=Subquery(words.values("photo")[:1]),
        )

    def has_add_permission(self, request):
        # A reply row appears when a resident submits words.
        return False

    def can_edit(self, user, obj) -> bool:
        if obj is None:
            return is_office_staff(user)
        return can_edit_campaign(user, obj.response.campaign)

    def can_delete(self, user, obj) -> bool:
        return False

    @admin.display(description=_("居民意见"))
    def words_column(self, obj):
        if obj.resident_text:
            return _short(obj.resident_text)
        return gettext("（照片）") if obj.resident_photo else "—"

    @admin.display(description=_("征询"))
    def campaign_column(self, obj):
        return obj.response.campaign

    @admin.display(description=_("户"))
    def household_column(self, obj):
        return household_label(obj.response.household)

    @admin.display(description=_("居民原话"))
    def words(self, obj):
        answer = (
            Answer.objects.filter(response=obj.response, question=obj.question)
            .only("text", "photo")
            .first()
        )
        if answer is None:
            return "—"
        if answer.photo:
            return format_html(
                "{}<br>{}", answer.text or "", photo_preview(answer.photo, large=True)
            )
        return answer.text or "—"

    @admin.display(description=_("工作页面"))
    def pages(self, obj):
        campaign = obj.response.campaign
        return links(
            (
                reverse("surveys:campaign_words", args=[campaign.pk]),
                gettext("本征询的全部意见"),
            ),
        )

    def save_model(self, request, obj, form, change):
        services.reply_set(
            response=obj.response,
            question=obj.question,
            status=form.cleaned_data["status"],
            text=form.cleaned_data["text"],
            actor=request.user,
        )


# --- Open opinions --------------------------------------------------------------------


@admin.register(Opinion)
class OpinionAdmin(ReadOnlyRecordsAdmin):
    """Non-binding opinions left through an estate's open link, apart from the
    households' responses. The street office removes abuse (opinion_delete)."""

    visible_to = opinions_visible_to
    list_display = ["short_text", "estate", "created_at"]
    list_filter = [community_filter("estate__community"), estate_filter("estate")]
    search_fields = ["text", "estate__name"]
    fields = ["estate", "text", "created_at"]
    readonly_fields = fields

    def optimize(self, request, queryset):
        return queryset.select_related("estate")

    def can_delete(self, user, obj) -> bool:
        return is_street_staff(user)

    @admin.display(description=_("意见"))
    def short_text(self, obj):
        return _short(obj.text, 60)


# --- Access codes ---------------------------------------------------------------------


@admin.register(AccessCode)
class AccessCodeAdmin(ReadOnlyRecordsAdmin):
    """Household access codes. A lost slip: reissue (the old code stops working
    at once), then print the building's slips again."""

    visible_to = access_codes_visible_to
    ordering = ["-id"]
    list_display = [
        "household_column",
        "estate_column",
        "code_column",
        "is_active",
        "issued_at",
        "issued_by",
        "revoked_at",
        "slips_link",
    ]
    list_filter = [
        "is_active",
        community_filter("household__building__estate__community"),
        estate_filter("household__building__estate"),
    ]
    search_fields = [
        "=code",
        "household__number",
        "household__building__name",
        "household__building__estate__name",
    ]
    fields = [
        "household",
        "code_column",
        "is_active",
        "issued_at",
        "issued_by",
        "revoked_at",
        "slips_link",
    ]
    readonly_fields = fields
    actions = ["reissue"]

    def optimize(self, request, queryset):
        return queryset.select_related("household__building__estate", "issued_by")

    def can_delete(self, user, obj) -> bool:
        # A code is never deleted: reissuing keeps the old one as revoked.
        return False

    def has_reissue_permission(self, request):
        return is_office_staff(request.user)

    def get_search_results(self, request, queryset, search_term):
        # Codes are typed with dashes and in any case, as printed.
        term = "".join(search_term.split()).replace("-", "").upper()
        return super().get_search_results(request, queryset, term or search_term)

    @admin.display(description=_("户"))
    def household_column(self, obj):
        return household_label(obj.household)

    @admin.display(description=_("小区"))
    def estate_column(self, obj):
        return obj.household.building.estate

    @admin.display(description=_("访问码"))
    def code_column(self, obj):
        return format_code(obj.code)

    @admin.display(description=_("访问码纸条"))
    def slips_link(self, obj):
        building = obj.household.building
        return format_html(
            '<a href="{}">{}</a>',
            slips_url(building.estate_id, building.pk),
            gettext("打印本楼卡片"),
        )

    @admin.action(description=_("补发访问码（旧码立即作废）"), permissions=["reissue"])
    def reissue(self, request, queryset):
        """Confirm first, listing the households; then access_code_issue for
        each (a household chosen twice gets one new code)."""
        rows = list(queryset.select_related("household__building__estate"))
        households = {row.household_id: row.household for row in rows}
        if "confirm" not in request.POST:
            context = {
                **self.admin_site.each_context(request),
                "title": gettext("补发访问码"),
                "opts": self.opts,
                "rows": rows,
                "households": [household_label(h) for h in households.values()],
                "action": request.POST.get("action", ""),
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/surveys/accesscode/reissue.html", context
            )
        issued, refused = [], []
        for household in households.values():
            try:
                services.access_code_issue(household=household, actor=request.user)
            except (ValidationError, PermissionDenied) as error:
                refused.append(f"{household_label(household)}：{refusal(error)}")
            else:
                issued.append(household)
        if issued:
            buildings = {(h.building.estate_id, h.building_id) for h in issued}
            slip_links = links(
                *[
                    (slips_url(estate, building), gettext("打印卡片"))
                    for estate, building in sorted(buildings)
                ]
            )
            self.message_user(
                request,
                format_html(
                    "{} {}",
                    gettext("已为 %(count)d 户补发访问码，旧访问码已作废。")
                    % {"count": len(issued)},
                    slip_links,
                ),
                messages.SUCCESS,
            )
        for line in refused:
            self.message_user(request, line, messages.ERROR)
        return None
