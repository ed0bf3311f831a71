"""The residents' pages: a household's own page, its campaign form (prefilled,
submitted, edited, read-only after close), the elder mode, and the headers
that keep the code in the URL private."""

import datetime
import re

import pytest
from django.utils import timezone

from surveys.models import Answer, Campaign, Reply, Response
from surveys.permissions import Resident
from surveys.services import campaign_set_status, reply_set, response_submit
from surveys.tests.factories import CampaignFactory
from surveys.tests.resident_data import full_campaign, rank_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(community):
    return full_campaign(community, kinds=["rank", "wants", "why", "rating", "text"])


def answers_post(setup, **extra):
    data = rank_fields(setup, 2, 1)  # 加装电梯 second, 雨污分流 first
    data[f"q{setup.q('wants')}"] = str(setup.options["wants"][0])
    data[f"q{setup.q('why')}"] = "我家住六楼，腿脚不便"
    data[f"q{setup.q('rating')}"] = "4"
    data[f"q{setup.q('text')}"] = ""
    data.update(extra)
    return data


def test_the_household_page_lists_the_open_campaign(client, setup):
    response = client.get(setup.household_url)

    assert response.status_code == 200
    page = response.content.decode()
    assert "我家的居民点单" in page
    assert "藤翠苑改造需求征询" in page
    assert "还没有填写。" in page
    assert f'href="{setup.url}"' in page
    assert setup.household.number in page


def test_the_campaign_form_shows_every_question_with_its_controls(client, setup):
    page = client.get(setup.url).content.decode()

    rank, wants, why = setup.q("rank"), setup.q("wants"), setup.q("why")
    for item in setup.items["rank"]:
        assert f'<select id="q{rank}_i{item}" name="q{rank}_i{item}">' in page
    assert '<option value="">不选</option>' in page
    assert '<option value="3">第3位</option>' in page
    assert '<option value="4">' not in page  # at most three places
    assert f'name="q{wants}" value="{setup.options["wants"][0]}"' in page
    assert "第2题选择“需要”时回答" in page
    assert f'data-show-if="q{wants}"' in page
    assert f'id="q{why}"' in page
    for label in ["很不满意", "不满意", "一般", "满意", "很满意"]:
        assert label in page
    assert 'maxlength="20"' in page
    assert "朗读本题" in page
    assert "\x00" not in page


def test_a_submission_stores_the_answers_and_redirects_with_a_notice(client, setup):
    response = client.post(setup.url, answers_post(setup))

    assert response.status_code == 302
    assert response["Location"] == f"{setup.household_url}?saved=c{setup.campaign.pk}"
    stored = Response.objects.get(campaign=setup.campaign, household=setup.household)
    assert stored.version == 1
    assert stored.channel == Response.Channel.ONLINE
    ranked = Answer.objects.filter(
        response=stored, question_id=setup.q("rank")
    ).order_by("rank")
    assert [a.item_id for a in ranked] == [
        setup.items["rank"][1],
        setup.items["rank"][0],
    ]
    notice = client.get(response["Location"]).content.decode()
    assert "已提交，可在截止前修改。" in notice
    assert f'data-clear-draft="{setup.url}"' in notice
    assert "已提交（第1版" in notice


def test_the_form_opens_prefilled_and_a_second_post_becomes_version_two(client, setup):
    client.post(setup.url, answers_post(setup))

    page = client.get(setup.url).content.decode()
    rank = setup.q("rank")
    first, second = setup.items["rank"][:2]
    assert re.search(
        rf'<select id="q{rank}_i{second}"[^>]*>.*?<option value="1" selected>',
        page,
        re.S,
    )
    assert re.search(
        rf'<select id="q{rank}_i{first}"[^>]*>.*?<option value="2" selected>',
        page,
        re.S,
    )
    assert f'value="{setup.options["wants"][0]}" checked' in page
    assert 'value="4" checked' in page
    assert "我家住六楼，腿脚不便</textarea>" in page
    assert 'data-version="1"' in page

    client.post(setup.url, answers_post(setup, **{f"q{setup.q('rating')}": "5"}))

    stored = Response.objects.get(campaign=setup.campaign, household=setup.household)
    assert stored.version == 2
    assert stored.versions.count() == 2
    assert (
        Answer.objects.get(response=stored, question_id=setup.q("rating")).rating == 5
    )


def test_a_closed_campaign_shows_the_answers_read_only(client, setup, street_user):
    client.post(setup.url, answers_post(setup))
    campaign_set_status(
        campaign=setup.campaign, status=Campaign.Status.CLOSED, actor=street_user
    )

    page = client.get(setup.url).content.decode()

    assert "征询已结束" in page
    assert 'class="survey"' not in page  # no form
    assert "第1位：雨污分流" in page
    assert "第2位：加装电梯" in page
    assert "4 满意" in page
    assert "我家住六楼，腿脚不便" in page
    household_page = client.get(setup.household_url).content.decode()
    assert "已结束的征询" in household_page
    assert "（已回答）" in household_page


