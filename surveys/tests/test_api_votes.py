"""/api/v1/votes/ and /api/v1/ballots/: votes created and moved through the vote
services, the count as numbers with the conditions that failed (counted now
for one vote, as frozen at close for a closed one), ballots by cursor."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from communities.tests.factories import BuildingFactory, HouseholdFactory, OwnerFactory
from surveys.models import Vote
from surveys.permissions import Resident
from surveys.services import ballot_cast, vote_create, vote_set_status

pytestmark = pytest.mark.django_db

VOTES = "/api/v1/votes/"
BALLOTS = "/api/v1/ballots/"


@pytest.fixture
def building(community):
    return BuildingFactory(estate__community=community, unit_count=2, name="5栋")


@pytest.fixture
def flats(building):
    """Three units of 100, 100 and 50 ㎡, one owner each."""
    return [
        HouseholdFactory(
            building=building,
            unit=1,
            number=str(101 + n),
            exclusive_area=Decimal(area),
            owners=[OwnerFactory()],
        )
        for n, area in enumerate(["100.00", "100.00", "50.00"])
    ]


@pytest.fixture
def open_vote(building, flats, community_user):
    vote = vote_create(
        estate=building.estate,
        building=building,
        matter=7,
        title="5栋加装电梯",
        actor=community_user,
    )
    return vote_set_status(vote=vote, status="open", actor=community_user)


def test_one_vote_is_counted_now_with_the_conditions_that_failed(
    api_client, community_user, open_vote, flats
):
    ballot_cast(
        vote=open_vote, household=flats[0], choice="yes", actor=Resident(flats[0])
    )
    api_client.force_authenticate(community_user)

    result = api_client.get(f"{VOTES}{open_vote.pk}/").json()["result"]

    assert result["frozen"] is False
    assert (result["total_area"], result["total_heads"]) == ("250.00", 3)
    assert (result["part_area"], result["part_heads"]) == ("100.00", 1)
    assert (result["part_area_percent"], result["part_heads_percent"]) == (
        "40.00",
        "33.33",
    )
    assert result["passed"] is False
    assert result["failed"][:2] == [
        "参与表决业主的专有部分面积未达到总面积的三分之二以上",
        "参与表决业主人数未达到业主总人数的三分之二以上",
    ]


def test_a_closed_vote_shows_its_frozen_count_in_the_list(
    api_client, community_user, open_vote, flats
):
    for flat in flats:
        ballot_cast(vote=open_vote, household=flat, choice="yes", actor=Resident(flat))
    vote_set_status(vote=open_vote, status="closed", actor=community_user)
    other = vote_create(
        estate=open_vote.estate, matter=9, title="停车规约", actor=community_user
    )
    api_client.force_authenticate(community_user)

    rows = {row["id"]: row for row in api_client.get(VOTES).json()["results"]}

    closed = rows[open_vote.pk]
    assert closed["status"] == "closed" and closed["passed"] is True
    assert closed["result"]["frozen"] is True
    assert closed["result"]["yes_area_percent"] == "100.00"
    assert closed["result"]["failed"] == []
    assert rows[other.pk]["result"] is None  # counted on its own page only


def test_a_vote_is_created_under_the_rule_in_force(
    api_client, community_user, building
):
    api_client.force_authenticate(community_user)

    response = api_client.post(
        VOTES,
        {
            "estate": building.estate_id,
            "building": building.pk,
            "unit": 1,
            "matter": 7,
            "title": "5栋1单元加装电梯",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["rule_version"]) == ("draft", "civil-code-278-2021")
    assert body["result"]["frozen"] is False and body["result"]["total_heads"] == 0


def test_bad_votes_are_400_in_chinese(api_client, street_user, building):
    api_client.force_authenticate(street_user)

    no_unit = api_client.post(
        VOTES,
        {
            "estate": building.estate_id,
            "building": building.pk,
            "unit": 9,
            "matter": 7,
            "title": "x",
        },
        format="json",
    )
    bad_matter = api_client.post(
        VOTES,
        {"estate": building.estate_id, "matter": 12, "title": "x"},
        format="json",
    )
    bad_rule = api_client.post(
        VOTES,
        {"estate": building.estate_id, "matter": 1, "title": "x", "rule_version": "?"},
        format="json",
    )

    assert no_unit.json() == {"unit": ["该楼栋没有这个单元。"]}
    assert bad_matter.json() == {"matter": ["“12” 不是合法选项。"]}
    assert bad_rule.status_code == 400 and "rule_version" in bad_rule.json()
    assert not Vote.objects.exists()


def test_a_draft_is_changed_an_open_vote_is_not(
    api_client, community_user, building, open_vote
):
    draft = vote_create(
        estate=building.estate, matter=9, title="旧标题", actor=community_user
    )
    api_client.force_authenticate(community_user)

    changed = api_client.patch(
        f"{VOTES}{draft.pk}/", {"title": "新标题"}, format="json"
    )
    refused = api_client.patch(
        f"{VOTES}{open_vote.pk}/", {"title": "改名"}, format="json"
    )
    matter = api_client.patch(f"{VOTES}{draft.pk}/", {"matter": 6}, format="json")

    assert changed.json()["title"] == "新标题"
    assert refused.json() == {"non_field_errors": ["表决已开始，不能再修改。"]}
    assert matter.json() == {
        "matter": ["表决的范围、事项和规则创建后不能修改；请另建一个表决。"]
    }


def test_the_status_action_opens_and_closes(api_client, community_user, building):
    vote = vote_create(
        estate=building.estate, matter=9, title="停车规约", actor=community_user
    )
    api_client.force_authenticate(community_user)
    url = f"{VOTES}{vote.pk}/status/"

    opened = api_client.post(url, {"status": "open"}, format="json")
    back = api_client.post(url, {"status": "draft"}, format="json")
    closed = api_client.post(url, {"status": "closed", "reason": "期满"}, format="json")

    assert opened.json()["status"] == "open"
    assert back.json() == {"status": ["表决不能从“表决中”改为“草稿”。"]}
    assert closed.json()["status"] == "closed"
    assert closed.json()["result"]["frozen"] is True


def test_only_a_draft_vote_is_deleted(api_client, community_user, open_vote, building):
    draft = vote_create(
        estate=building.estate, matter=9, title="草稿", actor=community_user
    )
    api_client.force_authenticate(community_user)

    refused = api_client.delete(f"{VOTES}{open_vote.pk}/")
    deleted = api_client.delete(f"{VOTES}{draft.pk}/")

    assert refused.json() == {"non_field_errors": ["已开始的表决不能删除，只能结束。"]}
    assert deleted.status_code == 204
    assert list(Vote.objects.all()) == [open_vote]


def test_ballots_page_by_cursor_with_their_place_and_proxy(
    api_client, community_user, open_vote, flats
):
    ballot_cast(
        vote=open_vote, household=flats[0], choice="yes", actor=Resident(flats[0])
    )
    ballot_cast(
        vote=open_vote,
        household=flats[1],
        choice="no",
        actor=community_user,
        paper_date=timezone.localdate() - datetime.timedelta(days=1),
        proxy_name="李四",
        proxy_document="委托书3号",
    )
    api_client.force_authenticate(community_user)

    body = api_client.get(BALLOTS, {"vote": open_vote.pk, "page_size": 1}).json()
    rest = api_client.get(body["next"]).json()
    paper = api_client.get(BALLOTS, {"channel": "paper"}).json()["results"]

    assert len(body["results"]) == 1 and len(rest["results"]) == 1
    assert [row["proxy_document"] for row in paper] == ["委托书3号"]
    row = paper[0]
    assert (row["building_name"], row["unit"], row["room"], row["choice"]) == (
        "5栋",
        1,
        "102",
        "no",
    )
