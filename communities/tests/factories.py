from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from baitang.models import User
from communities.models import (
    Building,
    Community,
    Estate,
    EstateNeed,
    GovernanceBody,
    GovernanceMember,
    Household,
    Owner,
    Problem,
    ProblemCategory,
)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pass-word-123")
    role = User.Role.STREET
    is_staff = True


class CommunityFactory(DjangoModelFactory):
    class Meta:
        model = Community
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"测试{n}社区")


class EstateFactory(DjangoModelFactory):
    class Meta:
        model = Estate

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"测试{n}小区")
    address = factory.Sequence(lambda n: f"白藤三路{n}号")
    build_year = 1998
    land_area = Decimal("15674.00")
    floor_area = Decimal("24631.00")
    building_count = 8
    household_count = 144
    resident_count = 400
    elderly_60_count = 100
    elderly_80_count = 20
    disabled_count = 5
    children_count = 40
    low_income_count = 3
    tenant_share = Decimal("20.00")
    management_model = Estate.ManagementModel.NONE


class BuildingFactory(DjangoModelFactory):
    class Meta:
        model = Building

    estate = factory.SubFactory(EstateFactory)
    name = factory.Sequence(lambda n: f"{n + 1}栋")
    storeys = 7
    unit_count = 2


class OwnerFactory(DjangoModelFactory):
    class Meta:
        model = Owner

    name = factory.Sequence(lambda n: f"业主{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household
        skip_postgeneration_save = True

    building = factory.SubFactory(BuildingFactory)
    unit = 1
    # Four digits and up: never equal to the three-digit numbers tests spell out.
    number = factory.Sequence(lambda n: f"{n + 1001}")
    floor = 1
    exclusive_area = Decimal("85.50")
    contact_phone = factory.Sequence(lambda n: f"139{n:08d}")
    resident_count = 3

    @factory.post_generation
    def owners(self, create, extracted, **kwargs):
        if create and extracted:
            self.owners.set(extracted)
            # An owner made without a community was entered for the community
            # of its first household, as services, import and migration do.
            community_id = self.building.estate.community_id
            for owner in extracted:
                if owner.community_id is None:
                    owner.community_id = community_id
                    Owner.objects.filter(pk=owner.pk).update(community_id=community_id)


class ProblemCategoryFactory(DjangoModelFactory):
    class Meta:
        model = ProblemCategory
        django_get_or_create = ["name"]

    name = "停车"


class ProblemFactory(DjangoModelFactory):
    class Meta:
        model = Problem

    estate = factory.SubFactory(EstateFactory)
    category = factory.SubFactory(ProblemCategoryFactory)
    description = "车辆乱停，消防通道被占"
    severity = Problem.Severity.SERIOUS


class EstateNeedFactory(DjangoModelFactory):
    class Meta:
        model = EstateNeed

    estate = factory.SubFactory(EstateFactory)
    kind = EstateNeed.Kind.ELEVATOR
    quantity = 2


class GovernanceBodyFactory(DjangoModelFactory):
    class Meta:
        model = GovernanceBody

    estate = factory.SubFactory(EstateFactory)
    kind = GovernanceBody.Kind.SELF_MANAGEMENT_COMMITTEE
    name = factory.Sequence(lambda n: f"自管委员会{n}")


class GovernanceMemberFactory(DjangoModelFactory):
    class Meta:
        model = GovernanceMember

    body = factory.SubFactory(GovernanceBodyFactory)
    name = factory.Sequence(lambda n: f"成员{n}")
    position = "主任"
