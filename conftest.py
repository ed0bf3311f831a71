"""Fixtures shared by every app's tests."""

import os
import shutil
import uuid

import pytest
from rest_framework.test import APIClient

from baitang.models import User
from baitang.roles import SYSTEM
from communities.services import problem_categories_ensure_defaults
from communities.tests.factories import CommunityFactory, UserFactory

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def pytest_collection_modifyitems(items):
    # Every browser test takes seconds: `-m "not slow"` leaves them out too.
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Logins are made per test (role_users makes four); the production hasher
    # would make the permission tables take minutes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    # A private in-memory cache per test: cached pages never leak between tests
    # (or between xdist workers sharing one Redis).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": str(uuid.uuid4()),
        }
    }


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REGISTER_IMPORT_DIR = tmp_path / "register_imports"
    settings.REGISTER_EXPORT_DIR = tmp_path / "register_exports"


@pytest.fixture
def default_problem_categories(db):
    """The twelve categories migration 0002 creates. Tests ask for them instead of
    trusting the migration's rows: transactional tests flush every table."""
    return problem_categories_ensure_defaults(actor=SYSTEM)


@pytest.fixture
def community(db):
    return CommunityFactory(name="鹤洲社区")


@pytest.fixture
def other_community(db):
    return CommunityFactory(name="群兴社区")


@pytest.fixture
def street_user(db):
    return UserFactory(username="street", role=User.Role.STREET)


@pytest.fixture
def community_user(db, community):
    user = UserFactory(username="heshou", role=User.Role.COMMUNITY)
    user.communities.set([community])
    return user


@pytest.fixture
def other_community_user(db, other_community):
    user = UserFactory(username="qunxing", role=User.Role.COMMUNITY)
    user.communities.set([other_community])
    return user


@pytest.fixture
def party_user(db):
    return UserFactory(
        username="designer", role=User.Role.PARTY, party_kind=User.PartyKind.DESIGNER
    )


@pytest.fixture
def role_users(street_user, community_user, other_community_user, party_user):
    """Every kind of login, keyed by a name used in permission tables."""
    return {
        "street": street_user,
        "community": community_user,
        "other_community": other_community_user,
        "party": party_user,
        "anonymous": None,
    }


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # tests make around it are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser):
    """A page the size of a common phone (390×844), in Chinese."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN"
    )
    page = context.new_page()
    yield page
    context.close()


def assert_no_horizontal_scroll(page):
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - window.innerWidth"
    )
    assert overflow <= 0, f"page scrolls sideways by {overflow}px"
