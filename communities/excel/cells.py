"""Reading messy cells ("约1200", "12,345㎡", "２００３年", "√") and writing
cells that no spreadsheet will take for a formula."""

import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ..models import Owner
from ..phones import is_nothing, normalise_phone

# Text that a spreadsheet could take for a formula gets a leading quote on
# export; the quote itself is escaped too, so import can always strip one.
FORMULA_PREFIXES = ("=", "+", "-", "@")
QUOTE = "'"


class CellError(Exception):
    """A cell that cannot be understood; the argument is the Chinese reason."""


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def is_nothing_marker(value) -> bool:
    """What clerks type for "nothing" in an optional cell: "/", "-", "—", "无",
    "暂无", "不详" (see communities.phones.NOTHING_MARKERS)."""
    return isinstance(value, str) and is_nothing(unquote(value.strip()))


def _plain(value) -> str:
    """A cell as stripped text; 1998.0 (Excel's floats) reads as "1998"."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime):
        value = (
            value.date().isoformat() if value.time() == datetime.min.time() else value
        )
    return str(value).strip()


def _normal(text: str) -> str:
    """Full-width digits and letters to ASCII, ㎡ to m2, without any spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def name_key(text: str) -> str:
    """How names are matched: "藤翠苑７号 小区" is "藤翠苑7号小区"."""
    return _normal(text).lower()


def unquote(text: str) -> str:
    """Undo `neutralise`: drop the one quote put before a formula-like text."""
    if text[:1] == QUOTE and text[1:2] in (*FORMULA_PREFIXES, QUOTE):
        return text[1:]
    return text


