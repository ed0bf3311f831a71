"""API answers carry names and phone numbers: no cache may keep them."""

import pytest

from communities.tests.factories import EstateFactory

pytestmark = pytest.mark.django_db


def test_every_api_answer_is_no_store(api_client, street_user, community):
    estate = EstateFactory(community=community)
    api_client.force_authenticate(street_user)

    answers = [
        api_client.get("/api/v1/households/"),
        api_client.get(f"/api/v1/estates/{estate.pk}/"),
        api_client.get("/api/v1/estates/999999/"),
        api_client.patch(f"/api/v1/estates/{estate.pk}/", {"build_year": "x"}),
        api_client.get("/api/schema/"),
    ]

    assert [a.status_code for a in answers] == [200, 200, 404, 400, 200]
    for answer in answers:
        assert "no-store" in answer["Cache-Control"]
        assert "private" in answer["Cache-Control"]


def test_refusals_are_no_store_too(api_client):
    answer = api_client.get("/api/v1/owners/")

    assert answer.status_code in (401, 403)
    assert "no-store" in answer["Cache-Control"]


def test_pages_outside_the_api_keep_their_own_caching(client):
    assert "no-store" not in client.get("/")["Cache-Control"]
