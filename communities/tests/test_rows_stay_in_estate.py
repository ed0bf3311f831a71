"""A building, problem, photo, need or governance body stays in its estate, on
every path: the services check the stored row, the admin passes only what
changed, the API answers 400 with the reason."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from baitang.roles import SYSTEM
from communities import photos, services
from communities.models import Building, EstateNeed, GovernanceBody, Photo, Problem
from communities.tests.factories import (
    BuildingFactory,
    EstateFactory,
    EstateNeedFactory,
    GovernanceBodyFactory,
    GovernanceMemberFactory,
    HouseholdFactory,
    ProblemFactory,
)

MOVED = "登记后不能移到其他小区；如果登记错了，请删除后在正确的小区重新登记。"


def _photo(estate):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "olive").save(buffer, "JPEG")
    return photos.photo_create(
        estate=estate,
        image_file=SimpleUploadedFile("p.jpg", buffer.getvalue()),
        actor=SYSTEM,
    )


# model -> (make a row in an estate, update service taking (row, **fields))
ROWS = {
    Building: (
        lambda estate: BuildingFactory(estate=estate),
        lambda row, **f: services.building_update(building=row, **f),
    ),
    Problem: (
        lambda estate: ProblemFactory(estate=estate),
        lambda row, **f: services.problem_update(problem=row, **f),
    ),
    Photo: (_photo, lambda row, **f: photos.photo_update(photo=row, **f)),
    EstateNeed: (
        lambda estate: EstateNeedFactory(estate=estate),
        lambda row, **f: services.need_update(need=row, **f),
    ),
    GovernanceBody: (
        lambda estate: GovernanceBodyFactory(estate=estate),
        lambda row, **f: services.governance_body_update(body=row, **f),
    ),
}


def _stored(row):
    return type(row).objects.filter(pk=row.pk).values().get()


@pytest.mark.django_db
@pytest.mark.parametrize("model", ROWS, ids=lambda m: m.__name__)
def test_a_service_refuses_moving_a_row_to_another_estate(
    model, community, community_user
):
    make, update = ROWS[model]
    home, elsewhere = EstateFactory.create_batch(2, community=community)
    row = make(home)
    before = _stored(row)

    with pytest.raises(ValidationError) as refused:
        update(row, estate=elsewhere, actor=community_user)

    assert refused.value.message_dict == {
        "estate": [f"{model._meta.verbose_name}{MOVED}"]
    }
    assert _stored(row) == before


@pytest.mark.django_db
@pytest.mark.parametrize("model", ROWS, ids=lambda m: m.__name__)
def test_the_stored_estate_counts_not_the_callers_instance(
    model, community, community_user
):
    # given: a form has already put another estate on the instance
    make, update = ROWS[model]
    home, elsewhere = EstateFactory.create_batch(2, community=community)
    row = make(home)
    row.estate = elsewhere

    # when: the caller passes only what it means to change
    update(row, actor=community_user)

    # then: the row is still in its estate, and so is the caller's instance
    assert type(row).objects.get(pk=row.pk).estate_id == home.pk
    assert row.estate_id == home.pk


@pytest.mark.django_db
def test_the_same_estate_is_accepted(community_user, community):
    problem = ProblemFactory(estate=EstateFactory(community=community))

    services.problem_update(
        problem=problem, estate=problem.estate, description="复核", actor=community_user
    )

    problem.refresh_from_db()
    assert problem.description == "复核"


@pytest.mark.django_db
def test_a_household_moves_within_its_estate_only(community_user, community):
    estate = EstateFactory(community=community)
    household = HouseholdFactory(building=BuildingFactory(estate=estate))
    same_estate = BuildingFactory(estate=estate)
    other_estate = BuildingFactory(estate=EstateFactory(community=community))

    with pytest.raises(ValidationError) as refused:
        services.household_update(
            household=household, building=other_estate, actor=community_user
        )
    services.household_update(
        household=household, building=same_estate, actor=community_user
    )

    assert refused.value.message_dict == {"building": [f"户{MOVED}"]}
    household.refresh_from_db()
    assert household.building == same_estate


@pytest.mark.django_db
def test_a_member_moves_to_a_body_of_its_estate_only(community_user, community):
    estate = EstateFactory(community=community)
    member = GovernanceMemberFactory(body=GovernanceBodyFactory(estate=estate))
    same_estate = GovernanceBodyFactory(estate=estate, name="议事代表")
    other_estate = GovernanceBodyFactory(estate=EstateFactory(community=community))

    with pytest.raises(ValidationError) as refused:
        services.governance_member_update(
            member=member, body=other_estate, actor=community_user
        )
    services.governance_member_update(
        member=member, body=same_estate, actor=community_user
    )

    assert refused.value.message_dict == {"body": [f"治理组织成员{MOVED}"]}
    member.refresh_from_db()
    assert member.body == same_estate


# --- Admin ----------------------------------------------------------------------------


def _problem_form(problem, **overrides):
    data = {
        "estate": problem.estate_id,
        "building": "",
        "category": problem.category_id,
        "severity": problem.severity,
        "source": problem.source,
        "description": problem.description,
        "reported_on": problem.reported_on.isoformat(),
        "new_status": "",
        "status_reason": "",
    }
    for prefix in ["status_changes", "photos"]:
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_admin_cannot_move_a_problem_and_its_photos_stay_with_it(
    client, community_user, community
):
    home, elsewhere = EstateFactory.create_batch(2, community=community)
    problem = ProblemFactory(estate=home)
    client.force_login(community_user)

    response = client.post(
        f"/admin/communities/problem/{problem.pk}/change/",
        _problem_form(problem, estate=elsewhere.pk, description="车辆乱停（复核）"),
    )

    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.estate == home  # the estate is read-only once registered
    assert problem.description == "车辆乱停（复核）"


@pytest.mark.django_db
def test_admin_refuses_a_household_moved_to_another_estate(
    client, street_user, community
):
    household = HouseholdFactory(
        building=BuildingFactory(estate=EstateFactory(community=community))
    )
    elsewhere = BuildingFactory(estate=EstateFactory(community=community))
    client.force_login(street_user)

    response = client.post(
        f"/admin/communities/household/{household.pk}/change/",
        {
            "building": elsewhere.pk,
            "unit": household.unit,
            "number": household.number,
            "floor": household.floor,
            "exclusive_area": household.exclusive_area,
            "area_basis": household.area_basis,
            "contact_phone": "",
            "occupancy": household.occupancy,
            "resident_count": household.resident_count,
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"building": [f"户{MOVED}"]}
    household.refresh_from_db()
    assert household.building.estate_id != elsewhere.estate_id


# --- API ------------------------------------------------------------------------------

API_ROWS = {
    "buildings": (Building, lambda estate: BuildingFactory(estate=estate)),
    "problems": (Problem, lambda estate: ProblemFactory(estate=estate)),
    "needs": (EstateNeed, lambda estate: EstateNeedFactory(estate=estate)),
    "governance-bodies": (
        GovernanceBody,
        lambda estate: GovernanceBodyFactory(estate=estate),
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", API_ROWS)
def test_api_answers_400_with_the_reason(
    prefix, api_client, community_user, community, other_community
):
    model, make = API_ROWS[prefix]
    home, elsewhere = EstateFactory.create_batch(2, community=community)
    foreign = EstateFactory(community=other_community)
    row = make(home)
    before = _stored(row)
    api_client.force_authenticate(community_user)

    moved = api_client.patch(
        f"/api/v1/{prefix}/{row.pk}/", {"estate": elsewhere.pk}, format="json"
    )
    smuggled = api_client.patch(
        f"/api/v1/{prefix}/{row.pk}/", {"estate": foreign.pk}, format="json"
    )

    assert moved.status_code == 400
    assert moved.json() == {"estate": [f"{model._meta.verbose_name}{MOVED}"]}
    assert smuggled.status_code == 400
    assert "estate" in smuggled.json()
    assert _stored(row) == before
