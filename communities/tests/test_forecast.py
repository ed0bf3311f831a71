from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

import pytest

from communities import forecast
from communities.models import EstateNeed
from communities.tests.factories import BuildingFactory, EstateFactory

Kind = EstateNeed.Kind


def building(storeys, units, elevator=False):
    return SimpleNamespace(storeys=storeys, unit_count=units, has_elevator=elevator)


# --- meal points --------------------------------------------------------------


def test_meal_points_round_up_in_an_ageing_estate():
    # 120 of 400 residents are 60+: 30 % ≥ 20 %, so ⌈120 / 500⌉ = 1.
    line = forecast.meal_points(elderly_60=120, resident_count=400)

    assert line.kind == Kind.MEAL_POINT
    assert line.quantity == 1
    assert "30.0%" in line.formula
    assert "⌈120 ÷ 500⌉ = 1" in line.formula


def test_meal_points_round_up_a_large_ageing_estate():
    # 1001 of 4000: 25.025 % → ⌈1001 / 500⌉ = 3.
    line = forecast.meal_points(elderly_60=1001, resident_count=4000)

    assert line.quantity == 3


def test_meal_points_round_down_in_a_younger_estate():
    # 600 of 4000 is 15 % < 20 %: ⌊600 / 500⌋ = 1, the rest use a nearby point.
    line = forecast.meal_points(elderly_60=600, resident_count=4000)

    assert line.quantity == 1
    assert "⌊600 ÷ 500⌋ = 1" in line.formula
    assert "低于 20%" in line.formula


def test_meal_points_threshold_is_inclusive():
    # exactly 20 %: 100 of 500 → rounded up to 1; 99 of 500 (19.8 %) → 0.
    assert forecast.meal_points(elderly_60=100, resident_count=500).quantity == 1
    assert forecast.meal_points(elderly_60=99, resident_count=500).quantity == 0


def test_meal_points_without_residents_or_elderly():
    no_residents = forecast.meal_points(elderly_60=700, resident_count=0)
    no_elderly = forecast.meal_points(elderly_60=0, resident_count=400)

    assert no_residents.quantity == 1
    assert "人口未登记" in no_residents.formula
    assert no_elderly.quantity == 0


def test_meal_point_rate_comes_from_settings(settings):
    settings.FORECAST_RATES = {
        **settings.FORECAST_RATES,
        "meal_point_elderly_per_point": 50,
    }

    line = forecast.meal_points(elderly_60=120, resident_count=400)

    assert line.quantity == 3
    assert "⌈120 ÷ 50⌉ = 3" in line.formula


def test_meal_point_ageing_threshold_comes_from_settings(settings):
    settings.FORECAST_RATES = {
        **settings.FORECAST_RATES,
        "meal_point_ageing_share": 35,
    }

    # 30 % is now below the threshold: ⌊120 / 500⌋ = 0.
    assert forecast.meal_points(elderly_60=120, resident_count=400).quantity == 0


# --- elevators ------------------------------------------------------------------


def test_elevators_one_per_unit_of_tall_liftless_buildings():
    buildings = [
        building(7, 2),
        building(6, 3),
        building(4, 1),
        building(3, 4),  # too low
        building(9, 2, elevator=True),  # has one already
    ]

    line = forecast.elevators(buildings=buildings)

    assert line.kind == Kind.ELEVATOR
    assert line.quantity == 6
    assert "3 栋，共 6 个单元" in line.formula


def test_elevators_none_needed_or_unknown():
    assert forecast.elevators(buildings=[building(3, 2)]).quantity == 0
    unknown = forecast.elevators(buildings=[])
    assert unknown.quantity == 0
    assert "未登记楼栋" in unknown.formula


def test_elevator_storey_threshold_comes_from_settings(settings):
    settings.FORECAST_RATES = {**settings.FORECAST_RATES, "elevator_min_storeys": 3}

    line = forecast.elevators(buildings=[building(3, 4), building(2, 1)])

    assert line.quantity == 4


# --- charging points and parking ------------------------------------------------


def test_charging_points_per_household_rounded_up():
    # 144 × 0.3 = 43.2 → 44
    line = forecast.charging_points(household_count=144)

    assert line.kind == Kind.CHARGING
    assert line.quantity == 44
    assert "户数 144 × 每户 0.3" in line.formula


def test_charging_rate_comes_from_settings(settings):
    settings.FORECAST_RATES = {
        **settings.FORECAST_RATES,
        "charging_points_per_household": 0.25,
    }

    assert forecast.charging_points(household_count=144).quantity == 36


def test_parking_spaces_per_household_rounded_up():
    # 145 × 0.5 = 72.5 → 73
    line = forecast.parking_spaces(household_count=145)

    assert line.kind == Kind.PARKING
    assert line.quantity == 73
    assert "未扣减" in line.formula


def test_parking_rate_comes_from_settings(settings):
    settings.FORECAST_RATES = {
        **settings.FORECAST_RATES,
        "parking_spaces_per_household": 0.8,
    }

    assert forecast.parking_spaces(household_count=145).quantity == 116


def test_per_household_lines_without_households():
    assert forecast.charging_points(household_count=0).quantity == 0
    assert forecast.parking_spaces(household_count=0).quantity == 0


# --- barrier-free paths -----------------------------------------------------------


def test_barrier_free_paths_one_per_stairwell_entrance():
    buildings = [building(7, 2), building(3, 3)]

    line = forecast.barrier_free_paths(elderly_80=0, disabled=2, buildings=buildings)

    assert line.kind == Kind.BARRIER_FREE
    assert line.quantity == 5


