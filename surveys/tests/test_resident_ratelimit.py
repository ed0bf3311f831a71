"""Wrong codes and open-link tokens are rate-limited per client; once over, even
a right code is refused, so guessing learns nothing. Opinions through an open
link are limited per client too, and what one household sends through its code
per household, whichever address it comes from."""

import re

import pytest

from baitang.roles import SYSTEM
from surveys.models import Ballot, Opinion, Response
from surveys.services import open_link_ensure
from surveys.tests.factories import VoteFactory
from surveys.tests.resident_data import full_campaign, household_with_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.RATE_LIMITS = {
        "access_code_failures": "3/10m",
        "opinions": "2/h",
        "household_submissions": "3/h",
    }


@pytest.fixture
def setup(community):
    return full_campaign(community, kinds=["text"])


def test_after_too_many_wrong_codes_every_code_is_refused(client, setup):
    for _ in range(3):
        assert client.get("/s/ZZZZZZZZZZZZZZZ/").status_code == 404

    refused = client.get(setup.household_url)

    assert refused.status_code == 429
    minutes = re.search(r"尝试次数太多，请(\d+)分钟后再试。", refused.content.decode())
    assert 1 <= int(minutes[1]) <= 10
    assert 0 < int(refused["Retry-After"]) <= 600
    assert refused["Cache-Control"] == "private, no-store"
    assert client.post(setup.url, {}).status_code == 429


def test_another_client_is_not_held_back(client, setup):
    for _ in range(4):
        client.get("/s/ZZZZZZZZZZZZZZZ/")

    response = client.get(setup.household_url, REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 200


def test_the_right_code_used_often_counts_nothing(client, setup):
    for _ in range(10):
        assert client.get(setup.household_url).status_code == 200

    assert client.get("/s/ZZZZZZZZZZZZZZZ/").status_code == 404


def test_mistypes_in_the_code_box_count(client, setup):
    for _ in range(3):
        assert client.post("/s/", {"code": "nonsense"}).status_code == 404

    assert client.post("/s/", {"code": setup.code}).status_code == 429


def test_wrong_open_link_tokens_count_too(client, setup):
    for _ in range(3):
        response = client.get("/o/ZZZZZZZZZZZZZZZ/")
        assert response.status_code == 404
        assert "链接无效或已停用" in response.content.decode()

    assert client.get(setup.household_url).status_code == 429


def test_opinions_through_an_open_link_are_limited_per_client(client, setup):
    link = open_link_ensure(estate=setup.campaign.estate, actor=SYSTEM)
    url = f"/o/{link.token}/"

    sent = [client.post(url, {"text": f"意见{n}"}) for n in range(3)]

    assert [response.status_code for response in sent] == [302, 302, 429]
    assert "提交得太频繁了" in sent[2].content.decode()
    assert Opinion.objects.count() == 2
    assert client.get(url).status_code == 200  # reading is still fine


def test_a_household_sends_a_limited_number_of_forms_from_any_address(client, setup):
    # Every submission is kept as a version with its photos: a leaked slip
    # must not fill the disk or keep the workers decoding photos.
    text = f"q{setup.q('text')}"
    sent = [
        client.post(setup.url, {text: f"第{n}次"}, REMOTE_ADDR=f"10.0.0.{n}")
        for n in range(4)
    ]

    assert [response.status_code for response in sent] == [302, 302, 302, 429]
    assert "提交得太频繁了" in sent[3].content.decode()
    assert sent[3]["Cache-Control"] == "private, no-store"
    assert Response.objects.get().version == 3
    assert client.get(setup.url).status_code == 200  # reading is still fine


def test_the_limit_is_the_households_own(client, setup):
    text = f"q{setup.q('text')}"
    for n in range(3):
        client.post(setup.url, {text: f"第{n}次"})
    neighbour, code = household_with_code(setup.campaign.estate)

    response = client.post(f"/s/{code.code}/c/{setup.campaign.pk}/", {text: "邻居"})

    assert response.status_code == 302
    assert Response.objects.filter(household=neighbour).exists()


def test_ballots_count_against_the_households_limit(client, setup):
    vote = VoteFactory(estate=setup.campaign.estate)
    url = f"/s/{setup.code}/v/{vote.pk}/"

    sent = [client.post(url, {"choice": "yes"}) for _ in range(4)]

    assert [response.status_code for response in sent] == [302, 302, 302, 429]
    assert Ballot.objects.get().choice == "yes"
