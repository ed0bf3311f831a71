import io
import zipfile
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from communities.excel import (
    BUILDINGS,
    ESTATES,
    HOUSEHOLDS,
    RowError,
    import_register,
    parse_bool,
    parse_decimal,
    parse_year,
)
from communities.models import Building, Estate, Household, Owner
from communities.tests.excel_samples import (
    building_row,
    estate_row,
    headers,
    household_row,
    workbook_bytes,
)

pytestmark = pytest.mark.django_db


def register_counts() -> tuple[int, int, int, int]:
    return (
        Estate.objects.count(),
        Building.objects.count(),
        Household.objects.count(),
        Owner.objects.count(),
    )


def messy_workbook() -> bytes:
    """What a community office really sends: a title row, units in cells,
    full-width digits, floats, stray spaces, blanks and 是/否 in every spelling."""
    return workbook_bytes(
        {
            ESTATES: [
                estate_row(
                    **{
                        "所属社区": " 鹤洲 ",
                        "小区名称": "藤翠苑7号小区 ",
                        "地址": "  白藤一路7号",
                        "建成年代": "2003年",
                        "占地面积（㎡）": "约15,674㎡",
                        "建筑面积（㎡）": "24,631.5平方米",
                        "楼栋数": "８",
                        "户数": 144.0,
                        "人口": "约400人",
                        "60岁以上老人": " 100 ",
                        "80岁以上老人": "２０",
                        "残疾人": None,
                        "儿童": "",
                        "低保户": "3户",
                        "租户占比（%）": "20%",
                        "物业管理情况": "无",
                        "业主委员会": "√",
                        "维修资金（元）": "约1.2万元",
                        "备注": "居民集资+民生微实事",
                    }
                ),
                estate_row(
                    **{
                        "所属社区": "群兴社区",
                        "小区名称": "逸鸿花园",
                        "地址": None,
                        "建成年代": 1998.0,
                        "占地面积（㎡）": 12345,
                        "建筑面积（㎡）": None,
                        "租户占比（%）": 0.35,
                        "物业管理情况": "物业服务企业",
                        "业主委员会": "N",
                        "维修资金（元）": "12,345.5元",
                    }
                ),
                estate_row(
                    **{
                        "小区名称": "幸福园小区",
                        "建成年代": "２００１.１２",
                        "物业管理情况": " 社区托管 ",
                        "业主委员会": "有",
                        "租户占比（%）": None,
                    }
                ),
                [None] * 19,  # an empty row between is skipped
            ],
            BUILDINGS: [
                building_row(
                    **{
                        "小区名称": "藤翠苑７号小区",
                        "楼栋名称": " 1栋",
                        "层数": "7层",
                        "单元数": "2单元",
                        "有电梯": "无",
                    }
                ),
                building_row(
                    **{"楼栋名称": "2栋", "层数": 6.0, "单元数": "二", "有电梯": "Y"}
                ),
                building_row(
                    **{
                        "所属社区": "群兴",
                        "小区名称": "逸鸿花园",
                        "楼栋名称": 1,
                        "层数": "１１",
                        "单元数": None,
                        "有电梯": True,
                    }
                ),
            ],
            HOUSEHOLDS: [
                household_row(
                    **{
                        "单元": "1单元",
                        "房号": 101,
                        "楼层": "1层",
                        "专有部分面积（㎡）": "85.5㎡",
                        "面积依据": "实测",
                        "居住情况": "自住",
                        "居住人数": "3人",
                        "业主": "张三、李四",
                        "联系电话": 13800138000,
                        "独居老人": "是",
                        "有残疾人": "×",
                        "有儿童": None,
                    }
                ),
                household_row(
                    **{
                        "房号": 102.0,
                        "专有部分面积（㎡）": 90.25000000000001,
                        "面积依据": None,
                        "居住情况": "出租",
                        "居住人数": None,
                        "业主": "王五；赵六",
                        "联系电话": "１３９００００００００",
                        "有儿童": "Y",
                    }
                ),
                household_row(
                    **{
                        "所属社区": "群兴社区",
                        "小区名称": "逸鸿花园",
                        "楼栋名称": "1",
                        "单元": 2,
                        "房号": " 301 ",
                        "楼层": 3,
                        "专有部分面积（㎡）": "１００.５",
                        "面积依据": "合同约定面积",
                        "居住情况": "空置",
                        "业主": "王五",
                        "联系电话": "13900000000",
                    }
                ),
            ],
        },
        title_rows={ESTATES: [["白藤街道老旧小区登记表（2024年摸排）"], []]},
        percent_cells={ESTATES: ["O5"]},
    )


