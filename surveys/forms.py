"""The residents' campaign form: posted fields to the raw answers
`surveys.answers.clean_answers` takes, and stored answers back to field values.

No business rules here: clean_answers checks every answer (items, options,
budgets, limits, conditions). This module only names the fields and reads
them. Field names, by question kind:

    menu_rank    q<id>_i<item id> = "1", "2"… (the place; "" = not chosen)
    menu_points  q<id>_i<item id> = points
    menu_budget  q<id> = item id, repeated
    single       q<id> = option id
    multiple     q<id> = option id, repeated
    rating       q<id> = 1–5
    text         q<id> = text
    photo        q<id> = the file; q<id>_keep = "1" keeps the stored photo

A field naming a question that is not in the campaign is passed on, so that
clean_answers refuses the whole submission (a tampered form).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .answers import KEEP
from .models import Question
from .structure import CampaignStructure, QuestionSpec

Kind = Question.Kind
_FIELD = re.compile(r"q(\d{1,18})(?:_i(\d{1,18})|_(keep))?")
_PLACE = re.compile(r"\d{1,4}")


def question_field(question_id: int) -> str:
    return f"q{question_id}"


def item_field(question_id: int, item_id: int) -> str:
    return f"q{question_id}_i{item_id}"


def keep_field(question_id: int) -> str:
    return f"q{question_id}_keep"


@dataclass
class ParsedForm:
    answers: dict = field(default_factory=dict)  # question id -> raw value
    errors: dict[str, list[str]] = field(default_factory=dict)  # "q<id>" -> ...


def answers_from_post(structure: CampaignStructure, data, files) -> ParsedForm:
    """Read a posted campaign form (`data` a QueryDict, `files` request.FILES)."""
    known = {question.id for question in structure.questions}
    per_item: dict[int, dict[int, str]] = {}
    parsed = ParsedForm()
    for name in [*data.keys(), *files.keys()]:
        match = _FIELD.fullmatch(name)
        if match is None:
            continue
        question_id = int(match[1])
        if question_id not in known:
            parsed.answers[str(question_id)] = data.get(name, "")
        elif match[2]:
            per_item.setdefault(question_id, {})[int(match[2])] = data.get(name, "")

    for question in structure.questions:
        name = question_field(question.id)
        items = per_item.get(question.id, {})
        if question.kind == Kind.MENU_RANK:
            ranked, error = _ranked(items)
            if error:
                parsed.errors[name] = [error]
            parsed.answers[question.id] = ranked
        elif question.kind == Kind.MENU_POINTS:
            parsed.answers[question.id] = {
                item_id: value.strip() for item_id, value in items.items()
            }
        elif question.kind in (Kind.MENU_BUDGET, Kind.MULTIPLE):
            parsed.answers[question.id] = data.getlist(name)
        elif question.kind == Kind.PHOTO:
            upload = files.get(name)
            if upload is not None:
                parsed.answers[question.id] = upload
            elif data.get(keep_field(question.id)) == "1":
                parsed.answers[question.id] = KEEP
            else:
                parsed.answers[question.id] = None
        else:  # single, rating, text
            parsed.answers[question.id] = data.get(name)
    return parsed


def _ranked(places: Mapping[int, str]) -> tuple[list[int], str]:
    """Item ids in the order of the places chosen for them; an error when a
    place is not a place or was given to two items."""
    by_place: dict[int, list[int]] = {}
    for item_id, raw in places.items():
        raw = raw.strip()
        if not raw:
            continue
        if not _PLACE.fullmatch(raw) or int(raw) < 1:
            return [], _("请从名次列表中选择，例如“第1位”。")
        by_place.setdefault(int(raw), []).append(item_id)
    for place, item_ids in sorted(by_place.items()):
        if len(item_ids) > 1:
            return [], _(
                "“第%(place)s位”给了%(count)s个项目，每个名次只能给一个项目。"
            ) % {"place": place, "count": len(item_ids)}
    return [item_ids[0] for _place, item_ids in sorted(by_place.items())], ""


def fields_from_answers(
    structure: CampaignStructure, values: Mapping[int, object]
) -> dict[str, list[str]]:
    """Stored answers (surveys.selectors.response_values) as the posted fields
    that would give them: what the form shows before anything is typed."""
    fields: dict[str, list[str]] = {}
    for question in structure.questions:
        value = values.get(question.id)
        if value in (None, "", [], {}):
            continue
        fields.update(_fields_of(question, value))
    return fields


def _fields_of(question: QuestionSpec, value) -> dict[str, list[str]]:
    name = question_field(question.id)
    if question.kind == Kind.MENU_RANK:
        return {
            item_field(question.id, item_id): [str(place)]
            for place, item_id in enumerate(value, start=1)
        }
    if question.kind == Kind.MENU_POINTS:
        return {
            item_field(question.id, item_id): [str(points)]
            for item_id, points in value.items()
        }
    if question.kind in (Kind.MENU_BUDGET, Kind.MULTIPLE):
        return {name: [str(v) for v in value]}
    if question.kind == Kind.PHOTO:
        return {keep_field(question.id): ["1"]}
    return {name: [str(value)]}
