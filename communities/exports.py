"""Register exports from the pages and the admin: one file-name scheme, and a
Celery task for an export too large to build within a request.

A workbook of up to settings.REGISTER_EXPORT_SYNC_MAX_ROWS rows (estates,
buildings and households; about two seconds) is sent at once. A larger one
becomes a RegisterExport job: a task writes it under
settings.REGISTER_EXPORT_DIR while the job page shows its progress, and only
its creator downloads it. The task re-derives the estates from the creator's
scope and the stored filters, so it exports exactly what the page showed and
never more than the creator may see. A user has one export running at a time.
"""

import logging
import os
import time
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from baitang.roles import community_ids_of, is_office_staff, is_street_staff

from . import excel, selectors
from .models import Community, Estate, RegisterExport

logger = logging.getLogger(__name__)

Status = RegisterExport.Status

# A finished file is kept this long, then deleted by the next export.
KEPT = timedelta(hours=24)
# A job that has not moved for this long lost its worker (longer than the
# task's hard time limit in communities/tasks.py).
STALE_AFTER = timedelta(minutes=40)
# The job row is written at most this often while the workbook is written.
PROGRESS_SECONDS = 1.0

FILTER_KEYS = ("community", "decade", "management_model", "search", "within_cutoff")


def export_file_name(scope: str, at: datetime | None = None) -> str:
    """白藤街道小区登记_<scope>_<YYYYMMDD-HHMM>.xlsx, in local time: the one name
    scheme of every register export (the caller sends it RFC 5987-encoded)."""
    at = timezone.localtime(at)
    scope = "".join(ch for ch in scope if ch not in '\\/:*?"<>|').strip() or "全部"
    return _("白藤街道小区登记_%(scope)s_%(time)s.xlsx") % {
        "scope": scope,
        "time": f"{at:%Y%m%d-%H%M}",
    }


def export_scope(*, user, filters: dict) -> str:
    """What an export holds, for its file name: the chosen community, "筛选结果",
    "所选N个小区", or all the user may see (their communities' names)."""
    ids = filters.get("ids")
    if ids:
        return _("所选%(count)s个小区") % {"count": len(ids)}
    parts = []
    community_id = filters.get("community")
    if community_id:
        community = Community.objects.filter(pk=community_id).first()
        if community is not None:
            parts.append(community.name)
    if any(filters.get(key) not in (None, "") for key in FILTER_KEYS[1:]):
        parts.append(_("筛选结果"))
    if parts:
        return "_".join(parts)
    if is_street_staff(user):
        return _("全部小区")
    names = list(
        Community.objects.filter(pk__in=community_ids_of(user))
        .order_by("name")
        .values_list("name", flat=True)[:4]
    )
    if 0 < len(names) <= 3:
        return "、".join(names)
    return _("全部小区")


def filters_of(form_filters: dict, ids=None) -> dict:
    """The overview form's filters (selectors.estates_filtered keywords) as JSON
    a job can keep: the community by id; `ids` narrows to chosen estates."""
    filters = {key: form_filters.get(key) for key in FILTER_KEYS}
    community = filters["community"]
    filters["community"] = community.pk if community is not None else None
    if ids:
        filters["ids"] = sorted(int(pk) for pk in ids)
    return filters


def estates_to_export(*, user, filters: dict) -> QuerySet[Estate]:
    """The estates an export holds: the user's scope narrowed by the filters."""
    community = None
    if filters.get("community") is not None:
        community = Community.objects.filter(pk=filters["community"]).first()
        if community is None:
            return Estate.objects.none()
    estates = selectors.estates_filtered(
        user=user,
        community=community,
        decade=filters.get("decade"),
        management_model=filters.get("management_model") or "",
        search=filters.get("search") or "",
        within_cutoff=filters.get("within_cutoff"),
    )
    if filters.get("ids"):
        estates = estates.filter(pk__in=filters["ids"])
    return estates


