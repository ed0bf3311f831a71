"""/api/v1/campaigns/: campaigns with their questions nested, written through
the campaign services (create, change, status, delete), refusals as 400 with
the reason in Chinese."""

import pytest

from communities.tests.factories import BuildingFactory, EstateFactory
from surveys.models import Campaign, StatusChange
from surveys.tests.factories import CampaignFactory, QuestionFactory
from surveys.tests.staff_data import answer_online, survey

pytestmark = pytest.mark.django_db

URL = "/api/v1/campaigns/"


def draft(estate, **kwargs):
    return CampaignFactory(
        estate=estate, status="draft", opens_at=None, closes_at=None, **kwargs
    )


def test_a_campaign_lists_its_questions_options_and_menu_items(
    api_client, community_user, community
):
    data = survey(community)
    answer_online(data, data.households[0])
    api_client.force_authenticate(community_user)

    body = api_client.get(f"{URL}{data.campaign.pk}/").json()

    assert body["estate"] == data.estate.pk and body["status"] == "open"
    assert body["response_count"] == 1
    kinds = [(q["position"], q["kind"]) for q in body["questions"]]
    assert kinds == [(1, "menu_rank"), (2, "single"), (3, "rating"), (4, "text")]
    assert [i["item_name"] for i in body["questions"][0]["items"]] == [
        item.name for item in data.items
    ]
    assert [o["label"] for o in body["questions"][1]["options"]] == ["同意", "不同意"]


def test_the_list_filters_by_estate_status_and_template(
    api_client, street_user, community
):
    estate = EstateFactory(community=community)
    mine = draft(estate)
    other = CampaignFactory(estate=EstateFactory(community=community))
    template = CampaignFactory(estate=None, is_template=True, status="draft")
    api_client.force_authenticate(street_user)

    def ids(**params):
        response = api_client.get(URL, params)
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids(estate=estate.pk) == {mine.pk}
    assert ids(status="open") >= {other.pk} and mine.pk not in ids(status="open")
    assert ids(is_template="true") == {template.pk}
    assert ids(status=["draft", "open"]) >= {mine.pk, other.pk}
    assert api_client.get(URL, {"estate": "x"}).status_code == 400


def test_community_staff_create_a_draft_for_their_estate(
    api_client, community_user, community
):
    estate = EstateFactory(community=community)
    building = BuildingFactory(estate=estate, unit_count=2)
    api_client.force_authenticate(community_user)

    response = api_client.post(
        URL,
        {
            "estate": estate.pk,
            "building": building.pk,
            "unit": 2,
            "title": "  2单元加装电梯意向征询 ",
            "phase": "before",
            "channel": "door",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == "2单元加装电梯意向征询"
    assert (body["status"], body["is_template"], body["questions"]) == (
        "draft",
        False,
        [],
    )
    assert Campaign.objects.get(pk=body["id"]).created_by == community_user


def test_bad_scopes_are_400_with_the_reason(api_client, street_user, community):
    estate = EstateFactory(community=community)
    building = BuildingFactory(estate=estate, unit_count=2)
    elsewhere = BuildingFactory(estate=EstateFactory(community=community))
    api_client.force_authenticate(street_user)

    wrong_building = api_client.post(
        URL,
        {"estate": estate.pk, "building": elsewhere.pk, "title": "x"},
        format="json",
    )
    wrong_unit = api_client.post(
        URL,
        {"estate": estate.pk, "building": building.pk, "unit": 3, "title": "x"},
        format="json",
    )
    times = api_client.post(
        URL,
        {
            "estate": estate.pk,
            "title": "x",
            "opens_at": "2026-05-02T00:00:00+08:00",
            "closes_at": "2026-05-01T00:00:00+08:00",
        },
        format="json",
    )

    assert wrong_building.json() == {"building": ["所选楼栋不属于该小区。"]}
    assert wrong_unit.json() == {"unit": [f"{building.name}只有 2 个单元。"]}
    assert times.status_code == 400
    assert "结束时间必须晚于开始时间。" in str(times.json())
    assert not Campaign.objects.filter(title="x").exists()


def test_templates_are_the_street_offices(api_client, street_user, community_user):
    api_client.force_authenticate(community_user)
    refused = api_client.post(URL, {"title": "模板"}, format="json")
    api_client.force_authenticate(street_user)
    made = api_client.post(URL, {"estate": None, "title": "通用模板"}, format="json")

    assert refused.status_code == 403
    assert made.status_code == 201
    assert made.json()["is_template"] is True


def test_the_scope_of_a_campaign_never_changes(api_client, street_user, community):
    campaign = draft(EstateFactory(community=community))
    api_client.force_authenticate(street_user)

    response = api_client.patch(
        f"{URL}{campaign.pk}/",
        {"estate": None, "title": "改名"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "estate": ["征询的范围创建后不能修改；请复制一份到新的范围。"]
    }
    campaign.refresh_from_db()
    assert campaign.title != "改名"


def test_the_status_moves_through_the_service_with_its_log(
    api_client, community_user, community
):
    campaign = draft(EstateFactory(community=community))
    api_client.force_authenticate(community_user)
    url = f"{URL}{campaign.pk}/status/"

    empty = api_client.post(url, {"status": "open"}, format="json")
    QuestionFactory(campaign=campaign)
    opened = api_client.post(url, {"status": "open"}, format="json")
    closed = api_client.post(url, {"status": "closed", "reason": "到期"}, format="json")
    no_reason = api_client.post(url, {"status": "open"}, format="json")
    reopened = api_client.post(
        url, {"status": "open", "reason": "延长一周"}, format="json"
    )
    unknown = api_client.post(url, {"status": "archived"}, format="json")

    assert empty.json() == {"status": ["征询还没有题目，不能开始。"]}
    assert (opened.status_code, opened.json()["status"]) == (200, "open")
    assert closed.json()["status"] == "closed"
    assert no_reason.json() == {"reason": ["重新开始征询须说明原因。"]}
    assert reopened.json()["status"] == "open"
    assert unknown.status_code == 400 and "status" in unknown.json()
    assert list(
        StatusChange.objects.filter(campaign=campaign).values_list(
            "to_status", "reason", "actor"
        )
    ) == [
        ("open", "", community_user.pk),
        ("closed", "到期", community_user.pk),
        ("open", "延长一周", community_user.pk),
    ]


def test_only_a_draft_is_deleted(api_client, community_user, community):
    estate = EstateFactory(community=community)
    gone, kept = draft(estate), CampaignFactory(estate=estate)
    api_client.force_authenticate(community_user)

    deleted = api_client.delete(f"{URL}{gone.pk}/")
    refused = api_client.delete(f"{URL}{kept.pk}/")

    assert deleted.status_code == 204
    assert refused.status_code == 400
    assert refused.json() == {"non_field_errors": ["已开始的征询不能删除，只能结束。"]}
    assert list(Campaign.objects.all()) == [kept]


def test_other_communities_campaigns_are_missing(
    api_client, other_community_user, community
):
    campaign = draft(EstateFactory(community=community))
    api_client.force_authenticate(other_community_user)

    assert api_client.get(f"{URL}{campaign.pk}/").status_code == 404
    assert (
        api_client.post(f"{URL}{campaign.pk}/status/", {"status": "open"}).status_code
        == 404
    )
