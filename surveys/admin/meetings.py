"""Stratified interviews (分层分类访谈) and courtyard deliberation meetings
(小院议事庭) with participants, decisions and photos. What they link to
(problems, campaigns, households) must be of the same estate: the forms offer
only those, and the services refuse anything else."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from baitang.admin import ScopedInline
from baitang.roles import is_office_staff, is_street_staff
from communities.models import Household, Problem
from communities.permissions import can_edit_estate, households_visible_to
from surveys import services
from surveys.models import (
    Campaign,
    Interview,
    Meeting,
    MeetingDecision,
    MeetingParticipant,
    MeetingPhoto,
)
from surveys.permissions import interviews_visible_to, meetings_visible_to

from .base import (
    CHOICE_SCOPES,
    SurveysAdmin,
    adopt,
    changed_values,
    community_filter,
    estate_filter,
    photo_preview,
)

NEEDS_ESTATE = _("先选择小区并保存，才能选择该小区的问题和征询。")


def _estate_id_of(request, obj) -> int | None:
    """The estate a form's links must belong to: the row's own, or the one
    chosen on an add form (posted, or passed as ?estate=)."""
    if obj is not None:
        return obj.estate_id
    raw = request.POST.get("estate") or request.GET.get("estate", "")
    return int(raw) if raw.isdecimal() else None


class EstateLinksMixin:
    """Problems and campaigns offered only from the form's estate."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        estate_id = getattr(request, "_admin_links_estate", None)
        model = db_field.related_model
        if model in (Problem, Campaign):
            choices = CHOICE_SCOPES[model](request.user)
            kwargs["queryset"] = (
                choices.filter(estate_id=estate_id) if estate_id else choices.none()
            )
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and model in (Problem, Campaign) and not estate_id:
            field.help_text = NEEDS_ESTATE
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Campaign:
            estate_id = getattr(request, "_admin_links_estate", None)
            choices = CHOICE_SCOPES[Campaign](request.user)
            kwargs["queryset"] = (
                choices.filter(estate_id=estate_id) if estate_id else choices.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class EstateRecordsAdmin(EstateLinksMixin, SurveysAdmin):
    """Interviews and meetings: community staff edit those of their estates;
    the estate is chosen once and read-only after (the services refuse a move)."""

    def can_edit(self, user, obj) -> bool:
        return can_edit_estate(user, obj.estate if obj else None)

    def get_form(self, request, obj=None, change=False, **kwargs):
        request._admin_links_estate = _estate_id_of(request, obj)
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["estate"] if obj is not None else fields

    def optimize(self, request, queryset):
        return queryset.select_related("estate")


# --- Interviews -----------------------------------------------------------------------


@admin.register(Interview)
class InterviewAdmin(EstateRecordsAdmin):
    visible_to = interviews_visible_to
    list_display = [
        "estate",
        "group",
        "held_on",
        "interviewer",
        "interviewee_count",
        "campaign",
    ]
    list_filter = [
        "group",
        community_filter("estate__community"),
        estate_filter("estate"),
    ]
    search_fields = ["notes", "interviewer", "estate__name"]
    date_hierarchy = "held_on"
    fields = [
        "estate",
        "campaign",
        "group",
        "held_on",
        "interviewer",
        "interviewee_count",
        "notes",
        "items",
        "problems",
    ]
    filter_horizontal = ["items", "problems"]

    def optimize(self, request, queryset):
        return queryset.select_related("estate", "campaign")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        names = services.INTERVIEW_FIELDS
        if change:
            values = changed_values(obj, names, form.changed_data)
            for name in ("items", "problems"):
                if name in form.changed_data:
                    values[name] = data[name]
            services.interview_update(interview=obj, actor=request.user, **values)
            return
        values = changed_values(obj, names - {"group", "notes", "interviewer"}, None)
        created = services.interview_create(
            estate=obj.estate,
            group=obj.group,
            notes=obj.notes,
            interviewer=obj.interviewer,
            items=data.get("items") or (),
            problems=data.get("problems") or (),
            actor=request.user,
            **values,
        )
        adopt(obj, created)

    def save_related(self, request, form, formsets, change):
        # save_model set the links through the service; only inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


# --- Meetings -------------------------------------------------------------------------


class MeetingRowsInline(ScopedInline):
    """Participants and decisions: whoever may change the meeting corrects them."""

    def _may_edit(self, request, obj) -> bool:
        if obj is None:
            return is_office_staff(request.user)
        return can_edit_estate(request.user, obj.estate)

    def has_add_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request, obj)


