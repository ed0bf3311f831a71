"""Communities, estates (with their inlines), buildings, households, owners."""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, F
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baitang.admin import ScopedInline
from communities import services
from communities.models import (
    Building,
    Community,
    Estate,
    EstateNeed,
    GovernanceBody,
    Household,
    Owner,
    Problem,
    mask_phone,
)
from communities.permissions import (
    buildings_visible_to,
    can_edit_community,
    can_edit_estate,
    can_edit_owner,
    communities_visible_to,
    estates_visible_to,
    households_visible_to,
    owners_choosable_by,
    owners_visible_to,
)
from communities.selectors import visible_count, with_open_problem_count

from .base import (
    BuildingInEstateForm,
    EstateInlineMixin,
    EstateRowsAdmin,
    PhotoInline,
    RegisterAdmin,
    ScopedChoicesMixin,
    adopt,
    changed_values,
    freeze_choices,
    save_register_row,
    values_of,
)

# --- Community ----------------------------------------------------------------


@admin.register(Community)
class CommunityAdmin(RegisterAdmin):
    visible_to = communities_visible_to
    ordering = ["name"]
    list_display = ["name", "address", "estate_count"]
    search_fields = ["name", "address"]

    def can_edit(self, user, obj) -> bool:
        return can_edit_community(user, obj)

    def optimize(self, request, queryset):
        return queryset.annotate(estate_total=Count("estates"))

    def save_model(self, request, obj, form, change):
        if change:
            values = changed_values(obj, services.COMMUNITY_FIELDS, form.changed_data)
            services.community_update(community=obj, actor=request.user, **values)
        else:
            values = values_of(obj, services.COMMUNITY_FIELDS)
            adopt(obj, services.community_create(actor=request.user, **values))

    @admin.display(description=_("小区数"), ordering="estate_total")
    def estate_count(self, obj):
        return obj.estate_total


# --- Estate and its inlines ---------------------------------------------------


class BuildDecadeFilter(admin.SimpleListFilter):
    title = _("建成年代")
    parameter_name = "decade"

    def lookups(self, request, model_admin):
        decades = (
            model_admin.get_queryset(request)
            .order_by()
            .annotate(decade=F("build_year") / 10 * 10)
            .values_list("decade", flat=True)
            .distinct()
        )
        return [
            (str(decade), gettext("%(decade)s年代") % {"decade": decade})
            for decade in sorted(decades)
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        try:
            decade = int(value)
        except ValueError:
            return queryset.none()
        return queryset.filter(build_year__gte=decade, build_year__lt=decade + 10)


class BuildingInline(
    EstateInlineMixin, ScopedInline, ScopedChoicesMixin, admin.TabularInline
):
    model = Building
    extra = 0
    fields = ["name", "storeys", "unit_count", "has_elevator", "households_link"]
    readonly_fields = ["households_link"]
    show_change_link = True

    @admin.display(description=_("住户"))
    def households_link(self, obj):
        if not obj.pk:
            return "—"
        url = reverse("admin:communities_household_changelist")
        return format_html(
            '<a href="{}?building__id__exact={}">{}</a>', url, obj.pk, _("查看住户")
        )


class ParentEstateInlineMixin:
    """Remembers the estate being edited, to offer only its buildings."""

    def get_formset(self, request, obj=None, **kwargs):
        request._admin_parent_estate = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "building":
            estate = getattr(request, "_admin_parent_estate", None)
            kwargs["queryset"] = (
                buildings_visible_to(request.user)
                .filter(estate=estate)
                .select_related("estate")
                if estate is not None and estate.pk
                else Building.objects.none()
            )
        return freeze_choices(
            super().formfield_for_foreignkey(db_field, request, **kwargs)
        )


class ProblemInline(
    ParentEstateInlineMixin, ScopedInline, ScopedChoicesMixin, admin.TabularInline
):
    model = Problem
    form = BuildingInEstateForm
    extra = 0
    fields = [
        "category",
        "building",
        "severity",
        "description",
        "source",
        "reported_on",
        "status",
    ]
    readonly_fields = ["status"]
    show_change_link = True
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}
    }

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("estate", "category", "building__estate")
        )


class GovernanceBodyInline(ScopedInline, admin.TabularInline):
    model = GovernanceBody
    extra = 0
    fields = ["kind", "name", "established_on", "term_ends_on"]
    show_change_link = True


