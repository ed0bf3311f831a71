"""Checking a household's answers against its campaign's questions.

`clean_answers` takes what a phone form, a worker's paper entry or the API sent,
keyed by question id, and returns the rows to store, or raises a ValidationError
whose keys are "q<question id>" and whose messages a resident can act on. It
trusts nothing that came from the page: items, options and ids are checked
against the campaign, budgets are recomputed, conditional questions are decided
again here, and a question whose condition is not met is not stored.

Raw values by question kind:
    menu_rank    list of item ids, first = rank 1
    menu_points  {item id: points}
    menu_budget  list of item ids
    single       option id
    multiple     list of option ids
    rating       1–5
    text         str
    photo        an uploaded file, or KEEP to keep the photo already stored
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Question
from .structure import CampaignStructure, QuestionSpec

KEEP = "keep"
Kind = Question.Kind


@dataclass
class CleanAnswer:
    """One row to store (see surveys.models.Answer)."""

    question_id: int
    option_id: int | None = None
    item_id: int | None = None
    rank: int | None = None
    points: int | None = None
    rating: int | None = None
    text: str = ""
    photo: Any = None  # an uploaded file to process, or KEEP


@dataclass
class CleanResult:
    answers: list[CleanAnswer] = field(default_factory=list)
    answered: set[int] = field(default_factory=set)  # question ids with an answer


def _as_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    # isdecimal, not isdigit: "²" is a digit that int() cannot read.
    if isinstance(value, str) and value.strip().lstrip("-").isdecimal():
        return int(value.strip())
    return None


def _as_int_list(value) -> list[int] | None:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        value = [value]
    numbers = [_as_int(v) for v in value]
    return None if None in numbers else numbers


def _money(amount: Decimal) -> str:
    return f"{amount:,.0f}"


def _visible(question: QuestionSpec, chosen_options: dict[int, set[int]]) -> bool:
    if question.show_if_option is None:
        return True
    return question.show_if_option in chosen_options.get(question.show_if_question, ())


def clean_answers(structure: CampaignStructure, raw: Mapping) -> CleanResult:
    """Check every answer; raise ValidationError({"q<id>": [...]}) on any problem."""
    known = {question.id for question in structure.questions}
    unknown = [key for key in raw if _as_int(key) not in known]
    errors: dict[str, list[str]] = {}
    if unknown:
        # A hidden field changed by hand, or a form for another campaign.
        errors["__all__"] = [
            _("提交的内容与本次征询的题目不符，请刷新页面后重新填写。")
        ]
    values = {_as_int(key): value for key, value in raw.items()}

    result = CleanResult()
    chosen_options: dict[int, set[int]] = {}
    for question in structure.questions:
        if not _visible(question, chosen_options):
            continue  # the condition is not met: whatever was sent is not stored
        value = values.get(question.id)
        try:
            rows = _clean_one(question, value)
        except ValidationError as error:
            errors[f"q{question.id}"] = error.messages
            continue
        if not rows and question.required:
            errors[f"q{question.id}"] = [_("这道题必须回答。")]
            continue
        if rows:
            result.answered.add(question.id)
        chosen_options[question.id] = {row.option_id for row in rows if row.option_id}
        result.answers.extend(rows)
    if errors:
        raise ValidationError(errors)
    return result


def _clean_one(question: QuestionSpec, value) -> list[CleanAnswer]:
    cleaners = {
        Kind.MENU_RANK: _clean_rank,
        Kind.MENU_POINTS: _clean_points,
        Kind.MENU_BUDGET: _clean_budget,
        Kind.SINGLE: _clean_single,
        Kind.MULTIPLE: _clean_multiple,
        Kind.RATING: _clean_rating,
        Kind.TEXT: _clean_text,
        Kind.PHOTO: _clean_photo,
    }
    return cleaners[question.kind](question, value)


def _unknown_item() -> ValidationError:
    return ValidationError(_("所选项目不在本次点单目录中，请刷新页面后重新选择。"))


def _clean_rank(question: QuestionSpec, value) -> list[CleanAnswer]:
    item_ids = _as_int_list(value)
    if item_ids is None or not set(item_ids) <= question.item_ids:
        raise _unknown_item()
    if len(set(item_ids)) != len(item_ids):
        raise ValidationError(_("同一个项目只能排一次名次，请检查。"))
    if question.max_choices and len(item_ids) > question.max_choices:
        raise ValidationError(
            _("最多排 %(limit)s 项，您排了 %(count)s 项。")
            % {"limit": question.max_choices, "count": len(item_ids)}
        )
    return [
        CleanAnswer(question_id=question.id, item_id=item_id, rank=rank)
        for rank, item_id in enumerate(item_ids, start=1)
    ]


def _clean_points(question: QuestionSpec, value) -> list[CleanAnswer]:
    if value in (None, ""):
        value = {}
    if not isinstance(value, Mapping):
        raise _unknown_item()
    points = {}
    for key, amount in value.items():
        item_id, number = _as_int(key), _as_int(amount) if amount != "" else 0
        if item_id not in question.item_ids:
            raise _unknown_item()
        if number is None or number < 0:
            raise ValidationError(_("积分必须是不小于 0 的整数。"))
        if number:
            points[item_id] = number
    total = sum(points.values())
    if total > question.points_budget:
        raise ValidationError(
            _("积分合计不能超过 %(budget)s 分，您分配了 %(total)s 分。")
            % {"budget": question.points_budget, "total": total}
        )
    return [
        CleanAnswer(question_id=question.id, item_id=item_id, points=number)
        for item_id, number in points.items()
    ]


def _clean_budget(question: QuestionSpec, value) -> list[CleanAnswer]:
    item_ids = _as_int_list(value)
    if item_ids is None or not set(item_ids) <= question.item_ids:
        raise _unknown_item()
    item_ids = list(dict.fromkeys(item_ids))
    total = sum((question.item(item_id).cost for item_id in item_ids), Decimal(0))
    if total > question.cost_budget:
        raise ValidationError(
            _("所选项目估算合计 %(total)s 元，超出预算 %(budget)s 元，请减少一些项目。")
            % {"total": _money(total), "budget": _money(question.cost_budget)}
        )
    return [CleanAnswer(question_id=question.id, item_id=i) for i in item_ids]


def _unknown_option() -> ValidationError:
    return ValidationError(_("所选选项不在本题中，请刷新页面后重新选择。"))


def _clean_single(question: QuestionSpec, value) -> list[CleanAnswer]:
    if value in (None, ""):
        return []
    option_id = _as_int(value)
    if option_id not in question.option_ids:
        raise _unknown_option()
    return [CleanAnswer(question_id=question.id, option_id=option_id)]


def _clean_multiple(question: QuestionSpec, value) -> list[CleanAnswer]:
    option_ids = _as_int_list(value)
    if option_ids is None or not set(option_ids) <= question.option_ids:
        raise _unknown_option()
    option_ids = list(dict.fromkeys(option_ids))
    if question.max_choices and len(option_ids) > question.max_choices:
        raise ValidationError(
            _("最多选 %(limit)s 项，您选了 %(count)s 项。")
            % {"limit": question.max_choices, "count": len(option_ids)}
        )
    return [CleanAnswer(question_id=question.id, option_id=i) for i in option_ids]


def _clean_rating(question: QuestionSpec, value) -> list[CleanAnswer]:
    if value in (None, ""):
        return []
    rating = _as_int(value)
    if rating is None or not 1 <= rating <= 5:
        raise ValidationError(_("评分应为 1 到 5 分。"))
    return [CleanAnswer(question_id=question.id, rating=rating)]


def _clean_text(question: QuestionSpec, value) -> list[CleanAnswer]:
    if value is None:
        return []
    if not isinstance(value, str):
        raise ValidationError(_("请填写文字。"))
    text = value.replace("\x00", "").replace("\r\n", "\n").strip()
    if len(text) > question.max_length:
        raise ValidationError(
            _("最多 %(limit)s 字，现在是 %(count)s 字，请删减一些。")
            % {"limit": question.max_length, "count": len(text)}
        )
    return [CleanAnswer(question_id=question.id, text=text)] if text else []


def _clean_photo(question: QuestionSpec, value) -> list[CleanAnswer]:
    if value in (None, ""):
        return []
    if value != KEEP and not hasattr(value, "read"):
        raise ValidationError(_("请上传照片文件。"))
    # The file itself is checked and cleaned when it is stored
    # (communities.photos.process_photo), inside the submitting transaction.
    return [CleanAnswer(question_id=question.id, photo=value)]
