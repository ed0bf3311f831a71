import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.tests.factories import HouseholdFactory
from surveys.models import Answer, Campaign, Response
from surveys.tests.factories import CampaignFactory
from surveys.tests.staff_data import answer_online, many_households, survey

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def url(campaign):
    return reverse("surveys:campaign_paper", args=[campaign.pk])


@pytest.fixture
def data(community):
    return survey(community)


def form_data(data, household, *, paper_date=YESTERDAY, rating="4", **more):
    """What the paper page posts (the resident form's field names)."""
    values = {
        "household": str(household.pk),
        "paper_date": paper_date.isoformat() if paper_date else "",
        f"q{data.rank.pk}_i{data.items[0].pk}": "2",
        f"q{data.rank.pk}_i{data.items[1].pk}": "1",
        f"q{data.rank.pk}_i{data.items[2].pk}": "",
        f"q{data.single.pk}": str(data.options[0].pk),
        f"q{data.rating.pk}": rating,
        f"q{data.text.pk}": "楼梯扶手松了",
    }
    values.update(more)
    return values


# --- picking a household -------------------------------------------------------------


def test_the_picker_lists_a_buildings_households_with_progress(
    client, community_user, data
):
    first = data.households[0]
    answer_online(data, first)
    client.force_login(community_user)

    response = client.get(url(data.campaign), {"building": data.buildings[0].pk})

    assert response.status_code == 200
    households = list(response.context["households"])
    assert [h.number for h in households] == ["101", "102", "201", "202"]
    assert households[0].response_channel == "online"
    page = response.content.decode()
    assert "✔ 已手机填写" in page
    assert page.count("未填写") == 3
    assert f"?building={data.buildings[0].pk}&amp;household={first.pk}" in page


def test_the_picker_finds_a_room_number(client, community_user, data):
    client.force_login(community_user)

    response = client.get(url(data.campaign), {"number": " 20 "})

    assert sorted(h.number for h in response.context["households"]) == ["201", "202"]


def test_the_picker_offers_only_the_campaigns_buildings(client, community_user, data):
    campaign = CampaignFactory(estate=data.estate, building=data.buildings[1])
    client.force_login(community_user)

    response = client.get(url(campaign))

    buildings = response.context["picker"].fields["building"].queryset
    assert list(buildings) == [data.buildings[1]]


# --- entering the paper ---------------------------------------------------------


def test_a_worker_enters_a_paper_response(client, community_user, data):
    household = data.households[2]
    client.force_login(community_user)

    form = client.get(url(data.campaign), {"household": household.pk})
    assert form.status_code == 200
    assert f'name="q{data.rank.pk}_i{data.items[0].pk}"' in form.content.decode()

    response = client.post(url(data.campaign), form_data(data, household))

    assert response.status_code == 302
    assert response.url == f"{url(data.campaign)}?building={household.building_id}"
    saved = Response.objects.get(campaign=data.campaign, household=household)
    assert saved.channel == Response.Channel.PAPER
    assert saved.entered_by == community_user
    assert saved.paper_date == YESTERDAY
    ranked = Answer.objects.filter(response=saved, item__isnull=False).order_by("rank")
    assert [a.item_id for a in ranked] == [data.items[1].pk, data.items[0].pk]
    assert Answer.objects.get(response=saved, rating__isnull=False).rating == 4
    page = client.get(response.url).content.decode()
    assert "已保存" in page
    assert "✔ 已代填" in page
    results = client.get(
        reverse("surveys:campaign_results", args=[data.campaign.pk])
    ).context["results"]
    assert (results.responded, results.paper) == (1, 1)


def test_an_online_response_is_shown_and_kept_as_a_version(
    client, community_user, data
):
    household = data.households[0]
    answer_online(data, household, rating=2, text="原来的意见")
    client.force_login(community_user)

    form = client.get(url(data.campaign), {"household": household.pk})

    page = form.content.decode()
    assert "用手机填写" in page
    assert "原来的意见" in page
    assert (
        f'id="q{data.rating.pk}-2" name="q{data.rating.pk}" value="2" checked' in page
    )
    client.post(url(data.campaign), form_data(data, household))
    saved = Response.objects.get(campaign=data.campaign, household=household)
    assert (saved.version, saved.channel) == (2, Response.Channel.PAPER)
    assert saved.versions.count() == 2


