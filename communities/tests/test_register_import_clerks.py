"""Workbooks typed the way clerks type them (issue 6, points 12, 14, 15, 16):
blocks pasted from other files with their headers, full-width characters,
"M2", "/" for nothing, floors written "6F" or "六楼", phone numbers in every
spelling. What cannot be read gets its row's reason in plain Chinese."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from communities.excel import (
    BUILDINGS,
    ESTATES,
    HOUSEHOLDS,
    import_register,
    parse_decimal,
)
from communities.excel.cells import CellError, parse_floor, parse_room
from communities.models import Building, Estate, Household, Owner
from communities.tests.excel_samples import (
    building_row,
    estate_row,
    headers,
    household_row,
    workbook_bytes,
)

pytestmark = pytest.mark.django_db


def reordered(row: list, order: list[str]) -> list:
    """A households row in the column order of another office's file."""
    values = dict(zip(headers(HOUSEHOLDS), row, strict=True))
    return [values[header] for header in order]


def clerks_workbook() -> bytes:
    """Two offices' blocks merged into one file: the second block was pasted
    with its own title row and a header whose columns are in another order."""
    other_order = [
        "所属社区",
        "小区名称",
        "楼栋名称",
        "房号",
        "单元",
        "业主",
        "联系电话",
        "楼层",
        "专有部分面积（㎡）",
        "面积依据",
        "居住情况",
        "居住人数",
        "独居老人",
        "有残疾人",
        "有儿童",
    ]
    return workbook_bytes(
        {
            ESTATES: [
                estate_row(
                    **{
                        "所属社区": "鹤洲",
                        "占地面积（㎡）": "15,674 M2",
                        "建筑面积（㎡）": "/",
                        "残疾人": "不详",
                        "儿童": "—",
                        "低保户": "无",
                        "维修资金（元）": "暂无",
                        "租户占比（%）": "-",
                    }
                ),
                estate_row(
                    **{
                        "所属社区": "群兴社区",
                        "小区名称": "逸鸿花园",
                        "占地面积（㎡）": "8000m²",
                        "建筑面积（㎡）": "12000平方米",
                    }
                ),
            ],
            BUILDINGS: [
                building_row(**{"楼栋名称": "1栋", "层数": "７层"}),
                building_row(
                    **{"所属社区": "群兴", "小区名称": "逸鸿花园", "楼栋名称": "2栋"}
                ),
            ],
            HOUSEHOLDS: [
                household_row(
                    **{
                        "楼栋名称": "１栋",
                        "房号": "101",
                        "楼层": "1楼",
                        "专有部分面积（㎡）": "85.5M2",
                        "业主": "张三",
                        "联系电话": "138-0000-1111",
                        "居住人数": "/",
                    }
                ),
                household_row(
                    **{
                        "楼栋名称": "1栋",
                        "房号": "601",
                        "楼层": "6F",
                        "专有部分面积（㎡）": "90㎡",
                        "业主": "李四",
                        "联系电话": "+86 139-2345-6789",
                    }
                ),
                [],
                ["第二批（群兴社区报送）"],
                [],
                other_order,
                reordered(
                    household_row(
                        **{
                            "所属社区": "群兴",
                            "小区名称": "逸鸿花园",
                            "楼栋名称": "2栋",
                            "房号": "201",
                            "楼层": "二楼",
                            "专有部分面积（㎡）": "70.25 平方米",
                            "业主": "王五",
                            "联系电话": "(0756)1234567",
                        }
                    ),
                    other_order,
                ),
                reordered(
                    household_row(
                        **{
                            "所属社区": "群兴",
                            "小区名称": "逸鸿花园",
                            "楼栋名称": "2栋",
                            "房号": "601",
                            "楼层": "六楼",
                            "专有部分面积（㎡）": "88m2",
                            "业主": "王五",
                            "联系电话": "0756 123 4567",
                            "独居老人": "/",
                        }
                    ),
                    other_order,
                ),
                reordered(
                    household_row(
                        **{
                            "楼栋名称": "1栋",
                            "房号": "102",
                            "楼层": "6f",
                            "专有部分面积（㎡）": "85.5",
                            "业主": "张三",
                            "联系电话": "13800001111",
                        }
                    ),
                    other_order,
                ),
            ],
        },
        title_rows={HOUSEHOLDS: [["白藤街道老旧小区住户登记（第一批）"]]},
    )


