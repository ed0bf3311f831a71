"""Password guessing is stopped: after a few failed logins the username and the
address are locked out, in Chinese, until the period passes or street staff
lift it."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from communities.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
ATTEMPTS = "/admin/baitang/loginattempt/"
RIGHT = "pass-word-123"


def log_in(username, password, ip="10.0.0.1"):
    """A fresh browser at address `ip` submits the admin login form."""
    return Client().post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def fail(times, username="clerk", ip="10.0.0.1"):
    # The failure that reaches the limit is answered with the lockout page.
    for _ in range(times):
        assert log_in(username, "wrong-password", ip).status_code in (200, 429)


@pytest.fixture
def clerk(db):
    return UserFactory(username="clerk")


@pytest.fixture
def colleague(db):
    return UserFactory(username="colleague")


def test_five_wrong_passwords_then_the_right_one_is_refused_in_chinese(clerk):
    fail(5)

    response = log_in("clerk", RIGHT)

    page = response.content.decode()
    assert response.status_code == 429
    assert "登录失败次数过多，登录已暂时锁定。" in page
    assert "请在 30 分钟后再试" in page
    assert "请联系街道办工作人员" in page
    assert "admin/css/login.css" in page  # the admin login page's style
    assert "_auth_user_id" not in response.client.session


def test_four_wrong_passwords_still_let_the_right_one_in(clerk):
    for _ in range(4):
        assert log_in("clerk", "wrong-password").status_code == 200

    assert logged_in(log_in("clerk", RIGHT))


def test_the_locked_username_is_refused_from_every_address(clerk):
    fail(5, ip="10.0.0.1")

    assert log_in("clerk", RIGHT, ip="10.9.9.9").status_code == 429


def test_the_locked_address_is_refused_for_every_username(clerk, colleague):
    # Guessing across many usernames from one address.
    for username in ["a", "b", "c", "d", "e"]:
        fail(1, username=username, ip="10.0.0.1")

    assert log_in("colleague", RIGHT, ip="10.0.0.1").status_code == 429


def test_another_user_at_another_address_is_unaffected(clerk, colleague):
    fail(5, username="clerk", ip="10.0.0.1")

    assert logged_in(log_in("colleague", RIGHT, ip="10.0.0.2"))


def test_the_lockout_ends_after_the_cool_off_period(clerk, settings):
    fail(5)
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )

    assert logged_in(log_in("clerk", RIGHT))


def test_limit_and_period_are_settings(clerk, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=10)
    fail(3)

    response = log_in("clerk", RIGHT)

    assert response.status_code == 429
    assert "请在 10 分钟后再试" in response.content.decode()


def test_street_staff_see_the_lockout_and_lift_it(client, clerk, street_user):
    fail(5)
    client.force_login(street_user)

    listing = client.get(ATTEMPTS, {"locked": "yes"})

    assert "clerk" in listing.content.decode()
    assert "用户名已锁定" in listing.content.decode()
    attempt = AccessAttempt.objects.get(username="clerk")

    done = client.post(
        ATTEMPTS, {"action": "unlock", "_selected_action": [attempt.pk]}, follow=True
    )

    assert "已解除锁定" in done.content.decode()
    assert not AccessAttempt.objects.exists()
    assert logged_in(log_in("clerk", RIGHT))


def test_lifting_a_lockout_also_frees_the_address(client, clerk, street_user):
    for username in ["a", "b", "c", "d", "clerk"]:
        fail(1, username=username, ip="10.0.0.1")
    client.force_login(street_user)
    clerk_row = AccessAttempt.objects.get(username="clerk")

    client.post(ATTEMPTS, {"action": "unlock", "_selected_action": [clerk_row.pk]})

    assert logged_in(log_in("clerk", RIGHT, ip="10.0.0.1"))


@pytest.mark.parametrize("role", ["community", "party"])
def test_only_street_staff_open_the_failed_logins(client, role_users, role):
    client.force_login(role_users[role])

    assert client.get(ATTEMPTS).status_code == 403


def test_the_admin_login_is_the_only_page_that_takes_a_password():
    # Token authentication takes no password; DRF's browsable-API login and
    # obtain_auth_token are not mounted. A new password form must be counted
    # by axes (it calls authenticate() with the request) and listed here.
    def names(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                namespace = pattern.namespace or ""
                yield from names(
                    pattern.url_patterns,
                    f"{prefix}{namespace}:" if namespace else prefix,
                )
            elif isinstance(pattern, URLPattern):
                yield f"{prefix}{pattern.name}", pattern.callback

    takes_password = {
        name
        for name, view in names(get_resolver().url_patterns)
        if (name or "").rsplit(":", 1)[-1].lower() in {"login", "api-login"}
        or getattr(getattr(view, "view_class", None), "__name__", "") == "LoginView"
        or "auth_token" in getattr(view, "__name__", "").lower()
        or getattr(getattr(view, "cls", None), "__name__", "") == "ObtainAuthToken"
    }

    assert takes_password == {"admin:login"}