class EstateNeedInline(EstateInlineMixin, ScopedInline, admin.TabularInline):
    model = EstateNeed
    extra = 0
    fields = ["kind", "quantity", "description"]


@admin.register(Estate)
class EstateAdmin(RegisterAdmin):
    visible_to = estates_visible_to
    ordering = ["community__name", "name"]
    list_display = [
        "name",
        "community",
        "build_year",
        "building_count",
        "household_count",
        "resident_count",
        "management_model",
        "open_problem_count",
        "is_sample",
    ]
    list_select_related = ["community"]
    list_filter = [
        ("community", admin.RelatedOnlyFieldListFilter),
        "management_model",
        BuildDecadeFilter,
        "is_sample",
    ]
    search_fields = ["name", "address"]
    readonly_fields = ["elderly_share", "floor_area_per_household", "age"]
    fieldsets = [
        (
            _("基本信息"),
            {
                "fields": [
                    "community",
                    "name",
                    "address",
                    "build_year",
                    "is_sample",
                    "notes",
                ]
            },
        ),
        (
            _("规模"),
            {
                "fields": [
                    "land_area",
                    "floor_area",
                    "building_count",
                    "household_count",
                    "resident_count",
                ]
            },
        ),
        (
            _("特殊人群"),
            {
                "fields": [
                    "elderly_60_count",
                    "elderly_80_count",
                    "disabled_count",
                    "children_count",
                    "low_income_count",
                    "tenant_share",
                ]
            },
        ),
        (
            _("长效管理"),
            {
                "fields": [
                    "management_model",
                    "has_owners_committee",
                    "maintenance_fund",
                ]
            },
        ),
        (
            _("派生指标"),
            {"fields": ["elderly_share", "floor_area_per_household", "age"]},
        ),
    ]
    inlines = [
        BuildingInline,
        ProblemInline,
        PhotoInline,
        GovernanceBodyInline,
        EstateNeedInline,
    ]
    actions = ["export_selected"]

    def estate_of(self, obj):
        return obj

    def can_edit(self, user, obj) -> bool:
        return can_edit_estate(user, obj)

    def optimize(self, request, queryset):
        return with_open_problem_count(queryset)

    @admin.display(description=_("待解决问题"), ordering="open_problem_count")
    def open_problem_count(self, obj):
        return obj.open_problem_count

    @admin.display(description=_("60岁以上占比（%）"))
    def elderly_share(self, obj):
        return obj.elderly_share if obj.elderly_share is not None else "—"

    @admin.display(description=_("户均建筑面积（㎡）"))
    def floor_area_per_household(self, obj):
        value = obj.floor_area_per_household
        return value if value is not None else "—"

    @admin.display(description=_("房龄（年）"))
    def age(self, obj):
        return obj.age if obj.build_year is not None else "—"

    def save_model(self, request, obj, form, change):
        names = services.ESTATE_FIELDS | {"community", "name"}
        if change:
            values = changed_values(obj, names, form.changed_data)
            services.estate_update(estate=obj, actor=request.user, **values)
        else:
            adopt(
                obj, services.estate_create(actor=request.user, **values_of(obj, names))
            )

    @admin.action(description=_("导出所选小区（Excel）"))
    def export_selected(self, request, queryset):
        # The pages' export: one file-name scheme, large ones in the background.
        # Imported here so the admin loads without openpyxl until it is used.
        from communities import exports
        from communities.views import register_export_response

        ids = list(queryset.order_by().values_list("pk", flat=True))
        return register_export_response(
            request, filters=exports.filters_of({}, ids), may_queue=True
        )


# --- Buildings, households, owners --------------------------------------------


