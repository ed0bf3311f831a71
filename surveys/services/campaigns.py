"""The menu, campaigns and their questions.

A campaign's questions can change only while it is a draft: once residents
answer, the questions they answered stay as they were.
"""

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baitang.roles import recorded_actor
from communities.models import Building, Estate
from communities.photos import _encode, _thumbnail, process_photo

from ..models import (
    Campaign,
    MenuItem,
    Option,
    Question,
    QuestionItem,
    StatusChange,
)
from ..permissions import campaigns_visible_to, can_edit_campaign, can_edit_menu
from ._common import assign, editable_field_names, require, save, strip

# --- Menu -------------------------------------------------------------------------

# The picture is set only through menu_item_set_picture, which cleans it.
MENU_ITEM_FIELDS = editable_field_names(MenuItem, exclude=["name", "picture"])


def _require_menu_rights(actor) -> None:
    require(actor, can_edit_menu(actor), _("点单目录由街道办统一维护。"))


@transaction.atomic
def menu_item_create(*, name: str, actor, **fields: Any) -> MenuItem:
    """Add an item to the order menu (street office only)."""
    _require_menu_rights(actor)
    item = MenuItem(name=strip(name))
    assign(item, fields, MENU_ITEM_FIELDS)
    return save(item)


@transaction.atomic
def menu_item_update(*, item: MenuItem, actor, **fields: Any) -> MenuItem:
    """Change a menu item; campaigns already answered keep their rows."""
    _require_menu_rights(actor)
    if "name" in fields:
        fields["name"] = strip(fields["name"])
    assign(item, fields, MENU_ITEM_FIELDS | {"name"})
    return save(item)


@transaction.atomic
def menu_item_delete(*, item: MenuItem, actor) -> None:
    """Delete an item no campaign offers; one in use is retired instead."""
    _require_menu_rights(actor)
    if QuestionItem.objects.filter(item=item).exists() or item.votes.exists():
        raise ValidationError(
            _(
                "该项目已用于征询或表决，不能删除；可以取消“在用”使其不再出现在新征询中。"
            )
        )
    files = [item.picture.name] if item.picture else []
    storage = item.picture.storage
    item.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in files])


@transaction.atomic
def menu_item_set_picture(*, item: MenuItem, image_file, actor) -> MenuItem:
    """Give a menu item a picture, cleaned like a field photo (upright, no
    EXIF or GPS, at most 1280 px), or remove it (`image_file=None`). The file
    it replaces goes once the change commits."""
    _require_menu_rights(actor)
    field = MenuItem._meta.get_field("picture")
    stored = ""
    if image_file is not None:
        try:
            image, _taken_on = process_photo(image_file)
        except ValidationError as error:
            raise ValidationError({"picture": error.messages}) from error
        image = _thumbnail(image, settings.PHOTO_THUMBNAIL_SIZES["large"])
        name = field.generate_filename(item, f"{uuid.uuid4().hex}.jpg")
        stored = field.storage.save(name, ContentFile(_encode(image)))
    old = item.picture.name if item.picture else ""
    item.picture = stored
    try:
        save(item)
    except BaseException:
        if stored:
            field.storage.delete(stored)
        raise
    if old and old != stored:
        transaction.on_commit(lambda: field.storage.delete(old))
    return item


# --- Campaigns --------------------------------------------------------------------

CAMPAIGN_FIELDS = frozenset(
    {"title", "description", "phase", "channel", "opens_at", "closes_at"}
)
CAMPAIGN_TRANSITIONS: dict[str, frozenset[str]] = {
    Campaign.Status.DRAFT: frozenset({Campaign.Status.OPEN}),
    Campaign.Status.OPEN: frozenset({Campaign.Status.CLOSED}),
    # Reopening (to extend a consultation) must say why.
    Campaign.Status.CLOSED: frozenset({Campaign.Status.OPEN}),
}


def _check_scope(
    estate: Estate | None, building: Building | None, unit: int | None
) -> None:
    if building is not None and (estate is None or building.estate_id != estate.pk):
        raise ValidationError({"building": _("所选楼栋不属于该小区。")})
    if unit is not None and building is not None and unit > building.unit_count:
        raise ValidationError(
            {
                "unit": _("%(building)s只有 %(count)s 个单元。")
                % {"building": building.name, "count": building.unit_count}
            }
        )


