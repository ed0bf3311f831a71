"""Importing a register workbook, all or nothing: read, check, resolve, and
write in one transaction only when there is not a single problem."""

import logging
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from baitang.roles import (
    community_ids_of,
    is_community_staff,
    is_street_staff,
    require_actor,
)

from ..models import Household, Owner
from .layout import BUILDINGS, ESTATES, HOUSEHOLDS, LAYOUT, LAYOUT_BY_TITLE
from .progress import Progress
from .reading import (
    TooManyRows,
    _open_workbook,
    _parse_sheet,
    _read_bytes,
    find_sheet,
)
from .report import ImportReport, RowError
from .resolving import _Resolver

logger = logging.getLogger(__name__)


# --- Writing ------------------------------------------------------------------------


def _save_new_owners(resolver: _Resolver) -> None:
    """Create the owners the file enters (validated while resolving)."""
    new = [owner for owner in resolver.new_owners.values() if owner.pk is None]
    Owner.objects.bulk_create(new, batch_size=1000)


def _write(resolver: _Resolver) -> None:
    for plan in resolver.estates.values():
        if plan and plan.dirty:
            plan.instance.save()
    for plan in resolver.buildings.values():
        if plan and plan.dirty:
            plan.instance.save()  # a new estate's id is taken from plan.instance.estate
    households = [plan for plan in resolver.households.values() if plan]
    new = [plan.instance for plan in households if plan.created]
    Household.objects.bulk_create(new, batch_size=1000)
    changed = [plan for plan in households if not plan.created and plan.changed]
    if changed:
        fields = sorted({name for plan in changed for name in plan.changed})
        Household.objects.bulk_update(
            [plan.instance for plan in changed], fields, batch_size=500
        )
    owner_plans = [plan for plan in households if plan.created or plan.owners_changed]
    _save_new_owners(resolver)
    through = Household.owners.through
    through.objects.filter(
        household_id__in=[plan.instance.pk for plan in owner_plans if not plan.created]
    ).delete()
    through.objects.bulk_create(
        [
            through(household_id=plan.instance.pk, owner_id=owner.pk)
            for plan in owner_plans
            for owner in plan.owners
        ],
        batch_size=2000,
    )


def _sort_errors(report: ImportReport) -> None:
    """File problems first, then sheet by sheet, row by row, column by column."""
    sheets = [layout.title for layout in LAYOUT]

    def position(error: RowError):
        layout = LAYOUT_BY_TITLE.get(error.sheet)
        headers = layout.headers if layout else []
        return (
            sheets.index(error.sheet) if error.sheet in sheets else -1,
            error.row or 0,
            headers.index(error.column) if error.column in headers else -1,
        )

    report.errors.sort(key=position)


def _allowed_communities(actor, report: ImportReport):
    """What the actor may import into, derived from the actor alone: street
    staff (and the system) every community, community staff their own; anyone
    else nothing. Returns None for "every community", or a set of ids, or False
    when the actor may not import at all."""
    require_actor(actor)
    if is_street_staff(actor):
        return None
    if is_community_staff(actor):
        return set(community_ids_of(actor))
    report.add("", None, "", _("您无权导入小区登记表。"))
    return False


def import_register(
    file,
    *,
    actor,
    dry_run: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    on_written: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Import a register workbook (path, bytes or uploaded file), all or nothing.

    The actor decides what may be imported: street staff any community, community
    staff only theirs (any other row is an error), anyone else nothing. Rows are
    checked by the same rules as the services (model validation with clean(),
    normalised phones, owners linked only where the actor may link them). With
    `dry_run` everything is checked and written, then rolled back. `progress`
    is told (phase, percent, rows read) as the file is read and checked;
    `on_written` runs inside the writing transaction once everything is written.
    Returns the report; nothing is written when it has errors.
    """
    report = ImportReport(dry_run=dry_run)
    allowed = _allowed_communities(actor, report)
    if allowed is False:
        return report
    tracker = Progress(progress)
    data = _read_bytes(file, report)
    if data is None:
        return report
    workbook = _open_workbook(data, report)
    if workbook is None:
        return report
    try:
        parsed = _parse_workbook(workbook, report, tracker)
    finally:
        workbook.close()
    if len(parsed) < len(LAYOUT):
        _sort_errors(report)
        return report
    tracker.start("checking", sum(len(rows) for rows in parsed.values()))
    resolver = _Resolver(report, allowed, tracker)
    resolver.load(parsed)
    resolver.resolve_estates(LAYOUT_BY_TITLE[ESTATES], parsed[ESTATES])
    resolver.resolve_buildings(LAYOUT_BY_TITLE[BUILDINGS], parsed[BUILDINGS])
    resolver.resolve_households(LAYOUT_BY_TITLE[HOUSEHOLDS], parsed[HOUSEHOLDS])
    if report.errors:
        report.counts = ImportReport().counts
        _sort_errors(report)
        return report
    tracker.start("writing")
    try:
        with transaction.atomic():
            _write(resolver)
            if dry_run:
                transaction.set_rollback(True)
            elif on_written is not None:
                on_written(report)
    except (DatabaseError, ValidationError) as error:
        logger.warning("register import refused by the database: %s", error)
        report.counts = ImportReport().counts
        report.add(
            "",
            None,
            "",
            _(
                "数据库拒绝了这些数据（可能有人同时在修改登记表），未写入任何数据，请重新导入。"
            ),
        )
        return report
    logger.info(
        "register import by %s (dry run: %s): %s",
        getattr(actor, "username", "system"),
        dry_run,
        "; ".join(report.summary_lines()),
    )
    return report


def _parse_workbook(workbook, report: ImportReport, tracker: Progress) -> dict:
    """Every sheet's rows; a sheet that is missing or unreadable is left out."""
    sheets = {layout.title: find_sheet(workbook, layout.title) for layout in LAYOUT}
    # The sizes the sheets declare (<dimension>) make the bar's scale; a sheet
    # that declares none only makes the bar jump.
    tracker.start(
        "reading",
        sum((sheet.max_row or 0) for sheet in sheets.values() if sheet is not None),
    )
    parsed = {}
    for layout in LAYOUT:
        sheet = sheets[layout.title]
        if sheet is None:
            report.add(
                layout.title,
                None,
                "",
                _("缺少工作表「%(sheet)s」，请使用下载的模板。")
                % {"sheet": layout.title},
            )
            continue
        try:
            rows = _parse_sheet(sheet, layout, report, tracker)
        except TooManyRows:
            break  # the file is refused: reading the rest would only cost time
        if rows is not None:
            parsed[layout.title] = rows
    return parsed