def test_messy_workbook_is_understood(community, other_community, street_user):
    report = import_register(
        io.BytesIO(messy_workbook()), actor=street_user, dry_run=False
    )

    assert report.errors == []
    assert {title: counts.created for title, counts in report.counts.items()} == {
        ESTATES: 3,
        BUILDINGS: 3,
        HOUSEHOLDS: 3,
    }
    tengcui = Estate.objects.get(name="藤翠苑7号小区")
    assert tengcui.community == community
    assert tengcui.address == "白藤一路7号"
    assert tengcui.build_year == 2003
    assert tengcui.land_area == Decimal("15674.00")
    assert tengcui.floor_area == Decimal("24631.50")
    assert (tengcui.building_count, tengcui.household_count) == (8, 144)
    assert (tengcui.resident_count, tengcui.elderly_60_count) == (400, 100)
    assert (tengcui.elderly_80_count, tengcui.disabled_count) == (20, 0)
    assert (tengcui.children_count, tengcui.low_income_count) == (0, 3)
    assert tengcui.tenant_share == Decimal("20.00")
    assert tengcui.management_model == Estate.ManagementModel.NONE
    assert tengcui.has_owners_committee is True
    assert tengcui.maintenance_fund == Decimal("12000.00")
    assert tengcui.notes == "居民集资+民生微实事"

    yihong = Estate.objects.get(name="逸鸿花园")
    assert yihong.community == other_community
    assert (yihong.address, yihong.build_year) == ("", 1998)
    assert (yihong.land_area, yihong.floor_area) == (Decimal("12345.00"), None)
    assert yihong.tenant_share == Decimal("35.00")  # a cell formatted as 35%
    assert yihong.management_model == Estate.ManagementModel.PROPERTY_COMPANY
    assert yihong.has_owners_committee is False
    assert yihong.maintenance_fund == Decimal("12345.50")

    xingfu = Estate.objects.get(name="幸福园小区")
    assert xingfu.build_year == 2001
    assert xingfu.management_model == Estate.ManagementModel.COMMUNITY_RUN
    assert xingfu.has_owners_committee is True
    assert xingfu.tenant_share == Decimal("0")

    buildings = {
        (b.estate.name, b.name): (b.storeys, b.unit_count, b.has_elevator)
        for b in Building.objects.select_related("estate")
    }
    assert buildings == {
        ("藤翠苑7号小区", "1栋"): (7, 2, False),
        ("藤翠苑7号小区", "2栋"): (6, 2, True),
        ("逸鸿花园", "1"): (11, 1, True),
    }

    first = Household.objects.get(building__name="1栋", number="101")
    assert (first.unit, first.floor, first.resident_count) == (1, 1, 3)
    assert first.exclusive_area == Decimal("85.50")
    assert first.area_basis == Household.AreaBasis.SURVEYED
    assert first.occupancy == Household.Occupancy.OWNER_OCCUPIED
    assert first.contact_phone == "13800138000"
    assert (first.elderly_living_alone, first.has_disabled_member) == (True, False)
    assert first.has_children is False
    assert sorted(owner.name for owner in first.owners.all()) == ["张三", "李四"]

    second = Household.objects.get(building__name="1栋", number="102")
    assert second.exclusive_area == Decimal("90.25")
    assert second.area_basis == Household.AreaBasis.REGISTERED
    assert second.occupancy == Household.Occupancy.RENTED
    assert (second.resident_count, second.has_children) == (0, True)
    assert second.contact_phone == "13900000000"

    third = Household.objects.get(building__estate=yihong)
    assert (third.unit, third.number, third.floor) == (2, "301", 3)
    assert third.exclusive_area == Decimal("100.50")
    assert third.area_basis == Household.AreaBasis.CONTRACT
    assert third.occupancy == Household.Occupancy.VACANT

    # 王五 with the same phone on two rows is one owner holding two units
    wangwu = Owner.objects.get(name="王五")
    assert wangwu.phone == "13900000000"
    assert set(wangwu.households.all()) == {second, third}
    assert Owner.objects.count() == 4