@transaction.atomic
def campaign_create(
    *,
    estate: Estate | None,
    title: str,
    actor,
    building: Building | None = None,
    unit: int | None = None,
    **fields: Any,
) -> Campaign:
    """Start a draft campaign for an estate, a building or a unit; with no estate,
    a template (street office only)."""
    campaign = Campaign(
        estate=estate,
        building=building,
        unit=unit,
        is_template=estate is None,
        title=strip(title),
        created_by=recorded_actor(actor),
    )
    require(actor, can_edit_campaign(actor, campaign), _("您无权为该小区发起征询。"))
    _check_scope(estate, building, unit)
    assign(campaign, fields, CAMPAIGN_FIELDS)
    return save(campaign)


def _require_campaign_rights(actor, campaign: Campaign) -> None:
    require(actor, can_edit_campaign(actor, campaign), _("您无权修改该征询。"))


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


@transaction.atomic
def campaign_update(*, campaign: Campaign, actor, **fields: Any) -> Campaign:
    """Change a campaign's title, description, phase, channel or times. Its
    estate never changes; its status changes through campaign_set_status."""
    _require_campaign_rights(actor, campaign)
    stored = _locked(campaign)
    moved = {"estate", "building", "unit", "is_template"} & set(fields)
    if moved:
        message = _("征询的范围创建后不能修改；请复制一份到新的范围。")
        raise ValidationError({name: message for name in sorted(moved)})
    if "status" in fields:
        raise ValidationError({"status": _("征询状态只能通过“开始/结束征询”修改。")})
    if "title" in fields:
        fields["title"] = strip(fields["title"])
    assign(stored, fields, CAMPAIGN_FIELDS)
    save(stored)
    campaign.__dict__.update(
        {f.attname: getattr(stored, f.attname) for f in Campaign._meta.concrete_fields}
    )
    return campaign


def campaign_transition_check(*, campaign: Campaign, to_status: str) -> None:
    """Raise a ValidationError with the reason when the move is not allowed."""
    if to_status not in Campaign.Status.values:
        raise ValidationError({"status": _("未知的征询状态。")})
    if campaign.is_template:
        raise ValidationError({"status": _("模板不能发布，请先复制到具体小区。")})
    allowed = CAMPAIGN_TRANSITIONS.get(campaign.status, frozenset())
    if to_status not in allowed:
        raise ValidationError(
            {
                "status": _("征询不能从“%(from)s”改为“%(to)s”。")
                % {
                    "from": Campaign.Status(campaign.status).label,
                    "to": Campaign.Status(to_status).label,
                }
            }
        )


@transaction.atomic
def campaign_set_status(
    *, campaign: Campaign, status: str, actor, reason: str = ""
) -> Campaign:
    """Open, close or reopen a campaign (the one place this happens), logged with
    who, when and why. Opening needs at least one question."""
    _require_campaign_rights(actor, campaign)
    stored = _locked(campaign)
    campaign_transition_check(campaign=stored, to_status=status)
    now = timezone.now()
    reason = strip(reason)
    if status == Campaign.Status.OPEN:
        if not stored.questions.exists():
            raise ValidationError({"status": _("征询还没有题目，不能开始。")})
        if stored.status == Campaign.Status.CLOSED:
            if not reason:
                raise ValidationError({"reason": _("重新开始征询须说明原因。")})
            if stored.closes_at and stored.closes_at <= now:
                stored.closes_at = None
        if stored.closes_at and stored.closes_at <= now:
            raise ValidationError({"closes_at": _("结束时间已过，请先修改结束时间。")})
        if stored.opens_at is None or stored.opens_at > now:
            stored.opens_at = now
    elif status == Campaign.Status.CLOSED:
        if stored.closes_at is None or stored.closes_at > now:
            stored.closes_at = now
    from_status = stored.status
    stored.status = status
    save(stored)
    StatusChange.objects.create(
        campaign=stored,
        from_status=from_status,
        to_status=status,
        actor=recorded_actor(actor),
        reason=reason[:200],
    )
    campaign.__dict__.update(
        {f.attname: getattr(stored, f.attname) for f in Campaign._meta.concrete_fields}
    )
    return campaign


