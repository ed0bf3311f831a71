"""Deletes of order-menu rows go through their delete services on every path
(admin: one row, a bulk action, an inline row; API), and no file outlives its
row: answer photos (every version's), meeting photos, menu pictures. Files are
looked up afresh under MEDIA_ROOT."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from baitang.roles import SYSTEM
from communities import services as register_services
from communities.tests.factories import BuildingFactory, EstateFactory, HouseholdFactory
from communities.tests.image_samples import jpeg_with_gps, upload
from surveys import services
from surveys.api.urls import router
from surveys.models import (
    Answer,
    MeetingPhoto,
    MenuItem,
    Question,
    Response,
    ResponseVersion,
)
from surveys.permissions import Resident
from surveys.tests.factories import CampaignFactory, MeetingFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def exists(names) -> list[bool]:
    root = Path(settings.MEDIA_ROOT)
    return [(root / name).exists() for name in names]


def test_every_surveys_row_the_admin_or_api_deletes_has_a_delete_service():
    in_admin = set()
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "surveys":
            continue
        in_admin.add(model)
        for inline in model_admin.inlines:
            if inline.can_delete and inline.model._meta.app_label == "surveys":
                in_admin.add(inline.model)
    in_api = {
        viewset.visible_to(AnonymousUser()).model
        for _prefix, viewset, _basename in router.registry
        if hasattr(viewset, "destroy")
    }
    # Rows nobody deletes: a code is revoked by reissuing, a reply is answered.
    never = {"AccessCode", "Reply"}

    missing = {
        model.__name__
        for model in in_admin | in_api
        if model not in services.ROW_DELETES and model.__name__ not in never
    }

    assert missing == set()


def test_no_row_can_be_deleted_without_a_service():
    with pytest.raises(TypeError, match="no delete service"):
        services.row_delete(row=Answer(), actor=SYSTEM)


# --- Answer photos --------------------------------------------------------------------


@pytest.fixture
def photo_campaign(community):
    estate = EstateFactory(community=community)
    question = QuestionFactory(
        campaign=CampaignFactory(estate=estate), kind=Question.Kind.PHOTO
    )
    return question


def answer_with_photos(question, household, times=2) -> list[str]:
    """Answer twice with a new photo each time; every stored name."""
    for _ in range(times):
        services.response_submit(
            campaign=question.campaign,
            household=household,
            answers={question.pk: upload(jpeg_with_gps())},
            actor=Resident(household),
        )
    names = set(Answer.objects.exclude(photo="").values_list("photo", flat=True))
    for version in ResponseVersion.objects.all():
        names |= {a["photo"] for a in version.answers if a.get("photo")}
    return sorted(names)


def test_deleting_a_response_in_the_admin_removes_every_versions_photo(
    client, street_user, photo_campaign, django_capture_on_commit_callbacks
):
    household = HouseholdFactory(
        building=BuildingFactory(estate=photo_campaign.campaign.estate)
    )
    names = answer_with_photos(photo_campaign, household)
    response = Response.objects.get()
    client.force_login(street_user)
    assert len(names) == 2 and exists(names) == [True, True]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:surveys_response_delete", args=[response.pk]),
            {"post": "yes"},
        )

    assert not Response.objects.exists()
    assert exists(names) == [False, False]


def test_a_bulk_delete_of_responses_removes_their_photos(
    client, street_user, photo_campaign, django_capture_on_commit_callbacks
):
    building = BuildingFactory(estate=photo_campaign.campaign.estate)
    names = []
    for household in HouseholdFactory.create_batch(2, building=building):
        answer_with_photos(photo_campaign, household, times=1)
    names = sorted(Answer.objects.values_list("photo", flat=True))
    client.force_login(street_user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:surveys_response_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": list(Response.objects.values_list("pk", flat=True)),
                "post": "yes",
            },
        )

    assert not Response.objects.exists()
    assert exists(names) == [False, False]


def test_a_refused_delete_keeps_the_row_and_its_files(
    client, community_user, photo_campaign
):
    household = HouseholdFactory(
        building=BuildingFactory(estate=photo_campaign.campaign.estate)
    )
    names = answer_with_photos(photo_campaign, household, times=1)
    client.force_login(community_user)

    refused = client.post(
        reverse("admin:surveys_response_delete", args=[Response.objects.get().pk]),
        {"post": "yes"},
    )

    assert refused.status_code == 403
    assert Response.objects.exists() and exists(names) == [True]


def test_deleting_an_estate_removes_its_answer_and_meeting_photos(
    street_user, photo_campaign, django_capture_on_commit_callbacks
):
    estate = photo_campaign.campaign.estate
    household = HouseholdFactory(building=BuildingFactory(estate=estate))
    names = answer_with_photos(photo_campaign, household, times=1)
    photo = services.meeting_photo_add(
        meeting=MeetingFactory(estate=estate),
        image_file=upload(jpeg_with_gps()),
        actor=SYSTEM,
    )
    names += [photo.image.name, photo.thumbnail.name]

    with django_capture_on_commit_callbacks(execute=True):
        register_services.estate_delete(estate=estate, actor=street_user)

    assert exists(names) == [False, False, False]


# --- Meeting photos and menu pictures -------------------------------------------------


def test_a_meeting_photo_deleted_through_its_service_loses_its_files(
    street_user, community, django_capture_on_commit_callbacks
):
    photo = services.meeting_photo_add(
        meeting=MeetingFactory(estate=EstateFactory(community=community)),
        image_file=upload(jpeg_with_gps()),
        actor=SYSTEM,
    )
    names = [photo.image.name, photo.thumbnail.name]

    with django_capture_on_commit_callbacks(execute=True):
        services.row_delete(row=photo, actor=street_user)

    assert not MeetingPhoto.objects.exists()
    assert exists(names) == [False, False]


def test_a_menu_item_deleted_through_the_api_loses_its_picture(
    api_client, street_user, django_capture_on_commit_callbacks
):
    item = services.menu_item_create(
        name="测试项·花坛", kind="basic", national_class="basic", actor=street_user
    )
    services.menu_item_set_picture(
        item=item, image_file=upload(jpeg_with_gps()), actor=street_user
    )
    name = item.picture.name
    api_client.force_authenticate(street_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.delete(f"/api/v1/menu-items/{item.pk}/")

    assert response.status_code == 204
    assert not MenuItem.objects.filter(pk=item.pk).exists()
    assert exists([name]) == [False]


def test_a_rolled_back_delete_keeps_the_file(street_user, community):
    photo = services.meeting_photo_add(
        meeting=MeetingFactory(estate=EstateFactory(community=community)),
        image_file=upload(jpeg_with_gps()),
        actor=SYSTEM,
    )
    names = [photo.image.name, photo.thumbnail.name]

    # Without a commit the files stay: the row may yet come back.
    services.row_delete(row=photo, actor=street_user)

    assert exists(names) == [True, True]
