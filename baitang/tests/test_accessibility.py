"""axe-core (4.12, bundled by axe-playwright-python) finds nothing on the pages
people use on a phone: the resident home page, the overview and a profile."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from communities.tests.test_register_pages_browser import log_in, register  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()


def violations(page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
    ]


def test_home_page_has_no_violations(live_server, phone_page):
    phone_page.goto(f"{live_server.url}/")

    assert violations(phone_page) == []


def test_signed_in_home_page_has_no_violations(live_server, phone_page, street_user):
    log_in(phone_page, live_server, "/")

    assert violations(phone_page) == []


def test_overview_and_profile_have_no_violations(
    live_server,
    phone_page,
    street_user,
    register,  # noqa: F811
):
    log_in(phone_page, live_server, "/estates/")
    assert violations(phone_page) == []

    phone_page.goto(f"{live_server.url}/estates/{register.pk}/")
    assert violations(phone_page) == []
