"""A resident on a phone (390×844, real Chromium): opens the household link,
answers a campaign with a menu ranking and a conditional question, submits,
reopens and edits it; a draft survives a reload; the pages pass axe-core and
work without JavaScript."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import assert_no_horizontal_scroll
from surveys.models import Answer, Response
from surveys.tests.resident_data import full_campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KINDS = ["rank", "wants", "why", "rating", "points", "budget", "text"]


@pytest.fixture
def setup(community):
    return full_campaign(community, kinds=KINDS)


def assert_accessible(page):
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def rank_select(page, setup, name):
    item = setup.items["rank"][
        ["加装电梯", "雨污分流", "停车位规划", "屋面防水"].index(name)
    ]
    return page.locator(f"#q{setup.q('rank')}_i{item}")


def test_a_resident_answers_submits_reopens_and_edits(live_server, phone_page, setup):
    page = phone_page
    # given the household's link, as scanned from its slip
    page.goto(f"{live_server.url}{setup.household_url}")
    assert page.locator("h1").inner_text() == "我家的居民点单"
    assert page.locator(".mode-switch").is_visible()  # on the first screen
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    # when they open the campaign and answer it
    page.get_by_role("link", name="开始填写").click()
    page.wait_for_url(f"**{setup.url}")
    why = page.locator(f"#q{setup.q('why')}")
    assert why.is_hidden()  # the conditional question waits for its condition
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    rank_select(page, setup, "雨污分流").select_option("1")
    rank_select(page, setup, "加装电梯").select_option("2")
    # giving a taken place to another item takes it from the first
    rank_select(page, setup, "停车位规划").select_option("2")
    assert rank_select(page, setup, "加装电梯").input_value() == ""
    rank_select(page, setup, "加装电梯").select_option("2")
    assert rank_select(page, setup, "停车位规划").input_value() == ""
    page.get_by_label("需要", exact=True).check()
    assert why.is_visible()
    why.locator("textarea").fill("我家住六楼，腿脚不便")
    page.get_by_label("4 满意").check()
    points = page.locator(f"#q{setup.q('points')} input[type=number]")
    points.nth(0).fill("6")
    points.nth(1).fill("3")
    assert page.locator(f"#q{setup.q('points')} [data-sum]").inner_text() == "9"
    page.get_by_label("路面修补").check()
    page.get_by_label("路灯更换").check()
    assert page.locator(f"#q{setup.q('budget')} [data-sum]").inner_text() == "25万"
    page.get_by_label("健身器材").check()
    assert page.locator(f"#q{setup.q('budget')} [data-over]").is_visible()
    page.get_by_label("健身器材").uncheck()
    page.get_by_role("button", name="提交", exact=True).click()

    # then the household page confirms, and the answers are stored
    page.wait_for_url(f"**{setup.household_url}?saved=c{setup.campaign.pk}")
    assert "已提交，可在截止前修改。" in page.locator(".notice").inner_text()
    response = Response.objects.get(campaign=setup.campaign)
    assert response.version == 1
    ranked = Answer.objects.filter(response=response, question_id=setup.q("rank"))
    assert [a.item_id for a in ranked.order_by("rank")] == [
        setup.items["rank"][1],
        setup.items["rank"][0],
    ]
    assert Answer.objects.get(response=response, question_id=setup.q("why")).text

    # when they reopen it, the form shows what they sent; they change their mind
    page.get_by_role("link", name="查看或修改").click()
    page.wait_for_url(f"**{setup.url}")
    assert rank_select(page, setup, "雨污分流").input_value() == "1"
    assert page.get_by_label("4 满意").is_checked()
    assert why.locator("textarea").input_value() == "我家住六楼，腿脚不便"
    page.get_by_label("不需要").check()
    assert why.is_hidden()
    page.get_by_label("5 很满意").check()
    page.get_by_role("button", name="提交修改").click()

    # then version 2 holds the edit, and the hidden question is not stored
    page.wait_for_url(f"**?saved=c{setup.campaign.pk}")
    response.refresh_from_db()
    assert response.version == 2
    assert (
        Answer.objects.get(response=response, question_id=setup.q("rating")).rating == 5
    )
    assert not Answer.objects.filter(
        response=response, question_id=setup.q("why")
    ).exists()


def test_a_draft_survives_a_reload_and_is_cleared_after_sending(
    live_server, phone_page, setup
):
    page = phone_page
    page.goto(f"{live_server.url}{setup.url}")
    page.get_by_label("需要", exact=True).check()
    page.locator(f"#q{setup.q('text')} textarea").fill("楼道灯坏了")

    page.reload()

    assert page.locator("[data-draft-note]").is_visible()
    assert page.get_by_label("需要", exact=True).is_checked()
    assert page.locator(f"#q{setup.q('text')} textarea").input_value() == "楼道灯坏了"
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url("**?saved=*")
    drafts = page.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('bt-draft:'))"
    )
    assert drafts == []
    page.goto(f"{live_server.url}{setup.url}")
    assert page.locator("[data-draft-note]").is_hidden()
    assert page.locator(f"#q{setup.q('text')} textarea").input_value() == "楼道灯坏了"


def test_errors_keep_the_answers_and_link_to_each_question(
    live_server, phone_page, setup
):
    page = phone_page
    page.goto(f"{live_server.url}{setup.url}")
    page.locator(f"#q{setup.q('text')} textarea").evaluate(
        "(t) => t.removeAttribute('maxlength')"
    )
    page.locator(f"#q{setup.q('text')} textarea").fill("太长了" * 10)
    page.get_by_label("4 满意").check()
    page.get_by_role("button", name="提交", exact=True).click()

    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert "这道题必须回答" in summary.inner_text()  # question 2 is required
    assert "最多 20 字" in summary.inner_text()
    assert page.get_by_label("4 满意").is_checked()
    assert_accessible(page)
    page.locator("#error-summary a").first.click()
    assert page.evaluate("() => location.hash") == f"#q{setup.q('wants')}"
    assert not Response.objects.exists()


def test_the_form_works_without_javascript(live_server, browser, setup):
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        java_script_enabled=False,
        locale="zh-CN",
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}{setup.url}")
        why = page.locator(f"#q{setup.q('why')}")
        assert why.is_visible()  # shown, with its condition in words
        assert "第2题选择“需要”时回答" in why.inner_text()
        assert page.locator("[data-speak]").first.is_hidden()
        rank_select(page, setup, "屋面防水").select_option("1")
        page.get_by_label("不需要").check()
        why.locator("textarea").fill("不会保存")
        page.get_by_role("button", name="提交", exact=True).click()
        page.wait_for_url("**?saved=*")
        response = Response.objects.get()
        assert not Answer.objects.filter(
            response=response, question_id=setup.q("why")
        ).exists()
        assert_no_horizontal_scroll(page)
    finally:
        context.close()


def test_elder_mode_has_large_text_and_targets_in_one_column(
    live_server, phone_page, setup
):
    page = phone_page
    page.goto(f"{live_server.url}{setup.url}")
    page.locator(".mode-switch").click()
    page.wait_for_url(f"**{setup.url}")

    assert "elder" in page.locator("body").get_attribute("class")
    sizes = page.evaluate(
        """() => ({
          body: parseFloat(getComputedStyle(document.body).fontSize),
          h1: parseFloat(getComputedStyle(document.querySelector('h1')).fontSize),
        })"""
    )
    assert sizes["body"] >= 24 and sizes["h1"] >= 40
    small = page.evaluate(
        """() => Array.from(document.querySelectorAll(
            'main a, main button, main select, main textarea, main label.choice, '
            + 'main input:not([type=radio]):not([type=checkbox])'
          )).filter(e => e.offsetParent !== null)
            .map(e => [e.textContent.trim().slice(0, 20), e.getBoundingClientRect()])
            .filter(([_, r]) => r.height < 60)
            .map(([t, r]) => t + ' ' + Math.round(r.height))"""
    )
    assert small == []
    assert_no_horizontal_scroll(page)
    assert_accessible(page)


def test_each_question_can_be_read_aloud_in_chinese(live_server, phone_page, setup):
    page = phone_page
    page.add_init_script(
        """window.spoken = [];
        if (window.speechSynthesis) {
          window.speechSynthesis.speak = (u) => window.spoken.push([u.lang, u.text]);
        }"""
    )
    page.goto(f"{live_server.url}{setup.url}")

    page.locator(f"#q{setup.q('wants')} [data-speak]").click()

    [(lang, text)] = page.evaluate("() => window.spoken")
    assert lang == "zh-CN"
    assert "您家需要加装电梯吗？" in text
    assert "不需要" in text


def test_no_text_is_smaller_than_18px_and_the_counter_says_when_too_long(
    live_server, phone_page, setup
):
    page = phone_page
    page.goto(f"{live_server.url}{setup.url}")

    # every piece of text a resident reads, the read-aloud buttons, hints,
    # counters and the question numbers included (适老化: body text >= 18px)
    small = page.evaluate(
        """() => Array.from(document.querySelectorAll('main *, header a'))
            .filter(e => e.offsetParent !== null)
            .filter(e => Array.from(e.childNodes).some(
              n => n.nodeType === Node.TEXT_NODE && n.textContent.trim()))
            .map(e => [e.textContent.trim().slice(0, 12),
                       parseFloat(getComputedStyle(e).fontSize)])
            .filter(([_, size]) => size < 18)
            .map(([text, size]) => text + ' ' + size)"""
    )
    assert small == []

    # a text answer past its limit (pasted, or maxlength dropped by the
    # browser) says how much is over, not "-10 characters left"
    text = page.locator(f"#q{setup.q('text')} textarea")
    limit = int(text.get_attribute("maxlength"))
    text.evaluate("(area) => area.removeAttribute('maxlength')")
    text.fill("字" * (limit + 10))
    counter = page.locator(f"#q{setup.q('text')} [data-count]")
    assert counter.inner_text() == "超出10字，请删减一些"
    assert "is-over" in counter.get_attribute("class")
