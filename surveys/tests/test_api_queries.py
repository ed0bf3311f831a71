"""Every order-menu list in the API runs a fixed number of queries, whatever the
number of rows and of the rows nested in them (asserted at two sizes)."""

import pytest

from baitang.roles import SYSTEM
from communities.tests.factories import BuildingFactory, EstateFactory, ProblemFactory
from communities.tests.image_samples import jpeg_with_gps, upload
from surveys import services
from surveys.models import Ballot
from surveys.permissions import Resident
from surveys.tests.factories import (
    CampaignFactory,
    InterviewFactory,
    MeetingFactory,
    MenuItemFactory,
    OptionFactory,
    QuestionFactory,
    QuestionItemFactory,
    VoteFactory,
)
from surveys.tests.staff_data import many_households, survey

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("default_problem_categories"),
]

SIZES = [2, 12]


def _survey_answered(community, count):
    data = survey(community, name=f"测试小区{count}", per_building=(count, 0))
    for household in data.households:
        services.response_submit(
            campaign=data.campaign,
            household=household,
            answers=data.answers(text="希望加装扶手"),
            actor=Resident(household),
        )
    return data


def make_rows(endpoint: str, community, count: int) -> None:
    if endpoint == "menu-items":
        MenuItemFactory.create_batch(count)
    elif endpoint == "campaigns":
        for _ in range(count):
            campaign = CampaignFactory(estate__community=community)
            for position in (1, 2):
                question = QuestionFactory(
                    campaign=campaign, position=position, kind="single"
                )
                OptionFactory.create_batch(2, question=question)
            menu = QuestionFactory(campaign=campaign, position=3, kind="menu_rank")
            QuestionItemFactory.create_batch(2, question=menu)
    elif endpoint in ("responses", "replies"):
        _survey_answered(community, count)
    elif endpoint == "votes":
        building = BuildingFactory(estate__community=community)
        many_households(building, 2, start=count * 100)
        for _ in range(count):
            vote = VoteFactory(estate=building.estate)
            services.vote_set_status(vote=vote, status="closed", actor=SYSTEM)
            VoteFactory(estate=building.estate)
    elif endpoint == "ballots":
        building = BuildingFactory(estate__community=community)
        vote = VoteFactory(estate=building.estate)
        Ballot.objects.bulk_create(
            Ballot(vote=vote, household=h, holder_key=f"h{h.pk}", choice="yes")
            for h in many_households(building, count, start=count * 100)
        )
    elif endpoint == "interviews":
        estate = EstateFactory(community=community)
        problem = ProblemFactory(estate=estate)
        item = MenuItemFactory()
        for interview in InterviewFactory.create_batch(count, estate=estate):
            interview.items.set([item])
            interview.problems.set([problem])
    elif endpoint == "meetings":
        estate = EstateFactory(community=community)
        problem = ProblemFactory(estate=estate)
        for meeting in MeetingFactory.create_batch(count, estate=estate):
            services.meeting_participant_add(
                meeting=meeting, name="张阿姨", role="resident", actor=SYSTEM
            )
            services.meeting_decision_add(
                meeting=meeting, text="决定", problems=[problem], actor=SYSTEM
            )
        services.meeting_photo_add(
            meeting=meeting, image_file=upload(jpeg_with_gps()), actor=SYSTEM
        )
    else:
        raise AssertionError(endpoint)


# The queries each list runs as community staff (the scope is a subquery; a
# page of up to 200 rows needs no count).
LIST_QUERIES = {
    "menu-items": 1,
    "campaigns": 5,  # + questions, options, menu items, response counts
    "responses": 2,  # + answers
    "replies": 1,
    "votes": 1,  # stored counts only
    "ballots": 1,
    "interviews": 3,  # + menu items, problems
    "meetings": 7,  # + participants, decisions and their three links, photos
}


@pytest.mark.parametrize("endpoint", sorted(LIST_QUERIES))
def test_each_list_runs_a_fixed_number_of_queries(
    api_client, community_user, community, django_assert_max_num_queries, endpoint
):
    api_client.force_authenticate(community_user)
    for size in SIZES:
        make_rows(endpoint, community, size)

        with django_assert_max_num_queries(LIST_QUERIES[endpoint]):
            response = api_client.get(f"/api/v1/{endpoint}/", {"page_size": 200})

        assert response.status_code == 200
        assert len(response.json()["results"]) >= size


def test_one_vote_is_counted_in_a_fixed_number_of_queries(
    api_client, community_user, community, django_assert_max_num_queries
):
    api_client.force_authenticate(community_user)
    for size in SIZES:
        building = BuildingFactory(estate__community=community)
        vote = VoteFactory(estate=building.estate, building=building)
        Ballot.objects.bulk_create(
            Ballot(vote=vote, household=h, holder_key=f"h{h.pk}", choice="yes")
            for h in many_households(building, size)
        )

        with django_assert_max_num_queries(4):
            response = api_client.get(f"/api/v1/votes/{vote.pk}/")

        assert response.json()["result"]["total_heads"] == size
