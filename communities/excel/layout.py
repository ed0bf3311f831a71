"""The layout: the register's sheets as column specs, each with its Chinese
header, model field, parser and formatter. Import, export and the blank
template are all derived from `LAYOUT`."""

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from django.db import models
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from ..models import Building, Estate, Household
from .cells import (
    choice_formatter,
    choice_parser,
    decimal_parser,
    format_bool,
    format_owners,
    format_phone,
    format_text,
    format_value,
    parse_bool,
    parse_floor,
    parse_int,
    parse_label,
    parse_owners,
    parse_phone,
    parse_room,
    parse_text,
    parse_year,
)

ESTATES, BUILDINGS, HOUSEHOLDS = "小区", "楼栋", "户"


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
    # "/", "-", "无", "暂无", "不详" read as a blank cell (numbers, flags, phones)
    nothing_ok: bool = False
    text_cell: bool = False  # exported as a text cell (phone numbers)

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


def text(header, field_name, help="", width=14, parse=parse_text, **kwargs) -> Column:
    return Column(
        header, field_name, parse, format_text, help=help, width=width, **kwargs
    )


def count(header, field_name, help="") -> Column:
    return Column(
        header,
        field_name,
        parse_int,
        help=help or gettext_lazy("整数，如 120。"),
        width=10,
        nothing_ok=True,
    )


def area(header, field_name, model, help="") -> Column:
    places = model._meta.get_field(field_name).decimal_places
    return Column(
        header,
        field_name,
        decimal_parser(places),
        help=help or gettext_lazy("数字，可带单位和千分位，如 12,345㎡。"),
        width=14,
        nothing_ok=True,
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
        nothing_ok=True,
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
    "物业": Estate.ManagementModel.PROPERTY_COMPANY,
}
AREA_BASIS_ALIASES = {
    "登记面积": Household.AreaBasis.REGISTERED,
    "产权面积": Household.AreaBasis.REGISTERED,
    "不动产证": Household.AreaBasis.REGISTERED,
    "实测": Household.AreaBasis.SURVEYED,
    "测绘面积": Household.AreaBasis.SURVEYED,
    "合同面积": Household.AreaBasis.CONTRACT,
    "合同": Household.AreaBasis.CONTRACT,
    "产权证": Household.AreaBasis.REGISTERED,
    "不动产权证": Household.AreaBasis.REGISTERED,
    "房产证": Household.AreaBasis.REGISTERED,
    "测绘": Household.AreaBasis.SURVEYED,
}
OCCUPANCY_ALIASES = {
    "自住": Household.Occupancy.OWNER_OCCUPIED,
    "租住": Household.Occupancy.RENTED,
    "出租户": Household.Occupancy.RENTED,
    "空": Household.Occupancy.VACANT,
    "空房": Household.Occupancy.VACANT,
    "未售": Household.Occupancy.UNSOLD,
    "自住房": Household.Occupancy.OWNER_OCCUPIED,
    "租户": Household.Occupancy.RENTED,
    "出租房": Household.Occupancy.RENTED,
    "租赁": Household.Occupancy.RENTED,
    "空置房": Household.Occupancy.VACANT,
    "闲置": Household.Occupancy.VACANT,
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
                nothing_ok=True,
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
                nothing_ok=True,
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
            text(
                "楼栋名称",
                "name",
                gettext_lazy("必填。如“1栋”，同一小区内不重复。"),
                parse=parse_label,
            ),
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
                parse=parse_room,
            ),
            Column(
                "楼层",
                "floor",
                parse_floor,
                help=gettext_lazy("如 6、6F、6楼、六楼；地下室填 -1 或 B1。"),
                width=8,
                nothing_ok=True,
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
                format_phone,
                help=gettext_lazy(
                    "手机号（11位，可带 +86、空格或横线）或带区号的座机号，"
                    "如 0756-1234567；没有可留空。"
                ),
                width=16,
                nothing_ok=True,
                text_cell=True,
            ),
            flag("独居老人", "elderly_living_alone"),
            flag("有残疾人", "has_disabled_member"),
            flag("有儿童", "has_children"),
        ),
        key=("community", "estate", "building", "unit", "number"),
    ),
)
LAYOUT_BY_TITLE = {layout.title: layout for layout in LAYOUT}
