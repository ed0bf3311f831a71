"""Deletes go through the delete services, on every path (admin: one row, bulk
action, inline row; API), and no photo file outlives its row."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from baitang.roles import SYSTEM
from communities import photos, services
from communities.models import (
    Building,
    Community,
    Estate,
    Photo,
)
from communities.tests.factories import (
    BuildingFactory,
    EstateFactory,
    ProblemFactory,
)


def _photo(estate, **kwargs) -> Photo:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "olive").save(buffer, "JPEG")
    return photos.photo_create(
        estate=estate,
        image_file=SimpleUploadedFile("p.jpg", buffer.getvalue()),
        actor=SYSTEM,
        **kwargs,
    )


def _files(photo: Photo) -> list[Path]:
    """The photo's three files, looked up afresh under MEDIA_ROOT."""
    root = Path(settings.MEDIA_ROOT)
    names = [photo.image.name, photo.thumbnail_small.name, photo.thumbnail_large.name]
    return [root / name for name in names]


def _exist(paths) -> list[bool]:
    return [path.exists() for path in paths]


def test_every_register_model_has_a_delete_service():
    from django.contrib import admin

    from communities.api.urls import router

    in_admin = {
        model
        for model in admin.site._registry
        if model._meta.app_label == "communities"
    }
    in_api = {
        viewset.visible_to(AnonymousUser()).model
        for _prefix, viewset, _basename in router.registry
        if hasattr(viewset, "destroy")
    }

    assert in_admin - set(services.ROW_DELETES) == set()
    assert in_api - set(services.ROW_DELETES) == set()


# --- The services ---------------------------------------------------------------------


@pytest.mark.django_db
def test_deleting_an_estate_removes_its_photos_files_after_commit(
    street_user, django_capture_on_commit_callbacks
):
    estate = EstateFactory()
    files = _files(_photo(estate)) + _files(_photo(estate))
    assert all(_exist(files))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.estate_delete(estate=estate, actor=street_user)
        still_there = _exist(files)
    for callback in callbacks:
        callback()

    assert all(still_there)  # nothing goes before the deletion commits
    assert not any(_exist(files))
    assert not Photo.objects.exists()


@pytest.mark.django_db
def test_a_rolled_back_delete_keeps_the_files(
    street_user, django_capture_on_commit_callbacks
):
    estate = EstateFactory()
    files = _files(_photo(estate))

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.estate_delete(estate=estate, actor=street_user)
            raise RuntimeError("the request failed later")

    assert all(_exist(files))
    assert Photo.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("what", ["building", "problem"])
def test_deleting_a_building_or_problem_keeps_its_photos(
    what, street_user, django_capture_on_commit_callbacks
):
    estate = EstateFactory()
    building = BuildingFactory(estate=estate)
    problem = ProblemFactory(estate=estate, building=building)
    photo = _photo(estate, building=building, problem=problem)
    files = _files(photo)

    with django_capture_on_commit_callbacks(execute=True):
        if what == "building":
            services.building_delete(building=building, actor=street_user)
        else:
            services.problem_delete(problem=problem, actor=street_user)

    photo.refresh_from_db()
    assert all(_exist(files))
    assert getattr(photo, f"{what}_id") is None


@pytest.mark.django_db
def test_community_staff_cannot_delete(community_user, community):
    estate = EstateFactory(community=community)

    with pytest.raises(PermissionDenied) as refused:
        services.estate_delete(estate=estate, actor=community_user)

    assert str(refused.value) == "只有街道办工作人员可以删除登记数据。"
    assert Estate.objects.filter(pk=estate.pk).exists()


@pytest.mark.django_db
def test_a_community_with_estates_is_not_deleted(street_user, community):
    EstateFactory(community=community)

    with pytest.raises(ValidationError) as refused:
        services.community_delete(community=community, actor=street_user)

    assert refused.value.messages == [
        "“鹤洲社区”下仍有小区，不能删除；请先删除或改登记它们。"
    ]
    assert Community.objects.filter(pk=community.pk).exists()


# --- Admin and API --------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_delete_removes_the_files(
    client, street_user, django_capture_on_commit_callbacks
):
    estate = EstateFactory()
    files = _files(_photo(estate))
    client.force_login(street_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/communities/estate/{estate.pk}/delete/", {"post": "yes"}
        )

    assert response.status_code == 302
    assert not Estate.objects.filter(pk=estate.pk).exists()
    assert not any(_exist(files))


@pytest.mark.django_db
def test_admin_bulk_delete_removes_the_files(
    client, street_user, django_capture_on_commit_callbacks
):
    first, second, kept = EstateFactory.create_batch(3)
    files = _files(_photo(first)) + _files(_photo(second))
    kept_files = _files(_photo(kept))
    client.force_login(street_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/communities/estate/",
            {
                "action": "delete_selected",
                "_selected_action": [first.pk, second.pk],
                "post": "yes",
            },
        )

    assert response.status_code == 302
    assert list(Estate.objects.all()) == [kept]
    assert not any(_exist(files))
    assert all(_exist(kept_files))


@pytest.mark.django_db
def test_admin_photo_delete_removes_the_files(
    client, street_user, django_capture_on_commit_callbacks
):
    photo = _photo(EstateFactory())
    files = _files(photo)
    client.force_login(street_user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/communities/photo/{photo.pk}/delete/", {"post": "yes"})

    assert not Photo.objects.exists()
    assert not any(_exist(files))


@pytest.mark.django_db
def test_admin_inline_rows_are_deleted_through_the_service(
    client, street_user, monkeypatch
):
    estate = EstateFactory()
    building = BuildingFactory(estate=estate, name="1栋")
    deleted = []
    real = services.building_delete

    def spy(*, building, actor):
        deleted.append((building.pk, actor))
        real(building=building, actor=actor)

    monkeypatch.setattr(services, "building_delete", spy)
    client.force_login(street_user)
    page = client.get(f"/admin/communities/estate/{estate.pk}/change/")
    data = _form_data(page)
    data["buildings-0-DELETE"] = "on"

    response = client.post(f"/admin/communities/estate/{estate.pk}/change/", data)

    assert response.status_code == 302
    assert deleted == [(building.pk, street_user)]
    assert not Building.objects.filter(pk=building.pk).exists()


@pytest.mark.django_db
def test_api_delete_removes_the_files(
    api_client, street_user, django_capture_on_commit_callbacks
):
    estate = EstateFactory()
    files = _files(_photo(estate))
    api_client.force_authenticate(street_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.delete(f"/api/v1/estates/{estate.pk}/")

    assert response.status_code == 204
    assert not any(_exist(files))


@pytest.mark.django_db
def test_api_refuses_community_staff_and_keeps_everything(
    api_client, community_user, community, django_capture_on_commit_callbacks
):
    estate = EstateFactory(community=community)
    files = _files(_photo(estate))
    api_client.force_authenticate(community_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.delete(f"/api/v1/estates/{estate.pk}/")

    assert response.status_code == 403
    assert response.json() == {"detail": "只有街道办工作人员可以删除登记数据。"}
    assert Estate.objects.filter(pk=estate.pk).exists()
    assert all(_exist(files))


def _form_data(response) -> dict:
    """What the browser would send back from a rendered admin form."""
    from baitang.tests.html_forms import form_values

    return form_values(response.content.decode())