class KnownLabelsAutocomplete(AutocompleteSelect):
    """An autocomplete showing the chosen household of each row from `labels`,
    read once for the whole formset (Django's reads one row per row)."""

    def __init__(self, *args, labels: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.labels = labels

    def optgroups(self, name, value, attr=None):
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        for raw in value:
            key = str(raw)
            if key in self.labels:
                options.append(
                    self.create_option(name, key, self.labels[key], True, len(options))
                )
        return [(None, options, 0)]


class ParticipantInline(MeetingRowsInline, admin.TabularInline):
    model = MeetingParticipant
    extra = 1
    fields = ["name", "role", "household", "attended"]
    autocomplete_fields = ["household"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("household__building")

    def get_formset(self, request, obj=None, **kwargs):
        # The households the rows name (stored or just posted), in one query.
        chosen = {
            value
            for key, value in request.POST.items()
            if key.startswith("participants-") and key.endswith("-household")
        }
        households = Household.objects.filter(
            pk__in=[v for v in chosen if v.isdecimal()]
        )
        if obj is not None and obj.pk:
            households = households | Household.objects.filter(
                pk__in=obj.participants.values("household_id")
            )
        request._participant_households = {
            str(h.pk): str(h) for h in households.select_related("building__estate")
        }
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "household":
            kwargs["widget"] = KnownLabelsAutocomplete(
                db_field,
                self.admin_site,
                labels=getattr(request, "_participant_households", {}),
            )
            kwargs["queryset"] = households_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class DecisionInline(EstateLinksMixin, MeetingRowsInline, admin.StackedInline):
    model = MeetingDecision
    extra = 1
    fields = ["text", "items", "problems", "campaigns"]

    def get_queryset(self, request):
        # A form reads each row's links for its initial values.
        return (
            super()
            .get_queryset(request)
            .prefetch_related("items", "problems", "campaigns")
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "text" and field is not None:
            field.widget = forms.Textarea(attrs={"rows": 2, "cols": 60})
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model not in (Problem, Campaign):
            kwargs.setdefault(
                "queryset",
                CHOICE_SCOPES[db_field.related_model](request.user).filter(
                    is_active=True
                ),
            )
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None:
            # One query for every decision's select.
            field.choices = list(field.choices)
        return field


class PhotoInline(ScopedInline, admin.TabularInline):
    """The meeting's photos; the street office removes one (meeting_photo_delete
    deletes its files too)."""

    model = MeetingPhoto
    extra = 0
    fields = ["preview", "caption", "uploaded_by", "created_at"]
    readonly_fields = fields
    verbose_name_plural = _("照片")

    def get_queryset(self, request):
        # A row prints its photo, which names its meeting and estate.
        return (
            super()
            .get_queryset(request)
            .select_related("meeting__estate", "uploaded_by")
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return is_street_staff(request.user)

    @admin.display(description=_("照片"))
    def preview(self, obj):
        return photo_preview(obj.thumbnail)


class PhotoUploadForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("照片文件"),
        help_text=_("JPEG、PNG、WebP 或 HEIC；上传后自动去除定位等元数据。"),
    )

    class Meta:
        model = MeetingPhoto
        fields = ["upload", "caption"]
        # The inline's column headings come from here.
        labels = {"upload": _("照片文件")}


class PhotoUploadInline(MeetingRowsInline, admin.TabularInline):
    """New photos only: each is cleaned by meeting_photo_add before it is kept."""

    model = MeetingPhoto
    form = PhotoUploadForm
    extra = 2
    fields = ["upload", "caption"]
    verbose_name = _("新照片")
    verbose_name_plural = _("上传照片")

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _remove_unkept_files(photos) -> None:
    """The files of photos stored while saving a form whose save was then
    rolled back (a later upload refused): their rows are gone, so are they."""
    kept = set(
        MeetingPhoto.objects.filter(pk__in=[p.pk for p in photos]).values_list(
            "pk", flat=True
        )
    )
    for photo in photos:
        if photo.pk not in kept:
            for field_file in (photo.image, photo.thumbnail):
                field_file.storage.delete(field_file.name)


@admin.register(Meeting)
class MeetingAdmin(EstateRecordsAdmin):
    visible_to = meetings_visible_to
    list_display = [
        "held_at",
        "estate",
        "place",
        "attended_total",
        "decision_total",
        "photo_total",
    ]
    list_filter = [community_filter("estate__community"), estate_filter("estate")]
    search_fields = ["place", "agenda", "minutes", "estate__name"]
    date_hierarchy = "held_at"
    fields = ["estate", "held_at", "place", "agenda", "minutes", "other_attendees"]
    inlines = [ParticipantInline, DecisionInline, PhotoInline, PhotoUploadInline]

    def optimize(self, request, queryset):
        return queryset.select_related("estate").annotate(
            attended=Count(
                "participants",
                filter=Q(participants__attended=True),
                distinct=True,
            ),
            decision_count=Count("decisions", distinct=True),
            photo_count=Count("photos", distinct=True),
        )

    @admin.display(description=_("到场登记人数"), ordering="attended")
    def attended_total(self, obj):
        return obj.attended

    @admin.display(description=_("决定事项"), ordering="decision_count")
    def decision_total(self, obj):
        return obj.decision_count

    @admin.display(description=_("照片"), ordering="photo_count")
    def photo_total(self, obj):
        return obj.photo_count

    def _changeform_view(self, request, object_id, form_url, extra_context):
        request._uploaded_photos = []
        try:
            return super()._changeform_view(request, object_id, form_url, extra_context)
        finally:
            _remove_unkept_files(request._uploaded_photos)

    def save_model(self, request, obj, form, change):
        names = services.MEETING_FIELDS
        if change:
            values = changed_values(obj, names, form.changed_data)
            services.meeting_update(meeting=obj, actor=request.user, **values)
        else:
            values = changed_values(obj, names, None)
            created = services.meeting_create(
                estate=obj.estate, actor=request.user, **values
            )
            adopt(obj, created)

    def save_formset(self, request, form, formset, change):
        if formset.model is MeetingDecision:
            return self._save_decisions(request, form, formset)
        return super().save_formset(request, form, formset, change)

    def _save_decisions(self, request, form, formset):
        # The links are set by the services, so save_m2m is never called.
        formset.save(commit=False)
        actor = request.user
        for obj in formset.deleted_objects:
            services.row_delete(row=obj, actor=actor)
        for row_form in formset.forms:
            obj = row_form.instance
            if obj in formset.deleted_objects or not row_form.has_changed():
                continue
            data = row_form.cleaned_data
            if obj.pk:
                links = {
                    name: data[name]
                    for name in ("items", "problems", "campaigns")
                    if name in row_form.changed_data
                }
                services.meeting_decision_update(
                    decision=obj,
                    actor=actor,
                    text=data["text"] if "text" in row_form.changed_data else None,
                    **links,
                )
            else:
                created = services.meeting_decision_add(
                    meeting=form.instance,
                    text=data["text"],
                    items=data.get("items") or (),
                    problems=data.get("problems") or (),
                    campaigns=data.get("campaigns") or (),
                    actor=actor,
                )
                adopt(obj, created)

    def save_inline_row(self, request, obj, form, changed):
        actor = request.user
        if isinstance(obj, MeetingParticipant):
            names = {"name", "role", "household", "attended"}
            if changed is not None:
                values = changed_values(obj, names, changed)
                services.meeting_participant_update(
                    participant=obj, actor=actor, **values
                )
            else:
                values = changed_values(obj, names - {"name", "role"}, None)
                created = services.meeting_participant_add(
                    meeting=obj.meeting,
                    name=obj.name,
                    role=obj.role,
                    actor=actor,
                    **values,
                )
                adopt(obj, created)
        elif isinstance(obj, MeetingPhoto) and changed is None:
            created = services.meeting_photo_add(
                meeting=obj.meeting,
                image_file=form.cleaned_data["upload"],
                caption=obj.caption,
                actor=actor,
            )
            request._uploaded_photos.append(created)
            adopt(obj, created)
        else:
            raise TypeError(f"no service saves {type(obj).__name__}")