def neutralise(text: str) -> str:
    """Text that starts like a formula (=, +, -, @) is written with a leading
    quote, so no spreadsheet ever evaluates it."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if text[:1] in (*FORMULA_PREFIXES, QUOTE):
        return QUOTE + text
    return text


def parse_text(value) -> str:
    return unquote(_plain(value))


# Full-width letters, digits and dash ("１栋", "Ａ座", "３０１") as ASCII; other
# full-width marks ("（二期）") are how Chinese names are written and stay.
_HALF_WIDTH = {
    code: code - 0xFEE0
    for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
}
_HALF_WIDTH[ord("－")] = ord("-")


def parse_label(value) -> str:
    """A building name or room number: "１栋" is stored as "1栋", "３０１" as
    "301", so the same building or room is written one way."""
    return parse_text(value).translate(_HALF_WIDTH)


_ROOM_SUFFIX = re.compile(r"(?<=\d)\s*[室房号]$")


def parse_room(value) -> str:
    """A room number: as parse_label, and "103室" or "103号" is room 103, so a
    later file typing "103" finds the same household."""
    return _ROOM_SUFFIX.sub("", parse_label(value))


def parse_phone(value) -> str:
    """A phone number as every write stores it (communities.phones)."""
    try:
        return normalise_phone(parse_text(value))
    except ValidationError as error:
        raise CellError(error.messages[0]) from error


def format_phone(value: str) -> str:
    # A normalised number never starts like a formula; anything else is
    # neutralised like other text.
    return format_text(value)


_CHINESE_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_NUMBER_PREFIXES = ("大约", "约", "近", "共", "合计", "¥", "￥")
_NUMBER_SUFFIXES = (
    "平方米", "平米", "平方", "平", "m2", "sqm", "万元", "元", "人民币", "户", "人",
    "名", "栋", "幢", "座", "层", "个", "套", "间", "单元", "左右", "以上", "余", "多",
    "%",
)  # fmt: skip
_DECIMAL = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)")


def _chinese_number(text: str) -> int | None:
    """ "三" → 3, "十二" → 12, "二十" → 20: the small numbers of units and floors."""
    if not text or any(char not in _CHINESE_DIGITS and char != "十" for char in text):
        return None
    if "十" not in text:
        return _CHINESE_DIGITS[text] if len(text) == 1 else None
    tens, _sep, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    return (_CHINESE_DIGITS[tens] if tens else 1) * 10 + (
        _CHINESE_DIGITS[ones] if ones else 0
    )


def parse_decimal(value) -> Decimal:
    """A number from a messy cell: "约1200", "12,345㎡", "１.５万元", 1998.0."""
    if isinstance(value, bool):
        raise CellError(_("「%(value)s」不是数字。") % {"value": _plain(value)})
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    raw = _plain(value)
    # NFKC turns ㎡ and m² into m2; lower case catches "M2" and "SQM".
    text = _normal(parse_text(value)).replace(",", "").lower()
    multiplier = 1
    changed = True
    while changed and text:
        changed = False
        for prefix in _NUMBER_PREFIXES:
            if text.startswith(prefix):
                text, changed = text[len(prefix) :], True
        for suffix in sorted(_NUMBER_SUFFIXES, key=len, reverse=True):
            if text.endswith(suffix):
                if suffix == "万元":
                    multiplier *= 10_000
                text, changed = text[: -len(suffix)], True
        if text.endswith("万"):
            text, changed, multiplier = text[:-1], True, multiplier * 10_000
    small = _chinese_number(text)
    if small is not None:
        return Decimal(small * multiplier)
    if not _DECIMAL.fullmatch(text):
        raise CellError(_("「%(value)s」不是有效的数字。") % {"value": raw})
    try:
        return Decimal(text) * multiplier
    except InvalidOperation as exc:
        raise CellError(_("「%(value)s」不是有效的数字。") % {"value": raw}) from exc


def parse_int(value) -> int:
    number = parse_decimal(value)
    if number != number.to_integral_value():
        raise CellError(_("「%(value)s」应为整数。") % {"value": _plain(value)})
    return int(number)


_FLOOR = re.compile(
    r"(?P<below>b|负|地下|-)?第?(?P<number>\d+|[零〇一二两三四五六七八九十]+)"
    r"(?:f|l|楼|层)?"
)


def parse_floor(value) -> int:
    """ "6", "6F", "6f", "2楼", "六楼", "第3层", "B1", "地下1层" → 6, 6, 6, 2, 6,
    3, −1, −1."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return parse_int(value)
    text = _normal(parse_text(value)).lower()
    match = _FLOOR.fullmatch(text)
    if match:
        number = match.group("number")
        floor = int(number) if number.isdigit() else _chinese_number(number)
        if floor is not None:
            return -floor if match.group("below") else floor
    raise CellError(
        _("「%(value)s」不是有效的楼层，请填写数字，如 6、6F、6楼，地下室填 -1 或 B1。")
        % {"value": _plain(value)}
    )


def decimal_parser(places: int) -> Callable[[Any], Decimal]:
    step = Decimal(1).scaleb(-places)

    def parse(value) -> Decimal:
        # Excel's floats (85.55000000000001) are rounded to the field's places.
        return parse_decimal(value).quantize(step, rounding=ROUND_HALF_UP)

    return parse


_YEAR = re.compile(
    r"(?:大约|约|于)?(\d{4})"
    r"(?:年(?:\d{1,2}月(?:\d{1,2}日)?)?|[./-]\d{1,2}(?:[./-]\d{1,2})?)?"
    r"(?:左右|前后|年底|年初|竣工|建成|竣工验收)?"
)


def parse_year(value) -> int:
    """ "2003年", "２００３", 2003.0, "2003.12", "2003年5月" or a date → 2003."""
    if isinstance(value, datetime | date):
        return value.year
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    else:
        text = _normal(parse_text(value))
    match = _YEAR.fullmatch(text)
    if not match:
        raise CellError(
            _("「%(value)s」不是有效的年份，请填写四位数年份，如 2003。")
            % {"value": _plain(value)}
        )
    return int(match.group(1))