@transaction.atomic
def campaign_delete(*, campaign: Campaign, actor) -> None:
    """Delete a draft campaign (or a template). A campaign that residents saw
    stays on record: close it instead."""
    _require_campaign_rights(actor, campaign)
    stored = _locked(campaign)
    if stored.status != Campaign.Status.DRAFT:
        raise ValidationError(_("已开始的征询不能删除，只能结束。"))
    stored.delete()


@transaction.atomic
def campaign_copy(
    *,
    source: Campaign,
    actor,
    estate: Estate | None,
    building: Building | None = None,
    unit: int | None = None,
    title: str = "",
) -> Campaign:
    """A new draft with the source's questions, options and menu items (from
    another campaign or a template); times are left for the new draft."""
    require(
        actor,
        campaigns_visible_to(actor).filter(pk=source.pk).exists(),
        _("您无权复制该征询。"),
    )
    copy = campaign_create(
        estate=estate,
        building=building,
        unit=unit,
        title=title or source.title,
        actor=actor,
        description=source.description,
        phase=source.phase,
        channel=source.channel,
    )
    copy.copied_from = source
    copy.save(update_fields=["copied_from"])
    questions = list(source.questions.order_by("position"))
    option_map: dict[int, Option] = {}
    new_questions: list[tuple[Question, Question]] = []
    for question in questions:
        new = Question.objects.create(
            campaign=copy,
            position=question.position,
            kind=question.kind,
            prompt=question.prompt,
            help_text=question.help_text,
            required=question.required,
            max_choices=question.max_choices,
            points_budget=question.points_budget,
            cost_budget=question.cost_budget,
            max_length=question.max_length,
        )
        new_questions.append((question, new))
        for option in question.options.order_by("position"):
            option_map[option.pk] = Option.objects.create(
                question=new, position=option.position, label=option.label
            )
        QuestionItem.objects.bulk_create(
            QuestionItem(
                question=new, item_id=row.item_id, position=row.position, cost=row.cost
            )
            for row in question.items.all()
        )
    for old, new in new_questions:
        if old.show_if_option_id:
            new.show_if_option = option_map[old.show_if_option_id]
            new.save(update_fields=["show_if_option"])
    return copy


# --- Questions ----------------------------------------------------------------------

QUESTION_FIELDS = frozenset(
    {
        "kind",
        "prompt",
        "help_text",
        "required",
        "max_choices",
        "points_budget",
        "cost_budget",
        "max_length",
        "show_if_option",
    }
)


def _require_draft(actor, campaign: Campaign) -> Campaign:
    _require_campaign_rights(actor, campaign)
    stored = _locked(campaign)
    if stored.status != Campaign.Status.DRAFT:
        raise ValidationError(
            _("征询已开始，题目不能再修改；如需调整，请复制为新的征询。")
        )
    return stored


def _touch(campaign: Campaign) -> None:
    # The cached structure is keyed by updated_at: any change of a question
    # must move it.
    Campaign.objects.filter(pk=campaign.pk).update(updated_at=timezone.now())


def _check_condition(question: Question) -> None:
    option = question.show_if_option
    if option is None:
        return
    decider = option.question
    if decider.campaign_id != question.campaign_id:
        raise ValidationError({"show_if_option": _("条件选项必须是本征询的题目。")})
    if question.pk and decider.pk == question.pk:
        raise ValidationError({"show_if_option": _("题目不能以自己的选项为条件。")})
    if decider.position >= question.position:
        raise ValidationError({"show_if_option": _("条件只能取自前面的题目。")})


@transaction.atomic
def question_create(
    *, campaign: Campaign, kind: str, prompt: str, actor, **fields: Any
) -> Question:
    """Add a question at the end of a draft campaign (or at `position`)."""
    stored = _require_draft(actor, campaign)
    last = stored.questions.order_by("-position").values_list("position", flat=True)
    position = fields.pop("position", None) or (last.first() or 0) + 1
    question = Question(
        campaign=stored, kind=kind, prompt=strip(prompt), position=position
    )
    assign(question, fields, QUESTION_FIELDS)
    _check_condition(question)
    save(question)
    _touch(stored)
    return question


