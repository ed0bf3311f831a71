"""Export and template: the register, or an empty one, as an .xlsx download in
the import layout, with a help sheet."""

import io
import re
from collections.abc import Callable, Iterable
from urllib.parse import quote

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..models import Building, Estate, Household
from .cells import CellError
from .layout import BUILDINGS, ESTATES, HOUSEHOLDS, LAYOUT, Column
from .reading import _blank_value

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HELP_SHEET = "填写说明"
TEMPLATE_VALIDATION_ROWS = 2000
PROGRESS_EVERY = 1000


def _styled_header(sheet, header: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=header)
    cell.font = Font(bold=True)
    cell.fill = PatternFill("solid", fgColor="DDE6F0")
    cell.alignment = Alignment(vertical="center", wrap_text=True)
    return cell


def _workbook_bytes(
    rows_by_sheet: dict[str, Iterable],
    progress: Callable[[int], None] | None = None,
) -> bytes:
    workbook = Workbook(write_only=True)
    written = 0
    for layout in LAYOUT:
        sheet = workbook.create_sheet(layout.title)
        sheet.freeze_panes = "A2"
        for index, column in enumerate(layout.columns, start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = column.width
            if column.text_cell:
                # New rows typed into the template keep phone numbers as text.
                sheet.column_dimensions[letter].number_format = "@"
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
            sheet.append([_cell(sheet, column, obj) for column in layout.columns])
            written += 1
            if progress is not None and written % PROGRESS_EVERY == 0:
                progress(written)
    _write_help(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet, column: Column, obj):
    value = column.value_of(obj)
    if value is None:
        return None
    value = column.format(value)
    if value == "":
        return None
    if column.text_cell:
        # A text cell ("@"): Excel keeps 13923456789 as typed, neither a
        # number in scientific notation nor a text with a visible apostrophe.
        cell = WriteOnlyCell(sheet, value=str(value))
        cell.number_format = "@"
        return cell
    return value


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


def export_register(
    estates_queryset: QuerySet[Estate],
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """The chosen estates with their buildings and households as .xlsx bytes, in
    the import layout (four queries, whatever the number of rows). `progress`,
    when given, is called with the number of rows written every
    PROGRESS_EVERY rows (a background export reports it)."""
    return _workbook_bytes(_export_querysets(estates_queryset), progress)


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
