"""The menu in the admin: the street office keeps it through the menu services,
pictures are cleaned like field photos, and an item in use is not deleted."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from PIL import Image

from baitang.tests.html_forms import form_values
from communities.tests.image_samples import jpeg_with_gps, upload
from surveys.models import MenuItem
from surveys.tests.factories import MenuItemFactory, QuestionItemFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:surveys_menuitem_add")
CHANGELIST = reverse("admin:surveys_menuitem_changelist")


def change_url(item):
    return reverse("admin:surveys_menuitem_change", args=[item.pk])


def new_item_data(**changes):
    data = {
        "name": "楼道扶手",
        "kind": "custom",
        "national_class": "improve",
        "description": "为老人加装楼道扶手",
        "unit_cost": "3000",
        "cost_unit": "栋",
        "scope": "building",
        "sort_order": "5",
        "is_active": "on",
    }
    data.update(changes)
    return data


def stored(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def test_street_staff_add_an_item_with_a_cleaned_picture(client, street_user):
    client.force_login(street_user)

    response = client.post(
        ADD, new_item_data(picture_upload=upload(jpeg_with_gps(orientation=6)))
    )

    assert response.status_code == 302
    item = MenuItem.objects.get(name="楼道扶手")
    assert item.kind == "custom" and item.scope == "building"
    assert item.picture.name.startswith("menu/") and item.picture.name.endswith(".jpg")
    with Image.open(stored(item.picture.name)) as image:
        # Turned upright (the EXIF said "rotate 90°") and stripped of EXIF/GPS.
        assert image.size == (100, 200)
        assert not image.getexif()


def test_a_file_that_is_not_an_image_is_refused_in_chinese(client, street_user):
    client.force_login(street_user)

    response = client.post(
        ADD,
        new_item_data(
            picture_upload=upload(b"%PDF-1.4 not a picture", "menu.pdf", "text/plain")
        ),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "picture_upload" in errors
    assert "图片" in " ".join(errors["picture_upload"]) or "照片" in " ".join(
        errors["picture_upload"]
    )
    assert not MenuItem.objects.filter(name="楼道扶手").exists()
    assert not (Path(settings.MEDIA_ROOT) / "menu").exists() or not any(
        (Path(settings.MEDIA_ROOT) / "menu").iterdir()
    )


def test_a_new_picture_replaces_the_old_file(
    client, street_user, django_capture_on_commit_callbacks
):
    client.force_login(street_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(ADD, new_item_data(picture_upload=upload(jpeg_with_gps())))
    item = MenuItem.objects.get(name="楼道扶手")
    old = item.picture.name
    data = form_values(client.get(change_url(item)).content.decode())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            change_url(item), {**data, "picture_upload": upload(jpeg_with_gps())}
        )

    item.refresh_from_db()
    assert response.status_code == 302
    assert item.picture.name != old
    assert stored(item.picture.name).exists()
    assert not stored(old).exists()


def test_removing_the_picture_removes_its_file(
    client, street_user, django_capture_on_commit_callbacks
):
    client.force_login(street_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(ADD, new_item_data(picture_upload=upload(jpeg_with_gps())))
    item = MenuItem.objects.get(name="楼道扶手")
    old = item.picture.name
    data = form_values(client.get(change_url(item)).content.decode())

    with django_capture_on_commit_callbacks(execute=True):
        client.post(change_url(item), {**data, "remove_picture": "on"})

    item.refresh_from_db()
    assert not item.picture
    assert not stored(old).exists()


def test_a_change_goes_through_the_service_and_keeps_the_rules(client, street_user):
    item = MenuItemFactory(name="测试项·花坛")
    client.force_login(street_user)
    data = form_values(client.get(change_url(item)).content.decode())

    # needs_vote without a matter breaks the rule "a vote names its matter"
    response = client.post(change_url(item), {**data, "needs_vote": "on"})

    assert response.status_code == 200
    assert "需要业主表决的项目必须选择表决事项。" in response.content.decode()
    item.refresh_from_db()
    assert item.needs_vote is False


def test_community_staff_read_the_menu_but_cannot_change_it(client, community_user):
    item = MenuItemFactory(name="测试项·花坛")
    client.force_login(community_user)

    page = client.get(change_url(item))
    refused = client.post(change_url(item), {"name": "改名"})

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert refused.status_code == 403
    assert client.get(ADD).status_code == 403


def test_the_list_filters_by_kind_class_vote_micro_project_and_use(client, street_user):
    MenuItemFactory(name="测试项·雨污", kind="basic", national_class="basic")
    MenuItemFactory(
        name="测试项·电梯",
        kind="custom",
        national_class="improve",
        needs_vote=True,
        vote_matter=7,
        micro_project_eligible=True,
        micro_project_type="works",
    )
    MenuItemFactory(name="测试项·旧设施", is_active=False)
    client.force_login(street_user)

    def names(**params):
        response = client.get(CHANGELIST, params)
        assert response.status_code == 200
        return {item.name for item in response.context["cl"].result_list} & {
            "测试项·雨污",
            "测试项·电梯",
            "测试项·旧设施",
        }

    assert names(kind__exact="custom") == {"测试项·电梯"}
    assert names(national_class__exact="basic") >= {"测试项·雨污"}
    assert names(needs_vote__exact="1") == {"测试项·电梯"}
    assert names(micro_project_eligible__exact="1") == {"测试项·电梯"}
    assert names(is_active__exact="0") == {"测试项·旧设施"}
    assert names(q="测试项·电") == {"测试项·电梯"}


def test_an_item_in_use_is_not_deleted_and_the_reason_is_shown(client, street_user):
    row = QuestionItemFactory(item=MenuItemFactory(name="测试项·电梯"))
    client.force_login(street_user)

    response = client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [row.item_id], "post": "yes"},
        follow=True,
    )

    assert MenuItem.objects.filter(pk=row.item_id).exists()
    shown = " ".join(str(m) for m in response.context["messages"])
    assert "该项目已用于征询或表决，不能删除" in shown


def test_an_unused_item_is_deleted_with_its_picture(
    client, street_user, django_capture_on_commit_callbacks
):
    client.force_login(street_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(ADD, new_item_data(picture_upload=upload(jpeg_with_gps())))
    item = MenuItem.objects.get(name="楼道扶手")
    picture = stored(item.picture.name)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:surveys_menuitem_delete", args=[item.pk]), {"post": "yes"}
        )

    assert response.status_code == 302
    assert not MenuItem.objects.filter(pk=item.pk).exists()
    assert not picture.exists()
