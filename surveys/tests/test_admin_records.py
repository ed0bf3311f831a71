"""What residents left, in the admin: responses read-only with their answers,
versions and who entered the paper; replies answered through reply_set, the
pending ones first; access codes reissued after a confirmation; open opinions
removed by the street office only."""

import pytest
from django.urls import reverse

from baitang.tests.html_forms import form_values
from surveys.codes import format_code
from surveys.models import AccessCode, Opinion, Reply, Response
from surveys.tests.factories import AccessCodeFactory
from surveys.tests.staff_data import answer_on_paper, answer_online, survey

pytestmark = pytest.mark.django_db


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# --- Responses ------------------------------------------------------------------------


def test_a_response_shows_its_answers_versions_and_who_entered_the_paper(
    client, street_user, community_user, community
):
    data = survey(community)
    household = data.households[0]
    answer_online(data, household, text="楼道太暗")
    answer_on_paper(data, household, community_user, text="楼道太暗，想装灯")
    response = Response.objects.get(campaign=data.campaign, household=household)
    client.force_login(street_user)

    page = client.get(reverse("admin:surveys_response_change", args=[response.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="_save"' not in html
    assert "楼道太暗，想装灯" in html
    assert "是否同意加装电梯" in html and "同意" in html
    versions = page.context["inline_admin_formsets"][1].formset.queryset
    assert [v.version for v in versions] == [1, 2]
    assert community_user.username in html  # who entered the paper
    assert "纸质问卷代填" in html


def test_responses_are_not_added_or_edited_in_the_admin(client, street_user, community):
    data = survey(community)
    answer_online(data, data.households[0])
    response = Response.objects.get()
    client.force_login(street_user)

    add = client.get(reverse("admin:surveys_response_add"))
    post = client.post(
        reverse("admin:surveys_response_change", args=[response.pk]),
        {"channel": "paper"},
    )

    assert add.status_code == 403
    assert post.status_code == 403
    response.refresh_from_db()
    assert response.channel == "online"


def test_only_the_street_office_deletes_a_response(
    client, street_user, community_user, community
):
    data = survey(community)
    answer_online(data, data.households[0])
    response = Response.objects.get()
    url = reverse("admin:surveys_response_delete", args=[response.pk])
    client.force_login(community_user)

    refused = client.post(url, {"post": "yes"})
    client.force_login(street_user)
    deleted = client.post(url, {"post": "yes"})

    assert refused.status_code == 403
    assert deleted.status_code == 302
    assert not Response.objects.exists()


# --- Replies --------------------------------------------------------------------------


def reply_url(reply):
    return reverse("admin:surveys_reply_change", args=[reply.pk])


def test_the_pending_words_come_first(client, street_user, community):
    data = survey(community)
    for household, words in zip(data.households[:3], ["一", "二", "三"], strict=True):
        answer_online(data, household, text=words)
    replies = list(Reply.objects.order_by("id"))
    Reply.objects.filter(pk=replies[2].pk).update(
        status="later", text="明年安排", replied_at="2026-01-01T00:00:00+08:00"
    )
    client.force_login(street_user)

    listing = client.get(reverse("admin:surveys_reply_changelist"))

    order = [reply.status for reply in listing.context["cl"].result_list]
    assert order == ["pending", "pending", "later"]
    assert "一" in listing.content.decode()


def test_a_reply_is_given_through_reply_set(client, community_user, community):
    data = survey(community)
    answer_online(data, data.households[0], text="希望加装扶手")
    reply = Reply.objects.get()
    client.force_login(community_user)
    page = client.get(reply_url(reply))
    form = form_values(page.content.decode())
    form.update(status="accepted", text="已纳入改造方案，明年三月施工。")

    response = client.post(reply_url(reply), form)

    assert "希望加装扶手" in page.content.decode()
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.status == "accepted"
    assert reply.replied_by == community_user
    assert reply.replied_at is not None


def test_a_reply_without_a_reason_is_refused_in_chinese(client, street_user, community):
    data = survey(community)
    answer_online(data, data.households[0], text="希望加装扶手")
    reply = Reply.objects.get()
    client.force_login(street_user)
    form = form_values(client.get(reply_url(reply)).content.decode())
    form.update(status="not_feasible", text="  ")

    response = client.post(reply_url(reply), form)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["text"] == [
        "请写明答复理由，居民会在自己的页面上看到。"
    ]
    reply.refresh_from_db()
    assert reply.status == "pending"


def test_a_reply_cannot_be_set_back_to_pending(client, street_user, community):
    data = survey(community)
    answer_online(data, data.households[0], text="希望加装扶手")
    reply = Reply.objects.get()
    client.force_login(street_user)
    form = form_values(client.get(reply_url(reply)).content.decode())
    form.update(status="pending", text="理由")

    response = client.post(reply_url(reply), form)

    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    assert Reply.objects.get().status == "pending"
    assert Reply.objects.get().replied_at is None


def test_replies_are_neither_added_nor_deleted(client, street_user, community):
    data = survey(community)
    answer_online(data, data.households[0], text="希望加装扶手")
    reply = Reply.objects.get()
    client.force_login(street_user)

    add = client.get(reverse("admin:surveys_reply_add"))
    delete = client.post(
        reverse("admin:surveys_reply_delete", args=[reply.pk]), {"post": "yes"}
    )

    assert (add.status_code, delete.status_code) == (403, 403)
    assert Reply.objects.filter(pk=reply.pk).exists()


# --- Access codes ---------------------------------------------------------------------

CODES = reverse("admin:surveys_accesscode_changelist")


def test_a_code_is_reissued_after_a_confirmation(client, community_user, community):
    data = survey(community)
    household = data.households[0]
    old = AccessCodeFactory(household=household)
    client.force_login(community_user)
    chosen = {"action": "reissue", "_selected_action": [old.pk]}

    asked = client.post(CODES, chosen)
    old.refresh_from_db()
    assert old.is_active
    assert "确认后，这些户原来的访问码纸条" in asked.content.decode()
    assert "1栋 1单元" in asked.content.decode()

    done = client.post(CODES, {**chosen, "confirm": "1"}, follow=True)

    old.refresh_from_db()
    assert not old.is_active and old.revoked_at is not None
    new = AccessCode.objects.get(household=household, is_active=True)
    assert new.code != old.code
    assert new.issued_by == community_user
    shown = messages_of(done)
    assert "已为 1 户补发访问码，旧访问码已作废。" in shown
    slips = f"{reverse('surveys:slips')}?estate={data.estate.pk}"
    assert slips in shown


def test_codes_are_listed_formatted_with_the_slips_of_their_building(
    client, street_user, community
):
    data = survey(community)
    code = AccessCodeFactory(household=data.households[0])
    client.force_login(street_user)

    listing = client.get(CODES).content.decode()
    found = client.get(CODES, {"q": format_code(code.code).lower()})

    assert format_code(code.code) in listing
    building = data.households[0].building
    assert (
        f"{reverse('surveys:slips')}?estate={data.estate.pk}&amp;building="
        f"{building.pk}" in listing
    )
    assert [row.pk for row in found.context["cl"].result_list] == [code.pk]


def test_codes_are_never_edited_or_deleted(client, street_user, community):
    data = survey(community)
    code = AccessCodeFactory(household=data.households[0])
    client.force_login(street_user)

    change = client.post(
        reverse("admin:surveys_accesscode_change", args=[code.pk]), {"is_active": ""}
    )
    delete = client.post(
        reverse("admin:surveys_accesscode_delete", args=[code.pk]), {"post": "yes"}
    )

    assert (change.status_code, delete.status_code) == (403, 403)
    code.refresh_from_db()
    assert code.is_active


# --- Open opinions --------------------------------------------------------------------


def test_open_opinions_are_read_only_and_the_street_office_removes_abuse(
    client, street_user, community_user, community
):
    data = survey(community)
    opinion = Opinion.objects.create(estate=data.estate, text="广告：办证 138xxxx")
    url = reverse("admin:surveys_opinion_delete", args=[opinion.pk])
    client.force_login(community_user)

    page = client.get(reverse("admin:surveys_opinion_change", args=[opinion.pk]))
    refused = client.post(url, {"post": "yes"})
    client.force_login(street_user)
    deleted = client.post(url, {"post": "yes"})

    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert refused.status_code == 403
    assert deleted.status_code == 302
    assert not Opinion.objects.exists()
