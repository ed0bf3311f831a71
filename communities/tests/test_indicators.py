"""One figure, one definition: the 60+ share and the floor area per household
read the same wherever they are shown."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.urls import reverse

from communities import indicators
from communities.tests.factories import EstateFactory

pytestmark = pytest.mark.django_db


def test_shares_round_half_up_as_decimals():
    # 121 of 400 is 30.25 %: Python's float round() said 30.2, the forecast 30.3.
    assert indicators.elderly_share_percent(
        elderly_60=121, resident_count=400
    ) == Decimal("30.3")
    assert indicators.elderly_share(elderly_60=121, resident_count=400) == Fraction(
        121, 4
    )
    assert indicators.elderly_share_percent(elderly_60=5, resident_count=0) is None
    assert indicators.round_half_up(Fraction(1, 8)) == Decimal("0.1")


def test_floor_area_per_household_rounds_half_up():
    # 100.25 ㎡: Decimal's own round() goes half-even, to 100.2.
    assert indicators.floor_area_per_household(
        floor_area=Decimal("401.00"), household_count=4
    ) == Decimal("100.3")
    assert (
        indicators.floor_area_per_household(floor_area=None, household_count=4) is None
    )
    assert (
        indicators.floor_area_per_household(
            floor_area=Decimal("401.00"), household_count=0
        )
        is None
    )


@pytest.fixture
def estate(community):
    return EstateFactory(
        name="逸鸿花园",
        community=community,
        resident_count=400,
        elderly_60_count=121,
        elderly_80_count=20,
        household_count=4,
        floor_area=Decimal("401.00"),
    )


def test_every_page_shows_the_same_share(client, api_client, street_user, estate):
    client.force_login(street_user)
    api_client.force_authenticate(street_user)

    profile = client.get(reverse("communities:estate_profile", args=[estate.pk]))
    overview = client.get(reverse("communities:estate_overview"))
    api = api_client.get(f"/api/v1/estates/{estate.pk}/")
    admin = client.get(reverse("admin:communities_estate_change", args=[estate.pk]))

    assert estate.elderly_share == Decimal("30.3")
    profile_text = profile.content.decode()
    assert "<dd>30.3%</dd>" in profile_text  # the register data
    assert "占比将由 30.3% 升至" in profile_text  # the forecast sentence
    assert "30.2" not in profile_text
    assert "100.3 ㎡" in profile_text
    assert '<td class="num">30.3%</td>' in overview.content.decode()
    assert api.json()["elderly_share"] == 30.3
    assert api.json()["floor_area_per_household"] == "100.3"
    assert "30.3" in admin.content.decode()
    assert "30.2" not in admin.content.decode()
