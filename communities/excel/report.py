"""The report of an import: its problems, counts and preview."""

from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils.translation import gettext as _

from .layout import LAYOUT


class RowError(NamedTuple):
    """One problem: the sheet, the row number Excel shows, the column header."""

    sheet: str
    row: int | None
    column: str
    reason: str

    def __str__(self) -> str:
        place = ""
        if self.sheet:
            place += f"「{self.sheet}」"
        if self.row:
            place += _("第%(row)s行") % {"row": self.row}
        if self.column:
            place += f"「{self.column}」"
        return f"{place}：{self.reason}" if place else self.reason


@dataclass
class SheetCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class PreviewTable:
    headers: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    total: int = 0

    def show(self, number: int, header: str, text: str) -> None:
        """Show `text` in a previewed row's column (what the file's value was
        matched to, e.g. the register's community name for "鹤洲")."""
        if header not in self.headers:
            return
        index = self.headers.index(header)
        for row_number, cells in self.rows:
            if row_number == number:
                cells[index] = text
                return


@dataclass
class ImportReport:
    """What an import did, or would do (dry run), or why it refused the file."""

    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, SheetCounts] = field(
        default_factory=lambda: {layout.title: SheetCounts() for layout in LAYOUT}
    )
    preview: dict[str, PreviewTable] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, sheet: str, row: int | None, column: str, reason: str) -> None:
        self.errors.append(RowError(sheet, row, column, str(reason)))

    def to_json(self, *, max_errors: int = 1000) -> dict:
        """What a stored import job keeps of the report (the first errors)."""
        return {
            "errors": [list(error) for error in self.errors[:max_errors]],
            "error_total": len(self.errors),
            "counts": {title: vars(counts) for title, counts in self.counts.items()},
            "preview": {
                title: {
                    "headers": table.headers,
                    "rows": [[number, cells] for number, cells in table.rows],
                    "total": table.total,
                }
                for title, table in self.preview.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict, *, dry_run: bool = False) -> "ImportReport":
        report = cls(dry_run=dry_run)
        report.errors = [RowError(*error) for error in data.get("errors", [])]
        for title, counts in data.get("counts", {}).items():
            report.counts[title] = SheetCounts(**counts)
        # In the layout's order: a JSON column need not keep the keys' order.
        tables = data.get("preview", {})
        report.preview = {
            layout.title: PreviewTable(
                headers=tables[layout.title]["headers"],
                rows=[
                    (number, cells) for number, cells in tables[layout.title]["rows"]
                ],
                total=tables[layout.title]["total"],
            )
            for layout in LAYOUT
            if layout.title in tables
        }
        return report

    def summary_lines(self) -> list[str]:
        return [
            _("「%(sheet)s」：新增 %(created)s，更新 %(updated)s，无变化 %(unchanged)s")
            % {
                "sheet": title,
                "created": counts.created,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
            }
            for title, counts in self.counts.items()
        ]
