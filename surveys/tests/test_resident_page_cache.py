"""A campaign page is kept in the cache under everything it depends on: seen
again it costs one light query, and no change (a new version, a reissued code,
a close, the elder mode, a signed-in worker) ever gets a stale page."""

import datetime

import pytest
from django.utils import timezone

from surveys.models import Campaign
from surveys.services import access_code_issue
from surveys.tests.resident_data import full_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(community):
    return full_campaign(community, kinds=["wants", "rating"])


def rating(setup, value):
    return {
        f"q{setup.q('wants')}": str(setup.options["wants"][1]),
        f"q{setup.q('rating')}": str(value),
    }


def test_a_page_seen_again_costs_one_query(
    client, setup, django_assert_max_num_queries
):
    first = client.get(setup.url).content

    with django_assert_max_num_queries(1):
        again = client.get(setup.url)

    assert again.content == first
    assert again["Referrer-Policy"] == "no-referrer"
    assert again["Cache-Control"] == "private, no-store"


def test_a_new_version_shows_at_once(client, setup):
    client.post(setup.url, rating(setup, 2))
    assert 'value="2" checked' in client.get(setup.url).content.decode()

    client.post(setup.url, rating(setup, 5))

    page = client.get(setup.url).content.decode()
    assert 'value="5" checked' in page
    assert 'value="2" checked' not in page
    assert 'data-version="2"' in page


def test_a_reissued_code_is_refused_even_with_its_page_cached(
    client, setup, street_user
):
    client.get(setup.url)

    access_code_issue(household=setup.household, actor=street_user)

    assert client.get(setup.url).status_code == 404


@pytest.mark.parametrize(
    "change",
    [
        {"status": Campaign.Status.CLOSED},
        {"closes_at": timezone.now() - datetime.timedelta(seconds=1)},
    ],
    ids=["closed", "past_its_closing_time"],
)
def test_a_campaign_that_stops_taking_answers_is_read_only_at_once(
    client, setup, change
):
    client.get(setup.url)

    Campaign.objects.filter(pk=setup.campaign.pk).update(**change)  # no updated_at

    page = client.get(setup.url).content.decode()
    assert "征询已结束" in page
    assert 'class="survey"' not in page


def test_the_elder_mode_has_its_own_page(client, setup):
    client.get(setup.url)

    client.cookies["elder_mode"] = "1"

    assert '<body class="resident elder">' in client.get(setup.url).content.decode()


def test_a_signed_in_workers_page_is_neither_cached_nor_served_from_cache(
    client, setup, street_user
):
    client.get(setup.url)
    client.force_login(street_user)

    worker_page = client.get(setup.url).content.decode()
    client.logout()
    resident_page = client.get(setup.url).content.decode()

    assert "管理后台" in worker_page
    assert "管理后台" not in resident_page


def test_a_query_string_bypasses_the_cache(
    client, setup, django_assert_max_num_queries
):
    client.get(setup.url + "?from=qr")

    with django_assert_max_num_queries(5) as captured:
        client.get(setup.url + "?from=qr")

    # The page is built again: the household's lookup runs, the cache's stamp
    # query does not.
    sqls = [query["sql"] for query in captured]
    assert any("surveys_household_campaign" in sql for sql in sqls)
    assert not any("surveys_page_stamp" in sql for sql in sqls)
