"""Household access codes, responses (online or entered from paper), the office's
replies to residents' words, and the estate-wide open opinions."""

import datetime
import json
import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baitang.prepared import PreparedStatement
from baitang.roles import is_street_staff, recorded_actor
from communities.models import Building, Estate, Household
from communities.permissions import can_edit_estate
from communities.photos import _encode, _thumbnail, process_photo

from ..answers import KEEP, CleanAnswer, clean_answers
from ..codes import new_code
from ..models import (
    AccessCode,
    Answer,
    Campaign,
    OpenLink,
    Opinion,
    Question,
    Reply,
    Response,
)
from ..permissions import Resident, acts_for_household, can_edit_campaign
from ..structure import campaign_structure
from ._common import require, save, strip
from .campaigns import campaign_accepts_answers

# --- Access codes -------------------------------------------------------------------


@transaction.atomic
def access_code_issue(*, household: Household, actor) -> AccessCode:
    """Give a household a new code; its old one stops working at once (a lost
    slip)."""
    require(
        actor,
        can_edit_estate(actor, household.building.estate),
        _("您无权为该户发放访问码。"),
    )
    now = timezone.now()
    # Lock the household's codes so two reissues cannot both leave one active.
    list(AccessCode.objects.select_for_update().filter(household=household))
    AccessCode.objects.filter(household=household, is_active=True).update(
        is_active=False, revoked_at=now
    )
    return AccessCode.objects.create(
        household=household,
        code=new_code(),
        issued_at=now,
        issued_by=recorded_actor(actor),
    )


@transaction.atomic
def access_codes_ensure(
    *, estate: Estate, actor, building: Building | None = None
) -> int:
    """Give every household of an estate (or one building) that has no active
    code one; returns how many were issued. Existing codes are kept."""
    require(actor, can_edit_estate(actor, estate), _("您无权为该小区发放访问码。"))
    households = Household.objects.filter(building__estate=estate)
    if building is not None:
        if building.estate_id != estate.pk:
            raise ValidationError({"building": _("所选楼栋不属于该小区。")})
        households = households.filter(building=building)
    missing = households.exclude(access_codes__is_active=True).values_list(
        "pk", flat=True
    )
    now = timezone.now()
    issued_by = recorded_actor(actor)
    created = AccessCode.objects.bulk_create(
        [
            AccessCode(
                household_id=pk, code=new_code(), issued_at=now, issued_by=issued_by
            )
            for pk in missing
        ],
        batch_size=1000,
    )
    return len(created)


# --- Responses ------------------------------------------------------------------------


def _check_actor(actor, campaign: Campaign, household: Household) -> tuple[str, Any]:
    """Which channel this submission comes through: the household itself online,
    or a worker entering its paper form (代填)."""
    if acts_for_household(actor, household):
        return Response.Channel.ONLINE, None
    require(
        actor,
        not isinstance(actor, Resident) and can_edit_campaign(actor, campaign),
        _("您无权为该户填写答卷。"),
    )
    return Response.Channel.PAPER, recorded_actor(actor)


def household_in_scope(campaign: Campaign, household: Household) -> bool:
    building = household.building
    if building.estate_id != campaign.estate_id:
        return False
    if campaign.building_id is not None and building.pk != campaign.building_id:
        return False
    return campaign.unit is None or household.unit == campaign.unit


