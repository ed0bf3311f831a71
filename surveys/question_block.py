"""A campaign's questions as HTML: rendered once per campaign and language, then
filled with one household's values for each request.

A menu ranked without JavaScript has a place select per item (n items, n + 1
choices each), and rendering that through the template engine on every phone
request would cost more than all the rest of the page. A campaign's questions
cannot change once it opens (structure.py), so the block is rendered once with
markers where a household's checks, values and errors go, kept per process,
and filled by one pass over the markers.

A marker is "\\x00kind|name|value\\x00". NUL cannot occur in rendered text:
PostgreSQL stores no NUL and baitang.middleware refuses it in requests.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from .forms import item_field, keep_field, question_field
from .models import Campaign, Question
from .structure import CampaignStructure, ItemSpec, QuestionSpec

Kind = Question.Kind
NUL = "\x00"
CHECKED, SELECTED, VALUE, EXTRA, ERROR_CLASS, KEEP_BOX = "c", "s", "v", "e", "x", "k"

RATING_LABELS = {
    1: gettext_lazy("很不满意"),
    2: gettext_lazy("不满意"),
    3: pgettext_lazy("rating", "一般"),  # not the severity 一般 (minor)
    4: gettext_lazy("满意"),
    5: gettext_lazy("很满意"),
}


def _mark(kind: str, name: str, value: object = "") -> SafeString:
    return mark_safe(f"{NUL}{kind}|{name}|{value}{NUL}")


def money(amount: Decimal) -> str:
    """An estimate as residents read it: 12万元, 8.5万元, 3,000元."""
    if amount >= 10000:
        text = f"{(amount / 10000).quantize(Decimal('0.01')):f}"
        return _("%(amount)s万元") % {"amount": text.rstrip("0").rstrip(".")}
    return _("%(amount)s元") % {"amount": f"{amount:,.0f}"}


@dataclass
class Choice:
    value: object
    label: str
    field_id: str
    mark: SafeString
    note: str = ""
    cost: Decimal | None = None


@dataclass
class ItemRow:
    item: ItemSpec
    field: str
    mark: SafeString = mark_safe("")  # a value marker (points)
    places: list[tuple[int, SafeString]] = field(default_factory=list)


@dataclass
class QuestionView:
    spec: QuestionSpec
    name: str
    extra: SafeString
    error_class: SafeString
    instructions: str = ""
    choices: list[Choice] = field(default_factory=list)
    rows: list[ItemRow] = field(default_factory=list)
    value: SafeString = mark_safe("")
    keep: SafeString = mark_safe("")


def _view(question: QuestionSpec) -> QuestionView:
    name = question_field(question.id)
    view = QuestionView(
        spec=question,
        name=name,
        extra=_mark(EXTRA, name),
        error_class=_mark(ERROR_CLASS, name),
    )
    if question.kind == Kind.MENU_RANK:
        places = question.max_choices or len(question.items)
        places = min(places, len(question.items))
        view.instructions = _(
            "请给您最想改的项目排名次：第1位是最想要的。最多排%(count)s项，不想要的选“不选”。"
        ) % {"count": places}
        for item in question.items:
            field_name = item_field(question.id, item.id)
            view.rows.append(
                ItemRow(
                    item=item,
                    field=field_name,
                    places=[
                        (place, _mark(SELECTED, field_name, place))
                        for place in range(1, places + 1)
                    ],
                )
            )
    elif question.kind == Kind.MENU_POINTS:
        view.instructions = _(
            "您共有%(budget)s分，请按想要的程度分给下面的项目，越想要分越多；合计不超过%(budget)s分。"
        ) % {"budget": question.points_budget}
        for item in question.items:
            field_name = item_field(question.id, item.id)
            view.rows.append(
                ItemRow(item=item, field=field_name, mark=_mark(VALUE, field_name))
            )
    elif question.kind == Kind.MENU_BUDGET:
        view.instructions = _(
            "请选出您想要的项目，估算费用合计不能超过预算%(budget)s。"
        ) % {"budget": money(question.cost_budget)}
        view.choices = [
            Choice(
                value=item.id,
                label=item.name,
                field_id=f"{name}-{item.id}",
                mark=_mark(CHECKED, name, item.id),
                note=_("约%(cost)s") % {"cost": money(item.cost)},
                cost=item.cost,
            )
            for item in question.items
        ]
    elif question.kind in Question.OPTION_KINDS:
        if question.kind == Kind.MULTIPLE:
            view.instructions = (
                _("可以选多项，最多%(count)s项。") % {"count": question.max_choices}
                if question.max_choices
                else _("可以选多项。")
            )
        view.choices = [
            Choice(
                value=option.id,
                label=option.label,
                field_id=f"{name}-{option.id}",
                mark=_mark(CHECKED, name, option.id),
            )
            for option in question.options
        ]
    elif question.kind == Kind.RATING:
        view.choices = [
            Choice(
                value=rating,
                label=str(RATING_LABELS[rating]),
                field_id=f"{name}-{rating}",
                mark=_mark(CHECKED, name, rating),
            )
            for rating in range(1, 6)
        ]
    elif question.kind == Kind.TEXT:
        view.instructions = _("最多%(count)s字。") % {"count": question.max_length}
        view.value = _mark(VALUE, name)
    elif question.kind == Kind.PHOTO:
        view.keep = _mark(KEEP_BOX, name)
    return view


Block = tuple  # literal strings and (kind, name, value) markers, alternating

_BLOCKS: dict[tuple, Block] = {}
_BLOCKS_KEPT = 256


def question_block(campaign: Campaign, structure: CampaignStructure) -> Block:
    """The campaign's questions with markers, rendered once per process, campaign
    version and language."""
    key = (campaign.pk, campaign.updated_at.timestamp(), get_language())
    block = _BLOCKS.get(key)
    if block is None:
        html = render_to_string(
            "surveys/resident/question_block.html",
            {"questions": [_view(question) for question in structure.questions]},
        )
        block = _split(html)
        if len(_BLOCKS) >= _BLOCKS_KEPT:
            _BLOCKS.clear()
        _BLOCKS[key] = block
    return block


def _split(html: str) -> Block:
    parts = html.split(NUL)
    return tuple(
        part if index % 2 == 0 else tuple(part.split("|", 2))
        for index, part in enumerate(parts)
    )


def fill(
    block: Block,
    fields: Mapping[str, list[str]],
    *,
    extras: Mapping[str, str] | None = None,
    stored_photos: frozenset[str] = frozenset(),
) -> SafeString:
    """The block with one household's field values checked or filled in, and
    each question's errors and notes (`extras`, HTML keyed by "q<id>")."""
    extras = extras or {}
    out = []
    for part in block:
        if isinstance(part, str):
            out.append(part)
            continue
        kind, name, value = part
        if kind == CHECKED:
            out.append(" checked" if value in fields.get(name, ()) else "")
        elif kind == SELECTED:
            out.append(" selected" if value in fields.get(name, ()) else "")
        elif kind == VALUE:
            values = fields.get(name)
            out.append(escape(values[0]) if values else "")
        elif kind == EXTRA:
            out.append(extras.get(name, ""))
        elif kind == ERROR_CLASS:
            out.append(" has-error" if name in extras else "")
        elif kind == KEEP_BOX and name in stored_photos:
            out.append(_keep_box(name, fields))
    return mark_safe("".join(out))


