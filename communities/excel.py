"""The register workbook (登记表): estates, buildings and households in Excel.

The layout is defined once (`LAYOUT`: sheets of column specs, each with its
Chinese header, model field, parser and formatter); import, export and the
blank template are all derived from it, so export → import changes nothing.

Import is all or nothing: every cell is parsed (real spreadsheets are messy:
"约1200", "12,345㎡", "２００３年", "√"), every row is checked with the models'
own validation and constraints, every problem is reported as (sheet, row,
column, reason), and only a file without a single problem is written, in one
transaction.
"""

import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, models, transaction
from django.db.models import CheckConstraint, F, Q, QuerySet
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .models import Building, Community, Estate, Household, Owner

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ESTATES, BUILDINGS, HOUSEHOLDS = "小区", "楼栋", "户"
HELP_SHEET = "填写说明"
# Text that a spreadsheet could take for a formula gets a leading quote on
# export; the quote itself is escaped too, so import can always strip one.
FORMULA_PREFIXES = ("=", "+", "-", "@")
QUOTE = "'"
HEADER_SEARCH_ROWS = 10
MAX_ROWS_PER_SHEET = 50_000
# An .xlsx is a zip; refuse archives that inflate far beyond the upload limit.
MAX_INFLATION = 30
PREVIEW_ROWS = 10
TEMPLATE_VALIDATION_ROWS = 2000


# --- Reading messy cells --------------------------------------------------------


class CellError(Exception):
    """A cell that cannot be understood; the argument is the Chinese reason."""


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


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


def parse_phone(value) -> str:
    return unicodedata.normalize("NFKC", parse_text(value)).strip()


