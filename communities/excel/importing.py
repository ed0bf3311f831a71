"""Importing a register workbook, all or nothing: read, check, resolve, and
write in one transaction only when there is not a single problem."""

import logging

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from ..models import Household, Owner
from .layout import BUILDINGS, ESTATES, HOUSEHOLDS, LAYOUT, LAYOUT_BY_TITLE
from .reading import _open_workbook, _parse_sheet, _read_bytes
from .report import ImportReport, RowError
from .resolving import _Plan, _Resolver

logger = logging.getLogger(__name__)


# --- Writing ------------------------------------------------------------------------


def _resolve_owners(plans: list[_Plan]) -> None:
    """Replace (name, phone) placeholders with owners, found or created."""
    wanted = {
        owner for plan in plans for owner in plan.owners if isinstance(owner, tuple)
    }
    if not wanted:
        return
    found = {}
    for owner in Owner.objects.filter(name__in={name for name, _p in wanted}).order_by(
        "id"
    ):
        found.setdefault((owner.name, owner.phone), owner)
    missing = [Owner(name=name, phone=phone) for name, phone in wanted - found.keys()]
    for owner in Owner.objects.bulk_create(missing):
        found[(owner.name, owner.phone)] = owner
    for plan in plans:
        plan.owners = [
            found[owner] if isinstance(owner, tuple) else owner for owner in plan.owners
        ]


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
    _resolve_owners(owner_plans)
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


def import_register(
    file, *, actor, dry_run: bool = False, allowed_community_ids=None
) -> ImportReport:
    """Import a register workbook (path, bytes or uploaded file), all or nothing.

    With `dry_run` everything is checked and written, then rolled back. Community
    staff pass their `allowed_community_ids`; a row of any other community is an
    error. Returns the report; nothing is written when it has errors.
    """
    report = ImportReport(dry_run=dry_run)
    data = _read_bytes(file, report)
    if data is None:
        return report
    workbook = _open_workbook(data, report)
    if workbook is None:
        return report
    try:
        parsed = {}
        for layout in LAYOUT:
            rows = _parse_sheet(workbook, layout, report)
            if rows is not None:
                parsed[layout.title] = rows
    finally:
        workbook.close()
    if len(parsed) < len(LAYOUT):
        _sort_errors(report)
        return report
    resolver = _Resolver(report, allowed_community_ids)
    resolver.load(parsed)
    resolver.resolve_estates(LAYOUT_BY_TITLE[ESTATES], parsed[ESTATES])
    resolver.resolve_buildings(LAYOUT_BY_TITLE[BUILDINGS], parsed[BUILDINGS])
    resolver.resolve_households(LAYOUT_BY_TITLE[HOUSEHOLDS], parsed[HOUSEHOLDS])
    if report.errors:
        report.counts = ImportReport().counts
        _sort_errors(report)
        return report
    try:
        with transaction.atomic():
            _write(resolver)
            if dry_run:
                transaction.set_rollback(True)
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