def test_a_clerks_workbook_is_understood(community, other_community, street_user):
    report = import_register(clerks_workbook(), actor=street_user)

    assert report.errors == []
    assert {title: c.created for title, c in report.counts.items()} == {
        ESTATES: 2,
        BUILDINGS: 2,
        HOUSEHOLDS: 5,
    }
    tengcui = Estate.objects.get(name="藤翠苑7号小区")
    assert (tengcui.land_area, tengcui.floor_area) == (Decimal("15674.00"), None)
    assert (tengcui.disabled_count, tengcui.children_count) == (0, 0)
    assert (tengcui.low_income_count, tengcui.maintenance_fund) == (0, Decimal(0))
    assert tengcui.tenant_share == Decimal(0)
    yihong = Estate.objects.get(name="逸鸿花园")
    assert (yihong.land_area, yihong.floor_area) == (
        Decimal("8000.00"),
        Decimal("12000.00"),
    )
    assert Building.objects.get(name="1栋").storeys == 7  # "７层"
    # the households' "１栋" (full-width) is the building "1栋"
    households = {
        (h.building.name, h.number): (h.floor, h.exclusive_area, h.contact_phone)
        for h in Household.objects.select_related("building")
    }
    assert households == {
        ("1栋", "101"): (1, Decimal("85.50"), "13800001111"),
        ("1栋", "601"): (6, Decimal("90.00"), "13923456789"),
        ("1栋", "102"): (6, Decimal("85.50"), "13800001111"),
        ("2栋", "201"): (2, Decimal("70.25"), "0756-1234567"),
        ("2栋", "601"): (6, Decimal("88.00"), "0756-1234567"),
    }
    assert Household.objects.get(number="101").resident_count == 0


def test_the_same_owner_typed_two_ways_is_one_owner(
    community, other_community, street_user
):
    import_register(clerks_workbook(), actor=street_user)

    # "138-0000-1111" and "13800001111": one 张三, counted once by Art. 278
    zhang = Owner.objects.get(name="张三")
    assert zhang.phone == "13800001111"
    assert sorted(zhang.households.values_list("number", flat=True)) == ["101", "102"]
    assert zhang.community == community
    wang = Owner.objects.get(name="王五")
    assert wang.phone == "0756-1234567"
    assert wang.households.count() == 2
    assert wang.community == other_community
    assert Owner.objects.count() == 3


def test_a_reimport_of_the_clerks_workbook_changes_nothing(
    community, other_community, street_user
):
    import_register(clerks_workbook(), actor=street_user)

    again = import_register(clerks_workbook(), actor=street_user)

    assert again.errors == []
    assert {title: c.unchanged for title, c in again.counts.items()} == {
        ESTATES: 2,
        BUILDINGS: 2,
        HOUSEHOLDS: 5,
    }
    assert Owner.objects.count() == 3


def test_the_preview_shows_the_community_as_matched(
    community, other_community, street_user
):
    report = import_register(clerks_workbook(), actor=street_user, dry_run=True)

    shown = [cells[0] for _number, cells in report.preview[HOUSEHOLDS].rows]
    assert shown == ["鹤洲社区", "鹤洲社区", "群兴社区", "群兴社区", "鹤洲社区"]
    assert report.preview[ESTATES].rows[0][1][0] == "鹤洲社区"
    assert report.preview[BUILDINGS].rows[1][1][0] == "群兴社区"


def test_a_pasted_header_row_alone_is_skipped(community, street_user):
    data = workbook_bytes(
        {
            ESTATES: [
                estate_row(),
                headers(ESTATES),
                estate_row(**{"小区名称": "幸福园小区"}),
            ]
        }
    )

    report = import_register(data, actor=street_user)

    assert report.errors == []
    assert sorted(Estate.objects.values_list("name", flat=True)) == [
        "幸福园小区",
        "藤翠苑7号小区",
    ]


def test_a_pasted_header_missing_a_column_is_reported_at_its_row(
    community, street_user
):
    short = [header for header in headers(ESTATES) if header != "备注"]
    data = workbook_bytes({ESTATES: [estate_row(), short, estate_row()[:-1]]})

    report = import_register(data, actor=street_user)

    assert [str(error) for error in report.errors] == [
        "「小区」第3行「备注」：缺少这一列，表头应为「备注」。"
    ]
    assert not Estate.objects.exists()


def test_a_lone_text_row_not_followed_by_a_header_is_a_row(community, street_user):
    data = workbook_bytes({ESTATES: [estate_row(), ["第二批"], estate_row()]})

    report = import_register(data, actor=street_user)

    assert "「小区」第3行「小区名称」：必填，不能为空。" in [
        str(error) for error in report.errors
    ]