def broken_workbook() -> bytes:
    return workbook_bytes(
        {
            ESTATES: [
                estate_row(),
                estate_row(**{"小区名称": "年份不详小区", "建成年代": "九十年代"}),
                estate_row(**{"小区名称": "负面积小区", "占地面积（㎡）": -500}),
                estate_row(**{"所属社区": "不存在社区", "小区名称": "外来小区"}),
                estate_row(
                    **{
                        "小区名称": "老人数不对小区",
                        "60岁以上老人": 30,
                        "80岁以上老人": 50,
                    }
                ),
            ],
            BUILDINGS: [
                building_row(**{"小区名称": "没有这个小区"}),
                building_row(),
                building_row(**{"楼栋名称": "3栋", "层数": "很高"}),
            ],
            HOUSEHOLDS: [
                household_row(),
                household_row(**{"业主": "李四"}),
                household_row(**{"房号": "102", "专有部分面积（㎡）": 0}),
                household_row(**{"房号": "103", "单元": "东"}),
                household_row(**{"房号": None}),
            ],
        }
    )


def test_broken_workbook_is_refused_row_by_row_and_nothing_is_written(
    community, street_user
):
    report = import_register(broken_workbook(), actor=street_user)

    assert [str(error) for error in report.errors] == [
        "「小区」第3行「建成年代」："
        "「九十年代」不是有效的年份，请填写四位数年份，如 2003。",
        "「小区」第4行「占地面积（㎡）」：不能为负数。",
        "「小区」第5行「所属社区」：社区「不存在社区」不存在。社区由街道办在后台建立，请核对名称。",
        "「小区」第6行「80岁以上老人」：80岁以上老人数不能多于60岁以上老人数。",
        "「楼栋」第2行「小区名称」："
        "找不到小区「没有这个小区」（鹤洲社区）：「小区」表和系统中都没有。",
        "「楼栋」第4行「层数」：「很高」不是有效的数字。",
        "「户」第3行「房号」：与第2行重复：同一楼栋同一单元的房号不能重复。",
        "「户」第4行「专有部分面积（㎡）」：专有部分面积必须大于0。",
        "「户」第5行「单元」：「东」不是有效的数字。",
        "「户」第6行「房号」：必填，不能为空。",
    ]
    assert report.errors[0] == RowError(
        "小区",
        3,
        "建成年代",
        "「九十年代」不是有效的年份，请填写四位数年份，如 2003。",
    )
    assert not report.ok
    assert register_counts() == (0, 0, 0, 0)
    assert all(counts.total == 0 for counts in report.counts.values())


def test_reimport_updates_and_never_duplicates(community, other_community, street_user):
    import_register(messy_workbook(), actor=street_user)
    before = register_counts()

    again = import_register(messy_workbook(), actor=street_user)

    assert again.errors == []
    assert register_counts() == before
    assert {title: vars(counts) for title, counts in again.counts.items()} == {
        ESTATES: {"created": 0, "updated": 0, "unchanged": 3},
        BUILDINGS: {"created": 0, "updated": 0, "unchanged": 3},
        HOUSEHOLDS: {"created": 0, "updated": 0, "unchanged": 3},
    }

    # when: a corrected file changes one estate, one building and one household
    corrected = workbook_bytes(
        {
            ESTATES: [estate_row(**{"建成年代": "2004年", "户数": 150})],
            BUILDINGS: [building_row(**{"有电梯": "是"})],
            HOUSEHOLDS: [household_row(**{"业主": "张三、李四", "居住人数": 4})],
        }
    )
    report = import_register(corrected, actor=street_user)

    assert report.errors == []
    assert register_counts() == before
    assert (report.counts[ESTATES].updated, report.counts[ESTATES].created) == (1, 0)
    assert report.counts[BUILDINGS].updated == 1
    assert report.counts[HOUSEHOLDS].updated == 1
    estate = Estate.objects.get(name="藤翠苑7号小区")
    assert (estate.build_year, estate.household_count) == (2004, 150)
    assert Building.objects.get(estate=estate, name="1栋").has_elevator is True
    household = Household.objects.get(building__estate=estate, number="101")
    assert household.resident_count == 4
    assert sorted(owner.name for owner in household.owners.all()) == ["张三", "李四"]


