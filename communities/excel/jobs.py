"""Register imports as jobs: the upload is kept, checked by a Celery task (a dry
run that makes the preview), and after its uploader confirms, imported by
another, while the page shows the progress. A user has one job running at a
time (a partial unique constraint on RegisterImport).

A job moves queued → checking → checked (or refused) → confirmed → importing
→ done (or failed); a checked job may be cancelled. The tasks claim a job by
moving it out of the state they expect, so a task delivered twice does the
work once; a job whose task vanished (worker killed) is taken as failed once
it has not moved for STALE_AFTER.
"""

import logging
import os
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from baitang.roles import is_office_staff, require_actor

from ..models import RegisterImport
from .importing import import_register
from .report import ImportReport

logger = logging.getLogger(__name__)

Status = RegisterImport.Status

# Longer than the tasks' hard time limit (communities/tasks.py) and than the
# longest write, during which a job's row is not touched.
STALE_AFTER = timedelta(minutes=15)
# A checked upload nobody confirms is dropped after a day.
CHECKED_KEPT = timedelta(hours=24)
ERRORS_KEPT = 1000


def _busy_message() -> str:
    return _("您已有一个登记表正在检查或导入，请等它完成后再上传新的文件。")


def running_job_of(user) -> RegisterImport | None:
    """The user's job that a task is working on, if any."""
    return (
        RegisterImport.objects.filter(
            created_by=user, status__in=RegisterImport.RUNNING
        )
        .order_by("-created_at")
        .first()
    )


def import_job_start(*, upload, actor) -> RegisterImport:
    """Keep an uploaded workbook and queue its check (the preview). Refused
    (ValidationError) while the actor has another job running; the actor's
    previous checked-but-unconfirmed upload is dropped."""
    require_actor(actor)
    if not is_office_staff(actor):
        raise PermissionDenied(_("您无权导入小区登记表。"))
    expire_stale_jobs()
    if running_job_of(actor) is not None:
        raise ValidationError(_busy_message(), code="busy")
    for pending in RegisterImport.objects.filter(
        created_by=actor, status=Status.CHECKED
    ):
        _finish(pending, Status.CANCELLED)
    job = RegisterImport(created_by=actor, file_name=upload.name[-255:])
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError as error:  # another upload of the same user won the race
        raise ValidationError(_busy_message(), code="busy") from error
    _store(upload, job)
    transaction.on_commit(lambda: _enqueue_check(job.pk))
    return job


def _store(upload, job: RegisterImport) -> None:
    path = job.stored_path
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as stored:
        if hasattr(upload, "chunks"):
            for chunk in upload.chunks():
                stored.write(chunk)
        else:
            stored.write(upload.read())


def _enqueue_check(job_id) -> None:
    from ..tasks import register_import_check_task

    register_import_check_task.delay(str(job_id))


def _enqueue_import(job_id) -> None:
    from ..tasks import register_import_apply_task

    register_import_apply_task.delay(str(job_id))


def import_job_confirm(*, job: RegisterImport, actor) -> None:
    """The uploader confirms a checked upload: queue the real import."""
    require_actor(actor)
    try:
        with transaction.atomic():
            confirmed = RegisterImport.objects.filter(
                pk=job.pk, created_by=actor, status=Status.CHECKED
            ).update(
                status=Status.CONFIRMED, phase="", progress=0, updated_at=timezone.now()
            )
    except IntegrityError as error:
        raise ValidationError(_busy_message(), code="busy") from error
    if not confirmed:
        raise ValidationError(_("导入预览已失效，请重新上传文件。"), code="expired")
    transaction.on_commit(lambda: _enqueue_import(job.pk))


def import_job_cancel(*, job: RegisterImport, actor) -> None:
    """The uploader drops a checked upload instead of importing it."""
    require_actor(actor)
    if job.created_by_id != getattr(actor, "pk", None) or job.status != Status.CHECKED:
        raise ValidationError(_("导入预览已失效，请重新上传文件。"), code="expired")
    _finish(job, Status.CANCELLED)


def _finish(job: RegisterImport, status: str, **fields) -> None:
    """Put a job in a final state and delete its file."""
    now = timezone.now()
    RegisterImport.objects.filter(pk=job.pk).update(
        status=status, updated_at=now, finished_at=now, **fields
    )
    job.status = status
    job.stored_path.unlink(missing_ok=True)


def expire_stale_jobs() -> int:
    """Jobs whose task vanished become failed; checked uploads nobody confirmed
    within a day are dropped, and so are stray files. Returns how many jobs."""
    now = timezone.now()
    stale = RegisterImport.objects.filter(
        Q(status__in=RegisterImport.RUNNING, updated_at__lt=now - STALE_AFTER)
        | Q(status=Status.CHECKED, updated_at__lt=now - CHECKED_KEPT)
    )
    count = 0
    for job in stale:
        if job.status == Status.CHECKED:
            _finish(job, Status.CANCELLED)
        else:
            _finish(
                job,
                Status.FAILED,
                errors=[["", None, "", _interrupted_message()]],
                error_total=1,
            )
        count += 1
    _sweep_stray_files(now)
    return count