_TRUE = {"是", "有", "y", "yes", "true", "t", "1", "√", "✓", "✔", "对", "已成立"}
_FALSE = {
    "否",
    "无",
    "没有",
    "n",
    "no",
    "false",
    "f",
    "0",
    "×",
    "✗",
    "✘",
    "x",
    "未成立",
}


def parse_bool(value) -> bool:
    """是/否, 有/无, Y/N, √/×, TRUE/FALSE, 1/0."""
    if isinstance(value, bool):
        return value
    key = _normal(_plain(value)).lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise CellError(
        _("「%(value)s」无法识别，请填“是”或“否”。") % {"value": _plain(value)}
    )


def format_bool(value: bool) -> str:
    return "是" if value else "否"


def choice_parser(
    choices: type[models.Choices], aliases: dict[str, str]
) -> Callable[[Any], str]:
    """A choice from its Chinese label, its stored value or a common alias."""

    cache: dict[str, Any] = {}

    def parse(value) -> str:
        if not cache:  # built on first use: the labels are lazy translations
            with translation.override("zh-hans"):
                labels = [(str(label), code) for code, label in choices.choices]
            lookup = {name_key(code): code for _label, code in labels}
            lookup.update({name_key(label): code for label, code in labels})
            lookup.update({name_key(alias): code for alias, code in aliases.items()})
            cache.update(lookup=lookup, options="、".join(label for label, _ in labels))
        key = name_key(parse_text(value))
        if key in cache["lookup"]:
            return cache["lookup"][key]
        raise CellError(
            _("「%(value)s」不是可选的值，可填：%(options)s。")
            % {"value": _plain(value), "options": cache["options"]}
        )

    return parse


def choice_formatter(choices: type[models.Choices]) -> Callable[[str], str]:
    cache: dict[str, str] = {}

    def format_choice(value: str) -> str:
        if not cache:
            with translation.override("zh-hans"):
                cache.update((code, str(label)) for code, label in choices.choices)
        return cache[value]

    return format_choice


_OWNER_SEPARATORS = re.compile(r"[、;；,，/／\n]+")
_HAN_WORDS = re.compile(r"[\u4e00-\u9fff·]+(?:\s+[\u4e00-\u9fff·]+)+")


def _padding_removed(name: str) -> str:
    """ "张 三" (a two-character name padded to line up with three-character
    ones) is 张三. A name in Latin letters keeps its spaces."""
    if _HAN_WORDS.fullmatch(name) and any(len(part) == 1 for part in name.split()):
        return "".join(name.split())
    return name


def is_spaced_han_name(name: str) -> bool:
    """ "张三 李四": two owners, or one name typed apart? Not guessed: the
    importer keeps it only for an owner already registered under it."""
    return bool(_HAN_WORDS.fullmatch(name))


def owner_name_key(name: str) -> str:
    """How a row's owner name is compared with a household's owners."""
    return re.sub(r"\s+", "", name)


def parse_owners(value) -> tuple[str, ...]:
    """Owner names separated by 、 or ; (also ，/ and new lines), in order."""
    names = []
    for name in _OWNER_SEPARATORS.split(_plain(value)):
        name = _padding_removed(unquote(name.strip()))
        # "无", "暂无", "不详", "-": no owner entered (an unsold unit, say)
        if not name or name in names or is_nothing(name):
            continue
        limit = Owner._meta.get_field("name").max_length
        if len(name) > limit:
            raise CellError(
                _("业主姓名「%(name)s…」过长：每位业主最多 %(limit)s 个字。")
                % {"name": name[:20], "limit": limit}
            )
        names.append(name)
    return tuple(names)


def format_owners(names: Iterable[str]) -> str:
    # Each name is neutralised, so import can unquote each one after splitting.
    return "、".join(neutralise(name) for name in names)


def format_text(value) -> str:
    return neutralise(value or "")


def format_value(value):
    return value
