"""No admin write without a service: communities, owners, problem categories
(also the list's editable sort order) and photo edits are saved by the same
services the API and the importer use; the forms only show their refusals."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from baitang.roles import SYSTEM
from baitang.tests.html_forms import form_values
from communities import photos, services
from communities.models import Community, Photo, ProblemCategory
from communities.tests.factories import (
    BuildingFactory,
    EstateFactory,
    OwnerFactory,
    ProblemCategoryFactory,
)


@pytest.fixture
def calls(monkeypatch):
    """Record the calls of the services the admin is expected to use."""
    recorded = []

    def spy(module, name):
        real = getattr(module, name)

        def wrapper(**kwargs):
            recorded.append((name, kwargs))
            return real(**kwargs)

        monkeypatch.setattr(module, name, wrapper)

    for name in [
        "community_create",
        "community_update",
        "owner_create",
        "owner_update",
        "problem_category_create",
        "problem_category_update",
    ]:
        spy(services, name)
    spy(photos, "photo_update")
    return recorded


def _changed(calls, name):
    """The fields each call of service `name` changed (beyond the row and actor)."""
    skip = {"actor", "community", "owner", "category", "photo"}
    return [
        {key: value for key, value in kwargs.items() if key not in skip}
        for called, kwargs in calls
        if called == name
    ]


def _post_form(client, url, **changes):
    data = form_values(client.get(url).content.decode())
    data.update(changes)
    return client.post(url, data)


@pytest.mark.django_db
def test_communities_are_saved_by_their_services(client, street_user, calls):
    client.force_login(street_user)

    added = client.post(
        "/admin/communities/community/add/",
        {"name": " 家和社区 ", "address": "", "notes": ""},
    )
    community = Community.objects.get(name="家和社区")
    changed = _post_form(
        client,
        f"/admin/communities/community/{community.pk}/change/",
        address="白藤一路1号",
    )

    assert (added.status_code, changed.status_code) == (302, 302)
    assert [name for name, _kwargs in calls] == ["community_create", "community_update"]
    assert _changed(calls, "community_update") == [{"address": "白藤一路1号"}]
    assert calls[1][1]["actor"] == street_user


@pytest.mark.django_db
def test_owners_are_saved_by_their_services(client, street_user, community, calls):
    owner = OwnerFactory(name="陈伯", community=community)
    client.force_login(street_user)

    response = _post_form(
        client, f"/admin/communities/owner/{owner.pk}/change/", name="陈伯伯"
    )

    assert response.status_code == 302
    assert _changed(calls, "owner_update") == [{"name": "陈伯伯"}]
    owner.refresh_from_db()
    assert owner.name == "陈伯伯"


@pytest.mark.django_db
def test_problem_categories_are_saved_by_their_services(client, street_user, calls):
    category = ProblemCategoryFactory(name="噪音", sort_order=5)
    client.force_login(street_user)

    added = client.post(
        "/admin/communities/problemcategory/add/", {"name": "漏水", "sort_order": "7"}
    )
    changed = _post_form(
        client,
        f"/admin/communities/problemcategory/{category.pk}/change/",
        name="噪声",
    )

    assert (added.status_code, changed.status_code) == (302, 302)
    assert _changed(calls, "problem_category_create") == [
        {"name": "漏水", "sort_order": 7}
    ]
    assert _changed(calls, "problem_category_update") == [{"name": "噪声"}]


@pytest.mark.django_db
def test_the_lists_editable_sort_order_is_saved_by_the_service(
    client, street_user, calls
):
    category = ProblemCategoryFactory(name="噪音", sort_order=5)
    client.force_login(street_user)
    url = "/admin/communities/problemcategory/"
    data = form_values(client.get(url).content.decode(), form_id="changelist-form")
    row = next(
        key.removesuffix("-id")
        for key, value in data.items()
        if key.endswith("-id") and value == str(category.pk)
    )
    data.update({f"{row}-sort_order": "99", "_save": "保存"})

    response = client.post(url, data)

    assert response.status_code == 302
    assert _changed(calls, "problem_category_update") == [{"sort_order": 99}]
    category.refresh_from_db()
    assert category.sort_order == 99
    assert (
        ProblemCategory.objects.exclude(pk=category.pk).filter(sort_order=99).count()
        == 0
    )


def _photo(estate) -> Photo:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "olive").save(buffer, "JPEG")
    return photos.photo_create(
        estate=estate,
        image_file=SimpleUploadedFile("p.jpg", buffer.getvalue()),
        actor=SYSTEM,
    )


@pytest.mark.django_db
def test_photo_edits_are_saved_by_the_service(client, community_user, community, calls):
    photo = _photo(EstateFactory(community=community))
    client.force_login(community_user)

    response = _post_form(
        client, f"/admin/communities/photo/{photo.pk}/change/", caption="楼道"
    )

    assert response.status_code == 302
    assert _changed(calls, "photo_update") == [{"caption": "楼道"}]
    photo.refresh_from_db()
    assert photo.caption == "楼道"


@pytest.mark.django_db
def test_a_service_refusal_is_a_form_error_and_nothing_is_saved(
    client, street_user, community
):
    photo = _photo(EstateFactory(community=community))
    elsewhere = BuildingFactory(estate=EstateFactory(community=community))
    client.force_login(street_user)

    response = _post_form(
        client,
        f"/admin/communities/photo/{photo.pk}/change/",
        caption="改了",
        building=str(elsewhere.pk),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "building": ["所选楼栋不属于该小区。"]
    }
    photo.refresh_from_db()
    assert (photo.caption, photo.building) == ("", None)