def _interrupted_message() -> str:
    return _("导入中断（后台处理超时或服务重启），未写入任何数据，请重新上传文件。")


def _sweep_stray_files(now) -> None:
    """Files no kept job owns (left by a crash, or by the old token scheme)."""
    folder = RegisterImport().stored_path.parent
    if not folder.is_dir():
        return
    kept = {
        f"{pk}.xlsx"
        for pk in RegisterImport.objects.filter(
            status__in=RegisterImport.KEEPS_FILE
        ).values_list("pk", flat=True)
    }
    cutoff = (now - timedelta(hours=1)).timestamp()
    for path in folder.glob("*.xlsx"):
        try:
            if path.name not in kept and path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue


# --- The tasks' work ---------------------------------------------------------------


def _claim(job_id, expected: str, working: str) -> RegisterImport | None:
    """Move the job from `expected` to `working` (or take it over when it has
    sat in `working` past STALE_AFTER); None if another run has it or it is
    done. This is what makes the tasks safe to run twice."""
    now = timezone.now()
    claimed = (
        RegisterImport.objects.filter(pk=job_id)
        .filter(
            Q(status=expected) | Q(status=working, updated_at__lt=now - STALE_AFTER)
        )
        .update(status=working, phase="", progress=0, rows_read=0, updated_at=now)
    )
    if not claimed:
        return None
    return RegisterImport.objects.select_related("created_by").get(pk=job_id)


def release(job_id, back_to: str, working: str) -> None:
    """Hand a claimed job back (before a retry of its task)."""
    RegisterImport.objects.filter(pk=job_id, status=working).update(
        status=back_to, updated_at=timezone.now()
    )


def _progress_saver(job_id):
    def save(phase: str, percent: int, rows_read: int) -> None:
        RegisterImport.objects.filter(pk=job_id).update(
            phase=phase,
            progress=min(percent, 100),
            rows_read=rows_read,
            updated_at=timezone.now(),
        )

    return save


def _report_fields(report: ImportReport) -> dict:
    data = report.to_json(max_errors=ERRORS_KEPT)
    return {
        "errors": data["errors"],
        "error_total": data["error_total"],
        "counts": data["counts"],
        "preview": data["preview"],
    }


def import_job_check(*, job_id) -> None:
    """Check a queued upload: a dry run whose report becomes the preview."""
    job = _claim(job_id, Status.QUEUED, Status.CHECKING)
    if job is None:
        return
    if job.created_by is None or not job.stored_path.is_file():
        _finish(job, Status.FAILED, errors=[["", None, "", _expired()]], error_total=1)
        return
    report = import_register(
        job.stored_path,
        actor=job.created_by,
        dry_run=True,
        progress=_progress_saver(job.pk),
    )
    fields = _report_fields(report)
    if report.ok:
        RegisterImport.objects.filter(pk=job.pk, status=Status.CHECKING).update(
            status=Status.CHECKED,
            phase="",
            progress=100,
            updated_at=timezone.now(),
            **fields,
        )
    else:
        _finish(job, Status.REFUSED, phase="", progress=100, **fields)


def _expired() -> str:
    return _("导入预览已失效，请重新上传文件。")


def import_job_apply(*, job_id) -> None:
    """Import a confirmed upload. The job is marked done in the transaction that
    writes the register, so it is never done twice nor done without data."""
    job = _claim(job_id, Status.CONFIRMED, Status.IMPORTING)
    if job is None:
        return
    if job.created_by is None or not job.stored_path.is_file():
        _finish(job, Status.FAILED, errors=[["", None, "", _expired()]], error_total=1)
        return

    def mark_done(report: ImportReport) -> None:
        now = timezone.now()
        RegisterImport.objects.filter(pk=job.pk).update(
            status=Status.DONE,
            phase="",
            progress=100,
            updated_at=now,
            finished_at=now,
            **_report_fields(report),
        )

    report = import_register(
        job.stored_path,
        actor=job.created_by,
        progress=_progress_saver(job.pk),
        on_written=mark_done,
    )
    if report.ok:
        job.stored_path.unlink(missing_ok=True)
    else:
        # The register changed between preview and confirm, or the actor lost
        # the right to import: nothing was written.
        _finish(job, Status.FAILED, phase="", progress=100, **_report_fields(report))


def import_job_fail(*, job_id, message: str) -> None:
    """A task gave up on a job (time limit, unexpected error): nothing written."""
    job = RegisterImport.objects.filter(pk=job_id).first()
    if job is None or job.status not in RegisterImport.RUNNING:
        return
    _finish(job, Status.FAILED, errors=[["", None, "", message]], error_total=1)