def test_barrier_free_paths_not_needed_without_80_plus_or_disabled():
    line = forecast.barrier_free_paths(
        elderly_80=0, disabled=0, buildings=[building(7, 2)]
    )

    assert line.quantity == 0


def test_barrier_free_path_for_an_estate_without_buildings():
    line = forecast.barrier_free_paths(elderly_80=3, disabled=0, buildings=[])

    assert line.quantity == 1
    assert "全小区 1 条" in line.formula


# --- childcare ----------------------------------------------------------------------


def test_childcare_places_rounded_up():
    assert forecast.childcare_places(children=40).quantity == 1
    assert forecast.childcare_places(children=201).quantity == 3
    assert forecast.childcare_places(children=0).quantity == 0


def test_childcare_rate_comes_from_settings(settings):
    settings.FORECAST_RATES = {
        **settings.FORECAST_RATES,
        "childcare_children_per_place": 20,
    }

    assert forecast.childcare_places(children=40).quantity == 2


# --- ageing projection --------------------------------------------------------------


def test_ageing_projection_raises_the_share_and_the_meal_points():
    # 90 of 500 = 18 % now; + 0.8 × 5 = 22 % in five years → 110 seniors.
    projection = forecast.ageing_projection(elderly_60=90, resident_count=500)

    assert projection.years == 5
    assert projection.share_now == Fraction(18)
    assert projection.share_then == Fraction(22)
    assert projection.elderly_then == 110
    # below 20 % now: ⌊90/500⌋ = 0; at 22 %: ⌈110/500⌉ = 1
    assert projection.meal_points_now == 0
    assert projection.meal_points_then == 1
    assert "18.0% 升至 22.0%" in projection.summary


def test_ageing_projection_says_a_figure_that_does_not_change_stays():
    # 121 of 400 = 30.25 % → 34.25 %: one meal point now and then.
    projection = forecast.ageing_projection(elderly_60=121, resident_count=400)

    assert projection.meal_points_now == projection.meal_points_then == 1
    assert "助餐点需求仍为 1 个" in projection.summary
    assert "由 1 个" not in projection.summary
    assert "30.3% 升至 34.3%" in projection.summary


def test_ageing_projection_says_how_many_meal_points_are_added():
    # 300 of 1,000 = 30 % → 34 %: ⌈300/500⌉ = 1 now, ⌈340/500⌉ = 1; at 1,500 of
    # 5,000 → 1,700 seniors: 3 now, 4 then.
    projection = forecast.ageing_projection(elderly_60=1500, resident_count=5000)

    assert "助餐点需求由 3 个增至 4 个" in projection.summary


def test_ageing_projection_at_the_cap_says_the_share_stays():
    projection = forecast.ageing_projection(elderly_60=100, resident_count=100)

    assert "占比仍为 100.0%" in projection.summary
    assert "升至" not in projection.summary


def test_ageing_projection_is_capped_at_100_percent():
    projection = forecast.ageing_projection(elderly_60=99, resident_count=100)

    assert projection.share_then == 100
    assert projection.elderly_then == 100


def test_ageing_projection_needs_a_resident_count():
    assert forecast.ageing_projection(elderly_60=10, resident_count=0) is None


def test_ageing_drift_and_horizon_come_from_settings(settings):
    settings.FORECAST_RATES = {
        **settings.FORECAST_RATES,
        "ageing_drift_points_per_year": 1.5,
        "projection_years": 10,
    }

    projection = forecast.ageing_projection(elderly_60=90, resident_count=500)

    assert projection.years == 10
    assert projection.share_then == Fraction(33)
    assert projection.elderly_then == 165


def test_percent_rounds_half_up():
    assert forecast.percent(Fraction(1001, 40)) == "25.0"  # 25.025
    assert forecast.percent(Fraction(61, 2)) == "30.5"
    assert forecast.percent(Fraction(1, 8)) == "0.1"  # 0.125


# --- the whole estate ---------------------------------------------------------------


@pytest.mark.django_db
def test_estate_forecast_uses_the_prefetched_buildings(django_assert_num_queries):
    estate = EstateFactory(
        household_count=144,
        resident_count=400,
        elderly_60_count=100,
        elderly_80_count=20,
        disabled_count=5,
        children_count=40,
        tenant_share=Decimal("20"),
    )
    BuildingFactory(estate=estate, storeys=7, unit_count=2)
    BuildingFactory(estate=estate, storeys=5, unit_count=3)
    BuildingFactory(estate=estate, storeys=2, unit_count=1)
    estate = type(estate).objects.prefetch_related("buildings").get(pk=estate.pk)

    with django_assert_num_queries(0):
        result = forecast.estate_forecast(estate)

    quantities = {line.kind: line.quantity for line in result.lines}
    assert quantities == {
        Kind.MEAL_POINT: 1,  # 25 % ≥ 20 %: ⌈100/500⌉
        Kind.ELEVATOR: 5,  # 2 + 3 units of the 7- and 5-storey buildings
        Kind.CHARGING: 44,  # ⌈144 × 0.3⌉
        Kind.PARKING: 72,  # ⌈144 × 0.5⌉
        Kind.BARRIER_FREE: 6,  # 2 + 3 + 1 entrances
        Kind.CHILDCARE: 1,  # ⌈40/100⌉
    }
    assert result.projection.share_then == Fraction(29)
    assert [line.age_driven for line in result.lines] == [
        True,
        True,
        False,
        False,
        True,
        False,
    ]
