"""After login, a missing or refused ?next= lands on the admin's home page."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_a_refused_next_lands_on_a_real_page(client, street_user, next_url):
    response = client.post(
        f"/admin/login/?next={next_url}",
        {"username": "street", "password": "pass-word-123", "next": next_url},
        follow=True,
    )

    assert response.redirect_chain[0] == ("/admin/", 302)
    assert response.status_code == 200


def test_a_safe_next_is_followed(client, street_user):
    response = client.post(
        "/admin/login/?next=/estates/",
        {"username": "street", "password": "pass-word-123", "next": "/estates/"},
    )

    assert response["Location"] == "/estates/"
