import pytest
from django.urls import reverse

from communities.tests.image_samples import encode, picture, upload
from surveys import services
from surveys.models import Answer, Campaign, Question, Reply
from surveys.permissions import Resident
from surveys.tests.factories import AccessCodeFactory, QuestionFactory
from surveys.tests.staff_data import (
    answer_on_paper,
    answer_online,
    many_households,
    survey,
)

pytestmark = pytest.mark.django_db


def url(campaign):
    return reverse("surveys:campaign_words", args=[campaign.pk])


def reply_url(campaign, answer):
    return reverse("surveys:campaign_word_reply", args=[campaign.pk, answer.pk])


def words_of(response):
    return list(response.context["page"])


@pytest.fixture
def data(community, community_user):
    data = survey(community)
    first, second, third, *_rest = data.households
    answer_online(data, first, text="<script>alert('楼道')</script>")
    answer_on_paper(data, second, community_user, text="希望加装扶手")
    answer_online(data, third)  # no words
    return data


def test_words_are_listed_escaped_with_who_and_how(client, community_user, data):
    client.force_login(community_user)

    response = client.get(url(data.campaign))

    assert response.status_code == 200
    assert {w.text for w in words_of(response)} == {
        "<script>alert('楼道')</script>",
        "希望加装扶手",
    }
    page = response.content.decode()
    assert "&lt;script&gt;alert(&#x27;楼道&#x27;)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert "1栋 1单元 101" in page
    assert "纸质代填" in page
    assert page.count('name="return_query"') == 2  # a reply form per word


def test_photos_are_shown_and_served_to_staff_only(
    client, community_user, other_community_user, community
):
    data = survey(community)
    photo = QuestionFactory(
        campaign=data.campaign, position=5, kind=Question.Kind.PHOTO, prompt="拍照"
    )
    household = data.households[0]
    services.response_submit(
        campaign=data.campaign,
        household=household,
        answers={
            **data.answers(),
            photo.pk: upload(encode(picture(), "JPEG")),
        },
        actor=Resident(household),
    )
    client.force_login(community_user)

    response = client.get(url(data.campaign))

    (answer,) = words_of(response)
    assert answer.photo
    assert f'src="{answer.photo.url}"' in response.content.decode()
    assert client.get(answer.photo.url).status_code == 200
    client.force_login(other_community_user)
    assert client.get(answer.photo.url).status_code == 404


@pytest.mark.parametrize(
    ("status", "texts"),
    [
        ("", {"<script>alert('楼道')</script>", "希望加装扶手"}),
        ("pending", {"<script>alert('楼道')</script>"}),
        ("accepted", {"希望加装扶手"}),
        ("later", set()),
        ("nonsense", {"<script>alert('楼道')</script>", "希望加装扶手"}),
    ],
)
def test_filter_by_reply_status(client, community_user, data, status, texts):
    answer = words_of_campaign(data)["希望加装扶手"]
    services.reply_set(
        response=answer.response,
        question=answer.question,
        status=Reply.Status.ACCEPTED,
        text="已纳入方案",
        actor=community_user,
    )
    client.force_login(community_user)

    response = client.get(url(data.campaign), {"status": status})

    assert {w.text for w in words_of(response)} == texts
    tabs = {tab["value"]: tab["count"] for tab in response.context["tabs"]}
    assert tabs == {"": 2, "pending": 1, "accepted": 1, "later": 0, "not_feasible": 0}


def words_of_campaign(data):
    from surveys.selectors import campaign_words

    return {answer.text: answer for answer in campaign_words(campaign=data.campaign)}


def test_a_reply_is_saved_and_shown(client, community_user, data):
    answer = words_of_campaign(data)["希望加装扶手"]
    client.force_login(community_user)

    response = client.post(
        reply_url(data.campaign, answer),
        {
            f"a{answer.pk}-status": "later",
            f"a{answer.pk}-text": "明年第二批改造时安装",
            "return_query": "status=pending&page=1&evil=1",
        },
    )

    assert response.status_code == 302
    assert response.url == f"{url(data.campaign)}?status=pending&page=1#a{answer.pk}"
    reply = Reply.objects.get(response=answer.response, question=answer.question)
    assert reply.status == Reply.Status.LATER
    assert reply.text == "明年第二批改造时安装"
    assert reply.replied_by == community_user
    page = client.get(url(data.campaign), {"status": "later"}).content.decode()
    assert "明年第二批改造时安装" in page
    assert "答复已保存" in page


