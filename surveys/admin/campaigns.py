"""Campaigns (征询) with their question editor, and templates.

A campaign's questions, options and menu items are edited while it is a draft
(the services refuse afterwards: residents answered those questions); its
title, description and times stay editable. Status changes and copies go
through their services, with the reason asked first.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baitang.admin import ReadOnlyInline
from baitang.roles import is_office_staff, is_street_staff
from communities.models import Building
from surveys import services
from surveys.models import (
    Campaign,
    MenuItem,
    Option,
    Question,
    QuestionItem,
    Response,
    StatusChange,
)
from surveys.permissions import (
    campaigns_visible_to,
    can_edit_campaign,
    questions_visible_to,
)

from .base import (
    CHOICE_SCOPES,
    SurveysAdmin,
    adopt,
    changed_values,
    community_filter,
    estate_filter,
    links,
    set_status_with_reason,
    slips_url,
)

DRAFT_ONLY_NOTE = _(
    "征询已开始，题目、选项和点单项目不能再修改（居民已按这些题目作答）；"
    "如需调整，请用“复制”另建一份草稿。"
)


def _is_draft(campaign) -> bool:
    return campaign is not None and campaign.status == Campaign.Status.DRAFT


def can_edit_questions(user, campaign) -> bool:
    """Questions of a new campaign, or of a draft the user may change."""
    if campaign is None or campaign.pk is None:
        return is_office_staff(user)
    return _is_draft(campaign) and can_edit_campaign(user, campaign)


class DraftQuestionsInline:
    """Inline rows of a campaign's questions: editable only in a draft."""

    def _campaign(self, obj):
        return obj.campaign if isinstance(obj, Question) else obj

    def has_view_permission(self, request, obj=None):
        return is_office_staff(request.user)

    def has_add_permission(self, request, obj=None):
        return can_edit_questions(request.user, self._campaign(obj))

    def has_change_permission(self, request, obj=None):
        return can_edit_questions(request.user, self._campaign(obj))

    def has_delete_permission(self, request, obj=None):
        return can_edit_questions(request.user, self._campaign(obj))


# --- Campaigns ------------------------------------------------------------------------


