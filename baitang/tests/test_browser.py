import pytest

from conftest import assert_no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_log_in_to_the_admin(live_server, desktop_page, street_user):
    page = desktop_page
    page.goto(f"{live_server.url}/admin/")

    page.fill("#id_username", "street")
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")

    page.wait_for_url(f"{live_server.url}/admin/")
    assert "白藤街道老旧小区改造管理平台" in page.content()
    assert page.locator("#user-tools").is_visible()


def test_resident_home_page_fits_a_phone(live_server, phone_page):
    phone_page.goto(f"{live_server.url}/")

    assert phone_page.locator("h1").inner_text() == "白藤街道老旧小区改造"
    assert_no_horizontal_scroll(phone_page)
    body_font = phone_page.evaluate(
        "() => parseFloat(getComputedStyle(document.body).fontSize)"
    )
    assert body_font >= 18
    button_height = phone_page.locator("a.button").bounding_box()["height"]
    assert button_height >= 44


# Every element holding text of its own, visible, and its font size in px.
SMALL_TEXT = """() => Array.from(document.querySelectorAll('body *'))
    .filter(el => Array.from(el.childNodes)
        .some(node => node.nodeType === Node.TEXT_NODE && node.textContent.trim()))
    .filter(el => el.getClientRects().length > 0)
    .filter(el => parseFloat(getComputedStyle(el).fontSize) < 18)
    .map(el => `${el.tagName}.${el.className}: ${el.textContent.trim().slice(0, 20)}`
        + ` (${getComputedStyle(el).fontSize})`)"""


def test_resident_home_page_has_no_text_below_18px(live_server, phone_page):
    phone_page.goto(f"{live_server.url}/")

    assert phone_page.evaluate(SMALL_TEXT) == []


def test_signed_in_home_page_greets_by_name(live_server, phone_page, street_user):
    street_user.first_name = "小林"
    street_user.save()
    page = phone_page
    page.goto(f"{live_server.url}/admin/login/?next=/")
    page.fill("#id_username", "street")
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    assert page.get_by_role("heading", name="您已登录：小林").is_visible()
    assert page.get_by_role("link", name="工作人员登录").count() == 0
    assert page.evaluate(SMALL_TEXT) == []
    assert_no_horizontal_scroll(page)

    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state("load")
    page.goto(f"{live_server.url}/")
    assert page.get_by_role("link", name="工作人员登录").is_visible()