# A submission is written in two statements. The first upserts the response
# row (INSERT … ON CONFLICT), which locks it until the transaction ends, so
# concurrent submissions of one household queue there. The second, whose
# snapshot is therefore taken after any earlier submission committed, replaces
# the answers, keeps the version and opens a pending reply for each new text or
# photo. The answers arrive as one JSON array, which is also the version's
# snapshot.
_UPSERT = """
INSERT INTO surveys_response
    (campaign_id, household_id, channel, entered_by_id, paper_date, version,
     submitted_at, updated_at)
VALUES ($1, $2, $3, $4, $5, 1, $6, $6)
ON CONFLICT (campaign_id, household_id) DO UPDATE SET
    channel = EXCLUDED.channel,
    entered_by_id = EXCLUDED.entered_by_id,
    paper_date = EXCLUDED.paper_date,
    version = surveys_response.version + 1,
    updated_at = EXCLUDED.updated_at
RETURNING id, version, submitted_at
"""
_WRITE_ANSWERS = """
WITH rows AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
        "question" bigint, "option" bigint, "item" bigint, "rank" integer,
        "points" integer, "rating" integer, "text" text, "photo" text)
), removed AS (
    DELETE FROM surveys_answer WHERE response_id = $2
), added AS (
    INSERT INTO surveys_answer
        (response_id, question_id, option_id, item_id, "rank", points, rating,
         "text", photo)
    SELECT $2, "question", "option", "item", "rank", "points",
           "rating", coalesce("text", ''), coalesce("photo", '')
    FROM rows
), replies AS (
    INSERT INTO surveys_reply (response_id, question_id, status, "text")
    SELECT DISTINCT $2, "question", 'pending', ''
    FROM rows
    WHERE coalesce("text", '') <> '' OR coalesce("photo", '') <> ''
    ON CONFLICT (response_id, question_id) DO NOTHING
)
INSERT INTO surveys_responseversion
    (response_id, version, answers, channel, entered_by_id, paper_date, saved_at)
VALUES ($2, $3, $1::jsonb, $4, $5, $6, $7)
"""
_UPSERT_STATEMENT = PreparedStatement("surveys_response_upsert", _UPSERT)
_WRITE_ANSWERS_STATEMENT = PreparedStatement("surveys_response_answers", _WRITE_ANSWERS)


def _store_photo(upload, key: str) -> str:
    """Clean an answer photo like a field photo; return the stored file name."""
    try:
        image, _taken_on = process_photo(upload)
    except ValidationError as error:
        raise ValidationError({key: error.messages}) from error
    image = _thumbnail(image, settings.PHOTO_THUMBNAIL_SIZES["large"])
    field = Answer._meta.get_field("photo")
    name = field.generate_filename(None, f"{uuid.uuid4().hex}.jpg")
    return field.storage.save(name, ContentFile(_encode(image)))


@transaction.atomic
def response_submit(
    *,
    campaign: Campaign,
    household: Household,
    answers: Mapping[int | str, Any],
    actor,
    paper_date: datetime.date | None = None,
) -> Response:
    """Store a household's answers to an open campaign: the first time or again
    (every version is kept). `actor` is the household itself (a Resident) or a
    worker entering its paper form, who must give the paper's date.

    One response per household and campaign holds under concurrent submissions:
    the row is written with INSERT … ON CONFLICT, which also locks it until the
    transaction ends.
    """
    channel, entered_by = _check_actor(actor, campaign, household)
    now = timezone.now()
    if not campaign_accepts_answers(campaign, now):
        raise ValidationError(_("本次征询已结束或尚未开始，不能再提交。"))
    if not household_in_scope(campaign, household):
        raise ValidationError(_("该户不在本次征询的范围内。"))
    if channel == Response.Channel.PAPER:
        if paper_date is None:
            raise ValidationError({"paper_date": _("请填写纸质问卷上的日期。")})
        if paper_date > timezone.localdate():
            raise ValidationError({"paper_date": _("纸质问卷日期不能晚于今天。")})
    else:
        paper_date = None

    structure = campaign_structure(campaign)
    cleaned = clean_answers(structure, answers)

    kept_photos = {}
    if any(answer.photo == KEEP for answer in cleaned.answers):
        kept_photos = dict(
            Answer.objects.filter(
                response__campaign=campaign, response__household=household
            )
            .exclude(photo="")
            .values_list("question_id", "photo")
        )
    rows = []
    stored = []
    try:
        for answer in cleaned.answers:
            photo = ""
            if answer.photo == KEEP:
                photo = kept_photos.get(answer.question_id, "")
                if not photo:
                    continue
            elif answer.photo is not None:
                photo = _store_photo(answer.photo, f"q{answer.question_id}")
                stored.append(photo)
            rows.append(_snapshot(answer, photo))
        entered_by_id = getattr(entered_by, "pk", None)
        with connection.cursor() as cursor:
            response_id, version, submitted_at = _UPSERT_STATEMENT.execute(
                cursor,
                [campaign.pk, household.pk, channel, entered_by_id, paper_date, now],
            ).fetchone()
            _WRITE_ANSWERS_STATEMENT.execute(
                cursor,
                [
                    json.dumps(rows, ensure_ascii=False),
                    response_id,
                    version,
                    channel,
                    entered_by_id,
                    paper_date,
                    now,
                ],
            )
    except BaseException:
        _delete_files(stored)
        raise
    response = Response(
        pk=response_id,
        campaign=campaign,
        household=household,
        channel=channel,
        entered_by=entered_by,
        paper_date=paper_date,
        version=version,
        submitted_at=submitted_at,
        updated_at=now,
    )
    return response


