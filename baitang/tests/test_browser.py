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
