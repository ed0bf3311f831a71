"""Staff sessions last a working day from the last request; residents get none."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

pytestmark = pytest.mark.django_db

WORKING_DAY = 8 * 60 * 60


def test_a_staff_session_lasts_a_working_day(client, street_user, settings):
    assert settings.SESSION_COOKIE_AGE == WORKING_DAY
    client.force_login(street_user)

    response = client.get("/admin/")

    assert response.cookies["sessionid"]["max-age"] == WORKING_DAY
    session = Session.objects.get()
    expected = timezone.now() + timedelta(seconds=WORKING_DAY)
    assert abs(session.expire_date - expected) < timedelta(seconds=30)


def test_every_request_renews_the_session(client, street_user):
    client.force_login(street_user)
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))

    client.get("/estates/")

    remaining = Session.objects.get().expire_date - timezone.now()
    assert remaining > timedelta(seconds=WORKING_DAY - 60)


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