def row_total(estates: QuerySet[Estate]) -> int:
    """Rows the workbook will have: estates, their buildings and households
    (one query)."""
    counts = Estate.objects.filter(pk__in=estates.order_by().values("pk")).aggregate(
        estate_rows=Count("pk", distinct=True),
        building_rows=Count("buildings", distinct=True),
        household_rows=Count("buildings__households"),
    )
    return sum(counts.values())


def is_small(rows: int) -> bool:
    return rows <= settings.REGISTER_EXPORT_SYNC_MAX_ROWS


def running_job_of(user) -> RegisterExport | None:
    """The user's export a task is working on, if any."""
    return (
        RegisterExport.objects.filter(
            created_by=user, status__in=RegisterExport.RUNNING
        )
        .order_by("-created_at")
        .first()
    )


def export_job_start(*, actor, filters: dict, scope: str) -> RegisterExport:
    """Queue a background export for the actor (their scope, these filters).
    Refused (ValidationError) while the actor has another export running."""
    if not is_office_staff(actor):
        raise PermissionDenied(_("您无权导出登记表。"))
    _sweep_old_files()
    _expire_stale_jobs()
    job = RegisterExport(
        created_by=actor,
        scope=scope[:100],
        filters=filters,
        file_name=export_file_name(scope),
    )
    job.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:
        raise ValidationError(
            _("您已有一个导出正在生成，请等它完成后再导出。"), code="export_busy"
        ) from None
    from .tasks import register_export_task

    transaction.on_commit(lambda: register_export_task.delay(str(job.pk)))
    return job


def export_job_run(*, job_id: str) -> None:
    """Write the workbook of a queued job (a task delivered twice does it once)."""
    claimed = RegisterExport.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING
    )
    if not claimed:
        return
    job = RegisterExport.objects.select_related("created_by").get(pk=job_id)
    estates = estates_to_export(user=job.created_by, filters=job.filters)
    total = max(1, row_total(estates))
    RegisterExport.objects.filter(pk=job.pk).update(rows_total=total)
    last = time.monotonic()

    def progress(rows: int) -> None:
        nonlocal last
        if time.monotonic() - last < PROGRESS_SECONDS:
            return
        last = time.monotonic()
        RegisterExport.objects.filter(pk=job.pk).update(
            rows_written=rows, progress=min(99, rows * 100 // total)
        )

    data = excel.export_register(estates, progress=progress)
    path = job.stored_path
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as stored:
        stored.write(data)
    RegisterExport.objects.filter(pk=job.pk).update(
        status=Status.DONE,
        progress=100,
        rows_written=total,
        finished_at=timezone.now(),
    )


def export_job_release(*, job_id: str) -> None:
    """Hand a job back to the queue after the database went away mid-run."""
    try:
        RegisterExport.objects.filter(pk=job_id, status=Status.RUNNING).update(
            status=Status.QUEUED
        )
    except (OperationalError, InterfaceError):
        logger.warning("register export %s: could not release the job", job_id)


def export_job_fail(*, job_id: str, message: str) -> None:
    """Mark a job failed with a Chinese reason, and drop any partial file."""
    job = RegisterExport.objects.filter(pk=job_id).first()
    if job is None:
        return
    job.stored_path.unlink(missing_ok=True)
    RegisterExport.objects.filter(pk=job_id).update(
        status=Status.FAILED, message=message[:200], finished_at=timezone.now()
    )


def _expire_stale_jobs() -> None:
    """Jobs whose worker vanished no longer block their user."""
    stale = timezone.now() - STALE_AFTER
    RegisterExport.objects.filter(
        status__in=RegisterExport.RUNNING, created_at__lt=stale
    ).update(
        status=Status.FAILED,
        message=_("导出超时，请重新导出。"),
        finished_at=timezone.now(),
    )


def _sweep_old_files() -> None:
    """Delete finished files older than KEPT (their rows stay as a record)."""
    folder = Path(settings.REGISTER_EXPORT_DIR)
    if not folder.is_dir():
        return
    cutoff = time.time() - KEPT.total_seconds()
    for path in folder.glob("*.xlsx"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue
