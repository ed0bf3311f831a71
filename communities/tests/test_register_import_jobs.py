"""Imports run as Celery tasks, not in the web request (issue 6, point 17): the
tasks are safe to run twice and give up cleanly; reading streams and stops at
the row limit; a workbook that would inflate past the cap is refused before it
is parsed; one import at a time per user; a real worker runs the flow."""

import io
import time
import zipfile
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from baitang.celery import app as celery_app
from communities import tasks
from communities.excel import BUILDINGS, ESTATES, HOUSEHOLDS, import_register, jobs
from communities.excel import progress as progress_module
from communities.models import Estate, Household, RegisterImport
from communities.tests.excel_samples import (
    building_row,
    estate_row,
    household_row,
    workbook_bytes,
)

Status = RegisterImport.Status


def good_workbook(households: int = 1) -> bytes:
    return workbook_bytes(
        {
            ESTATES: [estate_row()],
            BUILDINGS: [building_row()],
            HOUSEHOLDS: [
                household_row(**{"房号": str(101 + index)})
                for index in range(households)
            ],
        }
    )


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def start(eager, django_capture_on_commit_callbacks):
    """Upload a workbook as `user` and let the queued check run."""

    def start(user, data: bytes = b"", name: str = "登记表.xlsx") -> RegisterImport:
        upload = SimpleUploadedFile(name, data or good_workbook())
        with django_capture_on_commit_callbacks(execute=True):
            job = jobs.import_job_start(upload=upload, actor=user)
        job.refresh_from_db()
        return job

    return start


@pytest.mark.django_db
def test_the_check_task_is_safe_to_run_twice(start, street_user, community):
    job = start(street_user)
    assert job.status == Status.CHECKED

    tasks.register_import_check_task.delay(str(job.pk))

    job.refresh_from_db()
    assert job.status == Status.CHECKED
    assert job.counts[ESTATES] == {"created": 1, "updated": 0, "unchanged": 0}


@pytest.mark.django_db
def test_the_import_task_is_safe_to_run_twice(
    start, street_user, community, django_capture_on_commit_callbacks
):
    job = start(street_user, good_workbook(households=3))
    with django_capture_on_commit_callbacks(execute=True):
        jobs.import_job_confirm(job=job, actor=street_user)

    tasks.register_import_apply_task.delay(str(job.pk))
    tasks.register_import_apply_task.apply(args=[str(job.pk)])

    job.refresh_from_db()
    assert job.status == Status.DONE
    assert job.counts[HOUSEHOLDS] == {"created": 3, "updated": 0, "unchanged": 0}
    assert Household.objects.count() == 3
    assert not job.stored_path.exists()


@pytest.mark.django_db
def test_a_crashing_task_fails_the_job_and_writes_nothing(
    start, street_user, community, monkeypatch, django_capture_on_commit_callbacks
):
    job = start(street_user)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(jobs, "import_register", broken)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.import_job_confirm(job=job, actor=street_user)

    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.errors == [
        [
            "",
            None,
            "",
            "处理文件时出错，未写入任何数据。请稍后重试，如仍出错请联系管理员。",
        ]
    ]
    assert not job.stored_path.exists()
    assert not Estate.objects.exists()


