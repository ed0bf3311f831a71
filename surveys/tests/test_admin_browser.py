"""Office staff in the admin with a real Chromium: a campaign drafted with the
question editor (the admin's own "add another" rows, under the site's
Content-Security-Policy), its options set on the question's page, and opened
with a reason; the editor's pages pass axe-core and fit a 1366px screen."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from communities.tests.factories import EstateFactory
from conftest import assert_no_horizontal_scroll
from surveys.models import Campaign, Question
from surveys.tests.factories import (
    CampaignFactory,
    MenuItemFactory,
    OptionFactory,
    QuestionFactory,
    QuestionItemFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, next_path, username):
    page.goto(f"{live_server.url}/admin/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_path}")


def test_a_worker_drafts_a_campaign_and_opens_it(
    live_server, desktop_page, community_user, community
):
    page = desktop_page
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    estate = EstateFactory(community=community, name="逸鸿花园")
    log_in(page, live_server, "/admin/surveys/campaign/add/", community_user.username)

    # given a new draft with one single-choice question typed into a new row
    page.select_option("#id_estate", label="逸鸿花园")
    page.fill("#id_title", "逸鸿花园加装电梯意向")
    page.get_by_text("添加另一个 题目").click()
    page.fill("#id_questions-0-position", "1")
    page.select_option("#id_questions-0-kind", "single")
    page.fill("#id_questions-0-prompt", "您是否同意本单元加装电梯？")
    page.click("input[name=_continue]")
    campaign = Campaign.objects.get(title="逸鸿花园加装电梯意向")
    assert campaign.estate == estate

    # when the worker sets its options on the question's page
    page.get_by_role("link", name="编辑选项").click()
    page.fill("#id_options-0-position", "1")
    page.fill("#id_options-0-label", "同意")
    page.fill("#id_options-1-position", "2")
    page.fill("#id_options-1-label", "不同意")
    page.click("input[name=_save]")
    page.wait_for_url(f"**/admin/surveys/campaign/{campaign.pk}/change/")

    # and opens the campaign from the list, giving a reason
    page.goto(f"{live_server.url}/admin/surveys/campaign/")
    page.check(f"input[name=_selected_action][value='{campaign.pk}']")
    page.select_option("select[name=action]", "open_campaigns")
    page.click("button[name=index]")
    page.fill("#id_reason", "楼栋长已通知各户")
    page.get_by_role("button", name="确认变更").click()

    # then
    assert page.locator(".messagelist").inner_text().strip() == "已变更 1 项的状态。"
    campaign.refresh_from_db()
    assert campaign.status == "open"
    question = campaign.questions.get()
    assert list(question.options.values_list("label", flat=True)) == ["同意", "不同意"]
    assert blocked == []


WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}


@pytest.fixture
def staff_desktop(browser):
    """The office's screen: 1366×768, the admin's sidebar open."""
    context = browser.new_context(
        viewport={"width": 1366, "height": 768},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    page = context.new_page()
    yield page
    context.close()


def test_a_drafts_question_editor_is_accessible_and_fits_the_screen(
    live_server, staff_desktop, street_user, community
):
    # given a draft with a question of every kind, one of them conditional
    estate = EstateFactory(community=community, name="锦绣小区")
    campaign = CampaignFactory(
        estate=estate, status="draft", title="锦绣小区改造点单", opens_at=None
    )
    kinds = [k for k, _label in Question.Kind.choices]
    questions = [
        QuestionFactory(campaign=campaign, position=n, kind=kind, prompt=f"第{n}题")
        for n, kind in enumerate(kinds, start=1)
    ]
    single = next(q for q in questions if q.kind == Question.Kind.SINGLE)
    yes = OptionFactory(question=single, label="有老人同住")
    later = next(q for q in questions if q.position > single.position)
    later.show_if_option = yes
    later.save()
    QuestionItemFactory(question=questions[0], item=MenuItemFactory(name="加装电梯"))
    page = staff_desktop
    log_in(page, live_server, "/admin/", street_user.username)

    for path in [
        f"/admin/surveys/campaign/{campaign.pk}/change/",
        f"/admin/surveys/question/{single.pk}/change/",
        f"/admin/surveys/question/{questions[0].pk}/change/",
        "/admin/surveys/campaign/",
        "/admin/surveys/vote/add/",
    ]:
        # when a street officer opens it
        page.goto(f"{live_server.url}{path}")

        # then nothing WCAG 2.1 A/AA fails (date and time boxes and every
        # input of a question row are named) and nothing scrolls sideways
        results = Axe().run(page, options=WCAG)
        assert results.violations_count == 0, (path, results.generate_report())
        assert_no_horizontal_scroll(page)

    page.goto(f"{live_server.url}/admin/surveys/campaign/{campaign.pk}/change/")
    assert page.get_by_label("开始时间 日期").count() == 1
    assert page.locator('label[for="id_questions-0-prompt"]').inner_text() == "题目"