@admin.register(Building)
class BuildingAdmin(EstateRowsAdmin):
    visible_to = buildings_visible_to
    ordering = ["estate__name", "name"]
    list_display = [
        "name",
        "estate",
        "storeys",
        "unit_count",
        "has_elevator",
        "household_total",
        "households_link",
    ]
    list_select_related = ["estate"]
    list_filter = [
        "has_elevator",
        ("estate__community", admin.RelatedOnlyFieldListFilter),
        ("estate", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "estate__name"]
    autocomplete_fields = ["estate"]
    fields = ["estate", "name", "storeys", "unit_count", "has_elevator"]

    def optimize(self, request, queryset):
        return queryset.annotate(households_total=Count("households"))

    @admin.display(description=_("户数"), ordering="households_total")
    def household_total(self, obj):
        return obj.households_total

    # Households can number in the thousands: a filtered list, not an inline.
    @admin.display(description=_("住户"))
    def households_link(self, obj):
        url = reverse("admin:communities_household_changelist")
        return format_html(
            '<a href="{}?building__id__exact={}">{}</a>', url, obj.pk, _("查看住户")
        )

    def save_model(self, request, obj, form, change):
        save_register_row(obj, request.user, form.changed_data if change else None)


@admin.register(Household)
class HouseholdAdmin(RegisterAdmin):
    visible_to = households_visible_to
    list_display = [
        "__str__",
        "floor",
        "exclusive_area",
        "area_basis",
        "occupancy",
        "resident_count",
        "phone_masked",
        "elderly_living_alone",
    ]
    list_select_related = ["building__estate"]
    list_filter = [
        "occupancy",
        "area_basis",
        "elderly_living_alone",
        "has_disabled_member",
        "has_children",
        ("building__estate__community", admin.RelatedOnlyFieldListFilter),
        ("building__estate", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = [
        "number",
        "owners__name",
        "building__name",
        "building__estate__name",
    ]
    autocomplete_fields = ["building", "owners"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "building",
                    ("unit", "number", "floor"),
                    ("exclusive_area", "area_basis"),
                    "owners",
                    "contact_phone",
                ]
            },
        ),
        (
            _("居住情况"),
            {
                "fields": [
                    "occupancy",
                    "resident_count",
                    "elderly_living_alone",
                    "has_disabled_member",
                    "has_children",
                ]
            },
        ),
    ]

    def can_edit(self, user, obj) -> bool:
        return can_edit_estate(user, obj.building.estate if obj else None)

    @admin.display(description=_("联系电话"))
    def phone_masked(self, obj):
        return obj.masked_phone

    def save_model(self, request, obj, form, change):
        values = values_of(obj, services.HOUSEHOLD_FIELDS)
        owners = form.cleaned_data.get("owners")
        if change:
            services.household_update(
                household=obj,
                actor=request.user,
                owners=owners if "owners" in form.changed_data else None,
                **changed_values(obj, services.HOUSEHOLD_FIELDS, form.changed_data),
            )
        else:
            for name in ["building", "number", "exclusive_area"]:
                values.pop(name)
            created = services.household_create(
                building=obj.building,
                number=obj.number,
                exclusive_area=obj.exclusive_area,
                owners=owners or (),
                actor=request.user,
                **values,
            )
            adopt(obj, created)

    def save_related(self, request, form, formsets, change):
        # save_model already set the owners through the service.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(Owner)
class OwnerAdmin(RegisterAdmin):
    # Listed as the API lists them; editable only where can_edit_owner allows
    # (an owner held in two communities: by the street office alone).
    visible_to = owners_visible_to
    ordering = ["name", "id"]
    list_display = ["name", "phone_masked", "is_developer", "household_total"]
    list_filter = ["is_developer"]
    search_fields = ["name", "phone"]

    def can_edit(self, user, obj) -> bool:
        return can_edit_owner(user, obj)

    def get_search_results(self, request, queryset, search_term):
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "autocomplete":
            # A household form offers only the owners this user may link.
            queryset = queryset.filter(
                pk__in=owners_choosable_by(request.user).values("pk")
            )
        return super().get_search_results(request, queryset, search_term)

    def optimize(self, request, queryset):
        # Only the households this user sees are counted.
        return queryset.annotate(
            households_total=visible_count(
                households_visible_to(request.user), "owners"
            )
        )

    @admin.display(description=_("联系电话"))
    def phone_masked(self, obj):
        return mask_phone(obj.phone)

    def save_model(self, request, obj, form, change):
        if change:
            values = changed_values(obj, services.OWNER_FIELDS, form.changed_data)
            services.owner_update(owner=obj, actor=request.user, **values)
        else:
            values = values_of(obj, services.OWNER_FIELDS)
            adopt(obj, services.owner_create(actor=request.user, **values))

    @admin.display(description=_("房屋套数"), ordering="households_total")
    def household_total(self, obj):
        return obj.households_total