def test_a_reply_without_reason_is_refused_and_kept(client, community_user, data):
    answer = words_of_campaign(data)["希望加装扶手"]
    client.force_login(community_user)

    response = client.post(
        reply_url(data.campaign, answer),
        {f"a{answer.pk}-status": "not_feasible", f"a{answer.pk}-text": "  "},
    )

    assert response.status_code == 400
    assert "请写明答复理由" in response.content.decode()
    assert Reply.objects.get(response=answer.response).status == Reply.Status.PENDING
    (failed,) = [w for w in words_of(response) if w.pk == answer.pk]
    assert failed.form.data[f"a{answer.pk}-status"] == "not_feasible"


def test_a_reply_with_an_unknown_status_is_refused(client, community_user, data):
    answer = words_of_campaign(data)["希望加装扶手"]
    client.force_login(community_user)

    response = client.post(
        reply_url(data.campaign, answer),
        {f"a{answer.pk}-status": "pending", f"a{answer.pk}-text": "理由"},
    )

    assert response.status_code == 400
    assert Reply.objects.get(response=answer.response).status == Reply.Status.PENDING


def test_a_reply_to_another_campaigns_answer_is_missing(
    client, community_user, community, data
):
    other = survey(community, name="另一个小区")
    answer_online(other, other.households[0], text="别处的意见")
    answer = words_of_campaign(other)["别处的意见"]
    client.force_login(community_user)

    response = client.post(
        reply_url(data.campaign, answer),
        {f"a{answer.pk}-status": "later", f"a{answer.pk}-text": "理由"},
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [("street", 302), ("other_community", 404), ("party", 403), ("anonymous", 302)],
)
def test_replying_by_role(client, role_users, data, role, status):
    answer = words_of_campaign(data)["希望加装扶手"]
    if role_users[role]:
        client.force_login(role_users[role])

    response = client.post(
        reply_url(data.campaign, answer),
        {f"a{answer.pk}-status": "later", f"a{answer.pk}-text": "理由"},
    )

    assert response.status_code == status
    replied = Reply.objects.get(response=answer.response).status == Reply.Status.LATER
    assert replied == (role == "street")
    if role == "anonymous":
        assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    ("role", "status"),
    [("street", 200), ("community", 200), ("other_community", 404), ("party", 403)],
)
def test_words_page_by_role(client, role_users, data, role, status):
    client.force_login(role_users[role])

    assert client.get(url(data.campaign)).status_code == status


def test_words_of_a_closed_campaign_can_still_be_answered(client, community_user, data):
    Campaign.objects.filter(pk=data.campaign.pk).update(status=Campaign.Status.CLOSED)
    answer = words_of_campaign(data)["希望加装扶手"]
    client.force_login(community_user)

    response = client.post(
        reply_url(data.campaign, answer),
        {f"a{answer.pk}-status": "accepted", f"a{answer.pk}-text": "已纳入方案"},
    )

    assert response.status_code == 302


def test_words_are_paginated(client, community_user, community):
    data = survey(community)
    for household in many_households(data.buildings[0], 25):
        answer_online(data, household, text=f"意见{household.number}")
    client.force_login(community_user)

    first = client.get(url(data.campaign))
    second = client.get(url(data.campaign), {"page": 2})

    assert len(words_of(first)) == 20
    assert len(words_of(second)) == 5
    assert "第 1 页，共 2 页" in first.content.decode()


@pytest.mark.parametrize("count", [3, pytest.param(40, marks=pytest.mark.slow)])
def test_words_query_count_does_not_grow(
    client, django_assert_max_num_queries, community_user, community, count
):
    data = survey(community)
    for household in many_households(data.buildings[0], count):
        answer_online(data, household, text="意见")
    client.force_login(community_user)

    with django_assert_max_num_queries(7):
        response = client.get(url(data.campaign))

    assert len(words_of(response)) == min(count, 20)


def test_only_words_take_a_reply(client, community_user, data):
    rating = Answer.objects.get(
        response__household=data.households[0], rating__isnull=False
    )
    client.force_login(community_user)

    response = client.post(
        reply_url(data.campaign, rating),
        {f"a{rating.pk}-status": "later", f"a{rating.pk}-text": "理由"},
    )

    assert response.status_code == 404


def test_the_reply_shows_on_the_residents_own_page(client, community_user, data):
    answer = words_of_campaign(data)["希望加装扶手"]
    code = AccessCodeFactory(household=answer.response.household).code
    client.force_login(community_user)
    client.post(
        reply_url(data.campaign, answer),
        {f"a{answer.pk}-status": "accepted", f"a{answer.pk}-text": "纳入一期改造"},
    )
    client.logout()

    page = client.get(reverse("surveys:household", kwargs={"code": code}))

    assert page.status_code == 200
    assert "纳入一期改造" in page.content.decode()
