"""Phone numbers are written one way on every path (issue 6, point 14)."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError

from communities import services
from communities.models import GovernanceMember, Household, Owner, mask_phone
from communities.phones import normalise_phone
from communities.tests.factories import (
    BuildingFactory,
    EstateFactory,
    GovernanceBodyFactory,
    GovernanceMemberFactory,
    HouseholdFactory,
    OwnerFactory,
)


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("+86 139-2345-6789", "13923456789"),
        ("+86 13923456789", "13923456789"),
        ("0086 139 2345 6789", "13923456789"),
        ("86-139-2345-6789", "13923456789"),
        ("139 2345 6789", "13923456789"),
        ("138-0000-1111", "13800001111"),
        ("１３８００００１１１１", "13800001111"),  # full-width
        (13800001111, "13800001111"),  # a number cell
        ("(0756)1234567", "0756-1234567"),
        ("（0756）1234567", "0756-1234567"),
        ("0756 123 4567", "0756-1234567"),
        ("07561234567", "0756-1234567"),
        ("+86 756 1234567", "0756-1234567"),
        ("010-12345678", "010-12345678"),
        ("020 8765 4321", "020-87654321"),
        ("0756-1234567转8001", "0756-1234567转8001"),
        ("0756-1234567 ext. 12", "0756-1234567转12"),
        ("400 800 8888", "400-800-8888"),
        ("+853 6612 3456", "0085366123456"),  # Macao: 00, never a leading +
        ("1234567", "1234567"),
        ("95588", "95588"),
        ("13800001111/13900002222", "13800001111/13900002222"),
        ("", ""),
        ("/", ""),
        ("-", ""),
        ("无", ""),
        ("暂无", ""),
        ("不详", ""),
        (None, ""),
    ],
)
def test_mainland_numbers_are_normalised(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize(
    "typed", ["张三家", "139-2345-678", "12", "0756-12345", "13923456789（儿子）"]
)
def test_what_is_no_phone_number_is_refused_in_chinese(typed):
    with pytest.raises(ValidationError) as refused:
        normalise_phone(typed)

    assert refused.value.messages == [
        f"「{typed}」不是有效的电话号码：手机号为11位数字，"
        "座机请带区号，如 0756-1234567。"
    ]


def test_a_migration_keeps_what_it_cannot_read():
    assert normalise_phone("  张三  家 ", strict=False) == "张三 家"


def test_a_normalised_number_is_masked_in_the_middle():
    assert mask_phone(normalise_phone("+86 139-2345-6789")) == "139****6789"
    assert mask_phone(normalise_phone("(0756)1234567")) == "075****4567"


@pytest.mark.django_db
def test_owner_services_normalise(community, street_user):
    owner = services.owner_create(
        name="陈大文", phone="+86 139-2345-6789", community=community, actor=street_user
    )
    assert owner.phone == "13923456789"

    services.owner_update(owner=owner, phone="(0756) 123-4567", actor=street_user)

    owner.refresh_from_db()
    assert owner.phone == "0756-1234567"


@pytest.mark.django_db
def test_owner_services_refuse_an_unreadable_number(community, street_user):
    with pytest.raises(ValidationError) as refused:
        services.owner_create(
            name="陈大文", phone="问居委会", community=community, actor=street_user
        )

    assert list(refused.value.message_dict) == ["phone"]
    assert Owner.objects.count() == 0


@pytest.mark.django_db
def test_household_services_normalise(street_user):
    building = BuildingFactory()

    household = services.household_create(
        building=building,
        number="301",
        exclusive_area=Decimal("80"),
        contact_phone="+86 139-2345-6789",
        actor=street_user,
    )
    assert household.contact_phone == "13923456789"
    assert household.masked_phone == "139****6789"

    services.household_update(
        household=household, contact_phone="0086 138 0000 1111", actor=street_user
    )
    household.refresh_from_db()
    assert household.contact_phone == "13800001111"


@pytest.mark.django_db
def test_governance_member_services_normalise(street_user):
    body = GovernanceBodyFactory()

    member = services.governance_member_create(
        body=body, name="李红", phone="139 2345 6789", actor=street_user
    )
    assert member.phone == "13923456789"

    services.governance_member_update(
        member=member, phone="(0756)7654321", actor=street_user
    )
    member.refresh_from_db()
    assert member.phone == "0756-7654321"


@pytest.mark.django_db
def test_the_api_stores_and_shows_the_normalised_number(
    api_client, street_user, community
):
    building = BuildingFactory(estate=EstateFactory(community=community))
    api_client.force_authenticate(street_user)

    response = api_client.post(
        "/api/v1/households/",
        {
            "building": building.pk,
            "number": "302",
            "exclusive_area": "80.00",
            "contact_phone": "+86 139-2345-6789",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["contact_phone"] == "13923456789"
    assert response.json()["masked_phone"] == "139****6789"
    assert Household.objects.get(number="302").contact_phone == "13923456789"


@pytest.mark.django_db
def test_the_api_refuses_an_unreadable_number_with_400(
    api_client, street_user, community
):
    building = BuildingFactory(estate=EstateFactory(community=community))
    api_client.force_authenticate(street_user)

    response = api_client.post(
        "/api/v1/households/",
        {
            "building": building.pk,
            "number": "302",
            "exclusive_area": "80.00",
            "contact_phone": "找物业",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "不是有效的电话号码" in response.json()["contact_phone"][0]


@pytest.mark.django_db
def test_the_admin_stores_the_normalised_number(client, street_user, community):
    household = HouseholdFactory(
        building=BuildingFactory(estate=EstateFactory(community=community))
    )
    client.force_login(street_user)
    url = f"/admin/communities/household/{household.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data.update(
        building=household.building_id,
        owners=[],
        contact_phone="+86 139-2345-6789",
    )

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    household.refresh_from_db()
    assert household.contact_phone == "13923456789"


# --- The data migration ---------------------------------------------------------


def run_migration():
    migration = importlib.import_module(
        "communities.migrations.0006_normalise_phones_merge_owners"
    )
    migration.forwards(django_apps, None)


@pytest.mark.django_db
def test_the_migration_normalises_stored_numbers():
    # given: numbers stored as typed, before every write normalised them
    household = HouseholdFactory(contact_phone="+86 139-2345-6789")
    member = GovernanceMemberFactory(phone="(0756)1234567")
    odd = HouseholdFactory(contact_phone="问居委会")

    run_migration()

    household.refresh_from_db()
    member.refresh_from_db()
    odd.refresh_from_db()
    assert household.contact_phone == "13923456789"
    assert member.phone == "0756-1234567"
    assert odd.contact_phone == "问居委会"  # kept, never lost
    assert GovernanceMember.objects.count() == 1


@pytest.mark.django_db
def test_the_migration_merges_owners_only_where_name_and_number_agree(
    community, other_community
):
    # given: 张三 typed twice with the same number, a namesake with another
    # number, 李四 with 张三's number, and two 王五 without any number
    building = BuildingFactory(estate=EstateFactory(community=community))
    first = OwnerFactory(name="张三", phone="138-0000-1111", community=None)
    second = OwnerFactory(name="张三", phone="13800001111", community=None)
    namesake = OwnerFactory(name="张三", phone="13900002222", community=None)
    other_name = OwnerFactory(name="李四", phone="13800001111", community=None)
    wang_a = OwnerFactory(name="王五", phone="", community=None)
    wang_b = OwnerFactory(name="王五", phone="", community=None)
    one = HouseholdFactory(building=building, owners=[first])
    two = HouseholdFactory(building=building, owners=[second, other_name])
    both = HouseholdFactory(building=building, owners=[first, second])
    HouseholdFactory(building=building, owners=[namesake, wang_a, wang_b])
    Owner.objects.update(community=None)  # as before the community was recorded

    run_migration()

    # then: the two 张三 with the same number are one owner holding three units
    assert not Owner.objects.filter(pk=second.pk).exists()
    zhang = Owner.objects.get(pk=first.pk)
    assert zhang.phone == "13800001111"
    assert set(zhang.households.all()) == {one, two, both}
    assert list(both.owners.all()) == [zhang]  # linked once, not twice
    # and nobody else was merged
    assert Owner.objects.filter(name="张三").count() == 2
    assert Owner.objects.filter(name="王五").count() == 2
    assert set(two.owners.all()) == {zhang, other_name}
    # every owner with a household now carries its community
    assert set(Owner.objects.values_list("community", flat=True)) == {community.pk}


@pytest.mark.django_db
def test_the_migration_gives_an_owner_the_community_of_most_of_its_units(
    community, other_community
):
    owner = OwnerFactory(community=None)
    for estate_community in (other_community, community, other_community):
        HouseholdFactory(
            building=BuildingFactory(estate=EstateFactory(community=estate_community)),
            owners=[owner],
        )
    lonely = OwnerFactory(community=None)
    Owner.objects.update(community=None)

    run_migration()

    owner.refresh_from_db()
    lonely.refresh_from_db()
    assert owner.community == other_community
    assert lonely.community is None  # only the street office sees it
