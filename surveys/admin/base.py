"""What every order-menu admin shares: scoped choices, deleting through the
delete services, a reason page for status changes, and links to the staff
pages."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baitang.admin import ScopedChoicesMixin as BaseScopedChoicesMixin
from baitang.admin import ScopedModelAdmin
from communities.admin.base import CHOICE_SCOPES as REGISTER_CHOICES
from communities.models import Household
from communities.permissions import communities_visible_to, estates_visible_to
from surveys import services
from surveys.models import Campaign, MenuItem
from surveys.permissions import campaigns_visible_to, menu_items_visible_to

# Related rows offered in forms, per related model: the register's, plus the
# menu and the campaigns (never templates: nothing links to a template).
CHOICE_SCOPES = {
    **REGISTER_CHOICES,
    MenuItem: menu_items_visible_to,
    Campaign: lambda user: (
        campaigns_visible_to(user).filter(is_template=False).select_related("estate")
    ),
}


def refusal(error: Exception) -> str:
    """A service's refusal as one line for a message."""
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error) or gettext("无权操作。")


class ScopedChoicesMixin(BaseScopedChoicesMixin):
    choice_scopes = CHOICE_SCOPES


class SurveysAdmin(ScopedChoicesMixin, ScopedModelAdmin):
    """Order-menu rows: saved through their services (save_model in each admin,
    inline rows in save_inline_row), deleted through the delete services (one
    row, a bulk action or an inline row alike), which also remove files."""

    show_full_result_count = False
    list_per_page = 100

    class Media:
        css = {"all": ["css/surveys-admin.css"]}

    def get_deleted_objects(self, objs, request):
        # The delete service decides, and says why in Chinese: who may delete
        # what cascades from a row (a response's replies, a campaign's
        # questions), not each related admin's delete right; and whether rows
        # that point at it forbid the delete (a menu item in use).
        deleted, counts, _perms_needed, _protected = super().get_deleted_objects(
            objs, request
        )
        return deleted, counts, set(), []

    def delete_model(self, request, obj):
        services.row_delete(row=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.row_delete(row=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.row_delete(row=obj, actor=request.user)
        forms_by_instance = {id(f.instance): f for f in formset.forms}
        for obj, changed in formset.changed_objects:
            self.save_inline_row(request, obj, forms_by_instance[id(obj)], changed)
        for obj in formset.new_objects:
            self.save_inline_row(request, obj, forms_by_instance[id(obj)], None)

    def save_inline_row(self, request, obj, form, changed):
        """Save one inline row through its service (`changed` is None for a new
        row, else the names the form changed)."""
        raise TypeError(f"no service saves {type(obj).__name__}")


def changed_values(obj, names, changed) -> dict:
    """The values a form changed among `names` (all of them when `changed` is
    None): updates pass only what the user changed."""
    wanted = set(names) if changed is None else set(names) & set(changed)
    return {name: getattr(obj, name) for name in wanted}


def adopt(target, source) -> None:
    """Make the admin's unsaved object the row a create service just saved."""
    target.__dict__.update(source.__dict__)


# --- Filters that list only what the user sees ----------------------------------------


class CommunityFilter(admin.SimpleListFilter):
    """By community (the user's own ones), through `community_path`."""

    title = _("社区")
    parameter_name = "community"
    community_path = "estate__community"

    def lookups(self, request, model_admin):
        return [(str(c.pk), c.name) for c in communities_visible_to(request.user)]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdecimal():
            return queryset.none()
        return queryset.filter(**{f"{self.community_path}_id": int(value)})


def community_filter(path: str) -> type[CommunityFilter]:
    return type("CommunityFilter", (CommunityFilter,), {"community_path": path})


class EstateFilter(admin.SimpleListFilter):
    """By estate, offered once a community is chosen (a street has hundreds)."""

    title = _("小区")
    parameter_name = "estate"
    estate_path = "estate"

    def lookups(self, request, model_admin):
        community = request.GET.get("community", "")
        if not community.isdecimal():
            return []
        estates = estates_visible_to(request.user).filter(community_id=community)
        return [(str(e.pk), e.name) for e in estates.order_by("name")]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdecimal():
            return queryset.none()
        return queryset.filter(**{f"{self.estate_path}_id": int(value)})


def estate_filter(path: str) -> type[EstateFilter]:
    return type("EstateFilter", (EstateFilter,), {"estate_path": path})


# --- Showing things -------------------------------------------------------------------


def links(*pairs) -> str:
    """Links (url, label) side by side, for a list column or a read-only field."""
    return format_html_join(" · ", '<a href="{}">{}</a>', pairs)


def slips_url(estate_id: int, building_id: int | None = None) -> str:
    url = f"{reverse('surveys:slips')}?estate={estate_id}"
    return f"{url}&building={building_id}" if building_id else url


def household_label(household: Household) -> str:
    """Building, stairwell unit and room: how staff find a household."""
    return gettext("%(building)s %(unit)s单元 %(number)s") % {
        "building": household.building.name,
        "unit": household.unit,
        "number": household.number,
    }


def photo_preview(field_file, *, large: bool = False):
    """A picture linking to its file, sized by static/css/surveys-admin.css (no
    inline style: the Content-Security-Policy forbids it)."""
    if not field_file:
        return "—"
    return format_html(
        '<a href="{}"><img src="{}" alt="{}" class="{}"></a>',
        field_file.url,
        field_file.url,
        gettext("查看原图"),  # the link's purpose: the picture opens in full
        "survey-picture survey-picture--large" if large else "survey-picture",
    )


# --- Status changes with a reason -----------------------------------------------------


class StatusReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"),
        max_length=200,
        required=False,
        error_messages={"required": _("请填写原因。")},
    )

    def __init__(self, *args, reason_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required


def set_status_with_reason(
    model_admin,
    request,
    queryset,
    *,
    title: str,
    change,
    reason_required: bool = False,
):
    """Ask for the reason first (a page listing the chosen rows), then move
    each row through `change(row, reason)`; refusals are listed per row."""
    form = StatusReasonForm(
        request.POST if "apply" in request.POST else None,
        reason_required=reason_required,
    )
    if not form.is_bound or not form.is_valid():
        context = {
            **model_admin.admin_site.each_context(request),
            "title": title,
            "opts": model_admin.opts,
            "form": form,
            "rows": list(queryset),
            "action": request.POST.get("action", ""),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/status_reason.html", context)
    moved, refused = 0, []
    for row in queryset:
        try:
            change(row, form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as error:
            refused.append(f"{row}：{refusal(error)}")
        else:
            moved += 1
    if moved:
        model_admin.message_user(
            request,
            gettext("已变更 %(count)d 项的状态。") % {"count": moved},
            messages.SUCCESS,
        )
    for line in refused:
        model_admin.message_user(request, line, messages.ERROR)
    return None
