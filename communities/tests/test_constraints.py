"""The database holds the register's invariants even when code forgets them, and
full_clean reports each one in Chinese."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from communities.models import (
    Building,
    Estate,
    GovernanceBody,
    Household,
    ProblemCategory,
)
from communities.tests.factories import (
    BuildingFactory,
    EstateFactory,
    GovernanceBodyFactory,
    HouseholdFactory,
)


def violates(constraint_name: str):
    """The database refuses the write, and says which constraint did."""
    return pytest.raises(IntegrityError, match=f'constraint "{constraint_name}"')


def message_of(model, constraint_name: str) -> str:
    """The Chinese message the named constraint gives in full_clean."""
    constraint = next(c for c in model._meta.constraints if c.name == constraint_name)
    return str(constraint.violation_error_message)


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["land_area", "floor_area", "maintenance_fund"])
def test_database_refuses_negative_estate_amounts(field):
    estate = EstateFactory()

    with violates(f"estate_{field}_non_negative"), transaction.atomic():
        Estate.objects.filter(pk=estate.pk).update(**{field: Decimal("-1.00")})


@pytest.mark.django_db
def test_database_refuses_a_non_positive_exclusive_area():
    household = HouseholdFactory()

    with violates("household_exclusive_area_positive"), transaction.atomic():
        Household.objects.filter(pk=household.pk).update(exclusive_area=0)


@pytest.mark.django_db
def test_database_refuses_duplicate_building_names_in_an_estate():
    building = BuildingFactory(name="1栋")

    with violates("building_unique_name_in_estate"), transaction.atomic():
        Building.objects.create(estate=building.estate, name="1栋")


@pytest.mark.django_db
def test_same_building_name_is_fine_in_another_estate():
    BuildingFactory(name="1栋")

    BuildingFactory(name="1栋")

    assert Building.objects.filter(name="1栋").count() == 2


@pytest.mark.django_db
def test_database_refuses_duplicate_unit_and_number_in_a_building():
    household = HouseholdFactory(unit=2, number="301")

    with violates("household_unique_number_in_unit"), transaction.atomic():
        Household.objects.create(
            building=household.building,
            unit=2,
            number="301",
            exclusive_area=Decimal("60.00"),
        )


@pytest.mark.django_db
def test_same_number_in_another_unit_is_fine():
    household = HouseholdFactory(unit=1, number="301")

    HouseholdFactory(building=household.building, unit=2, number="301")

    assert household.building.households.count() == 2


@pytest.mark.django_db
def test_database_refuses_more_over_80s_than_over_60s():
    estate = EstateFactory(elderly_60_count=10, elderly_80_count=5)

    with violates("estate_elderly_80_within_60"), transaction.atomic():
        Estate.objects.filter(pk=estate.pk).update(elderly_80_count=11)


@pytest.mark.django_db
def test_full_clean_names_negative_areas_in_chinese():
    estate = EstateFactory.build(
        community=EstateFactory().community, land_area=Decimal("-5")
    )

    with pytest.raises(ValidationError) as refused:
        estate.full_clean()

    assert message_of(Estate, "estate_land_area_non_negative") == "不能为负数。"
    assert "不能为负数。" in refused.value.messages


@pytest.mark.django_db
def test_full_clean_names_duplicate_building_in_chinese():
    building = BuildingFactory(name="2栋")

    with pytest.raises(ValidationError) as refused:
        Building(estate=building.estate, name="2栋").full_clean()

    assert refused.value.messages == [
        message_of(Building, "building_unique_name_in_estate")
    ]
    assert refused.value.messages == ["该小区已有同名楼栋。"]


@pytest.mark.django_db
def test_full_clean_names_duplicate_household_number_in_chinese():
    household = HouseholdFactory(unit=1, number="502")

    with pytest.raises(ValidationError) as refused:
        Household(
            building=household.building,
            unit=1,
            number="502",
            exclusive_area=Decimal("70"),
        ).full_clean()

    assert refused.value.messages == [
        message_of(Household, "household_unique_number_in_unit")
    ]
    assert refused.value.messages == ["该楼栋单元已有相同房号。"]


@pytest.mark.django_db
def test_full_clean_names_the_other_register_rules_in_chinese():
    estate = EstateFactory.build(
        community=EstateFactory().community,
        build_year=1800,
        tenant_share=Decimal("120"),
        elderly_60_count=1,
        elderly_80_count=2,
    )

    with pytest.raises(ValidationError) as refused:
        estate.full_clean()

    messages = refused.value.messages
    assert sorted(messages) == sorted(
        message_of(Estate, name)
        for name in (
            "estate_build_year_plausible",
            "estate_tenant_share_percentage",
            "estate_elderly_80_within_60",
        )
    )
    assert "建成年代应在1900年至2100年之间。" in messages
    assert "租户占比应在0到100之间。" in messages
    assert "80岁以上老人数不能多于60岁以上老人数。" in messages


@pytest.mark.django_db
def test_full_clean_refuses_a_term_ending_before_it_starts():
    body = GovernanceBodyFactory.build(
        estate=EstateFactory(),
        established_on="2025-01-01",
        term_ends_on="2024-01-01",
    )

    with pytest.raises(ValidationError) as refused:
        body.full_clean()

    assert refused.value.messages == [
        message_of(GovernanceBody, "governance_body_term_after_start")
    ]
    assert refused.value.messages == ["任期届满日期不能早于成立日期。"]


@pytest.mark.django_db
def test_the_twelve_default_categories_come_with_the_migrations():
    # Transactional tests elsewhere may have flushed the migration's rows, so
    # run the migration's own function on an empty table.
    ProblemCategory.objects.all().delete()
    migration = importlib.import_module(
        "communities.migrations.0002_default_problem_categories"
    )

    migration.create_default_categories(django_apps, None)

    names = list(ProblemCategory.objects.values_list("name", flat=True))

    assert names == [
        "治安",
        "停车",
        "环境卫生",
        "管网",
        "消防",
        "道路",
        "房屋安全",
        "无障碍/适老",
        "照明",
        "绿化",
        "违建",
        "其他",
    ]
