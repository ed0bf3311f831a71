"""Street office staff keep the logins in the admin, but what makes a superuser
stays with superusers: a street login cannot raise itself (or anyone) to
superuser or give Django permissions, nor change or delete a superuser's
login or password, which would take that account over."""

import pytest

from baitang.models import User
from baitang.tests.html_forms import form_values
from communities.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def change_url(user):
    return f"/admin/baitang/user/{user.pk}/change/"


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, role=User.Role.STREET)


def test_street_staff_cannot_make_a_superuser(client, street_user, community_user):
    client.force_login(street_user)
    page = client.get(change_url(street_user))
    data = form_values(page.content.decode())

    response = client.post(
        change_url(street_user), {**data, "is_superuser": "on", "first_name": "林"}
    )

    assert response.status_code == 302
    street_user.refresh_from_db()
    assert (street_user.first_name, street_user.is_superuser) == ("林", False)
    for field in ("is_superuser", "groups", "user_permissions"):
        assert f'name="{field}"' not in page.content.decode()


@pytest.mark.parametrize("path", ["change/", "password/", "delete/"])
def test_street_staff_cannot_change_a_superusers_login(client, street_user, root, path):
    client.force_login(street_user)
    url = f"/admin/baitang/user/{root.pk}/{path}"

    posted = client.post(
        url, {"password1": "taken-over-123", "password2": "taken-over-123"}
    )

    assert posted.status_code == 403
    root.refresh_from_db()
    assert root.check_password("pass-word-123")
    assert User.objects.filter(pk=root.pk).exists()


def test_street_staff_still_see_a_superuser_and_keep_other_logins(
    client, street_user, root, community_user
):
    client.force_login(street_user)

    assert client.get(change_url(root)).status_code == 200  # read-only
    assert (
        client.get(f"/admin/baitang/user/{community_user.pk}/password/").status_code
        == 200
    )


def test_a_superuser_still_grants_superuser(client, root, street_user):
    client.force_login(root)
    page = client.get(change_url(street_user)).content.decode()
    data = form_values(page)

    client.post(change_url(street_user), {**data, "is_superuser": "on"})

    street_user.refresh_from_db()
    assert street_user.is_superuser


def test_street_staff_cannot_delete_a_superuser_in_bulk(client, street_user, root):
    client.force_login(street_user)

    response = client.post(
        "/admin/baitang/user/",
        {"action": "delete_selected", "_selected_action": [root.pk], "post": "yes"},
    )

    assert response.status_code == 403
    assert User.objects.filter(pk=root.pk).exists()
