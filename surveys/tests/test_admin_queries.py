"""The order menu's admin lists and change pages run a fixed number of queries,
whatever the number of rows (asserted at two sizes)."""

import pytest
from django.urls import reverse

from baitang.roles import SYSTEM
from communities.tests.factories import (
    BuildingFactory,
    EstateFactory,
    HouseholdFactory,
    ProblemFactory,
)
from communities.tests.image_samples import jpeg_with_gps, upload
from surveys import services
from surveys.models import Ballot, Opinion, Reply, Response
from surveys.permissions import Resident
from surveys.tests.factories import (
    AccessCodeFactory,
    CampaignFactory,
    InterviewFactory,
    MeetingFactory,
    MenuItemFactory,
    OptionFactory,
    QuestionFactory,
    QuestionItemFactory,
    VoteFactory,
)
from surveys.tests.staff_data import answer_online, many_households, survey

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("default_problem_categories"),
]

SIZES = [2, 12]


def _households(community, count):
    building = BuildingFactory(estate=EstateFactory(community=community))
    return many_households(building, count)


def _responses(community, count):
    data = survey(community, name=f"测试小区{count}", per_building=(count, 0))
    for household in data.households:
        answer_online(data, household, text="希望加装扶手")
    return data


def make_rows(model: str, community, count: int) -> None:
    """`count` rows (with what their list shows) for the list of `model`."""
    if model == "menuitem":
        MenuItemFactory.create_batch(count)
    elif model == "campaign":
        for _ in range(count):
            QuestionFactory(campaign=CampaignFactory(estate__community=community))
    elif model in ("response", "reply"):
        _responses(community, count)
    elif model == "opinion":
        estate = EstateFactory(community=community)
        Opinion.objects.bulk_create(
            [Opinion(estate=estate, text=f"意见{n}") for n in range(count)]
        )
    elif model == "accesscode":
        for household in _households(community, count):
            AccessCodeFactory(household=household)
    elif model == "vote":
        VoteFactory.create_batch(count, estate=EstateFactory(community=community))
    elif model == "interview":
        InterviewFactory.create_batch(count, estate=EstateFactory(community=community))
    elif model == "meeting":
        for meeting in MeetingFactory.create_batch(
            count, estate=EstateFactory(community=community)
        ):
            services.meeting_participant_add(
                meeting=meeting, name="张阿姨", role="resident", actor=SYSTEM
            )
    else:
        raise AssertionError(model)


# The most queries each list may run (session, user, the page, its count, the
# filters' choices), the same at every size.
LIST_QUERIES = {
    "menuitem": 6,
    "campaign": 8,
    "response": 8,
    "reply": 8,
    "opinion": 8,
    "accesscode": 8,
    "vote": 8,
    "interview": 10,  # with the dates of date_hierarchy
    "meeting": 10,
}


@pytest.mark.parametrize("model", sorted(LIST_QUERIES))
def test_each_list_runs_a_fixed_number_of_queries(
    client, street_user, community, django_assert_max_num_queries, model
):
    client.force_login(street_user)
    url = reverse(f"admin:surveys_{model}_changelist")
    client.get(url)  # warm the session
    for size in SIZES:
        make_rows(model, community, size)

        with django_assert_max_num_queries(LIST_QUERIES[model]):
            params = {} if model == "menuitem" else {"community": community.pk}
            response = client.get(url, params)

        assert response.status_code == 200
        assert len(response.context["cl"].result_list) >= size


# --- Change pages with many inline rows -----------------------------------------------


def campaign_with_questions(community, count):
    campaign = CampaignFactory(
        estate__community=community, status="draft", opens_at=None, closes_at=None
    )
    for position in range(1, count + 1):
        question = QuestionFactory(campaign=campaign, position=position, kind="single")
        OptionFactory(question=question, position=1)
    return reverse("admin:surveys_campaign_change", args=[campaign.pk])


def question_with_items(community, count):
    question = QuestionFactory(
        campaign=CampaignFactory(
            estate__community=community, status="draft", opens_at=None
        ),
        kind="menu_rank",
    )
    for _ in range(count):
        QuestionItemFactory(question=question)
    return reverse("admin:surveys_question_change", args=[question.pk])


def response_with_answers(community, count):
    data = survey(community, name=f"测试小区{count}", per_building=(1, 0))
    extra = {}
    for position in range(5, 5 + count):
        question = QuestionFactory(
            campaign=data.campaign, position=position, kind="text"
        )
        extra[question.pk] = f"意见{position}"
    household = data.households[0]
    services.response_submit(
        campaign=data.campaign,
        household=household,
        answers={**data.answers(), **extra},
        actor=Resident(household),
    )
    response = Response.objects.get(campaign=data.campaign)
    return reverse("admin:surveys_response_change", args=[response.pk])


def vote_with_ballots(community, count):
    building = BuildingFactory(estate__community=community)
    vote = VoteFactory(estate=building.estate)
    for household in many_households(building, count):
        Ballot.objects.create(
            vote=vote, household=household, holder_key=f"h{household.pk}", choice="yes"
        )
    return reverse("admin:surveys_vote_change", args=[vote.pk])


def meeting_with_rows(community, count):
    meeting = MeetingFactory(estate__community=community)
    household = HouseholdFactory(building=BuildingFactory(estate=meeting.estate))
    problem = ProblemFactory(estate=meeting.estate)
    for n in range(count):
        services.meeting_participant_add(
            meeting=meeting,
            name=f"居民{n}",
            role="resident",
            actor=SYSTEM,
            household=household,
        )
        services.meeting_decision_add(
            meeting=meeting, text=f"决定{n}", problems=[problem], actor=SYSTEM
        )
    for _ in range(min(count, 3)):
        services.meeting_photo_add(
            meeting=meeting, image_file=upload(jpeg_with_gps()), actor=SYSTEM
        )
    return reverse("admin:surveys_meeting_change", args=[meeting.pk])


def reply_page(community, count):
    data = _responses(community, count)
    return reverse(
        "admin:surveys_reply_change",
        args=[Reply.objects.filter(response__campaign=data.campaign).first().pk],
    )


def access_code_page(community, count):
    code = None
    for household in _households(community, count):
        code = AccessCodeFactory(household=household)
    return reverse("admin:surveys_accesscode_change", args=[code.pk])


CHANGE_PAGES = {
    "campaign": (campaign_with_questions, 10),
    "question": (question_with_items, 10),
    "response": (response_with_answers, 9),
    "vote": (vote_with_ballots, 9),
    "meeting": (meeting_with_rows, 19),
    "reply": (reply_page, 8),
    "accesscode": (access_code_page, 6),
}


@pytest.mark.parametrize("page", sorted(CHANGE_PAGES))
def test_each_change_page_runs_a_fixed_number_of_queries(
    client, street_user, community, django_assert_max_num_queries, page
):
    make, limit = CHANGE_PAGES[page]
    client.force_login(street_user)
    client.get(reverse("admin:index"))
    for size in SIZES:
        url = make(community, size)

        with django_assert_max_num_queries(limit):
            response = client.get(url)

        assert response.status_code == 200
