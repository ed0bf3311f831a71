"""What every register admin shares: scoped choices, saving through the
services, and forms that keep a row's building inside its estate."""

from collections.abc import Iterable

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from baitang.admin import ReadOnlyInline, ScopedModelAdmin
from baitang.admin import ScopedChoicesMixin as BaseScopedChoicesMixin
from communities import services
from communities.models import (
    Building,
    Community,
    Estate,
    EstateNeed,
    GovernanceBody,
    GovernanceMember,
    Owner,
    Photo,
    Problem,
    ProblemCategory,
)
from communities.permissions import (
    buildings_visible_to,
    can_edit_estate,
    communities_visible_to,
    estates_visible_to,
    governance_bodies_visible_to,
    owners_choosable_by,
    problem_categories_visible_to,
    problems_visible_to,
)

# Related rows offered in forms and autocompletes, per related model. The
# select_related matches what each model's __str__ reads.
CHOICE_SCOPES = {
    Community: communities_visible_to,
    Estate: lambda user: estates_visible_to(user).select_related("community"),
    Building: lambda user: buildings_visible_to(user).select_related("estate"),
    Owner: owners_choosable_by,
    Problem: lambda user: problems_visible_to(user).select_related(
        "estate", "category"
    ),
    ProblemCategory: problem_categories_visible_to,
    GovernanceBody: governance_bodies_visible_to,
}


def freeze_choices(formfield):
    """Evaluate a select's choices once, so an inline with many rows does not
    run one query per row and field."""
    if formfield is not None and hasattr(formfield, "queryset"):
        formfield.choices = list(formfield.choices)
    return formfield


def joined_messages(error: ValidationError) -> str:
    return "；".join(error.messages)


def adopt(target, source) -> None:
    """Make the admin's unsaved object the row a create service just saved."""
    target.__dict__.update(source.__dict__)


def values_of(obj, names) -> dict:
    return {name: getattr(obj, name) for name in names}


def changed_values(obj, names, changed: Iterable[str] | None) -> dict:
    """The values a form changed, among `names` (all of them when `changed` is
    None): updates pass only what the user changed, so a service judges the
    change, not a whole row a form has rewritten."""
    wanted = set(names) if changed is None else set(names) & set(changed)
    return values_of(obj, wanted)


class ScopedChoicesMixin(BaseScopedChoicesMixin):
    choice_scopes = CHOICE_SCOPES


