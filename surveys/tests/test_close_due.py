"""Campaigns and votes past their closing time are closed by the periodic task."""

import datetime

import pytest
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from baitang.schedules import ensure_default_schedules
from surveys.models import Campaign, StatusChange, Vote
from surveys.schedules import SURVEY_SCHEDULES
from surveys.tasks import close_due_task
from surveys.tests.factories import CampaignFactory, VoteFactory

pytestmark = pytest.mark.django_db


def test_due_campaigns_and_votes_close_and_the_vote_count_is_frozen():
    past = timezone.now() - datetime.timedelta(minutes=1)
    start = timezone.now() - datetime.timedelta(days=7)
    due_campaign = CampaignFactory(opens_at=start, closes_at=past)
    running = CampaignFactory()
    due_vote = VoteFactory(opens_at=start, closes_at=past)

    closed = close_due_task()
    again = close_due_task()

    assert (closed, again) == (2, 0)
    due_campaign.refresh_from_db()
    running.refresh_from_db()
    due_vote.refresh_from_db()
    assert due_campaign.status == Campaign.Status.CLOSED
    assert running.status == Campaign.Status.OPEN
    assert due_vote.status == Vote.Status.CLOSED
    assert due_vote.result["total_heads"] == 0
    assert due_vote.passed is False
    log = StatusChange.objects.get(campaign=due_campaign)
    assert (log.actor, log.reason) == (None, "到期自动结束")


def test_the_task_is_scheduled_by_default():
    # The data migration runs this; transactional tests elsewhere may have
    # flushed its rows, so the function is run again on an empty table.
    PeriodicTask.objects.filter(task="surveys.tasks.close_due_task").delete()

    created = ensure_default_schedules(PeriodicTask, CrontabSchedule, SURVEY_SCHEDULES)

    task = PeriodicTask.objects.get(task="surveys.tasks.close_due_task")
    assert created == 1
    assert (task.crontab.minute, task.crontab.hour) == ("*/5", "*")
