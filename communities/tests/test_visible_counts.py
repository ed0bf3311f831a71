"""Every count a role sees is counted over what it may see: the problem-category
list counts the user's problems, an owner's household total the user's
households, never the whole street's."""

import pytest

from communities.models import ProblemCategory
from communities.tests.factories import (
    BuildingFactory,
    EstateFactory,
    HouseholdFactory,
    OwnerFactory,
    ProblemFactory,
)


def _household_in(community, owner):
    return HouseholdFactory(
        building=BuildingFactory(estate=EstateFactory(community=community)),
        owners=[owner],
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "expected"), [("community", 1), ("street", 3)])
def test_the_category_list_counts_the_problems_the_user_sees(
    client, role_users, community, other_community, role, expected
):
    mine = ProblemFactory(estate=EstateFactory(community=community))
    ProblemFactory.create_batch(
        2, estate=EstateFactory(community=other_community), category=mine.category
    )
    client.force_login(role_users[role])

    response = client.get("/admin/communities/problemcategory/")

    totals = {row.pk: row.problems_total for row in response.context["cl"].result_list}
    assert totals[mine.category_id] == expected
    assert response.context["cl"].result_list.count() == ProblemCategory.objects.count()


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "expected"), [("community", 1), ("street", 2)])
def test_an_owners_household_total_counts_the_households_the_user_sees(
    client, api_client, role_users, community, other_community, role, expected
):
    owner = OwnerFactory(community=community)
    _household_in(community, owner)
    _household_in(other_community, owner)
    user = role_users[role]
    client.force_login(user)
    api_client.force_authenticate(user)

    listed = client.get("/admin/communities/owner/")
    api = api_client.get(f"/api/v1/owners/{owner.pk}/")

    rows = {row.pk: row.households_total for row in listed.context["cl"].result_list}
    assert rows[owner.pk] == expected
    assert api.json()["household_total"] == expected