@pytest.mark.django_db
def test_a_task_past_its_time_limit_fails_the_job(
    start, street_user, community, monkeypatch
):
    def too_slow(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(jobs, "import_register", too_slow)

    job = start(street_user)

    assert job.status == Status.FAILED
    assert "文件处理超时" in job.errors[0][3]
    assert tasks.register_import_check_task.soft_time_limit == 540
    assert tasks.register_import_check_task.time_limit == 600
    assert jobs.STALE_AFTER > timedelta(seconds=600)


@pytest.mark.django_db
def test_a_lost_database_connection_hands_the_job_back_for_a_retry(
    street_user, monkeypatch
):
    job = RegisterImport.objects.create(created_by=street_user, file_name="x.xlsx")
    job.stored_path.parent.mkdir(parents=True, exist_ok=True)
    job.stored_path.write_bytes(good_workbook())

    def connection_lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(jobs, "import_register", connection_lost)

    with pytest.raises(OperationalError):
        tasks._run(jobs.import_job_check, str(job.pk), Status.QUEUED, Status.CHECKING)

    job.refresh_from_db()
    assert job.status == Status.QUEUED  # the retry claims it again
    assert tasks.register_import_check_task.autoretry_for == (
        OperationalError,
        InterfaceError,
    )


@pytest.mark.django_db
def test_uploads_of_one_user_queue_one_at_a_time(start, street_user, community):
    RegisterImport.objects.create(created_by=street_user, status=Status.CONFIRMED)

    with pytest.raises(ValidationError) as refused:
        start(street_user)

    assert refused.value.messages == [
        "您已有一个登记表正在检查或导入，请等它完成后再上传新的文件。"
    ]
    assert RegisterImport.objects.count() == 1


@pytest.mark.django_db
def test_a_job_whose_worker_died_can_be_taken_over(street_user, community, eager):
    job = RegisterImport.objects.create(
        created_by=street_user,
        file_name="x.xlsx",
        status=Status.CHECKING,
        updated_at=timezone.now() - timedelta(hours=1),
    )
    job.stored_path.parent.mkdir(parents=True, exist_ok=True)
    job.stored_path.write_bytes(good_workbook())

    tasks.register_import_check_task.delay(str(job.pk))  # redelivered

    job.refresh_from_db()
    assert job.status == Status.CHECKED


@pytest.mark.django_db
def test_stale_jobs_are_expired_and_their_files_deleted(
    street_user, other_community_user
):
    old = timezone.now() - timedelta(days=2)
    forgotten = RegisterImport.objects.create(
        created_by=street_user,
        file_name="a.xlsx",
        status=Status.CHECKED,
        updated_at=old,
    )
    vanished = RegisterImport.objects.create(
        created_by=other_community_user,
        file_name="b.xlsx",
        status=Status.IMPORTING,
        updated_at=old,
    )
    fresh = RegisterImport.objects.create(
        created_by=street_user, file_name="c.xlsx", status=Status.IMPORTING
    )
    for job in (forgotten, vanished, fresh):
        job.stored_path.parent.mkdir(parents=True, exist_ok=True)
        job.stored_path.write_bytes(b"PK")

    assert jobs.expire_stale_jobs() == 2

    for job in (forgotten, vanished, fresh):
        job.refresh_from_db()
    assert (forgotten.status, vanished.status, fresh.status) == (
        Status.CANCELLED,
        Status.FAILED,
        Status.IMPORTING,
    )
    assert (forgotten.stored_path.exists(), vanished.stored_path.exists()) == (
        False,
        False,
    )
    assert fresh.stored_path.exists()


@pytest.mark.django_db
def test_progress_is_reported_by_phase_and_saved_on_the_job(
    street_user, community, monkeypatch
):
    monkeypatch.setattr(progress_module, "REPORT_EVERY_SECONDS", 0)
    seen = []

    import_register(
        good_workbook(households=50),
        actor=street_user,
        dry_run=True,
        progress=lambda phase, percent, rows: seen.append((phase, percent, rows)),
    )

    phases = [phase for phase, _percent, _rows in seen]
    assert phases[0] == "reading" and phases[-1] == "writing"
    assert "checking" in phases
    percents = [percent for _phase, percent, _rows in seen]
    assert percents == sorted(percents)
    assert seen[-1] == ("writing", 90, 3 + 2 + 50)  # 3 headers, every row read
    # and the job's row is what the page shows
    job = RegisterImport.objects.create(created_by=street_user, file_name="x.xlsx")
    jobs._progress_saver(job.pk)("checking", 75, 40000)
    job.refresh_from_db()
    assert (job.phase, job.progress, job.rows_read) == ("checking", 75, 40000)


@pytest.mark.django_db
def test_reading_stops_as_soon_as_the_row_limit_is_passed(
    street_user, community, settings, monkeypatch
):
    settings.REGISTER_IMPORT_MAX_ROWS = 5
    monkeypatch.setattr(progress_module, "REPORT_EVERY_SECONDS", 0)
    rows_read = []

    report = import_register(
        good_workbook(households=300),
        actor=street_user,
        progress=lambda phase, percent, rows: rows_read.append(rows),
    )

    assert [str(error) for error in report.errors] == [
        "「户」第7行：行数超过 5 行，请分成几个文件导入。"
    ]
    assert max(rows_read) == 2 + 2 + 7  # not the 300 rows behind it
    assert not Estate.objects.exists()


def test_the_default_caps_fit_a_real_register(settings):
    # A full 50,000-household register inflates to about 40 MB of sheet XML.
    assert settings.REGISTER_IMPORT_MAX_ROWS == 50_000
    assert 64 * 1024 * 1024 <= settings.REGISTER_IMPORT_MAX_INFLATED_BYTES
    assert settings.REGISTER_IMPORT_MAX_INFLATED_BYTES <= 256 * 1024 * 1024


@pytest.mark.django_db
def test_a_workbook_inflating_past_the_cap_is_refused_before_parsing(
    street_user, monkeypatch
):
    # given: a 130 MB sheet of spaces, about 130 KB once zipped
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            chunk = b" " * (1024 * 1024)
            for _ in range(130):
                sheet.write(chunk)
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024

    def must_not_parse(*args, **kwargs):
        raise AssertionError("an oversized archive must not be parsed")

    monkeypatch.setattr("communities.excel.reading.load_workbook", must_not_parse)

    report = import_register(data, actor=street_user)

    assert len(report.errors) == 1
    assert report.errors[0].reason.startswith(
        "文件解压后有 130.0\xa0MB，超过了登记表的上限 128.0\xa0MB，已拒绝。"
    )


@pytest.mark.django_db
def test_the_inflated_size_cap_is_a_setting(street_user, settings, community):
    settings.REGISTER_IMPORT_MAX_INFLATED_BYTES = 20_000

    report = import_register(good_workbook(households=200), actor=street_user)

    assert "文件解压后有" in report.errors[0].reason
    assert "超过了登记表的上限 19.5\xa0KB" in report.errors[0].reason


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_checks_and_imports_an_upload(street_user, community):
    def wait_for(job, *statuses):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status in statuses:
                return
            time.sleep(0.2)
        raise AssertionError(f"job still {job.status}")

    with start_worker(celery_app, perform_ping_check=False, loglevel="WARNING"):
        job = jobs.import_job_start(
            upload=SimpleUploadedFile("登记表.xlsx", good_workbook(households=20)),
            actor=street_user,
        )
        wait_for(job, Status.CHECKED, Status.REFUSED, Status.FAILED)
        assert job.status == Status.CHECKED, job.errors
        assert not Estate.objects.exists()

        jobs.import_job_confirm(job=job, actor=street_user)
        wait_for(job, Status.DONE, Status.FAILED)

    assert job.status == Status.DONE, job.errors
    assert Household.objects.count() == 20
    assert not job.stored_path.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("size", [5, pytest.param(200, marks=pytest.mark.slow)])
def test_import_queries_do_not_grow_with_households(
    size, street_user, community, django_assert_max_num_queries
):
    data = good_workbook(households=size)

    # communities, owners by name, estates, buildings and households with
    # their owners, then the writes: a dozen, whatever the number of rows
    with django_assert_max_num_queries(12):
        report = import_register(data, actor=street_user)

    assert report.counts[HOUSEHOLDS].created == size
    with django_assert_max_num_queries(12):
        again = import_register(data, actor=street_user)
    assert again.counts[HOUSEHOLDS].unchanged == size


@pytest.mark.django_db
@pytest.mark.parametrize("size", [5, pytest.param(200, marks=pytest.mark.slow)])
def test_the_preview_page_queries_do_not_grow_with_rows(
    size, client, start, street_user, community, django_assert_max_num_queries
):
    job = start(street_user, good_workbook(households=size))
    client.force_login(street_user)

    with django_assert_max_num_queries(7):
        response = client.get(job.get_absolute_url())

    assert response.context["report"].preview[HOUSEHOLDS].total == size
