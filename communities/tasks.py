"""Celery tasks of the register. Each takes ids, calls one function of
communities.excel.jobs, and is safe to run twice (the job's state is the proof
of what is done)."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _

from . import exports
from .excel import jobs
from .models import RegisterImport

logger = logging.getLogger(__name__)

Status = RegisterImport.Status

# A 50,000-row register is read and checked in well under a minute; the limits
# only stop a run that has gone wrong. jobs.STALE_AFTER must stay longer.
IMPORT_TASK_LIMITS = {"soft_time_limit": 540, "time_limit": 600}
RETRY = {
    # The database going away is worth another try; a bad file is not (it is
    # reported on the job instead).
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "max_retries": 3,
}


def _timed_out() -> str:
    return _("文件处理超时，未写入任何数据。请把文件分成几个较小的文件再导入。")


def _crashed() -> str:
    return _("处理文件时出错，未写入任何数据。请稍后重试，如仍出错请联系管理员。")


def _run(work, job_id: str, expected: str, working: str) -> None:
    try:
        work(job_id=job_id)
    except SoftTimeLimitExceeded:
        jobs.import_job_fail(job_id=job_id, message=_timed_out())
    except (OperationalError, InterfaceError):
        try:
            jobs.release(job_id, back_to=expected, working=working)
        except (OperationalError, InterfaceError):
            logger.warning("register import %s: could not release the job", job_id)
        raise
    except Exception:
        logger.exception("register import %s failed", job_id)
        jobs.import_job_fail(job_id=job_id, message=_crashed())


@shared_task(**IMPORT_TASK_LIMITS, **RETRY)
def register_import_check_task(job_id: str) -> None:
    """Check an uploaded register workbook (a dry run) for its preview."""
    _run(jobs.import_job_check, job_id, Status.QUEUED, Status.CHECKING)


@shared_task(**IMPORT_TASK_LIMITS, **RETRY)
def register_import_apply_task(job_id: str) -> None:
    """Import a register workbook its uploader confirmed after the preview."""
    _run(jobs.import_job_apply, job_id, Status.CONFIRMED, Status.IMPORTING)


# A province-scale export (millions of households) takes tens of minutes;
# exports.STALE_AFTER must stay longer than the hard limit.
EXPORT_TASK_LIMITS = {"soft_time_limit": 1800, "time_limit": 1900}


@shared_task(**EXPORT_TASK_LIMITS, **RETRY)
def register_export_task(job_id: str) -> None:
    """Write the workbook of a background register export."""
    try:
        exports.export_job_run(job_id=job_id)
    except SoftTimeLimitExceeded:
        exports.export_job_fail(
            job_id=job_id, message=_("导出超时，请缩小筛选范围后重新导出。")
        )
    except (OperationalError, InterfaceError):
        exports.export_job_release(job_id=job_id)  # for the retry
        raise
    except Exception:
        logger.exception("register export %s failed", job_id)
        exports.export_job_fail(
            job_id=job_id, message=_("生成文件时出错，请稍后重试。")
        )
