"""Uploaded photos are served in production too, and only to users who may see
their estate (communities.media_views)."""

import pytest
from django.urls import reverse

from baitang.roles import SYSTEM
from communities.photos import photo_create
from communities.tests.factories import EstateFactory
from communities.tests.image_samples import encode, picture, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production(settings):
    # The route must not depend on DEBUG (it used to exist only in development).
    settings.DEBUG = False
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = ""
    settings.MEDIA_SENDFILE_HEADER = ""


@pytest.fixture
def photo(community):
    estate = EstateFactory(community=community, name="藤翠苑7号小区")
    return photo_create(
        estate=estate,
        image_file=upload(encode(picture((640, 480)), "JPEG"), "a.jpg"),
        actor=SYSTEM,
    )


def files_of(photo):
    return [photo.image, photo.thumbnail_small, photo.thumbnail_large]


def test_media_urls_are_served_by_the_checked_view(photo):
    assert photo.image.url.startswith("/media/photos/")
    assert reverse("communities:media", args=[photo.image.name]) == photo.image.url


@pytest.mark.parametrize("user_key", ["street", "community"])
def test_staff_who_see_the_estate_get_every_file(client, role_users, photo, user_key):
    client.force_login(role_users[user_key])

    for file in files_of(photo):
        response = client.get(file.url)

        assert response.status_code == 200, file.name
        assert response["Content-Type"] == "image/jpeg"
        with file.open("rb") as stored:
            assert b"".join(response.streaming_content) == stored.read()
        assert "private" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]
        assert "Cookie" in response["Vary"]


@pytest.mark.parametrize("user_key", ["other_community", "party", "anonymous"])
def test_everyone_else_gets_404(client, role_users, photo, user_key):
    if role_users[user_key] is not None:
        client.force_login(role_users[user_key])

    for file in files_of(photo):
        assert client.get(file.url).status_code == 404, file.name


def test_head_is_answered(client, street_user, photo):
    client.force_login(street_user)

    response = client.head(photo.thumbnail_small.url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize(
    "path",
    [
        "photos/thumbs/none.jpg",
        "../etc/passwd",
        "photos/../../secret.txt",
        "register_imports/x.xlsx",
    ],
)
def test_files_that_are_no_visible_photo_are_404(client, street_user, photo, path):
    client.force_login(street_user)

    assert client.get(f"/media/{path}").status_code == 404


def test_a_row_whose_file_is_gone_is_404(client, street_user, photo):
    photo.image.storage.delete(photo.image.name)
    client.force_login(street_user)

    assert client.get(photo.image.url).status_code == 404


def test_nginx_sends_the_file_with_x_accel_redirect(
    client, street_user, photo, settings
):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    client.force_login(street_user)

    response = client.get(photo.thumbnail_large.url)

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == (
        f"/protected-media/{photo.thumbnail_large.name}"
    )
    assert response.content == b""
    assert "private" in response["Cache-Control"]


def test_apache_sends_the_file_with_x_sendfile(client, street_user, photo, settings):
    settings.MEDIA_SENDFILE_HEADER = "X-Sendfile"
    client.force_login(street_user)

    response = client.get(photo.image.url)

    assert response.status_code == 200
    assert response["X-Sendfile"] == photo.image.path
    assert response.content == b""


def test_x_accel_redirect_is_not_sent_for_a_refused_file(
    client, other_community_user, photo, settings
):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    client.force_login(other_community_user)

    response = client.get(photo.image.url)

    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response


@pytest.mark.parametrize("count", [1, 20])
def test_one_query_for_the_file_whatever_the_photos(
    client, street_user, community, count, django_assert_max_num_queries
):
    estate = EstateFactory(community=community)
    photos = [
        photo_create(
            estate=estate,
            image_file=upload(encode(picture((64, 48)), "JPEG"), f"{n}.jpg"),
            actor=SYSTEM,
        )
        for n in range(count)
    ]
    client.force_login(street_user)

    # session, user, photo
    with django_assert_max_num_queries(3):
        response = client.get(photos[-1].thumbnail_small.url)

    assert response.status_code == 200