class RegisterAdmin(ScopedChoicesMixin, ScopedModelAdmin):
    """Register rows: saved through their services (save_model in each admin),
    inline rows through `save_register_row`, deleted through the delete services
    (one row, a bulk action or an inline row alike), which remove files too."""

    show_full_result_count = False
    list_per_page = 100

    def delete_model(self, request, obj):
        services.row_delete(row=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.row_delete(row=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.row_delete(row=obj, actor=request.user)
        for obj, changed in formset.changed_objects:
            save_register_row(obj, request.user, changed)
        for obj in formset.new_objects:
            save_register_row(obj, request.user)
        formset.save_m2m()


class EstateRowsAdmin(RegisterAdmin):
    """Rows that belong to an estate: community staff edit those of their own.
    A row stays in its estate, so the estate is chosen when the row is added and
    shown read-only after (the services refuse a move on every path)."""

    def estate_of(self, obj) -> Estate:
        return obj.estate

    def can_edit(self, user, obj) -> bool:
        return can_edit_estate(user, self.estate_of(obj) if obj else None)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and "estate" not in fields and _has_field(obj, "estate"):
            fields.append("estate")
        return fields


def _has_field(obj, name: str) -> bool:
    return any(field.name == name for field in obj._meta.concrete_fields)


def save_register_row(obj, actor, changed: Iterable[str] | None = None) -> None:
    """Save an admin-edited row of an estate through its service. For a row
    that exists, only the fields in `changed` (a form's changed_data) are
    passed, including what ties it to its estate, which the service refuses to
    move."""
    if isinstance(obj, Building):
        if obj.pk:
            values = changed_values(obj, services.BUILDING_FIELDS | {"estate"}, changed)
            services.building_update(building=obj, actor=actor, **values)
        else:
            values = values_of(obj, services.BUILDING_FIELDS)
            values.pop("name")
            created = services.building_create(
                estate=obj.estate, name=obj.name, actor=actor, **values
            )
            adopt(obj, created)
    elif isinstance(obj, Problem):
        if obj.pk:
            values = changed_values(obj, services.PROBLEM_FIELDS | {"estate"}, changed)
            services.problem_update(problem=obj, actor=actor, **values)
        else:
            created = services.problem_create(
                estate=obj.estate,
                building=obj.building,
                category=obj.category,
                description=obj.description,
                severity=obj.severity,
                source=obj.source,
                reported_on=obj.reported_on,
                actor=actor,
            )
            adopt(obj, created)
    elif isinstance(obj, GovernanceBody):
        if obj.pk:
            values = changed_values(
                obj, services.GOVERNANCE_BODY_FIELDS | {"estate"}, changed
            )
            services.governance_body_update(body=obj, actor=actor, **values)
        else:
            values = values_of(obj, services.GOVERNANCE_BODY_FIELDS)
            created = services.governance_body_create(
                estate=obj.estate, actor=actor, **values
            )
            adopt(obj, created)
    elif isinstance(obj, GovernanceMember):
        if obj.pk:
            values = changed_values(
                obj, services.GOVERNANCE_MEMBER_FIELDS | {"body"}, changed
            )
            services.governance_member_update(member=obj, actor=actor, **values)
        else:
            values = values_of(obj, services.GOVERNANCE_MEMBER_FIELDS)
            values.pop("name")
            created = services.governance_member_create(
                body=obj.body, name=obj.name, actor=actor, **values
            )
            adopt(obj, created)
    elif isinstance(obj, EstateNeed):
        if obj.pk:
            values = changed_values(obj, services.NEED_FIELDS | {"estate"}, changed)
            services.need_update(need=obj, actor=actor, **values)
        else:
            values = values_of(obj, services.NEED_FIELDS)
            created = services.need_create(estate=obj.estate, actor=actor, **values)
            adopt(obj, created)
    else:
        raise TypeError(f"no service saves {type(obj).__name__}")


class BuildingInEstateForm(forms.ModelForm):
    """Refuses a building of another estate (problems, governance members)."""

    def clean(self):
        cleaned = super().clean()
        building = cleaned.get("building")
        estate_id = self._estate_id(cleaned)
        try:
            services.check_building_in_estate(building=building, estate_id=estate_id)
        except ValidationError as error:
            self.add_error("building", error.message_dict["building"])
        return cleaned

    def _estate_id(self, cleaned):
        estate = cleaned.get("estate") or getattr(self.instance, "estate", None)
        return estate.pk if estate else None


class MemberForm(BuildingInEstateForm):
    def _estate_id(self, cleaned):
        body = cleaned.get("body") or getattr(self.instance, "body", None)
        return body.estate_id if body else None


def photo_thumbnail(photo: Photo):
    if not photo.thumbnail_small:
        return "—"
    return format_html(
        '<img src="{}" alt="{}" class="register-picture">',
        photo.thumbnail_small.url,
        photo.caption or photo.get_stage_display(),
    )


class EstateInlineMixin:
    """Each inline row prints its object, and most objects print their estate."""

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("estate")


class PhotoInline(EstateInlineMixin, ReadOnlyInline, admin.TabularInline):
    """Read-only thumbnails; photos are added through the upload form, which
    cleans them (EXIF, GPS) — never as raw files."""

    model = Photo
    fields = ["thumbnail", "stage", "caption", "pair_key", "taken_on"]
    readonly_fields = fields
    show_change_link = True

    @admin.display(description=_("缩略图"))
    def thumbnail(self, obj):
        return photo_thumbnail(obj)
