from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.db.models import OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from baitang import services
from baitang.models import LoginAttempt, User
from baitang.roles import is_office_staff, is_street_staff
from baitang.search import NormalizedSearchAdminMixin

admin.site.site_header = _("白藤街道老旧小区改造管理平台")
admin.site.site_title = _("白藤街道老旧小区改造管理平台")
admin.site.index_title = _("工作台")


class LabelledSplitDateTime(AdminSplitDateTime):
    """The admin's date and time boxes, each named after its field ("开始时间
    日期"): Django's own gives the two boxes no label, so a screen reader
    announces them as nameless text boxes."""

    def __init__(self, attrs=None, *, label=""):
        super().__init__(attrs)
        self.label = label

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        parts = (context["date_label"], context["time_label"])
        for subwidget, part in zip(context["widget"]["subwidgets"], parts, strict=True):
            subwidget["attrs"]["aria-label"] = f"{self.label} {part}".rstrip(":：")
        return context


class LabelledDateTimeMixin:
    """Date-time fields of a model admin with named boxes (LabelledSplitDateTime)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and type(field.widget) is AdminSplitDateTime:
            field.widget = LabelledSplitDateTime(label=field.label)
        return field


class ServiceErrorsForm:
    """Shows the refusals of a service (a ValidationError raised while saving)
    on the form they came from: on their field when the form has it, above
    the form otherwise. `service_fields` maps a service's argument names to
    form field names."""

    service_error = None  # set on the subclass made for one request

    def _post_clean(self):
        super()._post_clean()
        if self.service_error is None:
            return
        if not hasattr(self.service_error, "error_dict"):
            self.add_error(None, self.service_error.messages)
            return
        for key, messages_ in self.service_error.message_dict.items():
            field = getattr(self, "service_fields", {}).get(key, key)
            self.add_error(field if field in self.fields else None, messages_)


class ScopedModelAdmin(
    LabelledDateTimeMixin, NormalizedSearchAdminMixin, admin.ModelAdmin
):
    """Admin whose rows and rights come from the role rules, not Django's
    per-model permissions: `visible_to(user)` scopes, `can_edit` guards writes.

    Subclasses add select_related, annotations or narrowing filters in
    `optimize(request, queryset)`; overriding `get_queryset` or `get_object`
    would bypass the scope and is refused when the class is defined.

    Saves go through services (each subclass's save_model); a ValidationError a
    service raises while saving rolls the save back and comes back as form
    errors, or as an error message on the list (list-editable, actions).
    """

    visible_to = None  # a selector: user -> QuerySet

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in ("get_queryset", "get_object"):
            if getattr(cls, name) is not getattr(ScopedModelAdmin, name):
                raise TypeError(
                    f"{cls.__qualname__} overrides {name}(), which would bypass the "
                    "role scope: use optimize(request, queryset) instead."
                )

    def can_edit(self, user, obj) -> bool:
        return is_office_staff(user)

    def can_delete(self, user, obj) -> bool:
        return is_street_staff(user)

    def get_queryset(self, request):
        queryset = self.optimize(request, type(self).visible_to(request.user))
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def optimize(self, request, queryset):
        """The place to select_related, annotate or narrow the scoped rows."""
        return queryset

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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        error = getattr(request, "_service_error", None)
        if error is None:
            return form
        return type(form.__name__, (ServiceErrorsForm, form), {"service_error": error})

    def _changeform_view(self, request, object_id, form_url, extra_context):
        if request.method != "POST" or hasattr(request, "_service_error"):
            return super()._changeform_view(request, object_id, form_url, extra_context)
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super()._changeform_view(
                    request, object_id, form_url, extra_context
                )
        except ValidationError as error:
            # Nothing was saved: show the same form again with the refusal.
            request._service_error = error
            return super()._changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        if request.method != "POST":
            return super().changelist_view(request, extra_context)
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().changelist_view(request, extra_context)
        except ValidationError as error:
            self.message_user(request, "；".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:
            self.message_user(request, "；".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ScopedChoicesMixin:
    """Foreign-key and many-to-many choices limited to the rows the user sees:
    `choice_scopes` maps a related model to its selector (user -> QuerySet)."""

    choice_scopes: dict = {}

    def _scope_choices(self, db_field, request, kwargs) -> None:
        selector = self.choice_scopes.get(db_field.related_model)
        if selector is not None and "queryset" not in kwargs:
            kwargs["queryset"] = selector(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._scope_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._scope_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


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
class UserAdmin(
    LabelledDateTimeMixin,
    NormalizedSearchAdminMixin,
    StreetOfficeOnlyMixin,
    DjangoUserAdmin,
):
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
    # Street staff keep the logins, but what makes a superuser stays with
    # superusers: otherwise a street login could raise itself to superuser, or
    # set a superuser's password and take that account over.
    SUPERUSER_FIELDS = ["is_superuser", "groups", "user_permissions"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += self.SUPERUSER_FIELDS
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


class LoginLockedFilter(admin.SimpleListFilter):
    title = _("锁定状态")
    parameter_name = "locked"

    def lookups(self, request, model_admin):
        return [("yes", _("已锁定")), ("no", _("未锁定"))]

    def queryset(self, request, queryset):
        locked = Q(user_failures__gte=settings.AXES_FAILURE_LIMIT) | Q(
            address_failures__gte=settings.AXES_FAILURE_LIMIT
        )
        if self.value() == "yes":
            return queryset.filter(locked)
        if self.value() == "no":
            return queryset.exclude(locked)
        return queryset


def _failures_within_cooloff(**same):
    recent = LoginAttempt.objects.filter(
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME, **same
    )
    return Coalesce(
        Subquery(
            recent.order_by()
            .values(*same)
            .annotate(total=Sum("failures_since_start"))
            .values("total")[:1]
        ),
        0,
    )


@admin.register(LoginAttempt)
class LoginAttemptAdmin(StreetOfficeOnlyMixin, admin.ModelAdmin):
    """Failed logins (django-axes), for the street office: it sees who is
    locked out and lifts a lockout. The rows are evidence: nobody edits them."""

    list_display = [
        "attempt_time",
        "username",
        "ip_address",
        "failures_since_start",
        "lock_status",
    ]
    list_filter = [LoginLockedFilter]
    search_fields = ["username", "ip_address"]
    fields = [
        "username",
        "ip_address",
        "user_agent",
        "path_info",
        "failures_since_start",
        "attempt_time",
    ]
    readonly_fields = fields
    actions = ["unlock"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                user_failures=_failures_within_cooloff(username=OuterRef("username")),
                address_failures=_failures_within_cooloff(
                    ip_address=OuterRef("ip_address")
                ),
            )
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("状态"))
    def lock_status(self, attempt):
        limit = settings.AXES_FAILURE_LIMIT
        if attempt.user_failures >= limit:
            return _("用户名已锁定")
        if attempt.address_failures >= limit:
            return _("地址已锁定")
        return _("未锁定")

    @admin.action(description=_("解除所选记录的登录锁定"), permissions=["delete"])
    def unlock(self, request, queryset):
        deleted = services.login_lockouts_clear(attempts=queryset, actor=request.user)
        self.message_user(
            request,
            _("已解除锁定，清除了 %(count)d 条登录失败记录。") % {"count": deleted},
            messages.SUCCESS,
        )