def test_reimport_changes_owners_of_a_household(community, street_user):
    import_register(
        workbook_bytes(
            {
                ESTATES: [estate_row()],
                BUILDINGS: [building_row()],
                HOUSEHOLDS: [household_row(**{"业主": "张三、李四"})],
            }
        ),
        actor=street_user,
    )
    zhangsan = Owner.objects.get(name="张三")

    report = import_register(
        workbook_bytes(
            {
                ESTATES: [estate_row()],
                BUILDINGS: [building_row()],
                HOUSEHOLDS: [household_row(**{"业主": "张三;王五"})],
            }
        ),
        actor=street_user,
    )

    assert report.counts[HOUSEHOLDS].updated == 1
    household = Household.objects.get()
    assert {owner.name for owner in household.owners.all()} == {"张三", "王五"}
    assert household.owners.get(name="张三") == zhangsan


def test_dry_run_reports_but_writes_nothing(community, other_community, street_user):
    report = import_register(messy_workbook(), actor=street_user, dry_run=True)

    assert report.ok and report.dry_run
    assert report.counts[ESTATES].created == 3
    assert report.counts[HOUSEHOLDS].created == 3
    assert register_counts() == (0, 0, 0, 0)


def test_preview_shows_the_first_rows_as_understood(
    community, other_community, street_user
):
    report = import_register(messy_workbook(), actor=street_user, dry_run=True)

    estates = report.preview[ESTATES]
    assert estates.total == 3
    number, cells = estates.rows[0]
    assert number == 4  # after the title row, the blank row and the header
    # the community as matched in the register, not as typed (" 鹤洲 ")
    assert cells[:5] == ["鹤洲社区", "藤翠苑7号小区", "白藤一路7号", "2003", "15674.00"]


def test_community_staff_cannot_import_another_communitys_rows(
    community, other_community, community_user
):
    data = workbook_bytes(
        {
            ESTATES: [
                estate_row(),
                estate_row(**{"所属社区": "群兴社区", "小区名称": "逸鸿花园"}),
            ],
            BUILDINGS: [building_row(**{"所属社区": "群兴", "小区名称": "逸鸿花园"})],
        }
    )

    report = import_register(data, actor=community_user)

    assert [str(error) for error in report.errors] == [
        "「小区」第3行「所属社区」：您只能导入所负责社区的数据，不能导入「群兴社区」的小区。",
        "「楼栋」第2行「所属社区」：您只能导入所负责社区的数据，不能导入「群兴社区」的小区。",
    ]
    assert register_counts() == (0, 0, 0, 0)


def test_buildings_and_households_may_refer_to_estates_already_registered(
    community, street_user
):
    import_register(workbook_bytes({ESTATES: [estate_row()]}), actor=street_user)

    report = import_register(
        workbook_bytes({BUILDINGS: [building_row()], HOUSEHOLDS: [household_row()]}),
        actor=street_user,
    )

    assert report.errors == []
    assert Household.objects.get().building.estate.name == "藤翠苑7号小区"


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"%PDF-1.4 not a workbook", "文件不是 Excel 工作簿（.xlsx）"),
        (
            "小区名称,建成年代\n逸鸿花园,1998\n".encode(),
            "文件不是 Excel 工作簿（.xlsx）",
        ),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "旧版 Excel（.xls）"),
        (b"PK\x03\x04 broken zip", "文件已损坏"),
    ],
    ids=["pdf", "csv", "xls", "broken-zip"],
)
def test_files_that_are_not_xlsx_are_refused(data, reason, street_user):
    report = import_register(data, actor=street_user)

    assert len(report.errors) == 1
    assert reason in report.errors[0].reason
    assert report.errors[0].sheet == "" and report.errors[0].row is None


def test_a_word_document_is_not_a_workbook(street_user):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")

    report = import_register(buffer.getvalue(), actor=street_user)

    assert "文件不是 Excel 工作簿（.xlsx）" in report.errors[0].reason


