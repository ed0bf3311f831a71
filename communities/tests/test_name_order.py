"""Names sort by pinyin with numbers in numeric order (the zh_pinyin ICU
collation of migration 0003), in the database, the overview, admin lists and
filters; unique names and the indexes behind orderings still work."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from communities.models import Building, Community, Estate, Owner
from communities.tests.factories import (
    BuildingFactory,
    CommunityFactory,
    EstateFactory,
    HouseholdFactory,
    OwnerFactory,
)

pytestmark = pytest.mark.django_db

# bái téng, hǎo jǐng, hè zhōu, hú bīn, jiā hé, qún xīng, tuán jié, xīn chéng
PINYIN_ORDER = ["白藤", "好景", "鹤洲", "湖滨", "家和", "群兴", "团结", "新城"]
CODE_POINT_ORDER = sorted(PINYIN_ORDER)


def test_the_collation_is_icu_on_this_server():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT collprovider, colliculocale FROM pg_collation "
            "WHERE collname = 'zh_pinyin'"
        )
        provider, locale = cursor.fetchone()

    assert provider == "i", "PostgreSQL without ICU: names sort by code point"
    assert locale.startswith("zh")


def test_communities_sort_by_pinyin():
    for name in reversed(PINYIN_ORDER):
        CommunityFactory(name=f"{name}社区")

    names = [c.name.removesuffix("社区") for c in Community.objects.all()]

    assert names == PINYIN_ORDER
    assert names != CODE_POINT_ORDER


def test_numbers_in_names_sort_by_value():
    estate = EstateFactory()
    for name in ["10栋", "2栋", "1栋", "A座", "11栋"]:
        BuildingFactory(estate=estate, name=name)
    building = Building.objects.get(name="1栋")
    for number in ["1001", "201", "99"]:
        HouseholdFactory(building=building, number=number)

    assert list(estate.buildings.values_list("name", flat=True)) == [
        "1栋",
        "2栋",
        "10栋",
        "11栋",
        "A座",
    ]
    assert list(building.households.values_list("number", flat=True)) == [
        "99",
        "201",
        "1001",
    ]


def test_unique_names_are_still_unique():
    community = CommunityFactory(name="白藤社区")
    EstateFactory(community=community, name="藤翠苑7号小区")

    with pytest.raises(IntegrityError), transaction.atomic():
        Community.objects.create(name="白藤社区")
    with pytest.raises(IntegrityError), transaction.atomic():
        Estate.objects.create(
            community=community, name="藤翠苑7号小区", build_year=1998
        )
    # Deterministic: names that differ only in case or width stay two names.
    EstateFactory(community=community, name="A栋小区")
    EstateFactory(community=community, name="a栋小区")
    assert Estate.objects.filter(community=community).count() == 3


def test_ordering_by_name_uses_the_unique_index():
    estate = EstateFactory()
    BuildingFactory.create_batch(3, estate=estate)
    queryset = Building.objects.filter(estate=estate).order_by("name")

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "building_unique_name_in_estate" in plan, plan
    assert "Sort" not in plan, plan


def test_overview_sorts_names_by_pinyin(client, street_user):
    community = CommunityFactory(name="白藤社区")
    for name in ["鹤洲花园", "白藤苑", "群兴小区"]:
        EstateFactory(community=community, name=name)
    client.force_login(street_user)

    response = client.get(reverse("communities:estate_overview"), {"sort": "name"})

    assert [e.name for e in response.context["page"]] == [
        "白藤苑",
        "鹤洲花园",
        "群兴小区",
    ]


def test_admin_lists_and_filters_sort_by_pinyin(client, street_user):
    for name in ["群兴", "鹤洲", "白藤"]:
        community = CommunityFactory(name=f"{name}社区")
        EstateFactory(community=community, name=f"{name}花园")
    for name in ["王五", "李四", "张三"]:  # wáng, lǐ, zhāng
        OwnerFactory(name=name)
    client.force_login(street_user)

    estates = client.get(reverse("admin:communities_estate_changelist"))
    owners = client.get(reverse("admin:communities_owner_changelist"))

    assert [e.name for e in estates.context["cl"].result_list] == [
        "白藤花园",
        "鹤洲花园",
        "群兴花园",
    ]
    (community_filter,) = [
        f for f in estates.context["cl"].filter_specs if f.title == "所属社区"
    ]
    assert [label for _pk, label in community_filter.lookup_choices] == [
        "白藤社区",
        "鹤洲社区",
        "群兴社区",
    ]
    assert [o.name for o in owners.context["cl"].result_list] == [
        "李四",
        "王五",
        "张三",
    ]
    assert list(Owner.objects.values_list("name", flat=True)) == [
        "李四",
        "王五",
        "张三",
    ]
