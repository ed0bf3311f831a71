"""The order menu's demo data, added to the register's by seed_demo."""

import pytest

from baitang.models import User
from communities.demo import seed_demo
from surveys.models import (
    Ballot,
    Campaign,
    Interview,
    Meeting,
    Reply,
    Response,
    Vote,
)
from surveys.selectors import households_in_campaign

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (Campaign, Response, Vote, Ballot, Meeting, Interview, Reply)
    }


def test_seed_demo_adds_campaigns_a_vote_meetings_and_interviews_once():
    # given the register and the order menu seeded
    seed_demo()
    first = _counts()

    # when it runs again
    seed_demo()

    # then nothing is added the second time
    assert _counts() == first
    open_campaign = Campaign.objects.get(estate__name="藤翠苑7号小区", status="open")
    households = households_in_campaign(open_campaign).count()
    responses = Response.objects.filter(campaign=open_campaign)
    assert responses.count() == round(households * 0.4)
    assert responses.filter(
        channel="paper", entered_by__username="demo_community"
    ).exists()
    assert responses.filter(channel="online").exists()
    assert Campaign.objects.filter(estate__name="逸鸿花园", status="closed").exists()
    vote = Vote.objects.get(estate__name="藤翠苑7号小区")
    assert vote.status == "closed" and vote.result is not None
    assert vote.passed is not None
    assert Meeting.objects.count() == 2
    assert Interview.objects.count() == 3
    assert Reply.objects.exclude(status="pending").count() > 0
    assert User.objects.filter(username="demo_community").exists()
