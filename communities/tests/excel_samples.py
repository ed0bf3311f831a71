"""Workbooks built in the tests with openpyxl, the way people fill them in."""

import io

from openpyxl import Workbook, load_workbook

from communities.excel import BUILDINGS, ESTATES, HOUSEHOLDS, LAYOUT_BY_TITLE


def headers(sheet: str) -> list[str]:
    return LAYOUT_BY_TITLE[sheet].headers


def workbook_bytes(
    sheets: dict[str, list[list]],
    *,
    with_headers: bool = True,
    title_rows: dict[str, list] | None = None,
    percent_cells: dict[str, list[str]] | None = None,
) -> bytes:
    """An .xlsx with the given data rows under the standard headers; sheets not
    given are written with headers only."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title in (ESTATES, BUILDINGS, HOUSEHOLDS, *sheets.keys()):
        if title in workbook.sheetnames:
            continue
        sheet = workbook.create_sheet(title)
        for row in (title_rows or {}).get(title, []):
            sheet.append(row)
        if with_headers and title in LAYOUT_BY_TITLE:
            sheet.append(headers(title))
        for row in sheets.get(title, []):
            sheet.append(row)
        for coordinate in (percent_cells or {}).get(title, []):
            sheet[coordinate].number_format = "0%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def estate_row(**values) -> list:
    """A row of the 小区 sheet: defaults overridden by header=value pairs."""
    row = {
        "所属社区": "鹤洲社区",
        "小区名称": "藤翠苑7号小区",
        "地址": "白藤一路7号",
        "建成年代": 1998,
        "占地面积（㎡）": 15674,
        "建筑面积（㎡）": 24631,
        "楼栋数": 8,
        "户数": 144,
        "人口": 400,
        "60岁以上老人": 100,
        "80岁以上老人": 20,
        "残疾人": 5,
        "儿童": 40,
        "低保户": 3,
        "租户占比（%）": 20,
        "物业管理情况": "无物业",
        "业主委员会": "否",
        "维修资金（元）": 0,
        "备注": "",
    }
    row.update(values)
    return [row[header] for header in headers(ESTATES)]


def building_row(**values) -> list:
    row = {
        "所属社区": "鹤洲社区",
        "小区名称": "藤翠苑7号小区",
        "楼栋名称": "1栋",
        "层数": 7,
        "单元数": 2,
        "有电梯": "否",
    }
    row.update(values)
    return [row[header] for header in headers(BUILDINGS)]


def household_row(**values) -> list:
    row = {
        "所属社区": "鹤洲社区",
        "小区名称": "藤翠苑7号小区",
        "楼栋名称": "1栋",
        "单元": 1,
        "房号": "101",
        "楼层": 1,
        "专有部分面积（㎡）": 85.5,
        "面积依据": "不动产登记面积",
        "居住情况": "业主自住",
        "居住人数": 3,
        "业主": "张三",
        "联系电话": "13800138000",
        "独居老人": "否",
        "有残疾人": "否",
        "有儿童": "否",
    }
    row.update(values)
    return [row[header] for header in headers(HOUSEHOLDS)]


def read_sheet(data: bytes, title: str) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(data))
    return [tuple(row) for row in workbook[title].iter_rows(values_only=True)]


def read_cells(data: bytes, title: str):
    return load_workbook(io.BytesIO(data))[title]
