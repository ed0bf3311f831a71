"""The importer scopes itself from its actor (issue 6, point 2) and links owners
only where the actor may (point 19): community staff only owners of the row's
community holding nothing elsewhere, the street office across communities."""

import pytest

from baitang.roles import SYSTEM
from communities.excel import BUILDINGS, ESTATES, HOUSEHOLDS, import_register
from communities.models import Estate, Household, Owner
from communities.tests.excel_samples import (
    building_row,
    estate_row,
    household_row,
    workbook_bytes,
)
from communities.tests.factories import (
    BuildingFactory,
    EstateFactory,
    HouseholdFactory,
    OwnerFactory,
)

pytestmark = pytest.mark.django_db


def one_household(community_name="鹤洲社区", **household) -> bytes:
    return workbook_bytes(
        {
            ESTATES: [estate_row(**{"所属社区": community_name})],
            BUILDINGS: [building_row(**{"所属社区": community_name})],
            HOUSEHOLDS: [household_row(**{"所属社区": community_name, **household})],
        }
    )


def household_in(community, **kwargs):
    return HouseholdFactory(
        building=BuildingFactory(estate=EstateFactory(community=community)), **kwargs
    )


def test_an_outside_party_may_import_nothing(party_user, community):
    report = import_register(one_household(), actor=party_user)

    assert [str(error) for error in report.errors] == ["您无权导入小区登记表。"]
    assert not Estate.objects.exists()


def test_every_import_names_its_actor(community):
    with pytest.raises(TypeError):
        import_register(one_household(), actor=None)
    with pytest.raises(TypeError):
        import_register(one_household())


def test_the_caller_cannot_widen_the_scope(community_user, other_community):
    # The parameter that let a caller choose the communities is gone.
    with pytest.raises(TypeError):
        import_register(
            one_household("群兴社区"),
            actor=community_user,
            allowed_community_ids=None,
        )


def test_community_staff_import_only_their_communities(
    community_user, community, other_community
):
    mine = import_register(one_household(), actor=community_user, dry_run=True)
    theirs = import_register(one_household("群兴社区"), actor=community_user)

    assert mine.errors == []
    assert {str(error) for error in theirs.errors} == {
        "「小区」第2行「所属社区」：您只能导入所负责社区的数据，不能导入「群兴社区」的小区。",
        "「楼栋」第2行「所属社区」：您只能导入所负责社区的数据，不能导入「群兴社区」的小区。",
        "「户」第2行「所属社区」：您只能导入所负责社区的数据，不能导入「群兴社区」的小区。",
    }
    assert not Estate.objects.exists()


def test_a_community_worker_without_communities_imports_nothing(
    community_user, community
):
    community_user.communities.clear()
    community_user._community_ids = None

    report = import_register(one_household(), actor=community_user)

    assert not report.ok
    assert not Estate.objects.exists()


def test_the_system_imports_anywhere(community, other_community):
    report = import_register(one_household("群兴社区"), actor=SYSTEM)

    assert report.errors == []
    assert Estate.objects.get().community == other_community


def test_community_staff_never_link_another_communitys_owner(
    community_user, community, other_community
):
    # given: 王五 of 群兴 holds a flat there
    theirs = OwnerFactory(name="王五", phone="13900000000")
    their_flat = household_in(other_community, owners=[theirs])

    # when: a 鹤洲 worker imports a household with the same name and number
    report = import_register(
        one_household(**{"业主": "王五", "联系电话": "139-0000-0000"}),
        actor=community_user,
    )

    # then: a new owner of 鹤洲 is entered; 群兴's owner is untouched
    assert report.errors == []
    household = Household.objects.get(building__estate__community=community)
    (owner,) = household.owners.all()
    assert owner != theirs
    assert (owner.name, owner.phone, owner.community) == (
        "王五",
        "13900000000",
        community,
    )
    assert list(theirs.households.all()) == [their_flat]


def test_community_staff_link_their_own_owner_by_name_and_number(
    community_user, community
):
    ours = OwnerFactory(name="王五", phone="13900000000", community=community)

    import_register(
        one_household(**{"业主": "王五", "联系电话": "+86 139 0000 0000"}),
        actor=community_user,
    )

    assert list(Household.objects.get().owners.all()) == [ours]
    assert Owner.objects.count() == 1


def test_community_staff_never_link_an_owner_held_in_two_communities(
    community_user, community, other_community
):
    shared = OwnerFactory(name="王五", phone="13900000000", community=community)
    household_in(community, owners=[shared])
    household_in(other_community, owners=[shared])

    import_register(
        one_household(**{"业主": "王五", "联系电话": "13900000000"}),
        actor=community_user,
    )

    imported = Household.objects.get(number="101")
    assert shared not in imported.owners.all()
    assert shared.households.count() == 2


def test_an_existing_link_stays_when_community_staff_reimport(
    community_user, street_user, community, other_community
):
    # given: the street office linked a cross-community owner to the flat
    import_register(
        one_household(**{"业主": "", "联系电话": "13900000000"}), actor=street_user
    )
    flat = Household.objects.get()
    shared = OwnerFactory(name="王五", phone="13900000000", community=other_community)
    household_in(other_community, owners=[shared])
    flat.owners.set([shared])

    # when: a 鹤洲 worker re-imports the flat with that owner's name
    report = import_register(
        one_household(**{"业主": "王五", "联系电话": "13900000000"}),
        actor=community_user,
    )

    # then: the link stays, nothing is counted as changed
    assert report.errors == []
    assert report.counts[HOUSEHOLDS].unchanged == 1
    assert list(flat.owners.all()) == [shared]


def test_the_street_office_links_the_same_person_across_communities(
    street_user, community, other_community
):
    theirs = OwnerFactory(name="王五", phone="13900000000")
    household_in(other_community, owners=[theirs])

    import_register(
        one_household(**{"业主": "王五", "联系电话": "139-0000-0000"}),
        actor=street_user,
    )

    assert list(Household.objects.get(number="101").owners.all()) == [theirs]
    assert Owner.objects.count() == 1


def test_without_a_number_owners_are_matched_in_their_community_only(
    street_user, community, other_community
):
    namesake = OwnerFactory(name="王五", phone="")
    household_in(other_community, owners=[namesake])

    import_register(
        one_household(**{"业主": "王五", "联系电话": ""}),
        actor=street_user,
    )

    owner = Household.objects.get(number="101").owners.get()
    assert owner != namesake
    assert owner.community == community
