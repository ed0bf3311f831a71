"""Reading a workbook: opening the uploaded file, then parsing each sheet into
rows of values, every bad cell reported."""

import io
import logging
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from pyexpat import ExpatError, ParserCreate
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from .cells import CellError, _is_blank, _normal, _plain, is_nothing_marker, unquote
from .layout import Column, SheetLayout
from .progress import Progress
from .report import ImportReport, PreviewTable

logger = logging.getLogger(__name__)

HEADER_SEARCH_ROWS = 10
PREVIEW_ROWS = 10


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
            # The sizes the archive declares bound what reading it may inflate
            # (zipfile stops at the declared size and then checks the CRC).
            inflated = sum(member.file_size for member in members)
    except zipfile.BadZipFile:
        return _("文件已损坏，无法作为 Excel 工作簿（.xlsx）打开。")
    if "xl/workbook.xml" not in names:
        return _("文件不是 Excel 工作簿（.xlsx），请使用下载的模板填写后导入。")
    limit = settings.REGISTER_IMPORT_MAX_INFLATED_BYTES
    if inflated > limit:
        return _(
            "文件解压后有 %(size)s，超过了登记表的上限 %(limit)s，已拒绝。"
            "请删除多余的工作表、图片和格式，或分成几个文件导入。"
        ) % {"size": filesizeformat(inflated), "limit": filesizeformat(limit)}
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


class TooManyRows(Exception):
    """A sheet has more data rows than the limit: reading stops at once."""


@dataclass
class ParsedRow:
    number: int
    values: dict[str, Any]
    ok: bool


def _header_key(value) -> str:
    return _normal(_plain(value)).lower().replace("*", "") if value is not None else ""


def find_sheet(workbook, title: str):
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


def _is_header(keys: list[str], wanted: dict) -> bool:
    """At least half of the sheet's headers: a header row (the first one, or
    one pasted again with a block copied from another file)."""
    return len(wanted.keys() & set(keys)) * 2 >= len(wanted)


def _positions(number, cells, keys, wanted, layout, report) -> dict[str, int]:
    """Each column's position in a header row; a missing or repeated column is
    reported at that row."""
    found = {key: index for index, key in reversed(list(enumerate(keys)))}
    unknown = [
        _plain(cell.value)
        for key, cell in zip(keys, cells, strict=True)
        if key and key not in wanted
    ]
    positions = {}
    for key, column in wanted.items():
        if keys.count(key) > 1:
            report.add(layout.title, number, column.header, _("这一列出现了不止一次。"))
    for key, column in wanted.items():
        if key in found:
            positions[column.field] = found[key]
            continue
        reason = _("缺少这一列，表头应为「%(header)s」。") % {"header": column.header}
        if unknown:
            reason += _("（表头中无法识别的列：%(unknown)s）") % {
                "unknown": "、".join(f"「{name}」" for name in unknown)
            }
        report.add(layout.title, number, column.header, reason)
    return positions


class _EntityRefused(Exception):
    pass


def _refuse_entity(*args):
    raise _EntityRefused


def _merged_columns(sheet) -> list[tuple[int, int, int]]:
    """The sheet's vertically merged cells one column wide, as (column, first
    row, last row): clerks merge the community, estate or building cell over
    the rows it applies to. Read-only worksheets do not report merged cells, so
    the sheet's XML is scanned for <mergeCell> without building any tree."""
    get_source = getattr(sheet, "_get_source", None)
    if get_source is None:
        return []
    merged = []

    def start(name, attributes):
        if name.rpartition("}")[2] != "mergeCell":
            return
        try:
            first_column, first_row, last_column, last_row = range_boundaries(
                attributes.get("ref", "")
            )
        except (TypeError, ValueError):
            return
        if first_column == last_column and first_row and last_row > first_row:
            merged.append((first_column, first_row, last_row))

    parser = ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    parser.EntityDeclHandler = _refuse_entity  # no entities in a worksheet
    try:
        with get_source() as source:
            parser.ParseFile(source)
    except (ExpatError, _EntityRefused, OSError, KeyError):
        logger.info("register import: merged cells unreadable", exc_info=True)
        return []  # openpyxl reports an unreadable sheet itself
    return sorted(merged, key=lambda merge: merge[1])