@transaction.atomic
def question_update(*, question: Question, actor, **fields: Any) -> Question:
    """Change a question of a draft campaign."""
    _require_draft(actor, question.campaign)
    if "campaign" in fields:
        raise ValidationError(_("题目不能移到其他征询。"))
    assign(question, fields, QUESTION_FIELDS | {"position"})
    _check_condition(question)
    save(question)
    _touch(question.campaign)
    return question


@transaction.atomic
def question_delete(*, question: Question, actor) -> None:
    _require_draft(actor, question.campaign)
    question.delete()
    _touch(question.campaign)


@transaction.atomic
def option_create(
    *, question: Question, label: str, actor, position: int | None = None
) -> Option:
    """Add a choice to a single- or multiple-choice question of a draft."""
    _require_draft(actor, question.campaign)
    if question.kind not in Question.OPTION_KINDS:
        raise ValidationError(_("只有单选题和多选题有选项。"))
    if position is None:
        position = (question.options.count() or 0) + 1
    option = save(Option(question=question, label=strip(label), position=position))
    _touch(question.campaign)
    return option


@transaction.atomic
def option_update(*, option: Option, actor, **fields: Any) -> Option:
    """Change a choice's label or position, while the campaign is a draft."""
    _require_draft(actor, option.question.campaign)
    if "question" in fields:
        raise ValidationError({"question": _("选项不能移到其他题目。")})
    if "label" in fields:
        fields["label"] = strip(fields["label"])
    assign(option, fields, {"label", "position"})
    save(option)
    _touch(option.question.campaign)
    return option


@transaction.atomic
def option_delete(*, option: Option, actor) -> None:
    """Remove a choice from a draft; not one another question is shown by."""
    _require_draft(actor, option.question.campaign)
    shown = list(
        Question.objects.filter(show_if_option=option).values_list(
            "position", flat=True
        )
    )
    if shown:
        raise ValidationError(
            _("第%(positions)s题以该选项为显示条件，请先修改那些题目的条件。")
            % {"positions": "、".join(str(p) for p in sorted(shown))}
        )
    option.delete()
    _touch(option.question.campaign)


@transaction.atomic
def question_item_add(
    *,
    question: Question,
    item: MenuItem,
    actor,
    cost: Decimal | None = None,
    position: int | None = None,
) -> QuestionItem:
    """Offer a menu item in a menu question, with its estimated cost here (by
    default the item's unit cost)."""
    _require_draft(actor, question.campaign)
    if question.kind not in Question.MENU_KINDS:
        raise ValidationError(_("只有点单题可以添加点单项目。"))
    if not item.is_active:
        raise ValidationError(_("该项目已停用。"))
    row = QuestionItem(
        question=question,
        item=item,
        position=position if position is not None else question.items.count() + 1,
        cost=cost if cost is not None else (item.unit_cost or Decimal(0)),
    )
    save(row)
    _touch(question.campaign)
    return row


@transaction.atomic
def question_item_update(*, row: QuestionItem, actor, **fields: Any) -> QuestionItem:
    """Change a menu item's estimated cost here or its position, in a draft."""
    _require_draft(actor, row.question.campaign)
    if {"question", "item"} & set(fields):
        raise ValidationError({"item": _("请删除这一项再添加其他项目，不能直接替换。")})
    assign(row, fields, {"cost", "position"})
    save(row)
    _touch(row.question.campaign)
    return row


@transaction.atomic
def question_item_delete(*, row: QuestionItem, actor) -> None:
    """Stop offering a menu item in a question of a draft."""
    _require_draft(actor, row.question.campaign)
    row.delete()
    _touch(row.question.campaign)


def campaign_accepts_answers(campaign: Campaign, now: datetime.datetime) -> bool:
    """Open, and within its times."""
    return (
        campaign.status == Campaign.Status.OPEN
        and (campaign.opens_at is None or campaign.opens_at <= now)
        and (campaign.closes_at is None or now < campaign.closes_at)
    )
