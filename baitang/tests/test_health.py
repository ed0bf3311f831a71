import pytest

from baitang.celery import app as celery_app


@pytest.mark.django_db
def test_healthz_is_200_when_database_and_broker_are_up(client, settings):
    # given: the test run points Celery at the real Redis
    assert celery_app.conf.broker_url.startswith("redis://")

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up", "broker": "up"}


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_down(client):
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        response = client.get("/healthz")
    finally:
        celery_app.conf.broker_url = original

    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "up", "broker": "down"}