def test_posting_to_a_closed_campaign_saves_nothing_and_says_so(client, setup):
    Campaign.objects.filter(pk=setup.campaign.pk).update(
        closes_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    response = client.post(setup.url, answers_post(setup))

    assert response.status_code == 200
    page = response.content.decode()
    assert "征询已结束" in page
    assert "刚才提交的内容没有保存" in page
    assert not Response.objects.exists()


def test_a_campaign_that_has_not_opened_says_when_it_opens(client, setup):
    Campaign.objects.filter(pk=setup.campaign.pk).update(
        opens_at=timezone.now() + datetime.timedelta(days=1)
    )

    page = client.get(setup.url).content.decode()

    assert "征询尚未开始" in page


def test_replies_to_the_households_words_are_shown_on_its_page(
    client, setup, street_user
):
    response = response_submit(
        campaign=setup.campaign,
        household=setup.household,
        answers={setup.q("wants"): setup.options["wants"][1], setup.q("text"): "修路"},
        actor=Resident(setup.household),
    )
    reply_set(
        response=response,
        question=setup.questions["text"],
        status=Reply.Status.ACCEPTED,
        text="已纳入一期改造方案，明年三月施工。",
        actor=street_user,
    )

    page = client.get(setup.household_url).content.decode()

    assert "工作人员对您意见的答复" in page
    assert "已采纳，纳入改造方案" in page
    assert "已纳入一期改造方案，明年三月施工。" in page
    assert "<blockquote>修路</blockquote>" in page


def test_a_pending_reply_is_not_shown_as_an_answer(client, setup):
    response_submit(
        campaign=setup.campaign,
        household=setup.household,
        answers={setup.q("wants"): setup.options["wants"][1], setup.q("text"): "修路"},
        actor=Resident(setup.household),
    )

    page = client.get(setup.household_url).content.decode()

    assert "工作人员对您意见的答复" not in page


def test_html_in_text_is_stored_as_typed_and_shown_escaped(client, setup, street_user):
    script = "<script>alert(1)</script>"
    client.post(setup.url, answers_post(setup, **{f"q{setup.q('why')}": script}))

    stored = Answer.objects.get(question_id=setup.q("why"))
    assert stored.text == script
    form = client.get(setup.url).content.decode()
    assert script not in form
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in form
    reply_set(
        response=stored.response,
        question=setup.questions["why"],
        status=Reply.Status.LATER,
        text="<b>下一期</b>",
        actor=street_user,
    )
    household_page = client.get(setup.household_url).content.decode()
    assert script not in household_page and "<b>下一期</b>" not in household_page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in household_page
    campaign_set_status(
        campaign=setup.campaign, status=Campaign.Status.CLOSED, actor=street_user
    )
    read_only = client.get(setup.url).content.decode()
    assert script not in read_only
    assert "&lt;script&gt;" in read_only


def test_a_campaign_of_another_estate_or_a_draft_is_not_found(client, setup):
    other = CampaignFactory()
    draft = CampaignFactory(estate=setup.campaign.estate, status=Campaign.Status.DRAFT)

    for campaign in (other, draft):
        response = client.get(f"/s/{setup.code}/c/{campaign.pk}/")
        assert response.status_code == 404
        assert "没有找到这次征询" in response.content.decode()


@pytest.mark.parametrize("path", ["", "c/{campaign}/", "v/999999/"])
def test_resident_pages_keep_the_code_out_of_referrers_and_caches(client, setup, path):
    response = client.get(setup.household_url + path.format(campaign=setup.campaign.pk))

    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "private, no-store"
    assert "Set-Cookie" not in response.headers
    assert 'name="robots" content="noindex, nofollow"' in response.content.decode()


def test_the_forms_need_no_csrf_token_and_set_no_cookie(setup):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)

    response = client.post(setup.url, answers_post(setup))

    assert response.status_code == 302
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in client.get(setup.url).content.decode()


def test_a_code_typed_with_dashes_and_lower_case_opens_the_canonical_page(
    client, setup
):
    typed = "-".join(setup.code[i : i + 5] for i in range(0, 15, 5)).lower()

    response = client.get(f"/s/{typed}/")

    assert response.status_code == 302
    assert response["Location"] == setup.household_url


def test_the_code_box_normalises_and_goes_to_the_household_page(client, setup):
    typed = " " + "-".join(setup.code[i : i + 5] for i in range(0, 15, 5)).lower()

    response = client.post("/s/", {"code": typed})

    assert response.status_code == 302
    assert response["Location"] == setup.household_url
    assert client.get(response["Location"]).status_code == 200


def test_the_home_page_has_the_code_box(client):
    page = client.get("/").content.decode()

    assert 'action="/s/"' in page
    assert 'name="code"' in page


def test_elder_mode_is_one_tap_and_remembered(client, setup):
    page = client.get(setup.url).content.decode()
    assert '<body class="resident">' in page
    switch = re.search(r'href="(/elder-mode/\?on=1[^"]*)"', page)[1].replace(
        "&amp;", "&"
    )

    response = client.get(switch)

    assert response.status_code == 302
    assert response["Location"] == setup.url
    assert response.cookies["elder_mode"].value == "1"
    elder = client.get(setup.url).content.decode()
    assert '<body class="resident elder">' in elder
    assert "切换到标准版" in elder
    client.get("/elder-mode/?on=0&next=" + setup.url)
    assert '<body class="resident">' in client.get(setup.url).content.decode()


def test_the_elder_switch_goes_back_only_to_this_site(client):
    response = client.get("/elder-mode/?on=1&next=https://evil.example/")

    assert response["Location"] == "/"
