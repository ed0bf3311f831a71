"""A community worker on a phone (390×844, real Chromium) enters a household's
paper form; the staff pages pass axe-core and fit the screen; their print
buttons print."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import assert_no_horizontal_scroll
from surveys import services
from surveys.models import Answer, Response
from surveys.tests.factories import VoteFactory
from surveys.tests.staff_data import answer_on_paper, answer_online, survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_accessible(page):
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def log_in(page, live_server, next_path, username="heshou"):
    page.goto(f"{live_server.url}/admin/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_path}")


@pytest.fixture
def data(community):
    return survey(community)


def test_a_worker_enters_a_paper_response_on_a_phone(
    live_server, phone_page, community_user, data
):
    page = phone_page
    paper = f"/surveys/campaigns/{data.campaign.pk}/paper/"
    log_in(page, live_server, paper)

    # given the worker at 1栋's stairwell
    assert_accessible(page)
    page.select_option("#id_building", label="1栋")
    page.get_by_role("button", name="查找").click()
    rooms = page.locator(".household-list a")
    assert rooms.count() == 4
    assert_no_horizontal_scroll(page)
    assert_accessible(page)

    # when they open 201 and copy the paper form
    page.get_by_role("link", name="1栋 1单元 201").click()
    assert page.locator(".picked h2").inner_text() == "1栋 1单元 201"
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    page.fill("#id_paper_date", "2020-01-01")
    rank = data.rank.pk
    page.select_option(f"#q{rank}_i{data.items[1].pk}", "1")
    page.select_option(f"#q{rank}_i{data.items[0].pk}", "2")
    page.get_by_label("同意", exact=True).check()
    page.locator(f"label[for='q{data.rating.pk}-4']").click()
    page.fill(f"#q{data.text.pk}-text", "三楼扶手松动")
    page.get_by_role("button", name="保存纸质问卷").click()

    # then the answers are stored as paper, and the next household is one tap away
    page.wait_for_url(f"**{paper}?building=*")
    assert "已保存" in page.locator(".messages").inner_text()
    assert "✔ 已代填" in page.locator(".household-list").inner_text()
    household = data.households[2]
    response = Response.objects.get(campaign=data.campaign, household=household)
    assert response.channel == Response.Channel.PAPER
    assert response.entered_by == community_user
    assert str(response.paper_date) == "2020-01-01"
    ranked = Answer.objects.filter(response=response, rank__isnull=False)
    assert [a.item_id for a in ranked.order_by("rank")] == [
        data.items[1].pk,
        data.items[0].pk,
    ]
    assert Answer.objects.get(response=response, text__gt="").text == "三楼扶手松动"
    assert_accessible(page)


def test_a_future_paper_date_is_refused_on_the_page(
    live_server, phone_page, community_user, data
):
    page = phone_page
    household = data.households[0]
    path = f"/surveys/campaigns/{data.campaign.pk}/paper/"
    log_in(page, live_server, path)
    page.goto(f"{live_server.url}{path}?household={household.pk}")

    page.fill("#id_paper_date", "2999-01-01")
    page.fill(f"#q{data.text.pk}-text", "保留这段文字")
    page.get_by_role("button", name="保存纸质问卷").click()

    assert "纸质问卷日期不能晚于今天" in page.locator("#errors").inner_text()
    assert page.locator(f"#q{data.text.pk}-text").input_value() == "保留这段文字"
    assert not Response.objects.filter(household=household).exists()
    assert_accessible(page)


@pytest.mark.parametrize("size", [(390, 844), (1366, 768)])
def test_staff_pages_are_accessible_and_fit(
    live_server, browser, street_user, community_user, data, size
):
    first, second, third, *_rest = data.households
    answer_online(data, first, text="<b>楼道灯</b>坏了")
    answer_on_paper(data, second, community_user, text="希望加装扶手")
    vote = VoteFactory(estate=data.estate, building=data.buildings[0])
    services.ballot_cast(
        vote=vote,
        household=third,
        choice="yes",
        actor=community_user,
        paper_date=data.campaign.opens_at.date(),
    )
    services.access_codes_ensure(estate=data.estate, actor=community_user)
    services.open_link_ensure(estate=data.estate, actor=community_user)
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, locale="zh-CN"
    )
    page = context.new_page()
    campaign = data.campaign.pk
    paths = [
        "/surveys/",
        f"/surveys/campaigns/{campaign}/results/",
        f"/surveys/campaigns/{campaign}/words/",
        f"/surveys/campaigns/{campaign}/status/?to=closed",
        f"/surveys/campaigns/{campaign}/copy/",
        "/surveys/votes/",
        f"/surveys/votes/{vote.pk}/",
        f"/surveys/votes/{vote.pk}/paper/?household={third.pk}",
        f"/surveys/slips/?estate={data.estate.pk}",
        f"/surveys/slips/reissue/{first.pk}/",
    ]
    try:
        log_in(page, live_server, paths[0])
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            assert page.locator("h1").count() == 1, path
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - window.innerWidth"
            )
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
            assert_accessible(page)
    finally:
        context.close()


def test_the_print_buttons_print(live_server, browser, street_user, data):
    # The buttons once did nothing: no script listened to them.
    vote = VoteFactory(estate=data.estate, building=data.buildings[0])
    services.access_codes_ensure(estate=data.estate, actor=street_user)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN"
    )
    context.add_init_script("window.print = () => { window.__printed = true; };")
    page = context.new_page()
    paths = [
        f"/surveys/campaigns/{data.campaign.pk}/results/",
        f"/surveys/votes/{vote.pk}/",
        f"/surveys/slips/?estate={data.estate.pk}",
    ]
    try:
        log_in(page, live_server, paths[0], "street")
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            page.get_by_role("button", name="打印").click()
            assert page.evaluate("window.__printed") is True, path
    finally:
        context.close()

    # without JavaScript the button would do nothing, so it is not shown
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    try:
        log_in(page, live_server, paths[0], "street")
        assert page.get_by_role("button", name="打印").count() == 0
    finally:
        context.close()
