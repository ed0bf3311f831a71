"""Celery against the real Redis: a real worker runs a task and we see its effect."""

import importlib
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.apps import apps as django_apps
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from baitang.celery import app as celery_app
from baitang.schedules import PLATFORM_SCHEDULES, ensure_default_schedules
from baitang.tasks import clear_expired_sessions_task


def make_session(key: str, expires_in: timedelta) -> None:
    Session.objects.create(
        session_key=key, session_data="", expire_date=timezone.now() + expires_in
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_session_cleanup_task():
    # given: one expired and one live session, committed for the worker to see
    make_session("expired", timedelta(days=-1))
    make_session("live", timedelta(days=1))

    # when: a worker consuming from Redis runs the task
    with start_worker(celery_app, perform_ping_check=False, loglevel="WARNING"):
        clear_expired_sessions_task.delay()
        deadline = time.monotonic() + 30
        while Session.objects.count() > 1 and time.monotonic() < deadline:
            time.sleep(0.2)

    # then
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]


@pytest.mark.django_db
def test_the_migration_creates_default_schedules_with_shanghai_time():
    # Transactional tests elsewhere may have flushed the migration's rows, so
    # run the migration's own function on an empty table.
    PeriodicTask.objects.all().delete()
    migration = importlib.import_module(
        "baitang.migrations.0003_default_periodic_tasks"
    )

    migration.create_default_schedules(django_apps, None)

    task = PeriodicTask.objects.select_related("crontab").get(name="清理过期登录会话")
    assert task.task == "baitang.tasks.clear_expired_sessions_task"
    assert task.enabled
    assert str(task.crontab.timezone) == "Asia/Shanghai"
    assert (task.crontab.hour, task.crontab.minute) == ("3", "30")


@pytest.mark.django_db
def test_default_schedules_never_overwrite_what_staff_changed():
    PeriodicTask.objects.all().delete()
    ensure_default_schedules(PeriodicTask, CrontabSchedule, PLATFORM_SCHEDULES)
    PeriodicTask.objects.filter(name="清理过期登录会话").update(enabled=False)

    created = ensure_default_schedules(
        PeriodicTask, CrontabSchedule, PLATFORM_SCHEDULES
    )

    assert created == 0
    assert PeriodicTask.objects.get(name="清理过期登录会话").enabled is False


def test_celery_uses_shanghai_time_and_the_database_scheduler():
    assert celery_app.conf.timezone == "Asia/Shanghai"
    assert celery_app.conf.beat_scheduler == (
        "django_celery_beat.schedulers:DatabaseScheduler"
    )