@pytest.mark.parametrize(
    "values, reason",
    [
        (
            {"房号": "3" * 25},
            "「户」第2行「房号」：「房号」最多 20 个字，这里有 25 个字。",
        ),
        (
            {"楼层": 40000},
            "「户」第2行「楼层」：「楼层」不能大于 32767。",
        ),
        (
            {"专有部分面积（㎡）": "1234567㎡"},
            "「户」第2行「专有部分面积（㎡）」："
            "「专有部分面积（㎡）」的数值太大，整数部分最多 6 位。",
        ),
        (
            {"居住人数": -2},
            "「户」第2行「居住人数」：「居住人数」不能为负数。",
        ),
        (
            {"专有部分面积（㎡）": "/"},
            "「户」第2行「专有部分面积（㎡）」：必填，请填写实际的值，不能填「/」。",
        ),
        (
            {"楼层": "顶楼"},
            "「户」第2行「楼层」：「顶楼」不是有效的楼层，请填写数字，"
            "如 6、6F、6楼，地下室填 -1 或 B1。",
        ),
        (
            {"联系电话": "找物业"},
            "「户」第2行「联系电话」：「找物业」不是有效的电话号码：手机号为11位数字，"
            "座机请带区号，如 0756-1234567。",
        ),
        (
            {"业主": "张三", "联系电话": "13800001111/13900002222/13700003333"},
            "「户」第2行「联系电话」：「联系电话」最多 20 个字，这里有 35 个字。",
        ),
    ],
    ids=[
        "long-number",
        "huge-floor",
        "huge-area",
        "negative",
        "slash-required",
        "floor-word",
        "phone-word",
        "three-phones",
    ],
)
def test_unreadable_values_get_a_plain_chinese_reason(
    community, street_user, values, reason
):
    data = workbook_bytes(
        {
            ESTATES: [estate_row()],
            BUILDINGS: [building_row()],
            HOUSEHOLDS: [household_row(**values)],
        }
    )

    report = import_register(data, actor=street_user)

    assert [str(error) for error in report.errors] == [reason]
    assert not Household.objects.exists()


def test_a_long_owner_name_names_its_limit(community, street_user):
    data = workbook_bytes(
        {
            ESTATES: [estate_row()],
            BUILDINGS: [building_row()],
            HOUSEHOLDS: [household_row(**{"业主": "张三、" + "长" * 101})],
        }
    )

    report = import_register(data, actor=street_user)

    assert [str(error) for error in report.errors] == [
        "「户」第2行「业主」：业主姓名「"
        + "长" * 20
        + "…」过长：每位业主最多 100 个字。"
    ]


def test_a_long_estate_name_names_its_column_and_limit(community, street_user):
    data = workbook_bytes({ESTATES: [estate_row(**{"小区名称": "长" * 101})]})

    report = import_register(data, actor=street_user)

    assert [str(error) for error in report.errors] == [
        "「小区」第2行「小区名称」：「小区名称」最多 100 个字，这里有 101 个字。"
    ]


@pytest.mark.parametrize(
    "typed, floor",
    [
        ("6", 6),
        (6.0, 6),
        ("6F", 6),
        ("6f", 6),
        ("６Ｆ", 6),
        ("2楼", 2),
        ("六楼", 6),
        ("十二层", 12),
        ("第3层", 3),
        ("B1", -1),
        ("b2", -2),
        ("地下1层", -1),
        ("负一楼", -1),
        ("-1", -1),
    ],
)
def test_floor_cells(typed, floor):
    assert parse_floor(typed) == floor


@pytest.mark.parametrize("typed", ["顶楼", "6-7层", "F"])
def test_unreadable_floor_cells(typed):
    with pytest.raises(CellError):
        parse_floor(typed)


@pytest.mark.parametrize(
    "typed",
    ["85.5M2", "85.5m2", "85.5 M²", "85.5m²", "85.5㎡", "85.5平方米", "85.5SQM"],
)
def test_area_units_in_any_case(typed):
    assert parse_decimal(typed) == Decimal("85.5")


def test_a_title_row_and_a_blank_header_area_are_not_mistaken(community, street_user):
    # A sheet saved by WPS with an empty first row, a title, then the header.
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title in (ESTATES, BUILDINGS, HOUSEHOLDS):
        sheet = workbook.create_sheet(title)
        sheet.append([])
        sheet.append(["登记表"])
        sheet.append(headers(title))
    workbook[ESTATES].append(estate_row())
    buffer = io.BytesIO()
    workbook.save(buffer)

    report = import_register(buffer.getvalue(), actor=street_user)

    assert report.errors == []
    assert Estate.objects.count() == 1


