"""The admin's and the API's meeting photos and menu pictures open at /media/
for the staff who may see them, and are a 404 for anyone else (like a
missing file)."""

import pytest

from baitang.roles import SYSTEM
from communities.tests.factories import EstateFactory
from communities.tests.image_samples import jpeg_with_gps, upload
from surveys import services
from surveys.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(community):
    return services.meeting_photo_add(
        meeting=MeetingFactory(estate=EstateFactory(community=community)),
        image_file=upload(jpeg_with_gps()),
        actor=SYSTEM,
    )


@pytest.fixture
def picture(street_user):
    item = services.menu_item_create(
        name="测试项·花坛", kind="basic", national_class="basic", actor=street_user
    )
    return services.menu_item_set_picture(
        item=item, image_file=upload(jpeg_with_gps()), actor=street_user
    ).picture


@pytest.mark.parametrize(
    ("role", "meeting_photo", "menu_picture"),
    [
        ("street", 200, 200),
        ("community", 200, 200),
        ("other_community", 404, 200),
        ("party", 404, 404),
        ("anonymous", 404, 404),
    ],
)
def test_who_opens_meeting_photos_and_menu_pictures(
    client, role_users, photo, picture, role, meeting_photo, menu_picture
):
    if role_users[role] is not None:
        client.force_login(role_users[role])

    answers = [
        client.get(photo.image.url),
        client.get(photo.thumbnail.url),
        client.get(picture.url),
    ]

    assert [a.status_code for a in answers] == [
        meeting_photo,
        meeting_photo,
        menu_picture,
    ]
    if menu_picture == 200:
        assert answers[2]["Content-Type"] == "image/jpeg"