def _keep_box(name: str, fields: Mapping[str, list[str]]) -> str:
    keep = keep_field(int(name[1:]))
    return format_html(
        '<p class="kept-photo"><label class="choice" for="{id}">'
        '<input type="checkbox" id="{id}" name="{name}" value="1"{checked}> '
        "<span>{label}</span></label></p>",
        id=f"{keep}-box",
        name=keep,
        checked=mark_safe(" checked" if "1" in fields.get(keep, ()) else ""),
        label=_("保留已上传的照片（选了新照片就用新照片）"),
    )


def question_extras(
    structure: CampaignStructure,
    errors: Mapping[str, list[str]],
    photos_chosen: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """Each question's error messages (and, after an error, the note that a
    chosen photo must be chosen again), as HTML keyed by "q<id>"."""
    extras = {}
    for question in structure.questions:
        name = question_field(question.id)
        messages = list(errors.get(name, ()))
        if question.kind == Kind.PHOTO and name in photos_chosen and errors:
            messages.append(
                _(
                    "您选的照片还没有保存：页面上有需要修改的地方，"
                    "请改好后重新选择这张照片。"
                )
            )
        if messages:
            extras[name] = format_html(
                '<div class="question-error" id="{}-error">{}</div>',
                name,
                format_html_join("", "<p>{}</p>", ((m,) for m in messages)),
            )
    return extras


def answer_summary(
    structure: CampaignStructure, values: Mapping[int, object]
) -> list[tuple[QuestionSpec, list[str]]]:
    """Each question with the household's answer in words (read-only pages)."""
    rows = []
    for question in structure.questions:
        value = values.get(question.id)
        rows.append((question, _answer_words(question, value)))
    return rows


def _answer_words(question: QuestionSpec, value) -> list[str]:
    if value in (None, "", [], {}):
        return []
    names = {item.id: item.name for item in question.items}
    options = {option.id: option.label for option in question.options}
    if question.kind == Kind.MENU_RANK:
        return [
            _("第%(place)s位：%(name)s") % {"place": place, "name": names.get(i, "")}
            for place, i in enumerate(value, start=1)
        ]
    if question.kind == Kind.MENU_POINTS:
        return [
            _("%(name)s：%(points)s分") % {"name": names.get(i, ""), "points": points}
            for i, points in value.items()
        ]
    if question.kind == Kind.MENU_BUDGET:
        return [names.get(i, "") for i in value]
    if question.kind == Kind.SINGLE:
        return [options.get(value, "")]
    if question.kind == Kind.MULTIPLE:
        return [options.get(i, "") for i in value]
    if question.kind == Kind.RATING:
        return [f"{value} {RATING_LABELS.get(value, '')}"]
    if question.kind == Kind.PHOTO:
        return [_("已上传照片")]
    return [str(value)]
