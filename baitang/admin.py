from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from baitang.models import User
from baitang.roles import is_office_staff, is_street_staff
from baitang.search import NormalizedSearchAdminMixin

admin.site.site_header = _("白藤街道老旧小区改造管理平台")
admin.site.site_title = _("白藤街道老旧小区改造管理平台")
admin.site.index_title = _("工作台")


class ScopedModelAdmin(NormalizedSearchAdminMixin, admin.ModelAdmin):
    """Admin whose rows and rights come from the role rules, not Django's
    per-model permissions: `visible_to(user)` scopes, `can_edit` guards writes."""

    visible_to = None  # a selector: user -> QuerySet

    def can_edit(self, user, obj) -> bool:
        return is_office_staff(user)

    def can_delete(self, user, obj) -> bool:
        return is_street_staff(user)

    def get_queryset(self, request):
        queryset = type(self).visible_to(request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def has_module_permission(self, request):
        return is_office_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return is_office_staff(request.user)

    def has_add_permission(self, request):
        return self.can_edit(request.user, None)

    def has_change_permission(self, request, obj=None):
        return self.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return self.can_delete(request.user, obj)


class ScopedInline:
    """Inline rows follow the parent's rights."""

    def has_view_permission(self, request, obj=None):
        return is_office_staff(request.user)

    def has_add_permission(self, request, obj=None):
        return is_office_staff(request.user)

    def has_change_permission(self, request, obj=None):
        return is_office_staff(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_street_staff(request.user)


class ReadOnlyInline(ScopedInline):
    """Inline rows shown for reference only: office staff see them, nobody edits."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StreetOfficeOnlyMixin:
    """For what only the street office manages: logins and periodic tasks."""

    def has_module_permission(self, request):
        return is_street_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return is_street_staff(request.user)

    def has_add_permission(self, request):
        return is_street_staff(request.user)

    def has_change_permission(self, request, obj=None):
        return is_street_staff(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_street_staff(request.user)


# Staff change the schedules of periodic tasks (django-celery-beat) in the admin.
for _model in (
    PeriodicTask,
    CrontabSchedule,
    IntervalSchedule,
    SolarSchedule,
    ClockedSchedule,
):
    _beat_admin = type(admin.site._registry[_model])
    admin.site.unregister(_model)
    admin.site.register(
        _model, type(_beat_admin.__name__, (StreetOfficeOnlyMixin, _beat_admin), {})
    )

# Roles, not Django groups, decide what a login may do.
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(NormalizedSearchAdminMixin, StreetOfficeOnlyMixin, DjangoUserAdmin):
    list_display = ["username", "get_full_name", "role", "organisation", "is_active"]
    list_filter = ["role", "party_kind", "is_active", "communities"]
    search_fields = ["username", "first_name", "last_name", "organisation", "phone"]
    filter_horizontal = ["communities"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        (
            _("角色与范围"),
            {"fields": ["role", "party_kind", "organisation", "phone", "communities"]},
        ),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        (_("角色与范围"), {"fields": ["role", "party_kind", "communities"]}),
    )