def test_nothing_typed_for_owners_enters_no_owner(community, street_user):
    # "无", "暂无", "不详", "-": an unsold or unknown unit, not an owner named "无"
    rows = [
        household_row(**{"房号": number, "业主": typed, "联系电话": ""})
        for number, typed in [
            ("101", "无"),
            ("102", "暂无"),
            ("201", "不详"),
            ("202", "-"),
            ("301", "/"),
        ]
    ]
    rows.append(household_row(**{"房号": "302", "业主": "张三、无"}))
    data = workbook_bytes(
        {ESTATES: [estate_row()], BUILDINGS: [building_row()], HOUSEHOLDS: rows}
    )

    report = import_register(data, actor=street_user)

    assert report.errors == []
    assert list(Owner.objects.values_list("name", flat=True)) == ["张三"]
    assert Household.objects.filter(owners__isnull=True).count() == 5


@pytest.mark.parametrize("typed", ["85平", "85 平", "８５平"])
def test_area_in_ping(typed):
    # "平" is how clerks shorten 平方米
    assert parse_decimal(typed) == Decimal("85")


def test_full_width_building_names_and_room_numbers_are_stored_half_width(
    community, street_user
):
    data = workbook_bytes(
        {
            ESTATES: [estate_row()],
            BUILDINGS: [building_row(**{"楼栋名称": "１２栋"})],
            HOUSEHOLDS: [
                household_row(**{"楼栋名称": "12栋", "房号": "３０１"}),
                household_row(**{"楼栋名称": "１２栋", "房号": "Ａ－３０２"}),
            ],
        }
    )

    report = import_register(data, actor=street_user)

    assert report.errors == []
    assert list(Building.objects.values_list("name", flat=True)) == ["12栋"]
    assert sorted(Household.objects.values_list("number", flat=True)) == [
        "301",
        "A-302",
    ]
    # typed half-width the next time, the same rows
    again = import_register(
        workbook_bytes(
            {
                ESTATES: [estate_row()],
                BUILDINGS: [building_row(**{"楼栋名称": "12栋"})],
                HOUSEHOLDS: [
                    household_row(**{"楼栋名称": "12栋", "房号": "301"}),
                    household_row(**{"楼栋名称": "12栋", "房号": "A-302"}),
                ],
            }
        ),
        actor=street_user,
    )
    assert again.counts[HOUSEHOLDS].unchanged == 2


def test_the_preview_shows_estates_and_buildings_as_matched(community, street_user):
    # given: the register holds the estate; the clerk types it with a space and
    # the building and room in full width
    import_register(
        workbook_bytes(
            {
                ESTATES: [estate_row(**{"小区名称": "幸福园（二期）"})],
                BUILDINGS: [building_row(**{"小区名称": "幸福园（二期）"})],
                HOUSEHOLDS: [household_row(**{"小区名称": "幸福园（二期）"})],
            }
        ),
        actor=street_user,
    )
    typed = "幸福园 (二期) "
    data = workbook_bytes(
        {
            ESTATES: [estate_row(**{"小区名称": typed})],
            BUILDINGS: [building_row(**{"小区名称": typed, "楼栋名称": "１栋"})],
            HOUSEHOLDS: [
                household_row(
                    **{"小区名称": typed, "楼栋名称": "１栋", "房号": "１０１"}
                )
            ],
        }
    )

    report = import_register(data, actor=street_user, dry_run=True)

    assert report.errors == []
    assert report.preview[ESTATES].rows[0][1][:2] == ["鹤洲社区", "幸福园（二期）"]
    assert report.preview[BUILDINGS].rows[0][1][:3] == [
        "鹤洲社区",
        "幸福园（二期）",
        "1栋",
    ]
    assert report.preview[HOUSEHOLDS].rows[0][1][:5] == [
        "鹤洲社区",
        "幸福园（二期）",
        "1栋",
        "1",
        "101",
    ]
    assert {title: c.unchanged for title, c in report.counts.items()} == {
        ESTATES: 1,
        BUILDINGS: 1,
        HOUSEHOLDS: 1,
    }


