"""Staff sessions last a working day from the last request; residents get none."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

pytestmark = pytest.mark.django_db

WORKING_DAY = 8 * 60 * 60


def expires_in(session) -> timedelta:
    return Session.objects.get(pk=session.session_key).expire_date - timezone.now()


def test_a_staff_session_lasts_a_working_day(client, street_user, settings):
    assert settings.SESSION_COOKIE_AGE == WORKING_DAY

    client.force_login(street_user)
    client.get("/admin/")

    remaining = expires_in(client.session)
    assert (
        timedelta(seconds=WORKING_DAY - 60)
        < remaining
        <= timedelta(seconds=WORKING_DAY)
    )


def test_use_renews_the_session(client, street_user, settings):
    client.force_login(street_user)
    session = client.session
    session["renewed_at"] -= settings.SESSION_RENEW_SECONDS
    session.save()
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))

    response = client.get("/estates/")

    assert expires_in(client.session) > timedelta(seconds=WORKING_DAY - 60)
    assert response.cookies["sessionid"]["max-age"] == WORKING_DAY


def test_a_session_renewed_minutes_ago_is_not_written_again(client, street_user):
    client.force_login(street_user)
    Session.objects.update(expire_date=timezone.now() + timedelta(hours=7))
    client.get("/admin/")

    response = client.get("/admin/")

    assert "sessionid" not in response.cookies
    assert expires_in(client.session) < timedelta(hours=7)


def test_an_idle_session_has_ended(client, street_user):
    client.force_login(street_user)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get("/estates/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_residents_get_no_session_and_the_home_page_stays_cached(
    client, django_assert_num_queries
):
    first = client.get("/")
    with django_assert_num_queries(0):
        second = client.get("/")

    assert "sessionid" not in first.cookies
    assert "sessionid" not in second.cookies
    assert Session.objects.count() == 0
    assert "max-age=300" in second["Cache-Control"]


def test_a_login_through_the_form_starts_a_full_session(client, street_user):
    response = client.post(
        "/admin/login/", {"username": "street", "password": "pass-word-123"}
    )

    assert response.status_code == 302
    assert "renewed_at" in client.session
    assert expires_in(client.session) > timedelta(seconds=WORKING_DAY - 60)