class TemplateFilter(admin.SimpleListFilter):
    title = _("类别")
    parameter_name = "template"

    def lookups(self, request, model_admin):
        return [("no", _("征询")), ("yes", _("模板"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(is_template=True)
        if self.value() == "no":
            return queryset.filter(is_template=False)
        return queryset


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "estate",
            "building",
            "unit",
            "title",
            "description",
            "phase",
            "channel",
            "opens_at",
            "closes_at",
        ]

    # Shown on the add form only: afterwards the scope is read-only.
    scope_help = {
        "estate": _("不选小区即为模板：由街道办维护，可复制到各小区。"),
        "building": _("只征询一栋楼时选择（须属于所选小区）。"),
        "unit": _("只征询一个单元时填写（须先选楼栋）。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, text in self.scope_help.items():
            if name in self.fields:
                self.fields[name].help_text = text

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and not cleaned.get("estate"):
            if not is_street_staff(self.user):
                self.add_error("estate", gettext("请选择小区；模板由街道办维护。"))
        return cleaned


class QuestionInlineForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = [
            "position",
            "kind",
            "prompt",
            "required",
            "max_choices",
            "points_budget",
            "cost_budget",
            "max_length",
            "show_if_option",
        ]
        widgets = {"prompt": forms.TextInput(attrs={"size": 30})}


class QuestionInline(DraftQuestionsInline, admin.TabularInline):
    model = Question
    form = QuestionInlineForm
    extra = 0
    fields = [*QuestionInlineForm.Meta.fields, "options_link"]
    readonly_fields = ["options_link"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("show_if_option")

    def get_formset(self, request, obj=None, **kwargs):
        request._admin_parent_campaign = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "show_if_option":
            campaign = getattr(request, "_admin_parent_campaign", None)
            kwargs["queryset"] = (
                Option.objects.filter(question__campaign=campaign).select_related(
                    "question"
                )
                if campaign is not None and campaign.pk
                else Option.objects.none()
            )
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "show_if_option" and field is not None:
            field.label_from_instance = lambda option: (
                f"第{option.question.position}题：{option.label}"
            )
            # One query for every row's select.
            field.choices = list(field.choices)
        return field

    @admin.display(description=_("选项与点单项目"))
    def options_link(self, obj):
        if not obj.pk:
            return "—"
        url = reverse("admin:surveys_question_change", args=[obj.pk])
        if obj.kind in Question.OPTION_KINDS:
            label = gettext("编辑选项")
        elif obj.kind in Question.MENU_KINDS:
            label = gettext("编辑点单项目")
        else:
            label = gettext("编辑提示")
        return format_html('<a href="{}">{}</a>', url, label)


class StatusChangeInline(ReadOnlyInline, admin.TabularInline):
    model = StatusChange
    fields = ["changed_at", "from_label", "to_label", "actor", "reason"]
    readonly_fields = fields
    verbose_name = _("状态变更记录")
    verbose_name_plural = _("状态变更记录")
    statuses = Campaign.Status

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def _label(self, value):
        try:
            return self.statuses(value).label
        except ValueError:
            return value

    @admin.display(description=_("原状态"))
    def from_label(self, obj):
        return self._label(obj.from_status)

    @admin.display(description=_("新状态"))
    def to_label(self, obj):
        return self._label(obj.to_status)


def staff_page_links(campaign: Campaign):
    """The staff pages of a campaign: results, residents' words, paper entry,
    the slips of its estate (or building)."""
    if campaign.is_template:
        return "—"
    return links(
        (reverse("surveys:campaign_results", args=[campaign.pk]), gettext("结果")),
        (reverse("surveys:campaign_words", args=[campaign.pk]), gettext("意见与答复")),
        (reverse("surveys:campaign_paper", args=[campaign.pk]), gettext("纸质代填")),
        (slips_url(campaign.estate_id, campaign.building_id), gettext("访问码纸条")),
    )


@admin.register(Campaign)
class CampaignAdmin(SurveysAdmin):
    visible_to = campaigns_visible_to
    form = CampaignForm
    list_display = [
        "title",
        "estate",
        "scope_column",
        "phase",
        "status",
        "closes_at",
        "response_column",
        "pages_column",
    ]
    list_filter = [
        "status",
        TemplateFilter,
        "phase",
        "channel",
        community_filter("estate__community"),
        estate_filter("estate"),
    ]
    search_fields = ["title", "estate__name"]
    inlines = [QuestionInline, StatusChangeInline]
    actions = ["open_campaigns", "close_campaigns", "reopen_campaigns", "copy"]

    def optimize(self, request, queryset):
        responses = (
            Response.objects.filter(campaign=OuterRef("pk"))
            .order_by()
            .values("campaign")
            .annotate(n=Count("id"))
            .values("n")
        )
        return queryset.select_related("estate", "building").annotate(
            response_total=Coalesce(Subquery(responses), 0)
        )

    def can_edit(self, user, obj) -> bool:
        return can_edit_campaign(user, obj)

    def can_delete(self, user, obj) -> bool:
        # Only a draft (campaign_delete says why to a bulk delete of others).
        if obj is not None and not _is_draft(obj):
            return False
        return can_edit_campaign(user, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["status"]
        return [
            "estate",
            "building",
            "unit",
            "status",
            "is_template",
            "copied_from",
            "created_by",
            "pages",
            "questions_note",
        ]

    def get_fieldsets(self, request, obj=None):
        main = [
            "title",
            "description",
            ("phase", "channel"),
            ("opens_at", "closes_at"),
        ]
        if obj is None:
            return [(None, {"fields": ["estate", "building", "unit", *main]})]
        scope = ["estate", "building", "unit", "is_template", "copied_from"]
        state = ["status", "created_by", "pages", "questions_note"]
        return [
            (_("范围"), {"fields": scope}),
            (None, {"fields": main}),
            (_("状态"), {"fields": state}),
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "building":
            kwargs["queryset"] = CHOICE_SCOPES[Building](request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("范围"))
    def scope_column(self, obj):
        if obj.is_template:
            return gettext("模板")
        return obj.scope_label

    @admin.display(description=_("答卷"), ordering="response_total")
    def response_column(self, obj):
        if obj.is_template:
            return "—"
        url = reverse("admin:surveys_response_changelist")
        return format_html(
            '<a href="{}?campaign__id__exact={}">{}</a>',
            url,
            obj.pk,
            obj.response_total,
        )

    @admin.display(description=_("工作页面"))
    def pages_column(self, obj):
        return staff_page_links(obj)

    @admin.display(description=_("工作页面"))
    def pages(self, obj):
        return staff_page_links(obj)

    @admin.display(description=_("题目"))
    def questions_note(self, obj):
        if _is_draft(obj):
            return gettext(
                "草稿：可在下方增删题目，点“编辑选项/点单项目”设置每题的选项。"
            )
        return DRAFT_ONLY_NOTE

    def save_model(self, request, obj, form, change):
        if change:
            values = changed_values(obj, services.CAMPAIGN_FIELDS, form.changed_data)
            services.campaign_update(campaign=obj, actor=request.user, **values)
        else:
            values = changed_values(obj, services.CAMPAIGN_FIELDS - {"title"}, None)
            created = services.campaign_create(
                estate=obj.estate,
                building=obj.building,
                unit=obj.unit,
                title=obj.title,
                actor=request.user,
                **values,
            )
            adopt(obj, created)

    def save_inline_row(self, request, obj, form, changed):
        if not isinstance(obj, Question):
            raise TypeError(f"no service saves {type(obj).__name__}")
        save_question(obj, request.user, changed)

    # --- Status and copies ------------------------------------------------------------

    def _set_status(self, request, queryset, status, *, title, reason_required=False):
        def change(campaign, reason):
            services.campaign_set_status(
                campaign=campaign, status=status, actor=request.user, reason=reason
            )

        return set_status_with_reason(
            self,
            request,
            queryset.select_related("estate"),
            title=title,
            change=change,
            reason_required=reason_required,
        )

    @admin.action(description=_("开始征询"), permissions=["change"])
    def open_campaigns(self, request, queryset):
        return self._set_status(
            request,
            queryset.filter(status=Campaign.Status.DRAFT),
            Campaign.Status.OPEN,
            title=gettext("开始征询"),
        )

    @admin.action(description=_("结束征询"), permissions=["change"])
    def close_campaigns(self, request, queryset):
        return self._set_status(
            request,
            queryset,
            Campaign.Status.CLOSED,
            title=gettext("结束征询"),
        )

    @admin.action(description=_("重新开始已结束的征询"), permissions=["change"])
    def reopen_campaigns(self, request, queryset):
        return self._set_status(
            request,
            queryset.filter(status=Campaign.Status.CLOSED),
            Campaign.Status.OPEN,
            title=gettext("重新开始征询"),
            reason_required=True,
        )

    @admin.action(description=_("复制到其他小区、楼栋或单元"), permissions=["view"])
    def copy(self, request, queryset):
        """The staff copy page (campaign_copy) for the one chosen campaign."""
        chosen = list(queryset.values_list("pk", flat=True)[:2])
        if len(chosen) != 1:
            self.message_user(
                request, gettext("请只选择一个征询或模板进行复制。"), messages.WARNING
            )
            return None
        return HttpResponseRedirect(reverse("surveys:campaign_copy", args=chosen))


def save_question(obj: Question, actor, changed) -> None:
    """Save a question typed into a form through its service."""
    names = services.QUESTION_FIELDS | {"position"}
    if changed is not None:
        services.question_update(
            question=obj, actor=actor, **changed_values(obj, names, changed)
        )
        return
    values = changed_values(obj, names - {"kind", "prompt"}, None)
    created = services.question_create(
        campaign=obj.campaign, kind=obj.kind, prompt=obj.prompt, actor=actor, **values
    )
    adopt(obj, created)


# --- Questions: options and menu items ------------------------------------------------


class OptionInline(DraftQuestionsInline, admin.TabularInline):
    model = Option
    extra = 2
    fields = ["position", "label"]


class QuestionItemForm(forms.ModelForm):
    class Meta:
        model = QuestionItem
        fields = ["item", "position", "cost"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Another item is another row: delete this one and add that one.
            self.fields["item"].disabled = True


class QuestionItemInline(DraftQuestionsInline, admin.TabularInline):
    model = QuestionItem
    form = QuestionItemForm
    extra = 3
    fields = ["item", "position", "cost"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "item":
            kwargs["queryset"] = CHOICE_SCOPES[MenuItem](request.user).filter(
                is_active=True
            )
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None:
            field.choices = list(field.choices)
        return field


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = [
            "campaign",
            "position",
            "kind",
            "prompt",
            "help_text",
            "required",
            "max_choices",
            "points_budget",
            "cost_budget",
            "max_length",
            "show_if_option",
        ]
        help_texts = {
            "position": _("题目在问卷中的顺序。"),
            "max_choices": _("多选题最多选几项；点单排序题最多排几项。"),
            "points_budget": _("仅“点单：积分分配”题填写。"),
            "cost_budget": _("仅“点单：预算内选择”题填写。"),
            "show_if_option": _("只有前面某题选了这一项时才显示本题（选填）。"),
        }


@admin.register(Question)
class QuestionAdmin(SurveysAdmin):
    """One question with its options (single or multiple choice) or the menu
    items it offers (menu questions). Reached from its campaign's page."""

    visible_to = questions_visible_to
    form = QuestionForm
    ordering = ["campaign", "position"]
    list_display = ["prompt", "position", "kind", "campaign", "required"]
    list_filter = ["kind"]
    search_fields = ["prompt", "campaign__title"]
    inlines = [OptionInline, QuestionItemInline]

    def has_module_permission(self, request):
        # Questions are edited from their campaign's page.
        return False

    def optimize(self, request, queryset):
        return queryset.select_related("campaign__estate")

    def can_edit(self, user, obj) -> bool:
        if obj is None:
            return is_office_staff(user)
        return can_edit_questions(user, obj.campaign)

    def can_delete(self, user, obj) -> bool:
        return self.can_edit(user, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = ["campaign_link", "editing_note"]
        return readonly + (["campaign"] if obj is not None else [])

    def get_fields(self, request, obj=None):
        fields = list(QuestionForm.Meta.fields)
        if obj is not None:
            fields = ["campaign_link", "editing_note", *fields[1:]]
        return fields

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        if obj.kind in Question.OPTION_KINDS:
            return [OptionInline]
        if obj.kind in Question.MENU_KINDS:
            return [QuestionItemInline]
        return []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "campaign":
            kwargs["queryset"] = (
                campaigns_visible_to(request.user)
                .filter(status=Campaign.Status.DRAFT)
                .select_related("estate")
            )
        if db_field.name == "show_if_option":
            kwargs["queryset"] = self._condition_options(request)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "show_if_option" and field is not None:
            field.label_from_instance = lambda option: (
                f"第{option.question.position}题：{option.label}"
            )
        return field

    def _condition_options(self, request):
        """Options of the question's own campaign (the service checks they come
        from an earlier question)."""
        object_id = str(request.resolver_match.kwargs.get("object_id", ""))
        if object_id.isdecimal():
            campaign = Question.objects.filter(pk=object_id).values("campaign_id")
            options = Option.objects.filter(question__campaign_id__in=campaign)
        else:
            campaign = request.POST.get("campaign") or request.GET.get("campaign", "")
            options = (
                Option.objects.filter(question__campaign_id=campaign)
                if campaign.isdecimal()
                else Option.objects.none()
            )
        return options.select_related("question")

    @admin.display(description=_("所属征询"))
    def campaign_link(self, obj):
        url = reverse("admin:surveys_campaign_change", args=[obj.campaign_id])
        return format_html('<a href="{}">{}</a>', url, obj.campaign)

    @admin.display(description=_("说明"))
    def editing_note(self, obj):
        if _is_draft(obj.campaign):
            if obj.kind in Question.OPTION_KINDS:
                return gettext("在下方填写选项；保存后回到征询页面。")
            if obj.kind in Question.MENU_KINDS:
                return gettext("在下方选择本题提供的点单项目及本小区估算费用。")
            return gettext("本题型没有选项。")
        return DRAFT_ONLY_NOTE

    def save_model(self, request, obj, form, change):
        save_question(obj, request.user, form.changed_data if change else None)

    def save_inline_row(self, request, obj, form, changed):
        actor = request.user
        if isinstance(obj, Option):
            if changed is not None:
                values = changed_values(obj, {"label", "position"}, changed)
                services.option_update(option=obj, actor=actor, **values)
            else:
                adopt(
                    obj,
                    services.option_create(
                        question=obj.question,
                        label=obj.label,
                        position=obj.position,
                        actor=actor,
                    ),
                )
        elif isinstance(obj, QuestionItem):
            if changed is not None:
                values = changed_values(obj, {"cost", "position"}, changed)
                services.question_item_update(row=obj, actor=actor, **values)
            else:
                adopt(
                    obj,
                    services.question_item_add(
                        question=obj.question,
                        item=obj.item,
                        cost=obj.cost,
                        position=obj.position,
                        actor=actor,
                    ),
                )
        else:
            raise TypeError(f"no service saves {type(obj).__name__}")

    def _back_to_campaign(self, request, obj):
        if "_continue" in request.POST or "_addanother" in request.POST:
            return None
        self.message_user(
            request, gettext("题目“%(q)s”已保存。") % {"q": obj}, messages.SUCCESS
        )
        return HttpResponseRedirect(
            reverse("admin:surveys_campaign_change", args=[obj.campaign_id])
        )

    def response_change(self, request, obj):
        return self._back_to_campaign(request, obj) or super().response_change(
            request, obj
        )

    def response_add(self, request, obj, post_url_continue=None):
        return self._back_to_campaign(request, obj) or super().response_add(
            request, obj, post_url_continue
        )
