"""Problem categories, problems with their status log, and field photos."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baitang.admin import ReadOnlyInline
from communities import photos, services
from communities.models import (
    Building,
    Estate,
    Photo,
    Problem,
    ProblemCategory,
    ProblemStatusChange,
)
from communities.permissions import (
    buildings_visible_to,
    can_edit_problem_categories,
    photos_visible_to,
    problem_categories_visible_to,
    problems_visible_to,
)
from communities.selectors import visible_count

from .base import (
    CHOICE_SCOPES,
    BuildingInEstateForm,
    EstateRowsAdmin,
    PhotoInline,
    RegisterAdmin,
    adopt,
    changed_values,
    joined_messages,
    photo_thumbnail,
    save_register_row,
)

# --- Problems -----------------------------------------------------------------


@admin.register(ProblemCategory)
class ProblemCategoryAdmin(RegisterAdmin):
    visible_to = problem_categories_visible_to
    ordering = ["sort_order", "name"]
    list_display = ["name", "sort_order", "problem_total"]
    list_editable = ["sort_order"]
    search_fields = ["name"]

    def can_edit(self, user, obj) -> bool:
        return can_edit_problem_categories(user)

    def optimize(self, request, queryset):
        # Only the problems this user sees are counted.
        return queryset.annotate(
            problems_total=visible_count(problems_visible_to(request.user), "category")
        )

    def save_model(self, request, obj, form, change):
        # The list's editable sort order is saved here too.
        if change:
            values = changed_values(
                obj, services.PROBLEM_CATEGORY_FIELDS, form.changed_data
            )
            services.problem_category_update(category=obj, actor=request.user, **values)
        else:
            created = services.problem_category_create(
                name=obj.name, sort_order=obj.sort_order, actor=request.user
            )
            adopt(obj, created)

    @admin.display(description=_("问题数"), ordering="problems_total")
    def problem_total(self, obj):
        return obj.problems_total


class ProblemStatusChangeInline(ReadOnlyInline, admin.TabularInline):
    model = ProblemStatusChange
    fields = ["changed_at", "from_label", "to_label", "actor", "reason"]
    readonly_fields = fields
    verbose_name = _("状态变更记录")
    verbose_name_plural = _("状态变更记录")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_("原状态"))
    def from_label(self, obj):
        return _status_label(obj.from_status)

    @admin.display(description=_("新状态"))
    def to_label(self, obj):
        return _status_label(obj.to_status)


def _status_label(value: str) -> str:
    try:
        return Problem.Status(value).label
    except ValueError:
        return value or "—"


class ProblemForm(BuildingInEstateForm):
    new_status = forms.ChoiceField(
        label=_("变更状态为"),
        required=False,
        choices=[("", _("（不变）"))] + list(Problem.Status.choices),
    )
    status_reason = forms.CharField(
        label=_("变更原因"),
        max_length=200,
        required=False,
        help_text=_("解决、复发、移出计划等状态变更必须填写原因。"),
    )

    # Where the status service's refusals are shown.
    service_fields = {"status": "new_status", "reason": "status_reason"}

    def clean(self):
        cleaned = super().clean()
        new_status = cleaned.get("new_status")
        if new_status and self.instance.pk:
            try:
                services.problem_transition_check(
                    from_status=self.instance.status,
                    to_status=new_status,
                    reason=cleaned.get("status_reason", ""),
                )
            except ValidationError as error:
                for key, messages_ in error.message_dict.items():
                    self.add_error(self.service_fields[key], messages_)
        return cleaned


class StatusReasonForm(forms.Form):
    """The reason asked for before a bulk status change."""

    reason = forms.CharField(
        label=_("变更原因"),
        max_length=200,
        required=False,
        error_messages={"required": _("请填写变更原因。")},
    )

    def __init__(self, *args, status, **kwargs):
        super().__init__(*args, **kwargs)
        # Only planning needs no reason (and then only for open problems: the
        # service refuses the others row by row).
        self.fields["reason"].required = status != Problem.Status.PLANNED


class ProblemPhotoInline(PhotoInline):
    fk_name = "problem"


@admin.register(Problem)
class ProblemAdmin(EstateRowsAdmin):
    visible_to = problems_visible_to
    form = ProblemForm
    list_display = [
        "short_description",
        "estate",
        "category",
        "severity",
        "status",
        "source",
        "reported_on",
        "resolved_on",
    ]
    list_select_related = ["estate", "category"]
    list_filter = [
        "status",
        "category",
        "severity",
        "source",
        ("estate__community", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["description", "estate__name"]
    autocomplete_fields = ["estate"]
    readonly_fields = ["status", "resolved_on", "recurred_on"]
    inlines = [ProblemStatusChangeInline, ProblemPhotoInline]
    actions = ["mark_planned", "mark_resolved", "mark_recurred", "mark_open"]

    def get_fieldsets(self, request, obj=None):
        main = (
            None,
            {
                "fields": [
                    "estate",
                    "building",
                    "category",
                    "severity",
                    "source",
                    "description",
                    "reported_on",
                ]
            },
        )
        if obj is None:
            return [main]
        status = ["status", "resolved_on", "recurred_on"]
        if self.has_change_permission(request, obj):
            status += ["new_status", "status_reason"]
        return [main, (_("状态"), {"fields": status})]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "building":
            kwargs["queryset"] = buildings_visible_to(request.user).select_related(
                "estate"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("问题描述"))
    def short_description(self, obj):
        text = obj.description
        return text if len(text) <= 30 else f"{text[:30]}…"

    def save_model(self, request, obj, form, change):
        save_register_row(obj, request.user, form.changed_data if change else None)
        if change:
            new_status = form.cleaned_data.get("new_status")
            if new_status:
                services.problem_set_status(
                    problem=obj,
                    status=new_status,
                    actor=request.user,
                    reason=form.cleaned_data.get("status_reason", ""),
                )

    def _set_status(self, request, queryset, status):
        """Ask for the reason first (a page listing the chosen problems), then
        move each problem through the service; refusals are listed per row."""
        form = StatusReasonForm(
            request.POST if "apply" in request.POST else None, status=status
        )
        if not form.is_bound or not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": gettext("变更问题状态为“%(status)s”")
                % {"status": Problem.Status(status).label},
                "opts": self.opts,
                "form": form,
                "rows": queryset.select_related("estate", "category"),
                "action": request.POST.get("action", ""),
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/status_reason.html", context)
        moved, refused = 0, []
        for problem in queryset.select_related("estate"):
            try:
                services.problem_set_status(
                    problem=problem,
                    status=status,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except (ValidationError, PermissionDenied) as error:
                reason = (
                    joined_messages(error)
                    if isinstance(error, ValidationError)
                    else str(error)
                )
                refused.append(f"{problem}：{reason}")
            else:
                moved += 1
        if moved:
            self.message_user(
                request,
                gettext("已变更 %(count)d 个问题的状态。") % {"count": moved},
                messages.SUCCESS,
            )
        for line in refused:
            self.message_user(request, line, messages.ERROR)
        return None

    @admin.action(description=_("标记为已列入计划"), permissions=["change"])
    def mark_planned(self, request, queryset):
        return self._set_status(request, queryset, Problem.Status.PLANNED)

    @admin.action(description=_("标记为已解决"), permissions=["change"])
    def mark_resolved(self, request, queryset):
        return self._set_status(request, queryset, Problem.Status.RESOLVED)

    @admin.action(description=_("标记为反弹复发"), permissions=["change"])
    def mark_recurred(self, request, queryset):
        return self._set_status(request, queryset, Problem.Status.RECURRED)

    @admin.action(description=_("移出计划（待解决）"), permissions=["change"])
    def mark_open(self, request, queryset):
        return self._set_status(request, queryset, Problem.Status.OPEN)


# --- Photos -------------------------------------------------------------------


class PhotoUploadForm(forms.Form):
    required_css_class = "required"

    estate = forms.ModelChoiceField(label=_("小区"), queryset=Estate.objects.none())
    image_file = forms.FileField(
        label=_("照片文件"),
        help_text=_("支持 JPEG、PNG、WebP、HEIC；上传后自动去除定位等元数据。"),
    )
    stage = forms.ChoiceField(
        label=_("阶段"), choices=Photo.Stage.choices, initial=Photo.Stage.BEFORE
    )
    building = forms.ModelChoiceField(
        label=_("楼栋"), queryset=Building.objects.none(), required=False
    )
    problem = forms.ModelChoiceField(
        label=_("问题"), queryset=Problem.objects.none(), required=False
    )
    caption = forms.CharField(label=_("说明"), max_length=200, required=False)
    pair_key = forms.CharField(
        label=_("对比组"),
        max_length=50,
        required=False,
        help_text=Photo._meta.get_field("pair_key").help_text,
    )
    taken_on = forms.DateField(
        label=_("拍摄日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    # Errors from photo_create keyed by its arguments land on these fields.
    SERVICE_FIELDS = {"image": "image_file", "image_file": "image_file"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = CHOICE_SCOPES[Estate](user)
        # Buildings and problems of the chosen estate only; none before an
        # estate is chosen (photo_upload.js reloads the form when it is).
        estate_id = self._chosen_estate_id()
        self.fields["building"].queryset = (
            CHOICE_SCOPES[Building](user).filter(estate_id=estate_id)
            if estate_id
            else Building.objects.none()
        )
        self.fields["problem"].queryset = (
            CHOICE_SCOPES[Problem](user).filter(estate_id=estate_id)
            if estate_id
            else Problem.objects.none()
        )
        if not estate_id:
            for name in ("building", "problem"):
                self.fields[name].help_text = _("先选择小区。")

    def _chosen_estate_id(self) -> int | None:
        raw = self.data.get("estate") if self.is_bound else self.initial.get("estate")
        try:
            return int(raw)
        except (TypeError, ValueError):
            return None

    def clean(self):
        cleaned = super().clean()
        estate = cleaned.get("estate")
        estate_id = estate.pk if estate else None
        try:
            services.check_building_in_estate(
                building=cleaned.get("building"), estate_id=estate_id
            )
        except ValidationError as error:
            self.add_error("building", error.message_dict["building"])
        problem = cleaned.get("problem")
        if problem is not None and estate_id and problem.estate_id != estate_id:
            self.add_error("problem", gettext("所选问题不属于该小区。"))
        return cleaned

    def add_service_error(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error("image_file", error.messages)
            return
        for key, errors in error.message_dict.items():
            field = self.SERVICE_FIELDS.get(key, key)
            self.add_error(field if field in self.fields else None, errors)


class PhotoChangeForm(forms.ModelForm):
    """Edits a photo's description; photos.photo_update checks the building and
    problem belong to the photo's estate (its refusals show on their fields)."""

    class Meta:
        model = Photo
        fields = ["stage", "caption", "pair_key", "taken_on", "building", "problem"]


