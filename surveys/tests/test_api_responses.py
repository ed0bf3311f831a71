"""/api/v1/responses/ and /api/v1/replies/: the answers as submitted (cursor
pages, the household as building, unit and room), and the office's replies to
residents' words, given with PATCH through reply_set."""

import pytest

from surveys.models import Reply
from surveys.tests.staff_data import answer_on_paper, answer_online, survey

pytestmark = pytest.mark.django_db

RESPONSES = "/api/v1/responses/"
REPLIES = "/api/v1/replies/"


def test_a_response_carries_its_answers_and_the_households_place(
    api_client, community_user, community
):
    data = survey(community)
    household = data.households[1]
    answer_on_paper(data, household, community_user, order=(2, 0), text="加装扶手")
    api_client.force_authenticate(community_user)

    body = api_client.get(RESPONSES).json()

    assert set(body) == {"next", "previous", "results"}  # a cursor page, no count
    row = body["results"][0]
    assert (row["building_name"], row["unit"], row["room"]) == (
        household.building.name,
        household.unit,
        household.number,
    )
    assert (row["channel"], row["entered_by"], row["version"]) == (
        "paper",
        community_user.pk,
        1,
    )
    ranked = [
        (a["item"], a["rank"]) for a in row["answers"] if a["question"] == data.rank.pk
    ]
    assert ranked == [(data.items[2].pk, 1), (data.items[0].pk, 2)]
    assert {"question": data.text.pk, "text": "加装扶手"}.items() <= next(
        a for a in row["answers"] if a["question"] == data.text.pk
    ).items()


def test_responses_filter_and_page_by_cursor(api_client, street_user, community):
    data = survey(community)
    for household in data.households:
        answer_online(data, household)
    api_client.force_authenticate(street_user)

    first = api_client.get(
        RESPONSES, {"campaign": data.campaign.pk, "page_size": 4}
    ).json()
    second = api_client.get(first["next"]).json()
    online = api_client.get(RESPONSES, {"channel": "paper"}).json()
    building = api_client.get(RESPONSES, {"building": data.buildings[1].pk}).json()

    ids = [row["id"] for row in first["results"] + second["results"]]
    assert len(ids) == len(data.households) == len(set(ids))
    assert ids == sorted(ids, reverse=True)  # the newest first
    assert online["results"] == []
    assert {row["building"] for row in building["results"]} == {data.buildings[1].pk}
    assert api_client.get(RESPONSES, {"cursor": "bad"}).status_code == 404


def test_another_communitys_responses_are_not_listed(
    api_client, other_community_user, community
):
    data = survey(community)
    answer_online(data, data.households[0], text="意见")
    api_client.force_authenticate(other_community_user)

    assert api_client.get(RESPONSES).json()["results"] == []
    assert api_client.get(REPLIES).json()["results"] == []


def test_api_answers_are_never_cached(api_client, street_user, community):
    data = survey(community)
    answer_online(data, data.households[0], text="意见")
    api_client.force_authenticate(street_user)

    answers = [
        api_client.get(RESPONSES),
        api_client.get(REPLIES),
        api_client.get("/api/v1/campaigns/"),
        api_client.get("/api/v1/votes/"),
        api_client.get("/api/v1/menu-items/"),
    ]

    for answer in answers:
        assert answer.status_code == 200
        assert "no-store" in answer["Cache-Control"]


# --- Replies --------------------------------------------------------------------------


def test_the_words_awaiting_a_reply_are_listed_with_what_was_said(
    api_client, community_user, community
):
    data = survey(community)
    answer_online(data, data.households[0], text="希望加装扶手")
    answer_online(data, data.households[1])
    api_client.force_authenticate(community_user)

    body = api_client.get(REPLIES, {"status": "pending"}).json()

    assert len(body["results"]) == 1
    row = body["results"][0]
    assert (row["resident_text"], row["status"], row["question_prompt"]) == (
        "希望加装扶手",
        "pending",
        "还有什么意见",
    )
    assert row["resident_photo"] is None and row["replied_at"] is None


def test_a_reply_is_given_with_patch(api_client, community_user, community):
    data = survey(community)
    answer_online(data, data.households[0], text="希望加装扶手")
    reply = Reply.objects.get()
    api_client.force_authenticate(community_user)

    response = api_client.patch(
        f"{REPLIES}{reply.pk}/",
        {"status": "later", "text": "列入明年计划。"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["text"], body["replied_by"]) == (
        "later",
        "列入明年计划。",
        community_user.pk,
    )
    assert body["resident_text"] == "希望加装扶手"


def test_bad_replies_are_400_in_chinese(api_client, street_user, community):
    data = survey(community)
    answer_online(data, data.households[0], text="希望加装扶手")
    reply = Reply.objects.get()
    api_client.force_authenticate(street_user)
    url = f"{REPLIES}{reply.pk}/"

    blank = api_client.patch(url, {"status": "accepted", "text": " "}, format="json")
    pending = api_client.patch(url, {"status": "pending", "text": "x"}, format="json")
    no_status = api_client.patch(url, {"text": "理由"}, format="json")

    assert blank.json() == {"text": ["请写明答复理由，居民会在自己的页面上看到。"]}
    assert pending.status_code == 400 and "status" in pending.json()
    assert no_status.json() == {"status": ["请选择答复结果。"]}
    reply.refresh_from_db()
    assert (reply.status, reply.replied_at) == ("pending", None)


def test_replies_are_neither_created_nor_deleted(api_client, street_user, community):
    data = survey(community)
    answer_online(data, data.households[0], text="希望加装扶手")
    reply = Reply.objects.get()
    api_client.force_authenticate(street_user)

    assert api_client.post(REPLIES, {}).status_code == 405
    assert api_client.put(f"{REPLIES}{reply.pk}/", {}).status_code == 405
    assert api_client.delete(f"{REPLIES}{reply.pk}/").status_code == 405
    assert Reply.objects.filter(pk=reply.pk).exists()