_CHINESE_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_NUMBER_PREFIXES = ("大约", "约", "近", "共", "合计", "¥", "￥")
_NUMBER_SUFFIXES = (
    "平方米", "平米", "平方", "m2", "万元", "元", "人民币", "户", "人", "名", "栋",
    "幢", "座", "层", "个", "套", "间", "单元", "左右", "以上", "余", "多", "%",
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
    text = _normal(parse_text(value)).replace(",", "")
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


def parse_owners(value) -> tuple[str, ...]:
    """Owner names separated by 、 or ; (also ，/ and new lines), in order."""
    names = []
    for name in _OWNER_SEPARATORS.split(_plain(value)):
        name = unquote(name.strip())
        if not name or name in names:
            continue
        if len(name) > Owner._meta.get_field("name").max_length:
            raise CellError(_("业主姓名「%(name)s」过长。") % {"name": name[:20]})
        names.append(name)
    return tuple(names)


def format_owners(names: Iterable[str]) -> str:
    # Each name is neutralised, so import can unquote each one after splitting.
    return "、".join(neutralise(name) for name in names)


def format_text(value) -> str:
    return neutralise(value or "")


def format_value(value):
    return value


# --- The layout -------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, the model field (or a reference such
    as the estate's name on the buildings sheet), how to read and write it."""

    header: str
    field: str
    parse: Callable[[Any], Any]
    format: Callable[[Any], Any] = format_value
    get: Callable[[Any], Any] | None = None  # reads the value from a row object
    help: str = ""
    required: bool = False  # blank refused even if the model has a default
    width: int = 12
    options: tuple[str, ...] = ()  # offered as a drop-down in the template
    percent: bool = False  # a cell formatted as 20% holds 0.2

    def value_of(self, obj):
        return (self.get or attrgetter(self.field))(obj)


@dataclass(frozen=True)
class SheetLayout:
    title: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # the fields that identify a row (re-import updates it)

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def header_of(self, field_name: str) -> str:
        for column in self.columns:
            if column.field == field_name:
                return column.header
        return ""

    def model_columns(self) -> list[Column]:
        """Columns that are plain fields of the model (not references)."""
        names = {f.name for f in self.model._meta.concrete_fields if not f.is_relation}
        return [column for column in self.columns if column.field in names]


def text(header, field_name, help="", width=14, **kwargs) -> Column:
    return Column(
        header, field_name, parse_text, format_text, help=help, width=width, **kwargs
    )


def count(header, field_name, help="") -> Column:
    return Column(
        header,
        field_name,
        parse_int,
        help=help or gettext_lazy("整数，如 120。"),
        width=10,
    )


def area(header, field_name, model, help="") -> Column:
    places = model._meta.get_field(field_name).decimal_places
    return Column(
        header,
        field_name,
        decimal_parser(places),
        help=help or gettext_lazy("数字，可带单位和千分位，如 12,345㎡。"),
        width=14,
    )


def flag(header, field_name, help="") -> Column:
    return Column(
        header,
        field_name,
        parse_bool,
        format_bool,
        help=help or gettext_lazy("填“是”或“否”（也可填 有/无、Y/N、√/×）。"),
        width=10,
        options=("是", "否"),
    )


def choice(header, field_name, choices, aliases, help="") -> Column:
    labels = tuple(label for _code, label in choices.choices)
    options = lazy(lambda: "、".join(str(label) for label in labels), str)()
    return Column(
        header,
        field_name,
        choice_parser(choices, aliases),
        choice_formatter(choices),
        help=help or format_lazy(gettext_lazy("可填：{}。"), options),
        width=16,
        options=labels,
    )


MANAGEMENT_ALIASES = {
    "物业公司": Estate.ManagementModel.PROPERTY_COMPANY,
    "物业管理公司": Estate.ManagementModel.PROPERTY_COMPANY,
    "有物业": Estate.ManagementModel.PROPERTY_COMPANY,
    "自管": Estate.ManagementModel.SELF_MANAGED,
    "业主自治": Estate.ManagementModel.SELF_MANAGED,
    "社区管理": Estate.ManagementModel.COMMUNITY_RUN,
    "国企": Estate.ManagementModel.STATE_FALLBACK,
    "国企托底": Estate.ManagementModel.STATE_FALLBACK,
    "无": Estate.ManagementModel.NONE,
    "没有": Estate.ManagementModel.NONE,
    "无物业管理": Estate.ManagementModel.NONE,
}
AREA_BASIS_ALIASES = {
    "登记面积": Household.AreaBasis.REGISTERED,
    "产权面积": Household.AreaBasis.REGISTERED,
    "不动产证": Household.AreaBasis.REGISTERED,
    "实测": Household.AreaBasis.SURVEYED,
    "测绘面积": Household.AreaBasis.SURVEYED,
    "合同面积": Household.AreaBasis.CONTRACT,
    "合同": Household.AreaBasis.CONTRACT,
}
OCCUPANCY_ALIASES = {
    "自住": Household.Occupancy.OWNER_OCCUPIED,
    "租住": Household.Occupancy.RENTED,
    "出租户": Household.Occupancy.RENTED,
    "空": Household.Occupancy.VACANT,
    "空房": Household.Occupancy.VACANT,
    "未售": Household.Occupancy.UNSOLD,
}

COMMUNITY_HELP = gettext_lazy(
    "必填。系统中已有的社区名称，如“鹤洲社区”（可省略“社区”二字）。"
)
ESTATE_REF_HELP = gettext_lazy("必填。与「小区」表或系统中的小区名称一致。")
BUILDING_REF_HELP = gettext_lazy("必填。与「楼栋」表或系统中的楼栋名称一致。")

LAYOUT: tuple[SheetLayout, ...] = (
    SheetLayout(
        ESTATES,
        Estate,
        (
            text(
                "所属社区",
                "community",
                COMMUNITY_HELP,
                required=True,
                get=attrgetter("community.name"),
            ),
            text(
                "小区名称",
                "name",
                gettext_lazy("必填。同一社区内不重复；再次导入时按社区和名称更新。"),
                width=20,
            ),
            text("地址", "address", width=24),
            Column(
                "建成年代",
                "build_year",
                parse_year,
                help=gettext_lazy("必填。竣工验收年份，如 2003、2003年、2003.12。"),
                width=10,
            ),
            area("占地面积（㎡）", "land_area", Estate),
            area("建筑面积（㎡）", "floor_area", Estate),
            count("楼栋数", "building_count"),
            count("户数", "household_count"),
            count("人口", "resident_count"),
            count("60岁以上老人", "elderly_60_count"),
            count(
                "80岁以上老人",
                "elderly_80_count",
                gettext_lazy("整数，不能多于60岁以上老人数。"),
            ),
            count("残疾人", "disabled_count"),
            count("儿童", "children_count", gettext_lazy("14岁以下儿童人数。")),
            count("低保户", "low_income_count"),
            Column(
                "租户占比（%）",
                "tenant_share",
                decimal_parser(2),
                help=gettext_lazy("0到100之间的百分数，如 20 或 20%。"),
                percent=True,
            ),
            choice(
                "物业管理情况",
                "management_model",
                Estate.ManagementModel,
                MANAGEMENT_ALIASES,
            ),
            flag(
                "业主委员会",
                "has_owners_committee",
                gettext_lazy("是否已成立业主委员会：是/否。"),
            ),
            area(
                "维修资金（元）",
                "maintenance_fund",
                Estate,
                gettext_lazy("住宅专项维修资金余额，元；可写“1.2万”。"),
            ),
            text("备注", "notes", width=30),
        ),
        key=("community", "name"),
    ),
    SheetLayout(
        BUILDINGS,
        Building,
        (
            text(
                "所属社区",
                "community",
                COMMUNITY_HELP,
                required=True,
                get=attrgetter("estate.community.name"),
            ),
            text(
                "小区名称",
                "estate",
                ESTATE_REF_HELP,
                required=True,
                width=20,
                get=attrgetter("estate.name"),
            ),
            text("楼栋名称", "name", gettext_lazy("必填。如“1栋”，同一小区内不重复。")),
            count("层数", "storeys", gettext_lazy("整数，至少为1。")),
            count("单元数", "unit_count", gettext_lazy("整数，至少为1。")),
            flag("有电梯", "has_elevator"),
        ),
        key=("community", "estate", "name"),
    ),
    SheetLayout(
        HOUSEHOLDS,
        Household,
        (
            text(
                "所属社区",
                "community",
                COMMUNITY_HELP,
                required=True,
                get=attrgetter("building.estate.community.name"),
            ),
            text(
                "小区名称",
                "estate",
                ESTATE_REF_HELP,
                required=True,
                width=20,
                get=attrgetter("building.estate.name"),
            ),
            text(
                "楼栋名称",
                "building",
                BUILDING_REF_HELP,
                required=True,
                get=attrgetter("building.name"),
            ),
            count("单元", "unit", gettext_lazy("单元号，整数，如 1 或“2单元”。")),
            text(
                "房号",
                "number",
                gettext_lazy("必填。如 301，同一单元内不重复。"),
                width=10,
            ),
            Column(
                "楼层",
                "floor",
                parse_int,
                help=gettext_lazy("整数，地下室可填负数。"),
                width=8,
            ),
            area(
                "专有部分面积（㎡）",
                "exclusive_area",
                Household,
                gettext_lazy("必填。大于0，如 85.5。"),
            ),
            choice("面积依据", "area_basis", Household.AreaBasis, AREA_BASIS_ALIASES),
            choice("居住情况", "occupancy", Household.Occupancy, OCCUPANCY_ALIASES),
            count("居住人数", "resident_count"),
            Column(
                "业主",
                "owners",
                parse_owners,
                format_owners,
                get=lambda household: [owner.name for owner in household.owners.all()],
                help=gettext_lazy(
                    "多位业主用“、”或“;”分隔。同名业主按本行的联系电话区分。"
                ),
                width=20,
            ),
            Column(
                "联系电话",
                "contact_phone",
                parse_phone,
                format_text,
                help=gettext_lazy("手机或座机号码。"),
                width=16,
            ),
            flag("独居老人", "elderly_living_alone"),
            flag("有残疾人", "has_disabled_member"),
            flag("有儿童", "has_children"),
        ),
        key=("community", "estate", "building", "unit", "number"),
    ),
)
LAYOUT_BY_TITLE = {layout.title: layout for layout in LAYOUT}


# --- The report -------------------------------------------------------------------


class RowError(NamedTuple):
    """One problem: the sheet, the row number Excel shows, the column header."""

    sheet: str
    row: int | None
    column: str
    reason: str

    def __str__(self) -> str:
        place = ""
        if self.sheet:
            place += f"「{self.sheet}」"
        if self.row:
            place += _("第%(row)s行") % {"row": self.row}
        if self.column:
            place += f"「{self.column}」"
        return f"{place}：{self.reason}" if place else self.reason


@dataclass
class SheetCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class PreviewTable:
    headers: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    total: int = 0


@dataclass
class ImportReport:
    """What an import did, or would do (dry run), or why it refused the file."""

    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, SheetCounts] = field(
        default_factory=lambda: {layout.title: SheetCounts() for layout in LAYOUT}
    )
    preview: dict[str, PreviewTable] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, sheet: str, row: int | None, column: str, reason: str) -> None:
        self.errors.append(RowError(sheet, row, column, str(reason)))

    def summary_lines(self) -> list[str]:
        return [
            _("「%(sheet)s」：新增 %(created)s，更新 %(updated)s，无变化 %(unchanged)s")
            % {
                "sheet": title,
                "created": counts.created,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
            }
            for title, counts in self.counts.items()
        ]


