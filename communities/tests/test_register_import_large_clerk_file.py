"""A register of 2,000+ households typed by clerks, end to end: blocks pasted
with their headers, full-width digits and brackets, units of every spelling,
"/" and "无" for nothing, phones and floors as people write them, trailing
spaces, a community without 社区, an estate already in the register typed with
other spacing and brackets. It imports whole, a re-import changes nothing, and
the same file with bad rows writes nothing and names each row's reason."""

import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import Workbook

from communities.excel import BUILDINGS, ESTATES, HOUSEHOLDS, import_register
from communities.models import Building, Estate, Household, Owner
from communities.tests.excel_samples import headers
from communities.tests.factories import EstateFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
CHINESE = "零一二三四五六七八九"
BUILDINGS_COUNT, UNITS, ROOMS_PER_FLOOR = 12, 4, 4


def floors_of(building: int) -> int:
    return 9 if building < 10 else 18


def household_values(index: int, building: int, unit: int, floor: int, room: int):
    """One household row, typed a different way according to its index."""
    number = f"{floor}{room:02d}"
    occupancy = ["业主自住", "自住", "出租", "租住", "空置", "未售"][index % 6]
    unsold = occupancy == "未售"
    mobile = f"139{index:08d}"
    phone = [
        f"+86 {mobile[:3]}-{mobile[3:7]}-{mobile[7:]}",
        f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}",
        mobile.translate(FULL_WIDTH),
        mobile + " ",
        "/",
        int(mobile),
    ][index % 6]
    owner = (
        ""
        if unsold
        else f"业主{index}" + ("、共有人" + str(index) if index % 10 == 0 else "")
    )
    if index % 97 == 0 and not unsold:
        owner, phone = "多套业主", "138 0000 1111"
    return [
        "鹤洲" if index % 3 else "鹤洲社区 ",
        ["金海岸（二期）", "金海岸(二期)", "金海岸 (二期) ", "金海岸（二期）"][
            index % 4
        ],
        f"{building}栋".translate(FULL_WIDTH) if index % 7 == 0 else f"{building}栋 ",
        [unit, f"{unit}单元", str(unit).translate(FULL_WIDTH), f"{CHINESE[unit]}单元"][
            index % 4
        ],
        number if index % 5 else int(number),
        [
            f"{floor}F",
            f"{floor}楼",
            str(floor).translate(FULL_WIDTH),
            floor,
            f"{floor}层 ",
        ][index % 5],
        [f"{60 + index % 40}M2", f"{60 + index % 40}㎡", f"{60 + index % 40}平方米"][
            index % 3
        ],
        ["不动产登记面积", "产权面积", "实测", "合同面积"][index % 4],
        occupancy,
        ["/", "3", "２人", 4, "无"][index % 5],
        "/" if unsold and index % 2 else owner,
        "" if unsold else phone,
        ["否", "无", "/", "是", "√"][index % 5],
        "否",
        ["否", "/", "有"][index % 3],
    ]


def clerks_register(*, bad: bool = False) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    estates = workbook.create_sheet(ESTATES)
    estates.append(["白藤街道老旧小区登记表（鹤洲社区报送） "])
    estates.append(headers(ESTATES))
    estates.append(
        ["鹤洲", "金海岸（二期） ", "白藤三路18号 ", "1999年", "15,674 M2",
         "24,631平方米", "１２", "2,160户", "约5000人", "1200", "300", "不详", "无",
         "/", "20%", "无物业", "否", "1.2万", "  "]
    )  # fmt: skip
    estates.append([])
    estates.append(["第二批（接上表）"])
    estates.append(headers(ESTATES))
    estates.append(
        ["鹤洲社区 ", "藤翠苑 7号小区", "白藤一路7号", 1998, "/", "—", "3", "144",
         "400", "100", "20", "5", "40", "3", "20", "无物业", "无", "/", ""]
    )  # fmt: skip
    if bad:
        estates.append(
            ["鹤洲", "未来花园", "", f"{timezone.localdate().year + 5}年", "/",
             "/", "/", "/", "/", "/", "/", "/", "/", "/", "/", "物业公司", "否", "/",
             ""]
        )  # fmt: skip
    buildings = workbook.create_sheet(BUILDINGS)
    buildings.append(headers(BUILDINGS))
    for building in range(1, BUILDINGS_COUNT + 1):
        buildings.append(
            ["鹤洲社区", "金海岸(二期)" if building % 2 else "金海岸 （二期）",
             f"{building}栋", f"{floors_of(building)}层", str(UNITS),
             "有" if building >= 10 else "无"]
        )  # fmt: skip
    households = workbook.create_sheet(HOUSEHOLDS)
    households.append(["金海岸（二期）住户登记"])
    households.append(headers(HOUSEHOLDS))
    index = 0
    for building in range(1, BUILDINGS_COUNT + 1):
        for unit in range(1, UNITS + 1):
            for floor in range(1, floors_of(building) + 1):
                for room in range(1, ROOMS_PER_FLOOR + 1):
                    if index and index % 700 == 0:  # another office's block
                        households.append([])
                        households.append([f"第{index // 700 + 1}段（接上表）"])
                        households.append(headers(HOUSEHOLDS))
                    households.append(
                        household_values(index, building, unit, floor, room)
                    )
                    index += 1
    if bad:
        households.append(
            ["鹤洲", "金海岸（二期）", "1栋", "1", "9901", "顶楼", "0㎡", "产权面积",
             "自住", 2, "甲", "找物业", "否", "否", "否"]
        )  # fmt: skip
        households.append(
            ["鹤洲", "金海岸（二期）", "99栋", "1", "101", "1", "85", "产权面积",
             "自住", 2, "乙", "", "否", "否", "否"]
        )  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


