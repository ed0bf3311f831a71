"""Stratified interviews (分层分类访谈) and courtyard deliberation meetings
(小院议事庭): who took part, what was said and decided, and the photos."""

import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from baitang.roles import is_street_staff, recorded_actor
from communities.models import Estate, Problem
from communities.permissions import can_edit_estate
from communities.photos import _encode, _thumbnail, process_photo

from ..models import (
    Campaign,
    Interview,
    Meeting,
    MeetingDecision,
    MeetingParticipant,
    MeetingPhoto,
    MenuItem,
)
from ._common import assign, editable_field_names, require, save, strip

INTERVIEW_FIELDS = editable_field_names(Interview, exclude=["estate", "created_by"]) - {
    "items",
    "problems",
}
MEETING_FIELDS = editable_field_names(Meeting, exclude=["estate", "created_by"])


def _require_estate(actor, estate: Estate) -> None:
    require(actor, can_edit_estate(actor, estate), _("您无权修改该小区的记录。"))


def _check_links(
    estate: Estate,
    *,
    problems: Iterable[Problem] = (),
    campaigns: Iterable[Campaign] = (),
) -> None:
    if any(problem.estate_id != estate.pk for problem in problems):
        raise ValidationError({"problems": _("所选问题不属于该小区。")})
    if any(campaign.estate_id != estate.pk for campaign in campaigns):
        raise ValidationError({"campaigns": _("所选征询不属于该小区。")})


def _check_campaign(estate: Estate, campaign: Campaign | None) -> None:
    if campaign is not None and campaign.estate_id != estate.pk:
        raise ValidationError({"campaign": _("所选征询不属于该小区。")})


# --- Interviews ---------------------------------------------------------------------


@transaction.atomic
def interview_create(
    *,
    estate: Estate,
    group: str,
    notes: str,
    interviewer: str,
    actor,
    items: Iterable[MenuItem] = (),
    problems: Iterable[Problem] = (),
    **fields: Any,
) -> Interview:
    """Record an interview with one group of residents and what it raised."""
    _require_estate(actor, estate)
    problems = list(problems)
    _check_links(estate, problems=problems)
    _check_campaign(estate, fields.get("campaign"))
    interview = Interview(
        estate=estate,
        group=group,
        notes=strip(notes),
        interviewer=strip(interviewer),
        created_by=recorded_actor(actor),
    )
    assign(interview, fields, INTERVIEW_FIELDS)
    save(interview)
    interview.items.set(list(items))
    interview.problems.set(problems)
    return interview


@transaction.atomic
def interview_update(
    *,
    interview: Interview,
    actor,
    items: Iterable[MenuItem] | None = None,
    problems: Iterable[Problem] | None = None,
    **fields: Any,
) -> Interview:
    _require_estate(actor, interview.estate)
    if "estate" in fields:
        raise ValidationError({"estate": _("访谈记录不能移到其他小区。")})
    if problems is not None:
        problems = list(problems)
        _check_links(interview.estate, problems=problems)
    _check_campaign(interview.estate, fields.get("campaign"))
    assign(interview, fields, INTERVIEW_FIELDS)
    save(interview)
    if items is not None:
        interview.items.set(list(items))
    if problems is not None:
        interview.problems.set(problems)
    return interview


@transaction.atomic
def interview_delete(*, interview: Interview, actor) -> None:
    require(actor, is_street_staff(actor), _("只有街道办工作人员可以删除访谈记录。"))
    interview.delete()


# --- Meetings -----------------------------------------------------------------------


@transaction.atomic
def meeting_create(*, estate: Estate, actor, **fields: Any) -> Meeting:
    """Record a courtyard deliberation meeting of an estate."""
    _require_estate(actor, estate)
    meeting = Meeting(estate=estate, created_by=recorded_actor(actor))
    assign(meeting, fields, MEETING_FIELDS)
    return save(meeting)


@transaction.atomic
def meeting_update(*, meeting: Meeting, actor, **fields: Any) -> Meeting:
    _require_estate(actor, meeting.estate)
    if "estate" in fields:
        raise ValidationError({"estate": _("议事记录不能移到其他小区。")})
    assign(meeting, fields, MEETING_FIELDS)
    return save(meeting)


@transaction.atomic
def meeting_participant_add(
    *, meeting: Meeting, name: str, role: str, actor, **fields: Any
) -> MeetingParticipant:
    """Add someone to a meeting's participant list (attended or invited)."""
    _require_estate(actor, meeting.estate)
    _check_household(meeting, fields.get("household"))
    participant = MeetingParticipant(meeting=meeting, name=strip(name), role=role)
    assign(participant, fields, {"household", "attended"})
    return save(participant)