# --- Opening the file -------------------------------------------------------------


def _read_bytes(file, report: ImportReport) -> bytes | None:
    limit = settings.REGISTER_IMPORT_MAX_BYTES
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    elif isinstance(file, str | Path):
        path = Path(file)
        if path.stat().st_size > limit:
            report.add("", None, "", _too_large(path.stat().st_size))
            return None
        data = path.read_bytes()
    else:
        size = getattr(file, "size", None)
        if size is not None and size > limit:
            report.add("", None, "", _too_large(size))
            return None
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(limit + 1)
    if len(data) > limit:
        report.add("", None, "", _too_large(len(data)))
        return None
    return data


def _too_large(size: int) -> str:
    return _("文件太大（%(size)s），最大允许 %(limit)s。") % {
        "size": filesizeformat(size),
        "limit": filesizeformat(settings.REGISTER_IMPORT_MAX_BYTES),
    }


def _not_xlsx(data: bytes) -> str | None:
    """Why this is not an .xlsx workbook we are willing to open, or None."""
    if data[:4] == b"\xd0\xcf\x11\xe0":
        return _(
            "这是旧版 Excel（.xls）或加密的文件，请在 Excel 中“另存为”"
            ".xlsx 格式（不设密码）后再导入。"
        )
    if data[:4] != b"PK\x03\x04":
        return _("文件不是 Excel 工作簿（.xlsx），请使用下载的模板填写后导入。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            inflated = sum(member.file_size for member in members)
    except zipfile.BadZipFile:
        return _("文件已损坏，无法作为 Excel 工作簿（.xlsx）打开。")
    if "xl/workbook.xml" not in names:
        return _("文件不是 Excel 工作簿（.xlsx），请使用下载的模板填写后导入。")
    if inflated > MAX_INFLATION * settings.REGISTER_IMPORT_MAX_BYTES:
        return _("文件解压后过大，已拒绝。")
    return None


def _open_workbook(data: bytes, report: ImportReport):
    reason = _not_xlsx(data)
    if reason:
        report.add("", None, "", reason)
        return None
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        logger.info("register import: unreadable workbook", exc_info=True)
        report.add("", None, "", _("文件已损坏，无法作为 Excel 工作簿（.xlsx）打开。"))
        return None


# --- Parsing the sheets -----------------------------------------------------------


@dataclass
class ParsedRow:
    number: int
    values: dict[str, Any]
    ok: bool


def _header_key(value) -> str:
    return _normal(_plain(value)).lower().replace("*", "") if value is not None else ""


def _find_sheet(workbook, title: str):
    for sheet in workbook.worksheets:
        if _header_key(sheet.title) == _header_key(title):
            return sheet
    return None


def _blank_value(layout: SheetLayout, column: Column):
    if column.required:
        raise CellError(_("必填，不能为空。"))
    if column.field == "owners":
        return ()
    model_field = layout.model._meta.get_field(column.field)
    if model_field.null:
        return None
    if model_field.has_default():
        return model_field.get_default()
    if model_field.blank:
        return ""
    raise CellError(_("必填，不能为空。"))


def _locate_headers(rows, layout, report) -> tuple[int, dict[str, int]] | None:
    """Find the header row (a title row above it is allowed) and each column."""
    wanted = {_header_key(column.header): column for column in layout.columns}
    for number, cells in rows:
        keys = [_header_key(cell.value) for cell in cells]
        found = {key: index for index, key in reversed(list(enumerate(keys)))}
        if len(wanted.keys() & found.keys()) * 2 < len(wanted):
            if number >= HEADER_SEARCH_ROWS:
                break
            continue
        positions = {}
        unknown = [
            _plain(cell.value)
            for key, cell in zip(keys, cells, strict=True)
            if key and key not in wanted
        ]
        for key, column in wanted.items():
            if keys.count(key) > 1:
                report.add(
                    layout.title, number, column.header, _("这一列出现了不止一次。")
                )
        for key, column in wanted.items():
            if key in found:
                positions[column.field] = found[key]
                continue
            reason = _("缺少这一列，表头应为「%(header)s」。") % {
                "header": column.header
            }
            if unknown:
                reason += _("（表头中无法识别的列：%(unknown)s）") % {
                    "unknown": "、".join(f"「{name}」" for name in unknown)
                }
            report.add(layout.title, number, column.header, reason)
        return number, positions
    report.add(
        layout.title,
        None,
        "",
        _("找不到表头：第一行应为 %(headers)s 等列名，请使用下载的模板。")
        % {"headers": "、".join(f"「{h}」" for h in layout.headers[:4])},
    )
    return None


def _parse_sheet(workbook, layout: SheetLayout, report: ImportReport):
    """Parse every row of one sheet; bad cells are reported, never guessed."""
    sheet = _find_sheet(workbook, layout.title)
    if sheet is None:
        report.add(
            layout.title,
            None,
            "",
            _("缺少工作表「%(sheet)s」，请使用下载的模板。") % {"sheet": layout.title},
        )
        return None
    rows = enumerate(sheet.iter_rows(), start=1)
    errors_before = len(report.errors)
    located = _locate_headers(rows, layout, report)
    if located is None or len(report.errors) > errors_before:
        return None
    header_row, positions = located
    preview = PreviewTable(headers=layout.headers)
    report.preview[layout.title] = preview
    parsed = []
    for number, cells in rows:
        if number - header_row > MAX_ROWS_PER_SHEET:
            report.add(
                layout.title,
                number,
                "",
                _("行数超过 %(limit)s 行，请分成几个文件导入。")
                % {"limit": MAX_ROWS_PER_SHEET},
            )
            return None
        raw = {
            name: cells[index] if index < len(cells) else None
            for name, index in positions.items()
        }
        if all(cell is None or _is_blank(cell.value) for cell in raw.values()):
            continue
        row = ParsedRow(number, {}, ok=True)
        shown = []
        in_preview = len(preview.rows) < PREVIEW_ROWS
        for column in layout.columns:
            cell = raw[column.field]
            value = cell.value if cell is not None else None
            try:
                if _is_blank(value):
                    parsed_value = _blank_value(layout, column)
                else:
                    if (
                        column.percent
                        and isinstance(value, int | float)
                        and "%" in (getattr(cell, "number_format", "") or "")
                    ):
                        value = Decimal(repr(value)) * 100
                    parsed_value = column.parse(value)
                row.values[column.field] = parsed_value
                if in_preview:
                    shown.append(_shown(column, parsed_value))
            except CellError as error:
                row.ok = False
                report.add(layout.title, number, column.header, error.args[0])
                if in_preview:
                    shown.append(_plain(value) if value is not None else "")
        preview.total += 1
        if in_preview:
            preview.rows.append((number, shown))
        parsed.append(row)
    return parsed


def _shown(column: Column, value) -> str:
    if value is None:
        return ""
    shown = column.format(value)
    return unquote(shown) if isinstance(shown, str) else str(shown)


# --- Checking rows with the models' own rules -------------------------------------


class _Unsupported(Exception):
    pass


_COMPARE = {
    "exact": lambda a, b: a == b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def _evaluate(node, instance) -> bool | None:
    """SQL's three-valued logic for the simple check conditions of our models,
    evaluated in Python so that checking a file of thousands of rows costs no
    query per row. Anything unusual falls back to Django's own check."""
    if isinstance(node, Q):
        results = [_evaluate(child, instance) for child in node.children]
        if node.connector == Q.AND:
            value = False if False in results else None if None in results else True
        else:
            value = True if True in results else None if None in results else False
        return value if value is None or not node.negated else not value
    if not isinstance(node, tuple):
        raise _Unsupported
    lookup, expected = node
    name, _sep, operator_name = lookup.partition("__")
    actual = getattr(instance, name)
    if isinstance(expected, F):
        expected = getattr(instance, expected.name)
    elif hasattr(expected, "resolve_expression"):
        raise _Unsupported
    if operator_name == "isnull":
        return (actual is None) == expected
    compare = _COMPARE.get(operator_name or "exact")
    if compare is None:
        raise _Unsupported
    if actual is None or expected is None:
        return None
    return compare(actual, expected)


def _condition_fields(node) -> list[str]:
    if isinstance(node, Q):
        return [name for child in node.children for name in _condition_fields(child)]
    lookup, expected = node
    names = [lookup.split("__")[0]]
    if isinstance(expected, F):
        names.append(expected.name)
    return names


def _check_constraints(instance, exclude: set[str]) -> list[tuple[str, str]]:
    """(field, message) for each check constraint the instance breaks."""
    broken = []
    for constraint in type(instance)._meta.constraints:
        if not isinstance(constraint, CheckConstraint):
            continue  # uniqueness is guaranteed by matching rows on the same keys
        fields = _condition_fields(constraint.condition)
        if exclude & set(fields):
            continue
        try:
            holds = _evaluate(constraint.condition, instance) is not False
        except _Unsupported:
            try:
                constraint.validate(type(instance), instance)
                holds = True
            except ValidationError:
                holds = False
        if not holds:
            broken.append((fields[0], str(constraint.get_violation_error_message())))
    return broken


def _validate(
    instance, layout: SheetLayout, row: ParsedRow, report: ImportReport, fk: str
) -> bool:
    """Run the model's field validation and check constraints on one row."""
    errors: dict[str, list[str]] = {}
    try:
        instance.full_clean(
            exclude=[fk], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        errors = error.message_dict
    for name, message in _check_constraints(instance, set(errors) | {fk}):
        errors.setdefault(name, []).append(message)
    for name, messages in errors.items():
        header = layout.header_of(name) if name != NON_FIELD_ERRORS else ""
        for message in messages:
            report.add(layout.title, row.number, header, message)
    return not errors


# --- Resolving rows against the register ------------------------------------------


@dataclass
class _Plan:
    row: ParsedRow
    instance: models.Model
    created: bool
    changed: list[str]
    owners: list[Owner | tuple[str, str]] = field(default_factory=list)
    owners_changed: bool = False

    @property
    def dirty(self) -> bool:
        return self.created or bool(self.changed)


_SKIP = object()  # a reference to a row that already has its own error


class _Resolver:
    """Matches each row to the register (community + name, estate + building
    name, building + unit + number), so re-imports update and never duplicate."""

    def __init__(self, report: ImportReport, allowed_community_ids):
        self.report = report
        self.allowed = (
            None if allowed_community_ids is None else set(allowed_community_ids)
        )
        self.communities = {}
        for community in Community.objects.order_by("id"):
            self.communities.setdefault(name_key(community.name), community)
        self.estates: dict[tuple, _Plan | None] = {}
        self.buildings: dict[tuple, _Plan | None] = {}
        self.households: dict[tuple, _Plan | None] = {}
        self.first_rows: dict[tuple, int] = {}

    # Register rows of the communities the file names, fetched once.
    def load(self, parsed: dict[str, list[ParsedRow]]) -> None:
        community_ids = set()
        for rows in parsed.values():
            for row in rows:
                name = row.values.get("community")
                community = self._community_named(name) if name else None
                if community is not None:
                    community_ids.add(community.pk)
        self.db_estates = _index(
            Estate.objects.filter(community_id__in=community_ids),
            lambda estate: (estate.community_id, estate.name),
        )
        self.db_buildings = _index(
            Building.objects.filter(estate__community_id__in=community_ids),
            lambda building: (building.estate_id, building.name),
        )
        self.db_households = _index(
            Household.objects.filter(
                building__estate__community_id__in=community_ids
            ).prefetch_related("owners"),
            lambda household: (household.building_id, household.unit, household.number),
        )

    def _community_named(self, name: str) -> Community | None:
        key = name_key(name)
        return self.communities.get(key) or (
            None if key.endswith("社区") else self.communities.get(key + "社区")
        )

    def community(self, layout: SheetLayout, row: ParsedRow) -> Community | None:
        name = row.values.get("community")
        if not name:
            return None
        community = self._community_named(name)
        header = layout.header_of("community")
        if community is None:
            self.report.add(
                layout.title,
                row.number,
                header,
                _("社区「%(name)s」不存在。社区由街道办在后台建立，请核对名称。")
                % {"name": name},
            )
            return None
        if self.allowed is not None and community.pk not in self.allowed:
            self.report.add(
                layout.title,
                row.number,
                header,
                _("您只能导入所负责社区的数据，不能导入「%(name)s」的小区。")
                % {"name": community.name},
            )
            return None
        return community

    def _first(self, key: tuple, layout, row, column: str, reason: str) -> bool:
        """True for the first row with this key; later ones are reported."""
        seen = self.first_rows.get(key)
        if seen is not None:
            self.report.add(
                layout.title,
                row.number,
                layout.header_of(column),
                _("与第%(row)s行重复：%(reason)s") % {"row": seen, "reason": reason},
            )
            return False
        self.first_rows[key] = row.number
        return True

    def estate_for(self, key, community, name, layout, row):
        if key in self.estates:
            plan = self.estates[key]
            return plan.instance if plan else _SKIP
        estate = _lookup(self.db_estates, (community.pk, name))
        if estate is not None:
            return estate
        self.report.add(
            layout.title,
            row.number,
            layout.header_of("estate"),
            _("找不到小区「%(estate)s」（%(community)s）：「小区」表和系统中都没有。")
            % {"estate": name, "community": community.name},
        )
        return _SKIP

    def building_for(self, key, estate, name, layout, row):
        if key in self.buildings:
            plan = self.buildings[key]
            return plan.instance if plan else _SKIP
        building = _lookup(self.db_buildings, (estate.pk, name)) if estate.pk else None
        if building is not None:
            return building
        self.report.add(
            layout.title,
            row.number,
            layout.header_of("building"),
            _("找不到楼栋「%(building)s」（%(estate)s）：「楼栋」表和系统中都没有。")
            % {"building": name, "estate": estate.name},
        )
        return _SKIP

    def resolve_estates(self, layout, rows) -> None:
        for row in rows:
            community = self.community(layout, row)
            name = row.values.get("name")
            if community is None or not name:
                continue
            key = ("estate", community.pk, name_key(name))
            if not self._first(
                key, layout, row, "name", _("同一社区内小区名称不能重复。")
            ):
                continue
            self.estates[key[1:]] = None
            if not row.ok:
                continue
            estate = _lookup(self.db_estates, (community.pk, name))
            if estate is None:
                estate = Estate(community=community)
            plan = _apply(layout, estate, row)
            if _validate(estate, layout, row, self.report, fk="community"):
                self.estates[key[1:]] = plan
                _count(self.report, layout, plan)

    def resolve_buildings(self, layout, rows) -> None:
        for row in rows:
            community = self.community(layout, row)
            estate_name, name = row.values.get("estate"), row.values.get("name")
            if community is None or not estate_name or not name:
                continue
            estate_key = (community.pk, name_key(estate_name))
            estate = self.estate_for(estate_key, community, estate_name, layout, row)
            key = ("building", *estate_key, name_key(name))
            if not self._first(
                key, layout, row, "name", _("同一小区内楼栋名称不能重复。")
            ):
                continue
            self.buildings[key[1:]] = None
            if estate is _SKIP or not row.ok:
                continue
            building = (
                _lookup(self.db_buildings, (estate.pk, name)) if estate.pk else None
            )
            if building is None:
                building = Building()
            building.estate = estate
            plan = _apply(layout, building, row)
            if _validate(building, layout, row, self.report, fk="estate"):
                self.buildings[key[1:]] = plan
                _count(self.report, layout, plan)

    def resolve_households(self, layout, rows) -> None:
        for row in rows:
            community = self.community(layout, row)
            values = row.values
            estate_name, building_name = values.get("estate"), values.get("building")
            if community is None or not estate_name or not building_name:
                continue
            estate_key = (community.pk, name_key(estate_name))
            estate = self.estate_for(estate_key, community, estate_name, layout, row)
            if estate is _SKIP:
                continue
            building_key = (*estate_key, name_key(building_name))
            building = self.building_for(
                building_key, estate, building_name, layout, row
            )
            if building is _SKIP or "unit" not in values or not values.get("number"):
                continue
            key = (
                "household",
                *building_key,
                values["unit"],
                name_key(values["number"]),
            )
            if not self._first(
                key, layout, row, "number", _("同一楼栋同一单元的房号不能重复。")
            ):
                continue
            if not row.ok:
                continue
            household = (
                _lookup(
                    self.db_households, (building.pk, values["unit"], values["number"])
                )
                if building.pk
                else None
            )
            if household is None:
                household = Household()
            household.building = building
            plan = _apply(layout, household, row)
            _plan_owners(plan, values["owners"], values["contact_phone"])
            if _validate(household, layout, row, self.report, fk="building"):
                self.households[key[1:]] = plan
                _count(self.report, layout, plan)


def _index(queryset, key: Callable) -> dict:
    """Rows by their exact key and by their normalised key (exact wins)."""
    index = {}
    for obj in queryset.order_by("id"):
        exact = key(obj)
        index.setdefault(("exact", *exact), obj)
        index.setdefault(("normal", *_normal_key(exact)), obj)
    return index


def _normal_key(key: tuple) -> tuple:
    return tuple(name_key(part) if isinstance(part, str) else part for part in key)


def _lookup(index: dict, key: tuple):
    return index.get(("exact", *key)) or index.get(("normal", *_normal_key(key)))


def _apply(layout: SheetLayout, instance, row: ParsedRow) -> _Plan:
    """Put the row's values on the instance, noting which ones change. The key
    name of a matched row is kept as stored."""
    created = instance.pk is None
    changed = []
    for column in layout.model_columns():
        name = column.field
        if not created and name in layout.key:
            continue
        value = row.values[name]
        if created or getattr(instance, name) != value:
            setattr(instance, name, value)
            if not created:
                changed.append(name)
    return _Plan(row=row, instance=instance, created=created, changed=changed)


def _plan_owners(plan: _Plan, names: tuple[str, ...], phone: str) -> None:
    """Owners of a household row. A name already among the household's owners
    keeps that owner. Any other name is get-or-created by (name, this row's
    phone): deterministic, and an owner of several units listed with the same
    phone becomes one Owner, which the Civil-Code headcount counts once."""
    current = [] if plan.created else list(plan.instance.owners.all())
    by_name = {}
    for owner in current:
        by_name.setdefault(owner.name, owner)
    plan.owners = [by_name.get(name) or (name, phone) for name in names]
    wanted = {owner.pk for owner in plan.owners if isinstance(owner, Owner)}
    plan.owners_changed = bool(names or current) and (
        any(isinstance(owner, tuple) for owner in plan.owners)
        or wanted != {owner.pk for owner in current}
    )


def _count(report: ImportReport, layout: SheetLayout, plan: _Plan) -> None:
    counts = report.counts[layout.title]
    if plan.created:
        counts.created += 1
    elif plan.changed or plan.owners_changed:
        counts.updated += 1
    else:
        counts.unchanged += 1


# --- Writing ------------------------------------------------------------------------


def _resolve_owners(plans: list[_Plan]) -> None:
    """Replace (name, phone) placeholders with owners, found or created."""
    wanted = {
        owner for plan in plans for owner in plan.owners if isinstance(owner, tuple)
    }
    if not wanted:
        return
    found = {}
    for owner in Owner.objects.filter(name__in={name for name, _p in wanted}).order_by(
        "id"
    ):
        found.setdefault((owner.name, owner.phone), owner)
    missing = [Owner(name=name, phone=phone) for name, phone in wanted - found.keys()]
    for owner in Owner.objects.bulk_create(missing):
        found[(owner.name, owner.phone)] = owner
    for plan in plans:
        plan.owners = [
            found[owner] if isinstance(owner, tuple) else owner for owner in plan.owners
        ]


def _write(resolver: _Resolver) -> None:
    for plan in resolver.estates.values():
        if plan and plan.dirty:
            plan.instance.save()
    for plan in resolver.buildings.values():
        if plan and plan.dirty:
            plan.instance.save()  # a new estate's id is taken from plan.instance.estate
    households = [plan for plan in resolver.households.values() if plan]
    new = [plan.instance for plan in households if plan.created]
    Household.objects.bulk_create(new, batch_size=1000)
    changed = [plan for plan in households if not plan.created and plan.changed]
    if changed:
        fields = sorted({name for plan in changed for name in plan.changed})
        Household.objects.bulk_update(
            [plan.instance for plan in changed], fields, batch_size=500
        )
    owner_plans = [plan for plan in households if plan.created or plan.owners_changed]
    _resolve_owners(owner_plans)
    through = Household.owners.through
    through.objects.filter(
        household_id__in=[plan.instance.pk for plan in owner_plans if not plan.created]
    ).delete()
    through.objects.bulk_create(
        [
            through(household_id=plan.instance.pk, owner_id=owner.pk)
            for plan in owner_plans
            for owner in plan.owners
        ],
        batch_size=2000,
    )


def _sort_errors(report: ImportReport) -> None:
    """File problems first, then sheet by sheet, row by row, column by column."""
    sheets = [layout.title for layout in LAYOUT]

    def position(error: RowError):
        layout = LAYOUT_BY_TITLE.get(error.sheet)
        headers = layout.headers if layout else []
        return (
            sheets.index(error.sheet) if error.sheet in sheets else -1,
            error.row or 0,
            headers.index(error.column) if error.column in headers else -1,
        )

    report.errors.sort(key=position)


def import_register(
    file, *, actor, dry_run: bool = False, allowed_community_ids=None
) -> ImportReport:
    """Import a register workbook (path, bytes or uploaded file), all or nothing.

    With `dry_run` everything is checked and written, then rolled back. Community
    staff pass their `allowed_community_ids`; a row of any other community is an
    error. Returns the report; nothing is written when it has errors.
    """
    report = ImportReport(dry_run=dry_run)
    data = _read_bytes(file, report)
    if data is None:
        return report
    workbook = _open_workbook(data, report)
    if workbook is None:
        return report
    try:
        parsed = {}
        for layout in LAYOUT:
            rows = _parse_sheet(workbook, layout, report)
            if rows is not None:
                parsed[layout.title] = rows
    finally:
        workbook.close()
    if len(parsed) < len(LAYOUT):
        _sort_errors(report)
        return report
    resolver = _Resolver(report, allowed_community_ids)
    resolver.load(parsed)
    resolver.resolve_estates(LAYOUT_BY_TITLE[ESTATES], parsed[ESTATES])
    resolver.resolve_buildings(LAYOUT_BY_TITLE[BUILDINGS], parsed[BUILDINGS])
    resolver.resolve_households(LAYOUT_BY_TITLE[HOUSEHOLDS], parsed[HOUSEHOLDS])
    if report.errors:
        report.counts = ImportReport().counts
        _sort_errors(report)
        return report
    try:
        with transaction.atomic():
            _write(resolver)
            if dry_run:
                transaction.set_rollback(True)
    except (DatabaseError, ValidationError) as error:
        logger.warning("register import refused by the database: %s", error)
        report.counts = ImportReport().counts
        report.add(
            "",
            None,
            "",
            _(
                "数据库拒绝了这些数据（可能有人同时在修改登记表），未写入任何数据，请重新导入。"
            ),
        )
        return report
    logger.info(
        "register import by %s (dry run: %s): %s",
        getattr(actor, "username", "system"),
        dry_run,
        "; ".join(report.summary_lines()),
    )
    return report


# --- Export and template ------------------------------------------------------------


def _styled_header(sheet, header: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=header)
    cell.font = Font(bold=True)
    cell.fill = PatternFill("solid", fgColor="DDE6F0")
    cell.alignment = Alignment(vertical="center", wrap_text=True)
    return cell


def _workbook_bytes(rows_by_sheet: dict[str, Iterable]) -> bytes:
    workbook = Workbook(write_only=True)
    for layout in LAYOUT:
        sheet = workbook.create_sheet(layout.title)
        sheet.freeze_panes = "A2"
        for index, column in enumerate(layout.columns, start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = column.width
            if column.options:
                with translation.override("zh-hans"):
                    options = ",".join(str(option) for option in column.options)
                validation = DataValidation(
                    type="list",
                    formula1=f'"{options}"',
                    allow_blank=True,
                )
                validation.add(f"{letter}2:{letter}{TEMPLATE_VALIDATION_ROWS}")
                sheet.data_validations.append(validation)
        sheet.append([_styled_header(sheet, header) for header in layout.headers])
        for obj in rows_by_sheet.get(layout.title, ()):
            sheet.append([_cell(column, obj) for column in layout.columns])
    _write_help(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(column: Column, obj):
    value = column.value_of(obj)
    if value is None:
        return None
    value = column.format(value)
    return None if value == "" else value


def _write_help(workbook) -> None:
    sheet = workbook.create_sheet(HELP_SHEET)
    for letter, width in zip("ABCD", (10, 20, 8, 70), strict=True):
        sheet.column_dimensions[letter].width = width
    notes = [
        _("白藤街道老旧小区登记表：填写「小区」「楼栋」「户」三张表，表头不要改动。"),
        _("导入时按“社区+小区名称”“小区+楼栋名称”“楼栋+单元+房号”识别，已有的会被更新，不会重复。"),
        _("数字可写成“约1200”“12,345㎡”“2003年”，全角数字也可以；有任何一行出错，整份文件都不会写入。"),
        "",
    ]  # fmt: skip
    for note in notes:
        sheet.append([note])
    sheet.append(
        [
            _styled_header(sheet, header)
            for header in (_("工作表"), _("列名"), _("必填"), _("填写说明"))
        ]
    )
    for layout in LAYOUT:
        for column in layout.columns:
            try:
                _blank_value(layout, column)
                required = ""
            except CellError:
                required = _("是")
            sheet.append([layout.title, column.header, required, str(column.help)])


def _export_querysets(estates: QuerySet[Estate]) -> dict[str, QuerySet]:
    chosen = Estate.objects.filter(pk__in=estates.order_by().values("pk"))
    return {
        ESTATES: chosen.select_related("community").order_by("community__name", "name"),
        BUILDINGS: Building.objects.filter(estate__in=chosen)
        .select_related("estate__community")
        .order_by("estate__community__name", "estate__name", "name"),
        HOUSEHOLDS: Household.objects.filter(building__estate__in=chosen)
        .select_related("building__estate__community")
        .prefetch_related("owners")
        .order_by(
            "building__estate__community__name",
            "building__estate__name",
            "building__name",
            "unit",
            "number",
        ),
    }


def export_register(estates_queryset: QuerySet[Estate]) -> bytes:
    """The chosen estates with their buildings and households as .xlsx bytes, in
    the import layout (four queries, whatever the number of rows)."""
    return _workbook_bytes(_export_querysets(estates_queryset))


def blank_template() -> bytes:
    """An empty register workbook: the three sheets' headers and the help sheet."""
    return _workbook_bytes({})


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """A download of .xlsx bytes; `filename` may be Chinese (RFC 5987)."""
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    stem = filename.rsplit(".", 1)[0]
    fallback = stem if re.fullmatch(r"[A-Za-z0-9._-]+", stem) else "register"
    response["Content-Disposition"] = (
        f'attachment; filename="{fallback}.xlsx"; '
        f"filename*=UTF-8''{quote(filename, safe='')}"
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Length"] = str(len(data))
    return response
