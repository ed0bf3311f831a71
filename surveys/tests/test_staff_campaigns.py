import pytest
from django.urls import reverse

from communities.tests.factories import BuildingFactory, EstateFactory
from surveys.models import Campaign, Question, StatusChange
from surveys.tests.factories import CampaignFactory, OptionFactory, QuestionFactory
from surveys.tests.staff_data import answer_online, survey

pytestmark = pytest.mark.django_db

LIST = reverse("surveys:campaign_list")


def titles(response):
    return [campaign.title for campaign in response.context["page"]]


def status_url(campaign):
    return reverse("surveys:campaign_status", args=[campaign.pk])


def copy_url(campaign):
    return reverse("surveys:campaign_copy", args=[campaign.pk])


@pytest.fixture
def campaigns(community, other_community):
    ours = survey(community)
    answer_online(ours, ours.households[0])
    closed = CampaignFactory(
        estate=ours.estate, title="施工后满意度回访", status=Campaign.Status.CLOSED
    )
    theirs = CampaignFactory(
        estate=EstateFactory(name="福星苑", community=other_community),
        title="福星苑停车征询",
    )
    template = CampaignFactory(
        estate=None,
        is_template=True,
        status=Campaign.Status.DRAFT,
        title="加装电梯意愿征询模板",
        opens_at=None,
        closes_at=None,
    )
    question = QuestionFactory(campaign=template, kind=Question.Kind.SINGLE)
    OptionFactory(question=question, label="愿意")
    return ours, closed, theirs, template


# --- the list -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("street", {"藤翠苑7号小区改造需求征询", "施工后满意度回访", "福星苑停车征询"}),
        ("community", {"藤翠苑7号小区改造需求征询", "施工后满意度回访"}),
        ("other_community", {"福星苑停车征询"}),
    ],
)
def test_the_list_shows_the_campaigns_in_scope(
    client, role_users, campaigns, role, expected
):
    client.force_login(role_users[role])

    response = client.get(LIST)

    assert set(titles(response)) == expected
    assert [t.title for t in response.context["templates"]] == ["加装电梯意愿征询模板"]


def test_outside_parties_and_anonymous_are_refused(client, party_user, campaigns):
    assert client.get(LIST).status_code == 302
    client.force_login(party_user)
    assert client.get(LIST).status_code == 403


def test_response_counts_and_links(client, community_user, campaigns):
    ours, *_rest = campaigns
    client.force_login(community_user)

    response = client.get(reverse("surveys:campaigns"))

    counts = {c.title: c.response_count for c in response.context["page"]}
    assert counts == {"藤翠苑7号小区改造需求征询": 1, "施工后满意度回访": 0}
    page = response.content.decode()
    results = reverse("surveys:campaign_results", args=[ours.campaign.pk])
    assert f'href="{results}"' in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "回访"}, ["施工后满意度回访"]),
        ({"q": "藤翠苑"}, ["施工后满意度回访", "藤翠苑7号小区改造需求征询"]),
        ({"status": "closed"}, ["施工后满意度回访"]),
        ({"status": "bogus"}, ["施工后满意度回访", "藤翠苑7号小区改造需求征询"]),
    ],
)
def test_search_and_filters(client, community_user, campaigns, query, expected):
    client.force_login(community_user)

    assert sorted(titles(client.get(LIST, query))) == sorted(expected)


def test_filter_by_estate_ignores_an_estate_out_of_scope(
    client, community_user, campaigns
):
    ours, _closed, theirs, _template = campaigns
    client.force_login(community_user)

    mine = client.get(LIST, {"estate": ours.estate.pk})
    other = client.get(LIST, {"estate": theirs.estate_id})

    assert len(titles(mine)) == 2
    assert "福星苑停车征询" not in titles(other)
    assert "部分筛选条件无效" in other.content.decode()


def test_empty_states(client, community_user, community):
    client.force_login(community_user)

    empty = client.get(LIST).content.decode()
    nothing = client.get(LIST, {"q": "没有"}).content.decode()

    assert "还没有征询" in empty
    assert "没有符合条件的征询" in nothing


def test_the_list_is_paginated(client, street_user, community):
    estate = EstateFactory(community=community)
    for n in range(25):
        CampaignFactory(estate=estate, title=f"征询{n}")
    client.force_login(street_user)

    first = client.get(LIST)
    second = client.get(LIST, {"page": 2})

    assert len(titles(first)) == 20
    assert len(titles(second)) == 5


@pytest.mark.parametrize("count", [3, pytest.param(40, marks=pytest.mark.slow)])
def test_list_query_count_does_not_grow(
    client, django_assert_max_num_queries, community_user, community, count
):
    data = survey(community)
    for household in data.households:
        answer_online(data, household)
    for n in range(count):
        CampaignFactory(estate=data.estate, title=f"征询{n}")
    client.force_login(community_user)

    with django_assert_max_num_queries(6):
        response = client.get(LIST)

    assert response.context["page"].paginator.count == count + 1


# --- opening, closing, reopening -----------------------------------------------------


def test_closing_asks_for_confirmation_and_logs_the_reason(
    client, community_user, campaigns
):
    ours, *_rest = campaigns
    client.force_login(community_user)

    confirm = client.get(status_url(ours.campaign), {"to": "closed"})
    assert confirm.status_code == 200
    assert "确认结束征询" in confirm.content.decode()
    ours.campaign.refresh_from_db()
    assert ours.campaign.status == Campaign.Status.OPEN

    response = client.post(
        status_url(ours.campaign), {"to": "closed", "reason": "征询期满"}
    )

    assert response.status_code == 302
    ours.campaign.refresh_from_db()
    assert ours.campaign.status == Campaign.Status.CLOSED
    change = StatusChange.objects.get(campaign=ours.campaign)
    assert (change.reason, change.actor) == ("征询期满", community_user)


