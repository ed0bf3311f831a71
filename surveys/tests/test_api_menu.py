"""/api/v1/menu-items/: every office worker reads the menu, the street office
keeps it through the menu services; refusals are 400 with the reason in
Chinese, pictures are cleaned and no file outlives its row."""

from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from communities.tests.image_samples import jpeg_with_gps, upload
from surveys.models import MenuItem
from surveys.tests.factories import MenuItemFactory, QuestionItemFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/menu-items/"


def stored(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def test_every_office_worker_reads_the_menu_with_its_filters(
    api_client, other_community_user
):
    MenuItemFactory(
        name="测试项·电梯",
        kind="custom",
        national_class="improve",
        needs_vote=True,
        vote_matter=7,
    )
    MenuItemFactory(name="测试项·停用", is_active=False)
    api_client.force_authenticate(other_community_user)

    def names(**params):
        response = api_client.get(URL, {"page_size": 200, **params})
        assert response.status_code == 200
        return {row["name"] for row in response.json()["results"]} & {
            "测试项·电梯",
            "测试项·停用",
        }

    assert names() == {"测试项·电梯", "测试项·停用"}
    assert names(kind="custom", needs_vote="true") == {"测试项·电梯"}
    assert names(is_active="false") == {"测试项·停用"}
    assert names(search="测试项·电") == {"测试项·电梯"}
    row = api_client.get(URL, {"search": "测试项·电梯"}).json()["results"][0]
    assert (row["vote_matter"], row["picture"]) == (7, None)


def test_a_bad_filter_is_a_400(api_client, street_user):
    api_client.force_authenticate(street_user)

    response = api_client.get(URL, {"kind": "luxury"})

    assert response.status_code == 400
    assert "kind" in response.json()


def test_the_street_office_adds_and_changes_items(api_client, street_user):
    api_client.force_authenticate(street_user)

    created = api_client.post(
        URL,
        {
            "name": "  测试项·扶手  ",
            "kind": "custom",
            "national_class": "improve",
            "unit_cost": "3000.00",
            "micro_project_eligible": True,
            "micro_project_type": "works",
        },
        format="json",
    )
    item = MenuItem.objects.get(name="测试项·扶手")
    changed = api_client.patch(
        f"{URL}{item.pk}/", {"description": "楼道扶手"}, format="json"
    )

    assert created.status_code == 201
    assert created.json()["name"] == "测试项·扶手"
    assert changed.status_code == 200
    item.refresh_from_db()
    assert item.description == "楼道扶手"


def test_the_rules_come_back_as_400_in_chinese(api_client, street_user):
    MenuItemFactory(name="测试项·已有")
    api_client.force_authenticate(street_user)

    no_matter = api_client.post(
        URL,
        {
            "name": "测试项·表决",
            "kind": "custom",
            "national_class": "improve",
            "needs_vote": True,
        },
        format="json",
    )
    twice = api_client.post(
        URL,
        {"name": "测试项·已有", "kind": "basic", "national_class": "basic"},
        format="json",
    )
    negative = api_client.post(
        URL,
        {
            "name": "测试项·负数",
            "kind": "basic",
            "national_class": "basic",
            "unit_cost": "-1",
        },
        format="json",
    )

    assert no_matter.status_code == 400
    assert "需要业主表决的项目必须选择表决事项。" in str(no_matter.json())
    assert twice.status_code == 400
    assert "已存在" in str(twice.json()["name"])
    assert negative.status_code == 400
    assert not MenuItem.objects.filter(name__in=["测试项·表决", "测试项·负数"]).exists()


def test_community_staff_cannot_change_the_menu(api_client, community_user):
    item = MenuItemFactory(name="测试项·花坛")
    api_client.force_authenticate(community_user)

    responses = [
        api_client.post(URL, {"name": "x", "kind": "basic", "national_class": "basic"}),
        api_client.patch(f"{URL}{item.pk}/", {"description": "x"}, format="json"),
        api_client.delete(f"{URL}{item.pk}/"),
        api_client.post(f"{URL}{item.pk}/picture/", {"image_file": upload(b"x")}),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    item.refresh_from_db()
    assert item.description == ""


def test_a_picture_is_cleaned_and_replaced_and_removed(
    api_client, street_user, django_capture_on_commit_callbacks
):
    item = MenuItemFactory(name="测试项·花坛")
    api_client.force_authenticate(street_user)
    url = f"{URL}{item.pk}/picture/"

    first = api_client.post(url, {"image_file": upload(jpeg_with_gps(orientation=6))})
    item.refresh_from_db()
    old = item.picture.name
    with django_capture_on_commit_callbacks(execute=True):
        second = api_client.post(url, {"image_file": upload(jpeg_with_gps())})
    item.refresh_from_db()
    new = item.picture.name
    with Image.open(stored(new)) as image:
        assert not image.getexif()
    with django_capture_on_commit_callbacks(execute=True):
        removed = api_client.delete(url)

    assert first.status_code == 200 and first.json()["picture"].endswith(".jpg")
    assert second.status_code == 200
    assert not stored(old).exists()
    assert removed.status_code == 200 and removed.json()["picture"] is None
    assert not stored(new).exists()


def test_a_file_that_is_not_a_picture_is_a_400_in_chinese(api_client, street_user):
    item = MenuItemFactory(name="测试项·花坛")
    api_client.force_authenticate(street_user)

    response = api_client.post(
        f"{URL}{item.pk}/picture/",
        {"image_file": upload(b"%PDF-1.4", "a.pdf", "application/pdf")},
    )
    missing = api_client.post(f"{URL}{item.pk}/picture/", {})

    assert response.status_code == 400
    assert list(response.json()) == ["picture"]
    assert "图片" in str(response.json()) or "照片" in str(response.json())
    assert missing.status_code == 400 and "image_file" in missing.json()
    item.refresh_from_db()
    assert not item.picture


def test_an_item_in_use_is_not_deleted(api_client, street_user):
    row = QuestionItemFactory(item=MenuItemFactory(name="测试项·在用"))
    unused = MenuItemFactory(name="测试项·闲置")
    api_client.force_authenticate(street_user)

    refused = api_client.delete(f"{URL}{row.item_id}/")
    deleted = api_client.delete(f"{URL}{unused.pk}/")

    assert refused.status_code == 400
    assert "该项目已用于征询或表决，不能删除" in str(refused.json())
    assert MenuItem.objects.filter(pk=row.item_id).exists()
    assert deleted.status_code == 204