def test_oversize_file_is_refused_before_reading(settings, street_user):
    settings.REGISTER_IMPORT_MAX_BYTES = 1000

    class HugeUpload:
        size = 50 * 1024 * 1024

        def read(self, *args):
            raise AssertionError("an oversize file must not be read")

    report = import_register(HugeUpload(), actor=street_user)

    assert "文件太大（50.0" in report.errors[0].reason


def test_missing_sheet_is_refused(street_user):
    workbook = Workbook()
    workbook.active.title = ESTATES
    workbook.active.append(headers(ESTATES))
    workbook.active.append(estate_row())
    buffer = io.BytesIO()
    workbook.save(buffer)

    report = import_register(buffer.getvalue(), actor=street_user)

    assert [str(error) for error in report.errors] == [
        "「楼栋」：缺少工作表「楼栋」，请使用下载的模板。",
        "「户」：缺少工作表「户」，请使用下载的模板。",
    ]


def test_misnamed_and_missing_headers_are_refused(community, street_user):
    wrong = [
        "建成年份" if header == "建成年代" else header
        for header in headers(ESTATES)
        if header != "备注"
    ]
    data = workbook_bytes({ESTATES: [wrong, estate_row()[:-1]]}, with_headers=False)

    report = import_register(data, actor=street_user)

    assert [str(error) for error in report.errors[:2]] == [
        "「小区」第1行「建成年代」：缺少这一列，表头应为「建成年代」。"
        "（表头中无法识别的列：「建成年份」）",
        "「小区」第1行「备注」：缺少这一列，表头应为「备注」。"
        "（表头中无法识别的列：「建成年份」）",
    ]
    assert register_counts() == (0, 0, 0, 0)


def test_sheet_without_any_header_is_refused(street_user):
    data = workbook_bytes({ESTATES: [["随便写的内容"], ["第二行"]]}, with_headers=False)

    report = import_register(data, actor=street_user)

    assert str(report.errors[0]).startswith("「小区」：找不到表头")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2003年", 2003),
        ("２００３", 2003),
        (1998.0, 1998),
        ("2003.12", 2003),
        ("2003年5月", 2003),
        ("约1995年", 1995),
        (datetime(2001, 6, 1), 2001),
    ],
)
def test_year_cells(raw, expected):
    assert parse_year(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("约1200", Decimal(1200)),
        ("12,345㎡", Decimal(12345)),
        ("１２，３４５", Decimal(12345)),
        (" 3 ", Decimal(3)),
        ("1.2万元", Decimal(12000)),
        ("十二层", Decimal(12)),
        (1998.0, Decimal("1998.0")),
    ],
)
def test_number_cells(raw, expected):
    assert parse_decimal(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [("是", True), ("有", True), ("Y", True), ("√", True), ("ｙ", True), (1, True)]
    + [("否", False), ("无", False), ("N", False), ("×", False), (False, False)],
)
def test_yes_no_cells(raw, expected):
    assert parse_bool(raw) is expected


def test_command_imports_and_prints_the_report(
    tmp_path, community, other_community, capsys
):
    path = tmp_path / "登记表.xlsx"
    path.write_bytes(messy_workbook())

    call_command("import_register", str(path))

    out = capsys.readouterr().out
    assert "「小区」：新增 3，更新 0，无变化 0" in out
    assert Estate.objects.count() == 3


def test_command_dry_run_writes_nothing(tmp_path, community, other_community, capsys):
    path = tmp_path / "登记表.xlsx"
    path.write_bytes(messy_workbook())

    call_command("import_register", str(path), "--dry-run")

    assert "试运行" in capsys.readouterr().out
    assert register_counts() == (0, 0, 0, 0)


def test_command_exits_non_zero_on_a_bad_file(tmp_path, community, capsys):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(broken_workbook())

    with pytest.raises(CommandError) as failed:
        call_command("import_register", str(path))

    assert failed.value.returncode == 1
    assert "未写入任何数据" in str(failed.value)
    printed = capsys.readouterr().err
    assert "「小区」第3行「建成年代」：「九十年代」不是有效的年份" in printed
    assert register_counts() == (0, 0, 0, 0)
