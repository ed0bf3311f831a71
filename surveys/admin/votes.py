"""Owners' votes under Civil Code Art. 278 (业主表决). Created through
vote_create (which records the rule set in force), changed while a draft,
opened and closed with a reason; ballots and consents are entered on the
vote's staff page and shown here read-only."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baitang.admin import ReadOnlyInline
from baitang.roles import is_office_staff
from communities.models import Building
from surveys import services
from surveys.models import Ballot, OccupiedConsent, Vote
from surveys.permissions import can_edit_vote, votes_visible_to
from surveys.voting import RULE_SETS

from .base import (
    CHOICE_SCOPES,
    SurveysAdmin,
    adopt,
    changed_values,
    community_filter,
    estate_filter,
    household_label,
    links,
    set_status_with_reason,
)
from .campaigns import StatusChangeInline

CREATE_FIELDS = [
    "estate",
    "building",
    "unit",
    "matter",
    "item",
    "rule_version",
    "title",
    "description",
    "opens_at",
    "closes_at",
]


class VoteForm(forms.ModelForm):
    rule_version = forms.ChoiceField(
        label=_("适用规则"),
        required=False,
        choices=[("", _("（现行规则）"))]
        + [(version, rules.title) for version, rules in RULE_SETS.items()],
        help_text=_("一般不选：按今天有效的规则。旧的地方规则仍适用时才选择。"),
    )

    class Meta:
        model = Vote
        fields = CREATE_FIELDS

    # Shown on the add form only: afterwards the scope is read-only.
    scope_help = {
        "building": _("加装电梯等按楼栋或单元表决的事项须选择楼栋。"),
        "unit": _("按单元表决时填写（须先选楼栋）。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, text in self.scope_help.items():
            if name in self.fields:
                self.fields[name].help_text = text


class BallotInline(ReadOnlyInline, admin.TabularInline):
    model = Ballot
    fields = [
        "household_column",
        "choice",
        "channel",
        "entered_by",
        "paper_date",
        "proxy_name",
        "proxy_document",
        "cast_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("vote", "household__building", "entered_by")
        )

    @admin.display(description=_("投票所用房屋"))
    def household_column(self, obj):
        return household_label(obj.household)


class OccupiedConsentInline(ReadOnlyInline, admin.TabularInline):
    model = OccupiedConsent
    fields = ["household_column", "consented", "document", "recorded_by", "recorded_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("household__building__estate", "recorded_by")
        )

    @admin.display(description=_("受影响房屋"))
    def household_column(self, obj):
        return household_label(obj.household)


class VoteStatusChangeInline(StatusChangeInline):
    statuses = Vote.Status


def vote_page_links(vote: Vote):
    return links(
        (reverse("surveys:vote_result", args=[vote.pk]), gettext("表决结果")),
        (reverse("surveys:vote_paper", args=[vote.pk]), gettext("纸质表决票代录")),
    )


@admin.register(Vote)
class VoteAdmin(SurveysAdmin):
    visible_to = votes_visible_to
    form = VoteForm
    list_display = [
        "title",
        "estate",
        "scope_column",
        "matter",
        "status",
        "passed",
        "opens_at",
        "closes_at",
        "pages_column",
    ]
    list_filter = [
        "status",
        "matter",
        "passed",
        community_filter("estate__community"),
        estate_filter("estate"),
    ]
    search_fields = ["title", "estate__name"]
    inlines = [OccupiedConsentInline, BallotInline, VoteStatusChangeInline]
    actions = ["open_votes", "close_votes"]

    def optimize(self, request, queryset):
        return queryset.select_related("estate", "building", "item")

    def can_edit(self, user, obj) -> bool:
        if obj is None:
            return is_office_staff(user)
        return obj.status == Vote.Status.DRAFT and can_edit_vote(user, obj)

    def can_delete(self, user, obj) -> bool:
        # Only a draft (vote_delete says why to a bulk delete of others).
        if obj is not None and obj.status != Vote.Status.DRAFT:
            return False
        return can_edit_vote(user, obj)

    def has_status_permission(self, request):
        return is_office_staff(request.user)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": CREATE_FIELDS})]
        return [
            (
                _("表决事项"),
                {
                    "fields": [
                        "estate",
                        "building",
                        "unit",
                        "matter",
                        "item",
                        "rule_version_label",
                    ]
                },
            ),
            (None, {"fields": ["title", "description", ("opens_at", "closes_at")]}),
            (
                _("状态"),
                {"fields": ["status", "passed", "created_by", "pages", "note"]},
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "estate",
            "building",
            "unit",
            "matter",
            "item",
            "rule_version_label",
            "status",
            "passed",
            "created_by",
            "pages",
            "note",
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["fields"] = ["title", "description", "opens_at", "closes_at"]
        return super().get_form(request, obj, change, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "building":
            kwargs["queryset"] = CHOICE_SCOPES[Building](request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("范围"))
    def scope_column(self, obj):
        return obj.scope_label

    @admin.display(description=_("适用规则"))
    def rule_version_label(self, obj):
        return obj.get_rule_version_display()

    @admin.display(description=_("工作页面"))
    def pages_column(self, obj):
        return vote_page_links(obj)

    @admin.display(description=_("工作页面"))
    def pages(self, obj):
        return vote_page_links(obj)

    @admin.display(description=_("说明"))
    def note(self, obj):
        if obj.status == Vote.Status.DRAFT:
            return gettext(
                "草稿：可修改标题、方案说明和时间；范围、事项和规则创建后不能修改。"
                "表决票和受影响业主的书面同意在“纸质表决票代录”页面登记。"
            )
        return gettext(
            "表决已开始，不能再修改；表决票在“纸质表决票代录”页面登记，"
            "计票结果见“表决结果”。"
        )

    def save_model(self, request, obj, form, change):
        if change:
            values = changed_values(obj, services.VOTE_FIELDS, form.changed_data)
            services.vote_update(vote=obj, actor=request.user, **values)
            return
        created = services.vote_create(
            estate=obj.estate,
            building=obj.building,
            unit=obj.unit,
            matter=obj.matter,
            item=obj.item,
            title=obj.title,
            description=obj.description,
            opens_at=obj.opens_at,
            closes_at=obj.closes_at,
            rule_version=form.cleaned_data.get("rule_version") or None,
            actor=request.user,
        )
        adopt(obj, created)

    def _set_status(self, request, queryset, status, title):
        def change(vote, reason):
            services.vote_set_status(
                vote=vote, status=status, actor=request.user, reason=reason
            )

        return set_status_with_reason(
            self, request, queryset.select_related("estate"), title=title, change=change
        )

    @admin.action(description=_("开始表决"), permissions=["status"])
    def open_votes(self, request, queryset):
        return self._set_status(
            request,
            queryset.filter(status=Vote.Status.DRAFT),
            Vote.Status.OPEN,
            gettext("开始表决"),
        )

    @admin.action(description=_("结束表决并计票"), permissions=["status"])
    def close_votes(self, request, queryset):
        return self._set_status(
            request,
            queryset.filter(status=Vote.Status.OPEN),
            Vote.Status.CLOSED,
            gettext("结束表决并计票"),
        )