@pytest.mark.parametrize(
    ("paper_date", "message"),
    [
        (
            timezone.localdate() + datetime.timedelta(days=1),
            "纸质问卷日期不能晚于今天。",
        ),
        (None, "请填写纸质问卷上的日期。"),
    ],
)
def test_a_bad_paper_date_is_refused_and_the_answers_kept(
    client, community_user, data, paper_date, message
):
    household = data.households[2]
    client.force_login(community_user)

    response = client.post(
        url(data.campaign), form_data(data, household, paper_date=paper_date)
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "楼梯扶手松了" in page  # what was typed survives
    assert not Response.objects.filter(household=household).exists()


def test_a_bad_answer_is_refused_with_its_question(client, community_user, data):
    household = data.households[2]
    client.force_login(community_user)

    response = client.post(url(data.campaign), form_data(data, household, rating="9"))

    assert response.status_code == 400
    anchor = f"q{data.rating.pk}"
    assert (3, anchor, "评分应为 1 到 5 分。") in response.context["question_errors"]
    # the summary links to the question, which the page marks with that id
    page = response.content.decode()
    assert f'<a href="#{anchor}">第3题</a>' in page
    assert f'id="{anchor}"' in page
    assert not Response.objects.filter(household=household).exists()


def test_a_closed_campaign_takes_no_paper(client, community_user, data):
    Campaign.objects.filter(pk=data.campaign.pk).update(status=Campaign.Status.CLOSED)
    household = data.households[2]
    client.force_login(community_user)

    page = client.get(url(data.campaign), {"household": household.pk})
    response = client.post(url(data.campaign), form_data(data, household))

    assert "不能代填" in page.content.decode()
    assert 'name="paper_date"' not in page.content.decode()
    assert response.status_code == 400
    assert "本次征询已结束或尚未开始" in response.content.decode()
    assert not Response.objects.filter(household=household).exists()


def test_a_household_outside_the_campaigns_building_is_refused(
    client, community_user, data
):
    campaign = CampaignFactory(estate=data.estate, building=data.buildings[0])
    data.campaign = campaign
    outside = data.households[4]  # in 2栋
    client.force_login(community_user)

    page = client.get(url(campaign), {"household": outside.pk})
    response = client.post(url(campaign), {"household": outside.pk, "paper_date": ""})

    assert "该户不在本次征询的范围内" in page.content.decode()
    assert response.status_code == 400
    assert "该户不在本次征询的范围内" in response.content.decode()


def test_a_household_of_another_estate_is_missing(client, community_user, data):
    stranger = HouseholdFactory()
    client.force_login(community_user)

    response = client.post(url(data.campaign), form_data(data, stranger))

    assert response.status_code == 404
    assert not Response.objects.filter(household=stranger).exists()


@pytest.mark.parametrize("household", ["1 OR 1", "²", "1²"])
def test_a_tampered_household_id_is_a_bad_request(
    client, community_user, data, household
):
    # "²" passes str.isdigit() but is no number int() reads.
    client.force_login(community_user)

    assert client.get(url(data.campaign), {"household": household}).status_code == 400
    assert client.post(url(data.campaign), {"household": household}).status_code == 400


@pytest.mark.parametrize(
    ("role", "get_status", "post_status"),
    [
        ("street", 200, 302),
        ("community", 200, 302),
        ("other_community", 404, 404),
        ("party", 403, 403),
        ("anonymous", 302, 302),
    ],
)
def test_paper_entry_by_role(client, role_users, data, role, get_status, post_status):
    household = data.households[0]
    if role_users[role]:
        client.force_login(role_users[role])

    assert client.get(url(data.campaign)).status_code == get_status
    response = client.post(url(data.campaign), form_data(data, household))

    assert response.status_code == post_status
    saved = Response.objects.filter(household=household).exists()
    assert saved == (role in ("street", "community"))


@pytest.mark.parametrize("count", [5, pytest.param(80, marks=pytest.mark.slow)])
def test_picker_query_count_does_not_grow(
    client, django_assert_max_num_queries, community_user, data, count
):
    for household in many_households(data.buildings[0], count):
        answer_online(data, household)
    client.force_login(community_user)

    with django_assert_max_num_queries(8):
        response = client.get(url(data.campaign), {"building": data.buildings[0].pk})

    assert response.context["households"].paginator.count == count + 4