@admin.register(Photo)
class PhotoAdmin(EstateRowsAdmin):
    visible_to = photos_visible_to
    form = PhotoChangeForm
    list_display = ["thumbnail", "estate", "stage", "caption", "pair_key", "taken_on"]
    list_display_links = ["thumbnail", "caption"]
    list_select_related = ["estate"]
    list_filter = [
        "stage",
        ("estate__community", admin.RelatedOnlyFieldListFilter),
        ("estate", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["caption", "pair_key", "estate__name"]
    readonly_fields = ["preview", "estate", "width", "height", "uploaded_by"]
    fields = [
        "preview",
        "estate",
        "stage",
        "caption",
        "pair_key",
        "taken_on",
        "building",
        "problem",
        "width",
        "height",
        "uploaded_by",
    ]

    @admin.display(description=_("缩略图"))
    def thumbnail(self, obj):
        return photo_thumbnail(obj)

    @admin.display(description=_("照片"))
    def preview(self, obj):
        if not obj.thumbnail_large:
            return "—"
        return format_html(
            '<a href="{}"><img src="{}" alt="{}" class="{}"></a>',
            obj.image.url,
            obj.thumbnail_large.url,
            gettext("查看原图"),
            "register-picture register-picture--large",
        )

    def save_model(self, request, obj, form, change):
        # Photos are added through add_view (photo_create cleans the file).
        values = changed_values(obj, photos.PHOTO_FIELDS, form.changed_data)
        photos.photo_update(photo=obj, actor=request.user, **values)

    def _back_to_estate(self, request, photo) -> str:
        """After a save, back to the photo's estate (its photos are listed
        there); "save and continue" stays, "add another" adds to the estate."""
        if "_continue" in request.POST:
            return reverse("admin:communities_photo_change", args=[photo.pk])
        if "_addanother" in request.POST:
            return reverse("admin:communities_photo_add") + f"?estate={photo.estate_id}"
        return reverse("admin:communities_estate_change", args=[photo.estate_id])

    def response_change(self, request, obj):
        if "_continue" in request.POST or "_saveasnew" in request.POST:
            return super().response_change(request, obj)
        self.message_user(
            request,
            gettext("照片“%(photo)s”已保存。") % {"photo": obj},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._back_to_estate(request, obj))

    def add_view(self, request, form_url="", extra_context=None):
        """Uploads go through photos.photo_create, which verifies and cleans the
        file; its refusals come back as form errors."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = PhotoUploadForm(request.POST, request.FILES, user=request.user)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    photo = photos.photo_create(
                        estate=data["estate"],
                        image_file=data["image_file"],
                        actor=request.user,
                        stage=data["stage"],
                        building=data["building"],
                        problem=data["problem"],
                        caption=data["caption"],
                        pair_key=data["pair_key"],
                        taken_on=data["taken_on"],
                    )
                except ValidationError as error:
                    form.add_service_error(error)
                except PermissionDenied as error:
                    form.add_error("estate", str(error) or gettext("无权操作。"))
                else:
                    self.log_addition(request, photo, [{"added": {}}])
                    self.message_user(
                        request, gettext("照片已上传。"), messages.SUCCESS
                    )
                    # Else the new photo's page (the cleaned result), which
                    # links back to its estate.
                    if "_addanother" in request.POST:
                        return HttpResponseRedirect(
                            self._back_to_estate(request, photo)
                        )
                    return HttpResponseRedirect(
                        reverse("admin:communities_photo_change", args=[photo.pk])
                    )
        else:
            form = PhotoUploadForm(initial=request.GET.dict(), user=request.user)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("上传现场照片"),
            "opts": self.opts,
            "form": form,
            "has_view_permission": self.has_view_permission(request),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/communities/photo/upload.html", context)
