"""The residents' pages run a fixed, small number of queries whatever the
number of households, answers, campaigns and replies (asserted at two sizes):
the campaign page GET and the submission POST at most 10 each."""

import pytest
from django.core.cache import cache

from baitang.roles import SYSTEM
from surveys.models import Reply
from surveys.permissions import Resident
from surveys.services import reply_set, response_submit
from surveys.tests.factories import CampaignFactory, VoteFactory
from surveys.tests.resident_data import full_campaign, household_with_code, rank_fields

pytestmark = pytest.mark.django_db


def answers(setup):
    return {
        setup.q("rank"): setup.items["rank"][:3],
        setup.q("wants"): setup.options["wants"][0],
        setup.q("why"): "腿脚不便",
        setup.q("rating"): 4,
        setup.q("points"): {setup.items["points"][0]: 5},
        setup.q("budget"): setup.items["budget"][:1],
        setup.q("multiple"): setup.options["multiple"][:2],
        setup.q("text"): "修路",
    }


def post_data(setup, rating="5"):
    data = rank_fields(setup, 1, 2, 3)
    data |= {
        f"q{setup.q('wants')}": str(setup.options["wants"][0]),
        f"q{setup.q('why')}": "腿脚不便",
        f"q{setup.q('rating')}": rating,
        f"q{setup.q('points')}_i{setup.items['points'][0]}": "5",
        f"q{setup.q('budget')}": str(setup.items["budget"][0]),
        f"q{setup.q('multiple')}": [str(o) for o in setup.options["multiple"][:2]],
        f"q{setup.q('text')}": "修路",
    }
    return data


@pytest.fixture(params=[1, 25], ids=["few", "many"])
def setup(request, community):
    """The household under test, plus `size` neighbours who answered, `size`
    other campaigns and votes, and replies to the household's words."""
    size = request.param
    setup = full_campaign(community)
    estate = setup.campaign.estate
    for _ in range(size):
        neighbour, _code = household_with_code(estate)
        response_submit(
            campaign=setup.campaign,
            household=neighbour,
            answers=answers(setup),
            actor=Resident(neighbour),
        )
    for index in range(size):
        other = CampaignFactory(estate=estate, title=f"征询{index}")
        response_submit(
            campaign=other,
            household=setup.household,
            answers={},
            actor=Resident(setup.household),
        )
        VoteFactory(estate=estate, title=f"表决{index}")
    mine = response_submit(
        campaign=setup.campaign,
        household=setup.household,
        answers=answers(setup),
        actor=Resident(setup.household),
    )
    for key in ("why", "text"):
        reply_set(
            response=mine,
            question=setup.questions[key],
            status=Reply.Status.LATER,
            text="列入下一期",
            actor=SYSTEM,
        )
    return setup


def test_the_campaign_page_runs_a_fixed_number_of_queries(
    client, setup, django_assert_max_num_queries
):
    cache.clear()  # the first visit also loads the campaign's structure
    with django_assert_max_num_queries(8):
        assert client.get(setup.url).status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get(setup.url).status_code == 200


def test_a_submission_runs_a_fixed_number_of_queries(
    client, setup, django_assert_max_num_queries
):
    client.get(setup.url)  # structure cached, as on any busy campaign
    with django_assert_max_num_queries(10):
        assert client.post(setup.url, post_data(setup)).status_code == 302


def test_a_submission_with_errors_runs_a_fixed_number_of_queries(
    client, setup, django_assert_max_num_queries
):
    client.get(setup.url)
    with django_assert_max_num_queries(7):
        assert client.post(setup.url, post_data(setup, rating="9")).status_code == 200


def test_the_household_page_runs_a_fixed_number_of_queries(
    client, setup, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = client.get(setup.household_url)
    assert response.status_code == 200
    assert "列入下一期" in response.content.decode()


def test_the_ballot_page_runs_a_fixed_number_of_queries(
    client, setup, django_assert_max_num_queries
):
    vote = VoteFactory(estate=setup.campaign.estate)
    url = f"/s/{setup.code}/v/{vote.pk}/"
    with django_assert_max_num_queries(5):
        assert client.get(url).status_code == 200
    # Most of these are ballot_cast's: a row lock, the holder, full_clean's
    # unique and constraint checks.
    with django_assert_max_num_queries(17):
        assert client.post(url, {"choice": "yes"}).status_code == 302
