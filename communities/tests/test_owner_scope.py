"""Owners carry the community they were entered for, and are scoped by it
(issue 6, points 19 and 20): an owner linked to no household is seen only by
that community's staff and the street office; an owner held in two
communities is linked and edited by the street office alone."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from baitang.roles import SYSTEM
from communities import services
from communities.permissions import (
    can_edit_owner,
    owners_choosable_by,
    owners_linkable_by,
    owners_visible_to,
)
from communities.tests.factories import (
    BuildingFactory,
    EstateFactory,
    HouseholdFactory,
    OwnerFactory,
)

pytestmark = pytest.mark.django_db


def household_in(community, **kwargs):
    return HouseholdFactory(
        building=BuildingFactory(estate=EstateFactory(community=community)), **kwargs
    )


@pytest.fixture
def owners(community, other_community):
    """An owner just entered (no household yet) in each community, one holding
    a household in each, and one the street office linked in both."""
    shared = OwnerFactory(name="两边都有", community=community)
    household_in(community, owners=[shared])
    household_in(other_community, owners=[shared])
    return {
        "new_here": OwnerFactory(name="新登记", community=community),
        "new_there": OwnerFactory(name="群兴新登记", community=other_community),
        "held_here": household_in(
            community, owners=[OwnerFactory(name="本社区")]
        ).owners.get(),
        "held_there": household_in(
            other_community, owners=[OwnerFactory(name="群兴业主")]
        ).owners.get(),
        "shared": shared,
    }


def names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


def test_an_owner_without_household_is_seen_by_its_community_only(
    owners, street_user, community_user, other_community_user, party_user
):
    assert names(owners_visible_to(community_user)) == {
        "新登记",
        "本社区",
        "两边都有",
    }
    assert names(owners_visible_to(other_community_user)) == {
        "群兴新登记",
        "群兴业主",
        "两边都有",
    }
    assert len(names(owners_visible_to(street_user))) == 5
    assert names(owners_visible_to(party_user)) == set()


def test_an_owner_held_in_two_communities_is_linked_by_the_street_alone(
    owners, street_user, community_user, other_community_user, community
):
    assert names(owners_choosable_by(community_user)) == {"新登记", "本社区"}
    assert names(owners_choosable_by(other_community_user)) == {
        "群兴新登记",
        "群兴业主",
    }
    assert "两边都有" in names(owners_choosable_by(street_user))
    assert names(owners_linkable_by(community_user, community)) == {
        "新登记",
        "本社区",
    }
    assert names(owners_linkable_by(other_community_user, community)) == set()
    assert not can_edit_owner(community_user, owners["shared"])
    assert can_edit_owner(street_user, owners["shared"])


def test_owner_create_records_the_community_and_checks_the_actor(
    community, other_community, community_user
):
    owner = services.owner_create(
        name="陈大文", phone="13923456789", community=community, actor=community_user
    )
    assert owner.community == community

    with pytest.raises(PermissionDenied):
        services.owner_create(
            name="陈大文", community=other_community, actor=community_user
        )
    with pytest.raises(TypeError):
        services.owner_create(name="陈大文", actor=community_user)  # no community
    # the platform itself (commands, migrations) has street office rights
    assert (
        services.owner_create(
            name="李四", community=other_community, actor=SYSTEM
        ).community
        == other_community
    )


def test_owner_update_cannot_move_an_owner_to_a_foreign_community(
    owners, community_user, other_community
):
    with pytest.raises(PermissionDenied):
        services.owner_update(
            owner=owners["new_here"], community=other_community, actor=community_user
        )
    with pytest.raises(PermissionDenied):
        services.owner_update(owner=owners["shared"], name="改名", actor=community_user)

    owners["shared"].refresh_from_db()
    assert owners["shared"].name == "两边都有"


def test_community_staff_cannot_link_another_communitys_owner(
    owners, community, community_user
):
    household = household_in(community)

    for foreign in (owners["new_there"], owners["held_there"], owners["shared"]):
        with pytest.raises(ValidationError) as refused:
            services.household_update(
                household=household, owners=[foreign], actor=community_user
            )
        assert list(refused.value.message_dict) == ["owners"]
        assert f"「{foreign.name}」" in refused.value.messages[0]

    assert list(household.owners.all()) == []


def test_community_staff_link_their_own_owners_and_keep_existing_links(
    owners, community, community_user, street_user
):
    household = household_in(community)
    # the street office links the shared owner here
    services.household_update(
        household=household, owners=[owners["shared"]], actor=street_user
    )

    # a community worker adds an owner of the community; the existing link stays
    services.household_update(
        household=household,
        owners=[owners["shared"], owners["new_here"]],
        actor=community_user,
    )

    assert names(household.owners.all()) == {"两边都有", "新登记"}


def test_the_street_office_links_across_communities(owners, community, street_user):
    household = household_in(community)

    services.household_create(
        building=household.building,
        number="909",
        exclusive_area="80",
        owners=[owners["held_there"]],
        actor=street_user,
    )

    assert set(owners["held_there"].households.values_list("number", flat=True)) >= {
        "909"
    }


def test_the_api_lists_an_unlinked_owner_to_its_community_only(
    api_client, owners, community_user, other_community_user, community
):
    api_client.force_authenticate(community_user)
    mine = api_client.get("/api/v1/owners/").json()["results"]
    api_client.force_authenticate(other_community_user)
    theirs = api_client.get("/api/v1/owners/").json()["results"]

    assert {row["name"] for row in mine} == {"新登记", "本社区", "两边都有"}
    assert "新登记" not in {row["name"] for row in theirs}
    assert {row["community"] for row in mine if row["name"] == "新登记"} == {
        community.pk
    }


def test_the_admin_hides_an_unlinked_owner_from_other_communities(
    client, owners, other_community_user
):
    client.force_login(other_community_user)

    listed = client.get("/admin/communities/owner/")
    change = client.get(f"/admin/communities/owner/{owners['new_here'].pk}/change/")

    assert owners["new_here"] not in listed.context["cl"].result_list
    assert change.status_code == 302  # "gone", like any row outside one's scope


def test_the_admin_enters_an_owner_for_a_community(client, community_user, community):
    client.force_login(community_user)

    form = client.get("/admin/communities/owner/add/").context["adminform"].form
    response = client.post(
        "/admin/communities/owner/add/",
        {"name": "陈大文", "phone": "+86 139-2345-6789", "community": community.pk},
    )

    assert list(form.fields["community"].queryset) == [community]
    assert form.fields["community"].required
    assert response.status_code == 302
    owner = community.owners.get()
    assert (owner.name, owner.phone) == ("陈大文", "13923456789")


def test_the_api_refuses_to_link_an_owner_held_elsewhere(
    api_client, owners, community, community_user
):
    household = household_in(community)
    api_client.force_authenticate(community_user)

    response = api_client.patch(
        f"/api/v1/households/{household.pk}/",
        {"owner_ids": [owners["shared"].pk]},
        format="json",
    )

    assert response.status_code == 400
    assert "跨社区的业主由街道办关联" in response.json()["owners"][0]
    assert list(household.owners.all()) == []
