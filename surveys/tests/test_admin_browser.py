"""Office staff in the admin with a real Chromium: a campaign drafted with the
question editor (the admin's own "add another" rows, under the site's
Content-Security-Policy), its options set on the question's page, and opened
with a reason."""

import pytest

from communities.tests.factories import EstateFactory
from surveys.models import Campaign

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