def _snapshot(answer: CleanAnswer, photo: str) -> dict:
    """An answer as stored in a version (and passed to the write as JSON)."""
    values = {
        "question": answer.question_id,
        "option": answer.option_id,
        "item": answer.item_id,
        "rank": answer.rank,
        "points": answer.points,
        "rating": answer.rating,
        "text": answer.text,
        "photo": photo,
    }
    return {key: value for key, value in values.items() if value not in (None, "")}


def _delete_files(names) -> None:
    storage = Answer._meta.get_field("photo").storage
    for name in names:
        storage.delete(name)


@transaction.atomic
def response_delete(*, response: Response, actor) -> None:
    """Delete a response (a household answered by mistake) and its photos once
    the deletion commits. Street office only: answers are the record."""
    require(actor, is_street_staff(actor), _("只有街道办工作人员可以删除答卷。"))
    names = set(
        Answer.objects.filter(response=response)
        .exclude(photo="")
        .values_list("photo", flat=True)
    )
    for version in response.versions.all():
        names |= {a["photo"] for a in version.answers if a.get("photo")}
    storage = Answer._meta.get_field("photo").storage
    response.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


# --- Replies (全程响应) -----------------------------------------------------------


@transaction.atomic
def reply_set(
    *, response: Response, question: Question, status: str, text: str, actor
) -> Reply:
    """Answer a resident's words officially: accepted into the plan, planned
    later, or not feasible, always with the reason. Shown on their own link."""
    require(
        actor,
        not isinstance(actor, Resident) and can_edit_campaign(actor, response.campaign),
        _("您无权答复该意见。"),
    )
    if question.campaign_id != response.campaign_id or question.kind not in (
        Question.Kind.TEXT,
        Question.Kind.PHOTO,
    ):
        raise ValidationError(_("只能答复本征询中的文字意见或照片。"))
    if status not in Reply.Status.values or status == Reply.Status.PENDING:
        raise ValidationError({"status": _("请选择答复结果。")})
    text = strip(text)
    if not text:
        raise ValidationError({"text": _("请写明答复理由，居民会在自己的页面上看到。")})
    reply, _created = Reply.objects.select_for_update().get_or_create(
        response=response, question=question
    )
    reply.status = status
    reply.text = text
    reply.replied_by = recorded_actor(actor)
    reply.replied_at = timezone.now()
    return save(reply)


# --- Open opinions ------------------------------------------------------------------

OPINION_MAX_LENGTH = 500


@transaction.atomic
def open_link_ensure(*, estate: Estate, actor) -> OpenLink:
    """The estate's open-opinion link, made on first use."""
    require(actor, can_edit_estate(actor, estate), _("您无权管理该小区的公开链接。"))
    link = OpenLink.objects.filter(estate=estate).first()
    if link is None:
        link = OpenLink.objects.create(estate=estate, token=new_code())
    return link


@transaction.atomic
def opinion_submit(*, link: OpenLink, text: str) -> Opinion:
    """Leave a non-binding opinion through an estate's open link. Anyone holding
    the link may; the caller rate-limits by IP."""
    if not link.is_active:
        raise PermissionDenied(_("该链接已停用。"))
    text = (text or "").replace("\x00", "").strip()
    if not text:
        raise ValidationError({"text": _("请填写您的意见。")})
    if len(text) > OPINION_MAX_LENGTH:
        raise ValidationError(
            {
                "text": _("最多 %(limit)s 字，现在是 %(count)s 字。")
                % {"limit": OPINION_MAX_LENGTH, "count": len(text)}
            }
        )
    return Opinion.objects.create(estate_id=link.estate_id, text=text)


@transaction.atomic
def opinion_delete(*, opinion: Opinion, actor) -> None:
    """Remove an open opinion (abuse, advertising, personal data): the street
    office only, since anyone could otherwise silence a voice."""
    require(actor, is_street_staff(actor), _("只有街道办工作人员可以删除公开意见。"))
    opinion.delete()
