"""Clerks merge the community, estate and building cells down the rows they
apply to (合并单元格); openpyxl leaves every cell under the first one empty.
Each row takes the merged value, so the file imports as the clerk sees it."""

import io

import pytest
from openpyxl import Workbook

from communities.excel import BUILDINGS, ESTATES, HOUSEHOLDS, import_register
from communities.models import Household
from communities.tests.excel_samples import (
    building_row,
    estate_row,
    headers,
    household_row,
)

pytestmark = pytest.mark.django_db


def merged_workbook(merges: list[str], households: list[list], titles=()) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.create_sheet(ESTATES).append(headers(ESTATES))
    workbook[ESTATES].append(estate_row())
    workbook.create_sheet(BUILDINGS).append(headers(BUILDINGS))
    workbook[BUILDINGS].append(building_row(**{"楼栋名称": "1栋"}))
    workbook[BUILDINGS].append(building_row(**{"楼栋名称": "2栋"}))
    sheet = workbook.create_sheet(HOUSEHOLDS)
    for title in titles:
        sheet.append(title)
    sheet.append(headers(HOUSEHOLDS))
    for row in households:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def under_merge(**values) -> list:
    """A household row whose community, estate and building cells are covered
    by the merged cell above."""
    row = household_row(**values)
    return [None, None, None, *row[3:]]


def test_rows_under_merged_cells_take_the_merged_value(community, street_user):
    data = merged_workbook(
        ["A2:A5", "B2:B5", "C2:C3", "C4:C5"],
        [
            household_row(**{"楼栋名称": "1栋", "房号": "101"}),
            under_merge(**{"房号": "102", "业主": "李四", "联系电话": "13900001111"}),
            household_row(**{"楼栋名称": "2栋", "房号": "101"}),
            under_merge(**{"房号": "102", "业主": "王五", "联系电话": "13700001111"}),
        ],
    )

    report = import_register(data, actor=street_user)

    assert report.errors == []
    assert sorted(
        Household.objects.values_list(
            "building__estate__name", "building__name", "number"
        )
    ) == [
        ("藤翠苑7号小区", "1栋", "101"),
        ("藤翠苑7号小区", "1栋", "102"),
        ("藤翠苑7号小区", "2栋", "101"),
        ("藤翠苑7号小区", "2栋", "102"),
    ]
    # the preview shows what each row was read as
    shown = [cells[:3] for _number, cells in report.preview[HOUSEHOLDS].rows]
    assert shown == [
        ["鹤洲社区", "藤翠苑7号小区", "1栋"],
        ["鹤洲社区", "藤翠苑7号小区", "1栋"],
        ["鹤洲社区", "藤翠苑7号小区", "2栋"],
        ["鹤洲社区", "藤翠苑7号小区", "2栋"],
    ]


def test_a_merged_title_across_the_columns_is_not_copied_into_rows(
    community, street_user
):
    # A block pasted with its title merged over the whole width and two rows:
    # the title stays a title, never becomes a row of data.
    last_column = chr(ord("A") + len(headers(HOUSEHOLDS)) - 1)
    data = merged_workbook(
        [f"A1:{last_column}2", f"A5:{last_column}6"],
        [
            household_row(),
            ["第二批（鹤洲社区报送）"],
            [],
            headers(HOUSEHOLDS),
            household_row(**{"房号": "102"}),
        ],
        titles=[["白藤街道住户登记表"], []],
    )

    report = import_register(data, actor=street_user)

    assert report.errors == []
    assert sorted(Household.objects.values_list("number", flat=True)) == [
        "101",
        "102",
    ]


def test_a_merged_cell_left_blank_is_still_reported_at_each_row(community, street_user):
    data = merged_workbook(
        ["A2:A3"],
        [
            [None, *household_row()[1:]],
            [None, *household_row(**{"房号": "102"})[1:]],
        ],
    )

    report = import_register(data, actor=street_user)

    assert [str(error) for error in report.errors] == [
        "「户」第2行「所属社区」：必填，不能为空。",
        "「户」第3行「所属社区」：必填，不能为空。",
    ]
    assert not Household.objects.exists()