def _rows_with_merges_filled(sheet) -> Iterator[tuple]:
    """The sheet's rows; a cell under a vertical merge holds the merged value
    (openpyxl leaves it empty), so each row names its own community, estate
    and building."""
    merges = _merged_columns(sheet)
    if not merges:
        yield from sheet.iter_rows()
        return
    pending = iter(merges)
    upcoming = next(pending, None)
    active: list[list] = []  # [column, last row, top cell]
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        while upcoming is not None and upcoming[1] <= number:
            column, first, last = upcoming
            if first == number and column <= len(cells):
                active.append([column, last, cells[column - 1]])
            upcoming = next(pending, None)
        if not active:
            yield cells
            continue
        filled = list(cells)
        for merge in active:
            column, last, top = merge
            if number > last:
                continue
            index = column - 1
            if index < len(filled) and _is_blank(filled[index].value):
                filled[index] = top
        active = [merge for merge in active if merge[1] > number]
        yield tuple(filled)


def _locate_headers(rows, layout, wanted, report, progress):
    """Find the header row (a title row above it is allowed) and each column."""
    for number, cells in rows:
        progress.step()
        keys = [_header_key(cell.value) for cell in cells]
        if not _is_header(keys, wanted):
            if number >= HEADER_SEARCH_ROWS:
                break
            continue
        return number, _positions(number, cells, keys, wanted, layout, report)
    report.add(
        layout.title,
        None,
        "",
        _("找不到表头：第一行应为 %(headers)s 等列名，请使用下载的模板。")
        % {"headers": "、".join(f"「{h}」" for h in layout.headers[:4])},
    )
    return None


def _lone_text(cells) -> bool:
    """A row with a single text cell: perhaps the title of a pasted block."""
    filled = [cell.value for cell in cells if not _is_blank(cell.value)]
    return len(filled) == 1 and isinstance(filled[0], str)


def _parse_sheet(sheet, layout: SheetLayout, report: ImportReport, progress: Progress):
    """Parse every row of one sheet, streaming; bad cells are reported, never
    guessed. A header row pasted again further down (with the title row of its
    block) is skipped, and the columns are taken from it for the rows below.
    Raises TooManyRows as soon as the sheet has more data rows than the limit."""
    wanted = {_header_key(column.header): column for column in layout.columns}
    rows = enumerate(_rows_with_merges_filled(sheet), start=1)
    errors_before = len(report.errors)
    located = _locate_headers(rows, layout, wanted, report, progress)
    if located is None or len(report.errors) > errors_before:
        return None
    _header_row, positions = located
    preview = PreviewTable(headers=layout.headers)
    report.preview[layout.title] = preview
    limit = settings.REGISTER_IMPORT_MAX_ROWS
    parsed: list[ParsedRow] = []
    held = None  # a lone text row, dropped if a header row follows it

    def parse(number, cells):
        raw = {
            name: cells[index] if index < len(cells) else None
            for name, index in positions.items()
        }
        if all(cell is None or _is_blank(cell.value) for cell in raw.values()):
            return
        if len(parsed) >= limit:
            report.add(
                layout.title,
                number,
                "",
                _("行数超过 %(limit)s 行，请分成几个文件导入。") % {"limit": limit},
            )
            raise TooManyRows
        parsed.append(_parse_row(layout, number, raw, report, preview))

    for number, cells in rows:
        progress.step()
        keys = [_header_key(cell.value) for cell in cells]
        if _is_header(keys, wanted):
            held = None
            errors_before = len(report.errors)
            positions = _positions(number, cells, keys, wanted, layout, report)
            if len(report.errors) > errors_before:
                return None
            continue
        if all(_is_blank(cell.value) for cell in cells):
            continue  # a blank row between a block's title and its header
        if held is not None:
            parse(*held)
            held = None
        if _lone_text(cells):
            held = (number, cells)
            continue
        parse(number, cells)
    if held is not None:
        parse(*held)
    return parsed


def _parse_row(layout, number, raw, report, preview) -> ParsedRow:
    row = ParsedRow(number, {}, ok=True)
    shown = []
    in_preview = len(preview.rows) < PREVIEW_ROWS
    for column in layout.columns:
        cell = raw[column.field]
        value = cell.value if cell is not None else None
        try:
            if _is_blank(value):
                parsed_value = _blank_value(layout, column)
            elif column.nothing_ok and is_nothing_marker(value):
                if column.required or _required_field(layout, column):
                    raise CellError(
                        _("必填，请填写实际的值，不能填「%(value)s」。")
                        % {"value": _plain(value)}
                    )
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
    return row


def _required_field(layout: SheetLayout, column: Column) -> bool:
    try:
        _blank_value(layout, column)
    except CellError:
        return True
    return False


def _shown(column: Column, value) -> str:
    if value is None:
        return ""
    shown = column.format(value)
    return unquote(shown) if isinstance(shown, str) else str(shown)