def test_reopening_needs_a_reason(client, community_user, campaigns):
    _ours, closed, *_rest = campaigns
    QuestionFactory(campaign=closed)
    client.force_login(community_user)

    refused = client.post(status_url(closed), {"to": "open", "reason": " "})
    accepted = client.post(
        status_url(closed), {"to": "open", "reason": "部分住户外出，延长一周"}
    )

    assert refused.status_code == 400
    assert "重新开始征询须说明原因" in refused.content.decode()
    assert accepted.status_code == 302
    closed.refresh_from_db()
    assert closed.status == Campaign.Status.OPEN


def test_opening_a_draft_without_questions_is_refused(
    client, community_user, community
):
    draft = CampaignFactory(
        estate__community=community, status=Campaign.Status.DRAFT, opens_at=None
    )
    client.force_login(community_user)

    response = client.post(status_url(draft), {"to": "open"})

    assert response.status_code == 400
    assert "征询还没有题目，不能开始" in response.content.decode()


def test_an_illegal_move_shows_why(client, community_user, campaigns):
    _ours, closed, *_rest = campaigns
    client.force_login(community_user)

    response = client.get(status_url(closed), {"to": "closed"})

    assert response.status_code == 409
    assert "征询不能从“已结束”改为“已结束”" in response.content.decode()
    assert 'type="submit"' not in response.content.decode().split("<main")[1]


@pytest.mark.parametrize(
    ("role", "status"),
    [("other_community", 404), ("party", 403), ("anonymous", 302)],
)
def test_others_cannot_close(client, role_users, campaigns, role, status):
    ours, *_rest = campaigns
    if role_users[role]:
        client.force_login(role_users[role])

    response = client.post(status_url(ours.campaign), {"to": "closed"})

    assert response.status_code == status
    ours.campaign.refresh_from_db()
    assert ours.campaign.status == Campaign.Status.OPEN


# --- copying -------------------------------------------------------------------------


def test_copying_a_template_to_an_estate(client, community_user, campaigns):
    ours, _closed, _theirs, template = campaigns
    client.force_login(community_user)

    page = client.get(copy_url(template))
    response = client.post(
        copy_url(template),
        {"action": "copy", "estate": ours.estate.pk, "title": ""},
    )

    assert page.status_code == 200
    assert response.status_code == 302
    copy = Campaign.objects.get(copied_from=template)
    assert (copy.estate, copy.status, copy.title) == (
        ours.estate,
        Campaign.Status.DRAFT,
        "加装电梯意愿征询模板",
    )
    assert copy.questions.get().options.get().label == "愿意"
    assert response.url == reverse("surveys:campaign_results", args=[copy.pk])


def test_copying_to_one_unit_of_a_building(client, street_user, campaigns):
    ours, *_rest = campaigns
    building = ours.buildings[0]
    client.force_login(street_user)

    listed = client.post(
        copy_url(ours.campaign), {"action": "buildings", "estate": ours.estate.pk}
    )
    response = client.post(
        copy_url(ours.campaign),
        {
            "action": "copy",
            "estate": ours.estate.pk,
            "building": building.pk,
            "unit": "2",
            "title": "1栋2单元加装电梯征询",
        },
    )

    assert listed.status_code == 200
    assert building in listed.context["form"].fields["building"].queryset
    assert response.status_code == 302
    copy = Campaign.objects.get(title="1栋2单元加装电梯征询")
    assert (copy.building, copy.unit) == (building, 2)
    assert copy.questions.count() == 4


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"unit": "5"}, "只有 2 个单元"),
        ({"building": "other"}, "选择一个有效的选项"),
        ({"estate": "theirs"}, "选择一个有效的选项"),
        ({"estate": "<script>"}, "选择一个有效的选项"),
        ({"estate": "9" * 25}, "选择一个有效的选项"),
    ],
)
def test_bad_copy_targets_are_refused(
    client, community_user, campaigns, changes, message
):
    ours, _closed, theirs, _template = campaigns
    other_building = BuildingFactory(
        estate=EstateFactory(community=ours.estate.community)
    )
    data = {
        "action": "copy",
        "estate": ours.estate.pk,
        "building": ours.buildings[0].pk,
        "title": "副本",
    }
    data.update(changes)
    if data["building"] == "other":
        data["building"] = other_building.pk
    if data["estate"] == "theirs":
        data["estate"] = theirs.estate_id
    client.force_login(community_user)

    response = client.post(copy_url(ours.campaign), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Campaign.objects.filter(title="副本").exists()


@pytest.mark.parametrize("estate", ["abc", "1.5", "-1", "²", "9" * 25])
def test_listing_the_buildings_of_a_garbled_estate_shows_the_form_again(
    client, community_user, campaigns, estate
):
    ours, _closed, _theirs, _template = campaigns
    client.force_login(community_user)

    response = client.post(
        copy_url(ours.campaign), {"action": "buildings", "estate": estate}
    )

    assert response.status_code == 200
    assert response.context["estate"] is None


def test_another_communitys_campaign_cannot_be_copied(
    client, community_user, campaigns
):
    _ours, _closed, theirs, _template = campaigns
    client.force_login(community_user)

    assert client.get(copy_url(theirs)).status_code == 404
