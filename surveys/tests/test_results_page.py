from decimal import Decimal

import pytest
from django.urls import reverse

from communities.models import Household
from surveys.models import Campaign
from surveys.tests.factories import CampaignFactory
from surveys.tests.staff_data import (
    ITEM_NAMES,
    answer_on_paper,
    answer_online,
    many_households,
    survey,
)

pytestmark = pytest.mark.django_db


def url(campaign):
    return reverse("surveys:campaign_results", args=[campaign.pk])


@pytest.fixture
def data(community, community_user):
    data = survey(community)
    first, second, third, fourth, fifth, _sixth = data.households
    Household.objects.filter(pk=first.pk).update(elderly_living_alone=True)
    Household.objects.filter(pk=second.pk).update(occupancy=Household.Occupancy.RENTED)
    answer_online(data, first, order=(0, 1, 2), rating=5, text="楼道灯坏了")
    answer_online(data, second, order=(1, 0, 2), option=1, rating=3)
    answer_on_paper(data, third, community_user, order=(1, 2, 0), rating=4)
    answer_on_paper(data, fifth, community_user, order=(0, 1), rating=4, text="加扶手")
    return data


# --- who may see it -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("street", 200),
        ("community", 200),
        ("other_community", 404),
        ("party", 403),
    ],
)
def test_results_page_by_role(client, role_users, data, role, status):
    client.force_login(role_users[role])

    response = client.get(url(data.campaign))

    assert response.status_code == status


def test_anonymous_is_sent_to_login(client, data):
    response = client.get(url(data.campaign))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_a_template_has_no_results_page(client, street_user):
    template = CampaignFactory(
        estate=None, is_template=True, status=Campaign.Status.DRAFT
    )
    client.force_login(street_user)

    assert client.get(url(template)).status_code == 404


# --- the figures ----------------------------------------------------------------------


def test_response_rate_overall_and_per_building(client, community_user, data):
    client.force_login(community_user)

    response = client.get(url(data.campaign))

    results = response.context["results"]
    assert (results.households, results.responded, results.paper) == (6, 4, 2)
    assert results.rate == Decimal("66.7")
    rows = {row["name"]: row for row in results.buildings}
    assert (rows["1栋"]["household_total"], rows["1栋"]["responded"]) == (4, 3)
    assert rows["1栋"]["paper"] == 1
    assert rows["1栋"]["rate"] == Decimal("75.0")
    assert (rows["2栋"]["responded"], rows["2栋"]["paper"]) == (1, 1)
    page = response.content.decode()
    assert "66.7%" in page
    assert "75.0%" in page
    chart = response.context["charts"]["buildings"]
    bars = {row["label"]: row for row in chart["rows"]}
    assert [s["value"] for s in bars["1栋"]["segments"]] == [2, 1]  # online, paper


def test_ranked_menu_overall_and_per_group(client, community_user, data):
    client.force_login(community_user)

    response = client.get(url(data.campaign))

    ((question, ranked),) = response.context["results"].menus
    assert question.id == data.rank.pk
    # Borda with 3 items: 1st = 3, 2nd = 2, 3rd = 1 point.
    # 电梯: 3 + 2 + 1 + 3 = 9; 雨污: 2 + 3 + 3 + 2 = 10; 停车: 1 + 1 + 2 = 4.
    assert [(item.name, item.score) for item in ranked] == [
        (ITEM_NAMES[1], 10),
        (ITEM_NAMES[0], 9),
        (ITEM_NAMES[2], 4),
    ]
    elevator = ranked[1]
    assert elevator.supporters == 4
    assert elevator.by_group == {
        "elderly_alone": 3,
        "others": 6,
        "owner_occupied": 7,
        "rented": 2,
    }
    # Among the elderly living alone the elevator comes first.
    assert elevator.group_ranks["elderly_alone"] == 1
    assert ranked[0].group_ranks["elderly_alone"] == 2
    assert response.context["results"].group_sizes == {
        "elderly_alone": 1,
        "others": 3,
        "owner_occupied": 3,
        "rented": 1,
    }
    page = response.content.decode()
    assert "独居老人户 1 户" in page
    assert "3（第1）" in page  # the elevator's score and place among the elderly


def test_rating_distribution_and_choice_counts(client, street_user, data):
    client.force_login(street_user)

    response = client.get(url(data.campaign))

    ((question, rows, mean),) = response.context["results"].ratings
    assert {row["rating"]: row["count"] for row in rows} == {
        5: 1,
        4: 2,
        3: 1,
        2: 0,
        1: 0,
    }
    assert mean == Decimal("4.00")
    ((_question, options),) = response.context["results"].choices
    assert [(row["label"], row["count"]) for row in options] == [
        ("同意", 3),
        ("不同意", 1),
    ]
    page = response.content.decode()
    assert "平均 4.00 分（4 户评分）" in page
    assert f'id="chart-q{data.rating.pk}"' in page


def test_words_awaiting_reply_link_to_the_words_page(client, street_user, data):
    client.force_login(street_user)

    response = client.get(url(data.campaign))

    assert response.context["results"].words_pending == 2
    page = response.content.decode()
    assert "其中 2 条待答复" in page
    words = reverse("surveys:campaign_words", args=[data.campaign.pk])
    assert f'href="{words}?status=pending"' in page


def test_charts_have_data_tables_and_no_style_attributes(client, street_user, data):
    client.force_login(street_user)

    page = client.get(url(data.campaign)).content.decode()

    assert page.count('class="chart-data"') == 4  # buildings, menu, rating, choice
    assert "style=" not in page
    assert "<script>" not in page


def test_status_buttons_follow_the_transitions(client, street_user, data):
    client.force_login(street_user)

    page = client.get(url(data.campaign)).content.decode()

    status_url = reverse("surveys:campaign_status", args=[data.campaign.pk])
    assert f'href="{status_url}?to=closed"' in page
    assert "?to=open" not in page


def test_an_empty_campaign_shows_no_division_by_zero(client, street_user, community):
    campaign = CampaignFactory(estate__community=community)
    client.force_login(street_user)

    response = client.get(url(campaign))

    assert response.status_code == 200
    assert response.context["results"].rate is None
    assert "暂无数据" in response.content.decode()


# --- queries --------------------------------------------------------------------------


@pytest.mark.parametrize("count", [4, pytest.param(60, marks=pytest.mark.slow)])
def test_query_count_does_not_grow_with_responses(
    client, django_assert_max_num_queries, community_user, community, count
):
    data = survey(community)
    extra = many_households(data.buildings[1], count)
    for household in extra:
        answer_online(data, household, text="意见")
    client.force_login(community_user)
    client.get(url(data.campaign))  # the campaign's questions are cached now

    with django_assert_max_num_queries(10):
        response = client.get(url(data.campaign))

    assert response.context["results"].responded == count
