"""Owners' votes through the services: scope, holders from the register, ballots
online and on paper (with proxies), consents, and the count frozen at close."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from communities.models import Household
from communities.tests.factories import BuildingFactory, HouseholdFactory, OwnerFactory
from surveys.models import Ballot, StatusChange, Vote
from surveys.permissions import Resident
from surveys.selectors import UNSOLD, holder_key_of, vote_tally
from surveys.services import ballot_cast, consent_record, vote_create, vote_set_status
from surveys.tests.factories import MenuItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def building(community):
    return BuildingFactory(estate__community=community, unit_count=2)


def flat(building, owners, unit=1, area="100", **kwargs):
    return HouseholdFactory(
        building=building,
        unit=unit,
        exclusive_area=Decimal(area),
        owners=owners,
        **kwargs,
    )


@pytest.fixture
def vote(building, community_user):
    vote = vote_create(
        estate=building.estate,
        building=building,
        unit=1,
        matter=7,
        title="1单元加装电梯",
        actor=community_user,
    )
    return vote_set_status(vote=vote, status=Vote.Status.OPEN, actor=community_user)


def test_a_vote_records_the_rule_in_force(vote):
    assert vote.rule_version == "civil-code-278-2021"
    assert vote.status == Vote.Status.OPEN
    assert StatusChange.objects.filter(vote=vote, to_status="open").count() == 1


def test_an_elevator_item_must_be_voted_as_matter_seven(building, community_user):
    lift = MenuItemFactory(
        name="加装电梯", needs_vote=True, vote_matter=7, scope="unit", kind="custom"
    )

    with pytest.raises(ValidationError) as wrong_matter:
        vote_create(
            estate=building.estate,
            building=building,
            matter=4,
            title="x",
            item=lift,
            actor=community_user,
        )
    with pytest.raises(ValidationError) as whole_estate:
        vote_create(
            estate=building.estate, matter=7, title="x", item=lift, actor=community_user
        )

    assert wrong_matter.value.message_dict == {
        "matter": ["“加装电梯”应按第7项事项表决。"]
    }
    assert whole_estate.value.message_dict == {
        "building": ["“加装电梯”须按楼栋或单元表决，请选择楼栋。"]
    }


def test_staff_of_another_community_cannot_create_a_vote(
    building, other_community_user
):
    with pytest.raises(PermissionDenied):
        vote_create(
            estate=building.estate, matter=1, title="x", actor=other_community_user
        )


def test_holders_come_from_the_register(building):
    wang = OwnerFactory(name="王")
    li = OwnerFactory(name="李")
    developer = OwnerFactory(name="开发商", is_developer=True)

    assert holder_key_of(flat(building, [wang])) == f"o{wang.pk}"
    assert (
        holder_key_of(flat(building, [li, wang]))
        == f"o{min(wang.pk, li.pk)}+o{max(wang.pk, li.pk)}"
    )
    assert holder_key_of(flat(building, [developer])) == UNSOLD
    assert (
        holder_key_of(flat(building, [], occupancy=Household.Occupancy.UNSOLD))
        == UNSOLD
    )
    unnamed = flat(building, [])
    assert holder_key_of(unnamed) == f"h{unnamed.pk}"


def test_an_owner_of_two_flats_votes_once_for_both(vote, building):
    wang, li, zhao = OwnerFactory(), OwnerFactory(), OwnerFactory()
    first = flat(building, [wang], area="80")
    flat(building, [wang], area="80")
    flat(building, [li], area="80")
    flat(building, [zhao], area="80")
    flat(building, [OwnerFactory()], unit=2)  # another unit: not in this vote

    ballot_cast(vote=vote, household=first, choice="yes", actor=Resident(first))
    tally = vote_tally(vote)

    assert (tally.total_heads, tally.total_area) == (3, 320)
    assert (tally.part_heads, tally.part_area) == (1, 160)


def test_a_holder_changes_their_ballot_until_close_and_every_change_is_kept(
    vote, building
):
    wang = OwnerFactory()
    home = flat(building, [wang])
    second_home = flat(building, [wang])

    ballot_cast(vote=vote, household=home, choice="no", actor=Resident(home))
    ballot_cast(
        vote=vote, household=second_home, choice="yes", actor=Resident(second_home)
    )

    ballot = Ballot.objects.get(vote=vote)
    assert ballot.choice == "yes"
    assert [entry["choice"] for entry in ballot.history] == ["no", "yes"]


def test_a_worker_enters_a_paper_ballot_with_a_written_proxy(
    vote, building, community_user
):
    home = flat(building, [OwnerFactory()])

    ballot = ballot_cast(
        vote=vote,
        household=home,
        choice="yes",
        actor=community_user,
        paper_date=timezone.localdate(),
        proxy_name="王小明",
        proxy_document="委托书第3号",
    )

    assert ballot.channel == Ballot.Channel.PAPER
    assert ballot.entered_by == community_user
    assert (ballot.proxy_name, ballot.proxy_document) == ("王小明", "委托书第3号")


def test_a_proxy_needs_its_written_document(vote, building, community_user):
    home = flat(building, [OwnerFactory()])

    with pytest.raises(ValidationError) as error:
        ballot_cast(
            vote=vote,
            household=home,
            choice="yes",
            actor=community_user,
            paper_date=timezone.localdate(),
            proxy_name="王小明",
        )

    assert error.value.message_dict == {
        "proxy_document": ["委托投票须登记书面委托书。"]
    }


def test_a_household_outside_the_vote_cannot_vote(vote, building):
    other_unit = flat(building, [OwnerFactory()], unit=2)

    with pytest.raises(ValidationError) as error:
        ballot_cast(
            vote=vote, household=other_unit, choice="yes", actor=Resident(other_unit)
        )

    assert error.value.messages == ["该户不在本次表决的范围内。"]


def test_a_resident_votes_only_for_their_own_household(vote, building):
    home = flat(building, [OwnerFactory()])
    neighbour = flat(building, [OwnerFactory()])

    with pytest.raises(PermissionDenied):
        ballot_cast(vote=vote, household=home, choice="yes", actor=Resident(neighbour))


def test_closing_freezes_the_count_and_no_ballot_is_taken_after(
    vote, building, community_user
):
    homes = [flat(building, [OwnerFactory()]) for _ in range(4)]
    for home in homes[:3]:
        ballot_cast(vote=vote, household=home, choice="yes", actor=Resident(home))

    vote_set_status(vote=vote, status=Vote.Status.CLOSED, actor=community_user)
    with pytest.raises(ValidationError):
        ballot_cast(
            vote=vote, household=homes[3], choice="no", actor=Resident(homes[3])
        )

    vote.refresh_from_db()
    assert vote.passed is True
    assert vote.result["part_heads"] == 3
    assert vote.result["total_heads"] == 4
    assert vote.result["rule_version"] == "civil-code-278-2021"
    assert vote.result["failed"] == []


def test_an_occupied_owner_who_refuses_stops_the_elevator(
    vote, building, community_user
):
    homes = [flat(building, [OwnerFactory()]) for _ in range(4)]
    for home in homes:
        ballot_cast(vote=vote, household=home, choice="yes", actor=Resident(home))

    consent_record(vote=vote, household=homes[0], consented=False, actor=community_user)
    refused = vote_tally(vote)
    consent_record(
        vote=vote,
        household=homes[0],
        consented=True,
        document="同意书第1号",
        actor=community_user,
    )
    given = vote_tally(vote)

    assert refused.passed is False
    assert refused.failed_conditions() == ["专有部分受影响的业主未全部书面同意"]
    assert given.passed is True


def test_a_closed_vote_cannot_reopen(vote, community_user):
    vote_set_status(vote=vote, status=Vote.Status.CLOSED, actor=community_user)

    with pytest.raises(ValidationError):
        vote_set_status(vote=vote, status=Vote.Status.OPEN, actor=community_user)


def test_a_vote_past_its_closing_time_takes_no_ballots(vote, building):
    Vote.objects.filter(pk=vote.pk).update(
        opens_at=timezone.now() - datetime.timedelta(days=2),
        closes_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    home = flat(building, [OwnerFactory()])

    with pytest.raises(ValidationError) as error:
        ballot_cast(vote=vote, household=home, choice="yes", actor=Resident(home))

    assert error.value.messages == ["表决已结束或尚未开始，不能投票。"]


@pytest.mark.parametrize(
    "occupancy",
    [
        Household.Occupancy.RENTED,
        Household.Occupancy.VACANT,
        Household.Occupancy.UNSOLD,
    ],
)
def test_only_an_owner_occupied_flat_votes_online(vote, building, occupancy):
    # A tenant holds the rented flat's slip: it must not speak for the owner.
    flat_ = flat(building, [OwnerFactory()], occupancy=occupancy)

    with pytest.raises(ValidationError) as error:
        ballot_cast(vote=vote, household=flat_, choice="yes", actor=Resident(flat_))

    assert "网上投票只面向业主自住的住户" in error.value.messages[0]
    assert not Ballot.objects.exists()


def test_the_owner_of_a_rented_flat_votes_on_paper(vote, building, community_user):
    rented = flat(building, [OwnerFactory()], occupancy=Household.Occupancy.RENTED)

    ballot = ballot_cast(
        vote=vote,
        household=rented,
        choice="yes",
        actor=community_user,
        paper_date=timezone.localdate(),
    )

    assert ballot.channel == Ballot.Channel.PAPER