def _check_household(meeting: Meeting, household) -> None:
    if household is not None and household.building.estate_id != meeting.estate_id:
        raise ValidationError({"household": _("所选房屋不属于该小区。")})


@transaction.atomic
def meeting_participant_update(
    *, participant: MeetingParticipant, actor, **fields: Any
) -> MeetingParticipant:
    """Correct a participant's name, role, household or attendance."""
    _require_estate(actor, participant.meeting.estate)
    if "meeting" in fields:
        raise ValidationError({"meeting": _("参会人员不能移到其他议事庭。")})
    _check_household(participant.meeting, fields.get("household"))
    if "name" in fields:
        fields["name"] = strip(fields["name"])
    assign(participant, fields, {"name", "role", "household", "attended"})
    return save(participant)


@transaction.atomic
def meeting_participant_delete(*, participant: MeetingParticipant, actor) -> None:
    """Take someone off a meeting's participant list (entered by mistake)."""
    _require_estate(actor, participant.meeting.estate)
    participant.delete()


@transaction.atomic
def meeting_decision_add(
    *,
    meeting: Meeting,
    text: str,
    actor,
    items: Iterable[MenuItem] = (),
    problems: Iterable[Problem] = (),
    campaigns: Iterable[Campaign] = (),
) -> MeetingDecision:
    """Record what a meeting decided, linked to menu items, problems, campaigns."""
    _require_estate(actor, meeting.estate)
    problems, campaigns = list(problems), list(campaigns)
    _check_links(meeting.estate, problems=problems, campaigns=campaigns)
    decision = save(MeetingDecision(meeting=meeting, text=strip(text)))
    decision.items.set(list(items))
    decision.problems.set(problems)
    decision.campaigns.set(campaigns)
    return decision


@transaction.atomic
def meeting_decision_update(
    *,
    decision: MeetingDecision,
    actor,
    text: str | None = None,
    items: Iterable[MenuItem] | None = None,
    problems: Iterable[Problem] | None = None,
    campaigns: Iterable[Campaign] | None = None,
) -> MeetingDecision:
    """Correct a decision's text or its links (None leaves a link list as is)."""
    meeting = decision.meeting
    _require_estate(actor, meeting.estate)
    problems = list(problems) if problems is not None else None
    campaigns = list(campaigns) if campaigns is not None else None
    _check_links(meeting.estate, problems=problems or (), campaigns=campaigns or ())
    if text is not None:
        decision.text = strip(text)
    save(decision)
    if items is not None:
        decision.items.set(list(items))
    if problems is not None:
        decision.problems.set(problems)
    if campaigns is not None:
        decision.campaigns.set(campaigns)
    return decision


@transaction.atomic
def meeting_decision_delete(*, decision: MeetingDecision, actor) -> None:
    """Remove a decision recorded by mistake."""
    _require_estate(actor, decision.meeting.estate)
    decision.delete()


@transaction.atomic
def meeting_photo_add(
    *, meeting: Meeting, image_file, actor, caption: str = ""
) -> MeetingPhoto:
    """Store a meeting photo, cleaned like a field photo (upright, no EXIF/GPS)."""
    _require_estate(actor, meeting.estate)
    image, _taken_on = process_photo(image_file)
    photo = MeetingPhoto(
        meeting=meeting, caption=strip(caption), uploaded_by=recorded_actor(actor)
    )
    stem = uuid.uuid4().hex
    large = settings.PHOTO_THUMBNAIL_SIZES["large"]
    small = settings.PHOTO_THUMBNAIL_SIZES["small"]
    stored = []
    try:
        photo.image.save(
            f"{stem}.jpg", ContentFile(_encode(_thumbnail(image, large))), save=False
        )
        stored.append(photo.image)
        photo.thumbnail.save(
            f"{stem}_{small}.jpg",
            ContentFile(_encode(_thumbnail(image, small))),
            save=False,
        )
        stored.append(photo.thumbnail)
        save(photo)
    except BaseException:
        for field_file in stored:
            field_file.storage.delete(field_file.name)
        raise
    return photo


def _photo_files(photos) -> list[tuple]:
    return [
        (field_file.storage, field_file.name)
        for photo in photos
        for field_file in (photo.image, photo.thumbnail)
        if field_file
    ]


@transaction.atomic
def meeting_photo_delete(*, photo: MeetingPhoto, actor) -> None:
    require(actor, is_street_staff(actor), _("只有街道办工作人员可以删除照片。"))
    files = _photo_files([photo])
    photo.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])


@transaction.atomic
def meeting_delete(*, meeting: Meeting, actor) -> None:
    """Delete a meeting with its participants, decisions and photo files."""
    require(actor, is_street_staff(actor), _("只有街道办工作人员可以删除议事记录。"))
    files = _photo_files(meeting.photos.all())
    meeting.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