TOTAL = sum(floors_of(b) for b in range(1, BUILDINGS_COUNT + 1)) * UNITS * 4


def test_a_clerks_register_of_two_thousand_households(community, street_user):
    # given: the register already holds 藤翠苑7号小区 (typed with a space below)
    EstateFactory(community=community, name="藤翠苑7号小区", build_year=1998)
    assert TOTAL == 2160

    report = import_register(clerks_register(), actor=street_user)

    assert report.errors == []
    assert {title: (c.created, c.updated) for title, c in report.counts.items()} == {
        ESTATES: (1, 1),
        BUILDINGS: (12, 0),
        HOUSEHOLDS: (TOTAL, 0),
    }
    assert sorted(Estate.objects.values_list("name", flat=True)) == [
        "藤翠苑7号小区",
        "金海岸（二期）",
    ]
    estate = Estate.objects.get(name="金海岸（二期）")
    assert (estate.land_area, estate.floor_area, estate.maintenance_fund) == (
        Decimal("15674.00"),
        Decimal("24631.00"),
        Decimal("12000.00"),
    )
    assert (estate.building_count, estate.household_count) == (12, 2160)
    assert Building.objects.filter(estate=estate).count() == 12
    households = Household.objects.filter(building__estate=estate)
    assert households.count() == TOTAL
    assert sorted(set(households.values_list("unit", flat=True))) == [1, 2, 3, 4]
    assert households.filter(floor=18).count() == 3 * UNITS * 4
    assert households.filter(occupancy=Household.Occupancy.UNSOLD).count() == 360
    assert not households.filter(
        occupancy=Household.Occupancy.UNSOLD, owners__isnull=False
    ).exists()
    first = households.get(building__name="1栋", unit=1, number="101")
    assert (first.floor, first.exclusive_area, first.contact_phone) == (
        1,
        Decimal("60.00"),
        "13800001111",
    )
    # one owner of several units, typed the same way each time: one Owner
    several = Owner.objects.get(name="多套业主")
    assert several.phone == "13800001111"
    assert several.households.count() == len(
        [i for i in range(0, TOTAL, 97) if i % 6 != 5]
    )
    assert not Owner.objects.filter(name__in=["无", "/", ""]).exists()

    again = import_register(clerks_register(), actor=street_user)

    assert again.errors == []
    assert {title: c.unchanged for title, c in again.counts.items()} == {
        ESTATES: 2,
        BUILDINGS: 12,
        HOUSEHOLDS: TOTAL,
    }


def test_the_same_register_with_bad_rows_writes_nothing(community, street_user):
    report = import_register(clerks_register(bad=True), actor=street_user)

    last = 2 + TOTAL + 3 * (TOTAL // 700)  # the rows, the pasted blocks' rows
    year = timezone.localdate().year
    assert [str(error) for error in report.errors] == [
        f"「小区」第8行「建成年代」：建成年代不能晚于今年（{year}年）。",
        f"「户」第{last + 1}行「楼层」：「顶楼」不是有效的楼层，请填写数字，"
        "如 6、6F、6楼，地下室填 -1 或 B1。",
        # the readable cells of a row with unreadable ones are checked too
        f"「户」第{last + 1}行「专有部分面积（㎡）」：专有部分面积必须大于0。",
        f"「户」第{last + 1}行「联系电话」：「找物业」不是有效的电话号码："
        "手机号为11位数字，座机请带区号，如 0756-1234567。",
        f"「户」第{last + 2}行「楼栋名称」：找不到楼栋「99栋」（金海岸（二期））："
        "「楼栋」表和系统中都没有。",
    ]
    assert not Estate.objects.exists()
    assert not Household.objects.exists()
    assert not Owner.objects.exists()