def test_spaces_inside_owner_names(community, street_user):
    rows = [
        household_row(**{"房号": "101", "业主": "张 三"}),  # padded to line up
        household_row(**{"房号": "102", "业主": "Mary Smith、李四", "联系电话": ""}),
        household_row(**{"房号": "103", "业主": "王五 赵六"}),  # two owners, or one?
    ]
    data = workbook_bytes(
        {ESTATES: [estate_row()], BUILDINGS: [building_row()], HOUSEHOLDS: rows}
    )

    report = import_register(data, actor=street_user)

    assert [str(error) for error in report.errors] == [
        "「户」第4行「业主」：「王五 赵六」中间有空格：几位业主请用“、”分开，"
        "一个人的姓名请去掉空格。"
    ]

    rows[2] = household_row(**{"房号": "103", "业主": "王五、赵六"})
    report = import_register(
        workbook_bytes(
            {ESTATES: [estate_row()], BUILDINGS: [building_row()], HOUSEHOLDS: rows}
        ),
        actor=street_user,
    )

    assert report.errors == []
    assert sorted(Owner.objects.values_list("name", flat=True)) == [
        "Mary Smith",
        "张三",
        "李四",
        "王五",
        "赵六",
    ]


def test_an_owner_registered_with_a_space_survives_a_reimport(community, street_user):
    # given: an owner whose name the register holds with a space (entered in
    # the admin), exported and imported again as the export wrote it
    rows = [household_row(**{"业主": "欧阳娜娜"})]
    data = workbook_bytes(
        {ESTATES: [estate_row()], BUILDINGS: [building_row()], HOUSEHOLDS: rows}
    )
    import_register(data, actor=street_user)
    Owner.objects.update(name="欧阳 娜娜")
    rows = [household_row(**{"业主": "欧阳 娜娜"})]

    report = import_register(
        workbook_bytes(
            {ESTATES: [estate_row()], BUILDINGS: [building_row()], HOUSEHOLDS: rows}
        ),
        actor=street_user,
    )

    assert report.errors == []
    assert report.counts[HOUSEHOLDS].unchanged == 1
    assert list(Owner.objects.values_list("name", flat=True)) == ["欧阳 娜娜"]


@pytest.mark.parametrize(
    "values, field, stored",
    [
        ({"居住情况": "空置房"}, "occupancy", "vacant"),
        ({"居住情况": "闲置"}, "occupancy", "vacant"),
        ({"居住情况": "租户"}, "occupancy", "rented"),
        ({"居住情况": "出租房"}, "occupancy", "rented"),
        ({"面积依据": "产权证"}, "area_basis", "registered"),
        ({"面积依据": "房产证"}, "area_basis", "registered"),
        ({"面积依据": "测绘"}, "area_basis", "surveyed"),
    ],
)
def test_what_clerks_call_occupancy_and_area_basis(
    community, street_user, values, field, stored
):
    data = workbook_bytes(
        {
            ESTATES: [estate_row()],
            BUILDINGS: [building_row()],
            HOUSEHOLDS: [household_row(**values)],
        }
    )

    report = import_register(data, actor=street_user)

    assert report.errors == []
    assert getattr(Household.objects.get(), field) == stored


def test_property_management_written_as_wuye(community, street_user):
    data = workbook_bytes({ESTATES: [estate_row(**{"物业管理情况": "物业"})]})

    report = import_register(data, actor=street_user)

    assert report.errors == []
    assert Estate.objects.get().management_model == "property_company"


def test_a_row_with_an_unreadable_cell_gets_all_its_reasons_at_once(
    community, street_user
):
    # the committee cell cannot be read; the readable cells still break the
    # model's rules, and the clerk sees every reason in one go
    data = workbook_bytes(
        {
            ESTATES: [
                estate_row(
                    **{
                        "占地面积（㎡）": "-5㎡",
                        "租户占比（%）": "120%",
                        "60岁以上老人": 10,
                        "80岁以上老人": 20,
                        "业主委员会": "是吗",
                    }
                ),
                # the 80+ count cannot be read: the 80-within-60 rule is not
                # checked against a guess
                estate_row(
                    **{
                        "小区名称": "幸福园小区",
                        "80岁以上老人": "很多",
                        "60岁以上老人": 1,
                    }
                ),
            ]
        }
    )

    report = import_register(data, actor=street_user)

    assert [str(error) for error in report.errors] == [
        "「小区」第2行「占地面积（㎡）」：不能为负数。",
        "「小区」第2行「80岁以上老人」：80岁以上老人数不能多于60岁以上老人数。",
        "「小区」第2行「租户占比（%）」：租户占比应在0到100之间。",
        "「小区」第2行「业主委员会」：「是吗」无法识别，请填“是”或“否”。",
        "「小区」第3行「80岁以上老人」：「很多」不是有效的数字。",
    ]
    assert not Estate.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("103室", "103"),
        ("103 室", "103"),
        ("１０３号", "103"),
        ("301", "301"),
        ("A座", "A座"),
    ],
)
def test_a_room_typed_with_its_suffix_is_the_same_room(typed, stored):
    assert parse_room(typed) == stored
