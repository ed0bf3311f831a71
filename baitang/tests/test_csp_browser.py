"""Every kind of page works in real Chromium under the Content-Security-Policy:
no violation is reported, and what scripts and styles do still happens."""

import pytest
from django_celery_beat.models import CrontabSchedule

from communities.tests.factories import EstateFactory, ProblemFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any page script; injected by the browser's devtools, so the
# policy does not apply to it.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(
    `${event.violatedDirective} ${event.blockedURI} ${event.sample || ""}`
  );
});
window.print = () => { window.__printed = true; };
"""


@pytest.fixture
def staff_page(live_server, desktop_page, street_user, community):
    estate = EstateFactory(community=community, name="藤翠苑7号小区")
    ProblemFactory(estate=estate)
    CrontabSchedule.objects.create(minute="30", hour="2")
    page = desktop_page
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.add_init_script(WATCH)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "street")
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.estate = estate
    page.console_violations = violations
    return page


def violations(page) -> list[str]:
    return page.evaluate("window.__violations") + page.console_violations


def test_site_pages_run_under_the_policy(live_server, staff_page):
    page = staff_page
    for path in ["/", "/gone/", "/account/tokens/"]:
        page.goto(f"{live_server.url}{path}")
        assert violations(page) == [], path

    page.goto(f"{live_server.url}/estates/")
    bar_width = page.locator("#chart-problems .bar").first.bounding_box()["width"]
    assert bar_width > 10  # the width classes apply
    assert violations(page) == []

    page.goto(f"{live_server.url}/estates/{page.estate.pk}/")
    page.click("button[data-print-photos]")
    page.wait_for_function("window.__printed === true", timeout=10000)
    assert violations(page) == []

    # The watch itself works: an injected handler attribute is refused.
    page.evaluate(
        """document.body.insertAdjacentHTML(
            "beforeend", '<img src="/none.png" onerror="window.__ran = true">')"""
    )
    page.wait_for_function("window.__violations.length > 0")
    assert page.evaluate("window.__ran") is None


def test_admin_pages_run_under_the_policy(live_server, staff_page):
    page = staff_page
    for path in ["/admin/", "/admin/communities/estate/", "/api/v1/estates/"]:
        page.goto(f"{live_server.url}{path}")
        assert violations(page) == [], path

    # The estate picker (select2 autocomplete, scripts and styles from files).
    page.goto(f"{live_server.url}/admin/communities/problem/add/")
    page.click(".field-estate .select2-selection")
    page.fill(".select2-search__field", "藤翠")
    page.wait_for_selector(".select2-results__option >> text=藤翠苑7号小区")
    assert violations(page) == []

    # django-celery-beat's form, its inline script moved to a file.
    page.goto(f"{live_server.url}/admin/django_celery_beat/periodictask/add/")
    assert page.locator(".field-crontab_translation").is_hidden()
    page.select_option("#id_crontab", index=1)
    page.dispatch_event("#id_crontab", "change")
    assert "30 2" in page.locator(".field-crontab .help").inner_text() or (
        page.locator(".field-crontab .help br").count() == 1
    )
    assert violations(page) == []


def test_swagger_docs_run_under_the_policy(live_server, staff_page):
    page = staff_page

    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock", timeout=15000)

    assert page.locator(".opblock").count() > 10
    assert violations(page) == []
