from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from baitang.roles import SYSTEM
from communities import services
from communities.models import Estate, GovernanceBody, Problem, ProblemCategory
from communities.tests.factories import (
    BuildingFactory,
    CommunityFactory,
    EstateFactory,
    GovernanceBodyFactory,
    HouseholdFactory,
    OwnerFactory,
)

pytestmark = pytest.mark.usefixtures("default_problem_categories")


@pytest.mark.django_db
def test_estate_create_registers_an_estate(community, community_user):
    estate = services.estate_create(
        community=community,
        name="  幸福园小区 ",
        build_year=1996,
        actor=community_user,
        floor_area=Decimal("12000.50"),
        management_model=Estate.ManagementModel.SELF_MANAGED,
    )

    estate.refresh_from_db()
    assert estate.name == "幸福园小区"
    assert estate.community == community
    assert estate.floor_area == Decimal("12000.50")
    assert estate.management_model == "self_managed"


@pytest.mark.django_db
def test_estate_create_refuses_a_duplicate_name_in_chinese(community):
    EstateFactory(community=community, name="湖景花园")

    with pytest.raises(ValidationError) as refused:
        services.estate_create(
            community=community, name="湖景花园", build_year=1999, actor=SYSTEM
        )

    assert refused.value.messages == ["该社区已有同名小区。"]
    assert Estate.objects.filter(name="湖景花园").count() == 1


@pytest.mark.django_db
def test_estate_create_refuses_another_communitys_staff(
    community, other_community_user
):
    with pytest.raises(PermissionDenied):
        services.estate_create(
            community=community,
            name="福星苑",
            build_year=1999,
            actor=other_community_user,
        )

    assert not Estate.objects.filter(name="福星苑").exists()


@pytest.mark.django_db
def test_estate_update_changes_fields_and_validates(community, community_user):
    estate = EstateFactory(community=community, resident_count=400)

    services.estate_update(
        estate=estate, actor=community_user, resident_count=420, notes="复核"
    )
    with pytest.raises(ValidationError) as refused:
        services.estate_update(
            estate=estate, actor=community_user, land_area=Decimal("-1")
        )

    estate.refresh_from_db()
    assert estate.resident_count == 420
    assert estate.land_area == Decimal("15674.00")
    assert "不能为负数。" in refused.value.messages


@pytest.mark.django_db
def test_estate_update_refuses_moving_to_a_community_the_actor_does_not_keep(
    community, community_user, other_community
):
    estate = EstateFactory(community=community)

    with pytest.raises(PermissionDenied):
        services.estate_update(
            estate=estate, actor=community_user, community=other_community
        )

    estate.refresh_from_db()
    assert estate.community == community


@pytest.mark.django_db
def test_estate_update_refuses_an_unknown_field():
    estate = EstateFactory()

    with pytest.raises(TypeError):
        services.estate_update(estate=estate, colour="red", actor=SYSTEM)


@pytest.mark.django_db
def test_party_users_cannot_write_the_register(party_user):
    estate = EstateFactory()

    with pytest.raises(PermissionDenied):
        services.building_create(estate=estate, name="9栋", actor=party_user)


@pytest.mark.django_db
def test_building_and_household_services(community_user, community):
    estate = EstateFactory(community=community)
    building = services.building_create(
        estate=estate, name="1栋", actor=community_user, storeys=7, unit_count=2
    )
    owner = OwnerFactory(community=community)

    household = services.household_create(
        building=building,
        number="301",
        exclusive_area=Decimal("86.40"),
        unit=2,
        floor=3,
        owners=[owner],
        actor=community_user,
    )
    services.household_update(
        household=household, actor=community_user, resident_count=4, owners=[]
    )

    household.refresh_from_db()
    assert (household.unit, household.number, household.floor) == (2, "301", 3)
    assert household.resident_count == 4
    assert list(household.owners.all()) == []


@pytest.mark.django_db
def test_household_create_refuses_a_duplicate_number_in_chinese():
    household = HouseholdFactory(unit=1, number="101")

    with pytest.raises(ValidationError) as refused:
        services.household_create(
            building=household.building,
            unit=1,
            number="101",
            exclusive_area=Decimal("50"),
            actor=SYSTEM,
        )

    assert refused.value.messages == ["该楼栋单元已有相同房号。"]


@pytest.mark.django_db
def test_problem_create_starts_open_and_checks_the_building():
    estate = EstateFactory()
    elsewhere = BuildingFactory()
    category = ProblemCategory.objects.get(name="停车")

    problem = services.problem_create(
        estate=estate, category=category, description="  车辆乱停  ", actor=SYSTEM
    )
    with pytest.raises(ValidationError) as refused:
        services.problem_create(
            estate=estate,
            category=category,
            description="x",
            building=elsewhere,
            actor=SYSTEM,
        )

    assert problem.status == Problem.Status.OPEN
    assert problem.description == "车辆乱停"
    assert refused.value.message_dict == {"building": ["所选楼栋不属于该小区。"]}


@pytest.mark.django_db
def test_need_create_records_a_need(community_user, community):
    estate = EstateFactory(community=community)

    need = services.need_create(
        estate=estate, kind="elevator", quantity=3, actor=community_user
    )

    assert (need.estate, need.kind, need.quantity) == (estate, "elevator", 3)


@pytest.mark.django_db
def test_governance_body_and_members():
    estate = EstateFactory()
    building = BuildingFactory(estate=estate)
    body = services.governance_body_create(
        estate=estate,
        kind=GovernanceBody.Kind.SELF_MANAGEMENT_COMMITTEE,
        name="湖景花园自管委员会",
        actor=SYSTEM,
    )

    member = services.governance_member_create(
        body=body,
        name="陈主任",
        position="主任",
        is_party_member=True,
        building=building,
        actor=SYSTEM,
    )
    with pytest.raises(ValidationError) as refused:
        services.governance_member_create(
            body=body, name="李四", building=BuildingFactory(), actor=SYSTEM
        )

    assert list(body.members.all()) == [member]
    assert refused.value.message_dict == {"building": ["所选楼栋不属于该小区。"]}


@pytest.mark.django_db
def test_governance_body_names_are_unique_per_estate_in_chinese():
    body = GovernanceBodyFactory(name="幸福园自治小组")

    with pytest.raises(ValidationError) as refused:
        services.governance_body_create(
            estate=body.estate, kind=body.kind, name="幸福园自治小组", actor=SYSTEM
        )

    assert refused.value.messages == ["该小区已有同名治理组织。"]


@pytest.mark.django_db
def test_street_staff_may_register_estates_anywhere(street_user):
    community = CommunityFactory(name="家和社区")

    estate = services.estate_create(
        community=community, name="家和小区", build_year=1990, actor=street_user
    )

    assert estate.pk
