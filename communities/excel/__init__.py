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

from .cells import (
    CellError,
    choice_formatter,
    choice_parser,
    decimal_parser,
    format_bool,
    format_owners,
    format_text,
    format_value,
    name_key,
    neutralise,
    parse_bool,
    parse_decimal,
    parse_int,
    parse_owners,
    parse_phone,
    parse_text,
    parse_year,
    unquote,
)
from .exporting import (
    HELP_SHEET,
    XLSX_CONTENT_TYPE,
    blank_template,
    export_register,
    xlsx_response,
)
from .importing import import_register
from .layout import (
    BUILDINGS,
    ESTATES,
    HOUSEHOLDS,
    LAYOUT,
    LAYOUT_BY_TITLE,
    Column,
    SheetLayout,
)
from .report import ImportReport, PreviewTable, RowError, SheetCounts

__all__ = [
    "BUILDINGS",
    "ESTATES",
    "HELP_SHEET",
    "HOUSEHOLDS",
    "LAYOUT",
    "LAYOUT_BY_TITLE",
    "XLSX_CONTENT_TYPE",
    "CellError",
    "Column",
    "ImportReport",
    "PreviewTable",
    "RowError",
    "SheetCounts",
    "SheetLayout",
    "blank_template",
    "choice_formatter",
    "choice_parser",
    "decimal_parser",
    "export_register",
    "format_bool",
    "format_owners",
    "format_text",
    "format_value",
    "import_register",
    "name_key",
    "neutralise",
    "parse_bool",
    "parse_decimal",
    "parse_int",
    "parse_owners",
    "parse_phone",
    "parse_text",
    "parse_year",
    "unquote",
    "xlsx_response",
]
