"""Hand-entered needs and governance bodies with their members."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from baitang.admin import ScopedInline
from communities.models import (
    EstateNeed,
    GovernanceBody,
    GovernanceMember,
)
from communities.permissions import (
    buildings_visible_to,
    governance_bodies_visible_to,
    governance_members_visible_to,
    needs_visible_to,
)

from .base import (
    EstateRowsAdmin,
    MemberForm,
    freeze_choices,
    save_register_row,
)

# --- Needs and governance -----------------------------------------------------


@admin.register(EstateNeed)
class EstateNeedAdmin(EstateRowsAdmin):
    visible_to = needs_visible_to
    list_display = ["estate", "kind", "quantity", "description", "created_at"]
    list_select_related = ["estate"]
    list_filter = ["kind", ("estate__community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["estate__name", "description"]
    autocomplete_fields = ["estate"]
    fields = ["estate", "kind", "quantity", "description"]

    def save_model(self, request, obj, form, change):
        save_register_row(obj, request.user, form.changed_data if change else None)


class GovernanceMemberInline(ScopedInline, admin.TabularInline):
    model = GovernanceMember
    form = MemberForm
    extra = 1
    fields = [
        "name",
        "position",
        "is_party_member",
        "phone",
        "building",
        "term_start",
        "term_end",
    ]

    def get_formset(self, request, obj=None, **kwargs):
        request._admin_parent_estate = obj.estate if obj is not None else None
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "building":
            # A new body's estate is known only on submit; MemberForm then
            # checks the building belongs to it.
            estate = getattr(request, "_admin_parent_estate", None)
            buildings = buildings_visible_to(request.user).select_related("estate")
            kwargs["queryset"] = (
                buildings.filter(estate=estate) if estate is not None else buildings
            )
        return freeze_choices(
            super().formfield_for_foreignkey(db_field, request, **kwargs)
        )


@admin.register(GovernanceBody)
class GovernanceBodyAdmin(EstateRowsAdmin):
    visible_to = governance_bodies_visible_to
    ordering = ["estate__name", "kind", "name"]
    list_display = ["name", "kind", "estate", "member_total", "term_ends_on"]
    list_select_related = ["estate"]
    list_filter = ["kind", ("estate__community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "estate__name"]
    autocomplete_fields = ["estate"]
    fields = ["estate", "kind", "name", "established_on", "term_ends_on"]
    inlines = [GovernanceMemberInline]

    def optimize(self, request, queryset):
        return queryset.annotate(members_total=Count("members"))

    @admin.display(description=_("成员数"), ordering="members_total")
    def member_total(self, obj):
        return obj.members_total

    def save_model(self, request, obj, form, change):
        save_register_row(obj, request.user, form.changed_data if change else None)


@admin.register(GovernanceMember)
class GovernanceMemberAdmin(EstateRowsAdmin):
    visible_to = governance_members_visible_to
    form = MemberForm
    list_display = [
        "name",
        "position",
        "body",
        "body_estate",
        "is_party_member",
        "term_end",
    ]
    list_select_related = ["body__estate"]
    list_filter = [
        "is_party_member",
        "body__kind",
        ("body__estate__community", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "body__name", "body__estate__name"]
    autocomplete_fields = ["body", "building"]
    fields = [
        "body",
        "name",
        "position",
        "is_party_member",
        "phone",
        "building",
        "term_start",
        "term_end",
    ]

    def estate_of(self, obj):
        return obj.body.estate

    @admin.display(description=_("小区"), ordering="body__estate__name")
    def body_estate(self, obj):
        return obj.body.estate

    def save_model(self, request, obj, form, change):
        save_register_row(obj, request.user, form.changed_data if change else None)
