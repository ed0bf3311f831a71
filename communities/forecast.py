"""Facility-demand forecast (设施需求测算) of an estate, from its register data.

Pure functions: they read the rates from settings.FORECAST_RATES at call time and
touch no database beyond what the caller prefetched (the estate's buildings).
Every line carries its formula in Chinese, with the numbers filled in, so staff
see why the page asks for what it asks.

Formulas (rates are the settings named in brackets):
- 助餐点: 60+ residents ÷ [meal_point_elderly_per_point], rounded up when the 60+
  share reaches [meal_point_ageing_share] %, rounded down below it.
- 加装电梯: one per stairwell unit of buildings with at least
  [elevator_min_storeys] storeys and no elevator.
- 电动车充电桩: households × [charging_points_per_household], rounded up.
- 停车位: households × [parking_spaces_per_household], rounded up.
- 无障碍通道: needed when anyone is 80+ or disabled; one per stairwell entrance
  (one for the whole estate when no building is registered).
- 托育/儿童活动场所: children ÷ [childcare_children_per_place], rounded up.
- Ageing projection: the 60+ share grows [ageing_drift_points_per_year] points a
  year for [projection_years] years (capped at 100 %); meal points are recomputed
  for the projected 60+ count.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.utils.translation import gettext as _

from . import indicators
from .models import EstateNeed

Kind = EstateNeed.Kind

# Kinds whose demand grows as the estate ages (shown with the projection).
AGE_DRIVEN_KINDS = (Kind.MEAL_POINT, Kind.ELEVATOR, Kind.BARRIER_FREE)


@dataclass(frozen=True)
class ForecastLine:
    kind: str
    quantity: int
    formula: str

    @property
    def label(self) -> str:
        return Kind(self.kind).label

    @property
    def age_driven(self) -> bool:
        return self.kind in AGE_DRIVEN_KINDS


@dataclass(frozen=True)
class AgeingProjection:
    years: int
    drift: Fraction
    share_now: Fraction
    share_then: Fraction
    elderly_now: int
    elderly_then: int
    meal_points_now: int
    meal_points_then: int

    @property
    def summary(self) -> str:
        """One sentence; a figure that does not change is said to stay."""
        values = {
            "drift": number(self.drift),
            "years": self.years,
            "now": percent(self.share_now),
            "then": percent(self.share_then),
            "elderly": self.elderly_then,
            "meals_now": self.meal_points_now,
            "meals_then": self.meal_points_then,
        }
        if values["now"] == values["then"]:
            share = _(
                "%(years)s 年后60岁以上老人占比仍为 %(now)s%%（约 %(elderly)s 人）"
            )
        else:
            share = _(
                "按每年上升 %(drift)s 个百分点推算，%(years)s 年后60岁以上老人占比"
                "将由 %(now)s%% 升至 %(then)s%%（约 %(elderly)s 人）"
            )
        if self.meal_points_now == self.meal_points_then:
            meals = _("助餐点需求仍为 %(meals_now)s 个")
        elif self.meal_points_then > self.meal_points_now:
            meals = _("助餐点需求由 %(meals_now)s 个增至 %(meals_then)s 个")
        else:
            meals = _("助餐点需求由 %(meals_now)s 个减至 %(meals_then)s 个")
        return (
            share % values
            + _("，")
            + meals % values
            + _("；加装电梯和无障碍通道的需求也将更加迫切。")
        )


@dataclass(frozen=True)
class EstateForecast:
    lines: list[ForecastLine]
    projection: AgeingProjection | None


def forecast_rates() -> dict:
    return settings.FORECAST_RATES


def number(value) -> str:
    """A rate or count as people write it: 0.3, 500, 0.8 (no trailing zeros)."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    text = format(Decimal(str(value)).normalize(), "f")
    return text


def percent(share: Fraction) -> str:
    """A percentage as the profile shows it (indicators.round_half_up):
    Fraction(61, 2) → "30.5"."""
    return str(indicators.round_half_up(share))


def _rate(rates: dict, name: str) -> Fraction:
    return Fraction(str(rates[name]))


def _ceil(value: Fraction) -> int:
    return math.ceil(value)


def _round_half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


elderly_share = indicators.elderly_share


def meal_points(
    *, elderly_60: int, resident_count: int, rates: dict | None = None
) -> ForecastLine:
    """助餐点 for the estate's seniors (see the module docstring)."""
    rates = rates or forecast_rates()
    per_point = _rate(rates, "meal_point_elderly_per_point")
    ageing_share = _rate(rates, "meal_point_ageing_share")
    share = elderly_share(elderly_60=elderly_60, resident_count=resident_count)
    if not elderly_60:
        return ForecastLine(Kind.MEAL_POINT, 0, _("未登记60岁以上老人，暂不测算。"))
    values = {
        "elderly": elderly_60,
        "per": number(per_point),
        "threshold": number(ageing_share),
    }
    if share is not None and share >= ageing_share:
        quantity = _ceil(elderly_60 / per_point)
        formula = _(
            "60岁以上老人 %(elderly)s 人，占人口 %(share)s%%，达到 %(threshold)s%% "
            "的老龄化标准：每 %(per)s 名老人 1 个助餐点，向上取整 "
            "⌈%(elderly)s ÷ %(per)s⌉ = %(quantity)s。"
        )
    else:
        quantity = math.floor(elderly_60 / per_point)
        if share is None:
            formula = _(
                "60岁以上老人 %(elderly)s 人，人口未登记，无法计算老龄化率：每满 "
                "%(per)s 名老人 1 个助餐点，向下取整 ⌊%(elderly)s ÷ %(per)s⌋ = "
                "%(quantity)s，其余由周边助餐点承接。"
            )
        else:
            formula = _(
                "60岁以上老人 %(elderly)s 人，占人口 %(share)s%%，低于 "
                "%(threshold)s%%：每满 %(per)s 名老人 1 个助餐点，向下取整 "
                "⌊%(elderly)s ÷ %(per)s⌋ = %(quantity)s，其余由周边助餐点承接。"
            )
    values["share"] = percent(share) if share is not None else ""
    values["quantity"] = quantity
    return ForecastLine(Kind.MEAL_POINT, quantity, formula % values)


def elevators(*, buildings: Iterable, rates: dict | None = None) -> ForecastLine:
    """加装电梯: one per stairwell unit of tall buildings without a lift."""
    rates = rates or forecast_rates()
    min_storeys = int(rates["elevator_min_storeys"])
    buildings = list(buildings)
    if not buildings:
        return ForecastLine(Kind.ELEVATOR, 0, _("未登记楼栋，无法测算。"))
    candidates = [
        b for b in buildings if b.storeys >= min_storeys and not b.has_elevator
    ]
    units = sum(b.unit_count for b in candidates)
    if not candidates:
        formula = _("没有 %(storeys)s 层及以上且无电梯的楼栋，暂不需要。") % {
            "storeys": min_storeys
        }
    else:
        formula = _(
            "%(storeys)s 层及以上且无电梯的楼栋 %(count)s 栋，共 %(units)s 个单元，"
            "每个单元 1 部 = %(units)s。"
        ) % {"storeys": min_storeys, "count": len(candidates), "units": units}
    return ForecastLine(Kind.ELEVATOR, units, formula)


def _per_household(
    kind: str, *, household_count: int, rate: Fraction, unit_label: str, note: str
) -> ForecastLine:
    if not household_count:
        return ForecastLine(kind, 0, _("未登记户数，暂不测算。"))
    quantity = _ceil(household_count * rate)
    formula = _(
        "户数 %(households)s × 每户 %(rate)s %(unit)s，向上取整 = %(quantity)s。"
    ) % {
        "households": household_count,
        "rate": number(rate),
        "unit": unit_label,
        "quantity": quantity,
    }
    return ForecastLine(kind, quantity, formula + note)


def charging_points(*, household_count: int, rates: dict | None = None):
    """电动车充电桩: households × rate, rounded up."""
    rates = rates or forecast_rates()
    return _per_household(
        Kind.CHARGING,
        household_count=household_count,
        rate=_rate(rates, "charging_points_per_household"),
        unit_label=_("个充电桩"),
        note="",
    )


def parking_spaces(*, household_count: int, rates: dict | None = None):
    """停车位: households × rate, rounded up; existing spaces are not registered."""
    rates = rates or forecast_rates()
    return _per_household(
        Kind.PARKING,
        household_count=household_count,
        rate=_rate(rates, "parking_spaces_per_household"),
        unit_label=_("个车位"),
        note=_("现有车位未登记，未扣减。"),
    )


def barrier_free_paths(
    *, elderly_80: int, disabled: int, buildings: Iterable
) -> ForecastLine:
    """无障碍通道: one per stairwell entrance when anyone is 80+ or disabled."""
    if not elderly_80 and not disabled:
        return ForecastLine(
            Kind.BARRIER_FREE, 0, _("未登记80岁以上老人和残疾人，暂不需要。")
        )
    who = _("80岁以上老人 %(elderly)s 人、残疾人 %(disabled)s 人") % {
        "elderly": elderly_80,
        "disabled": disabled,
    }
    entrances = sum(b.unit_count for b in buildings)
    if not entrances:
        return ForecastLine(
            Kind.BARRIER_FREE,
            1,
            _("%(who)s；未登记楼栋，按全小区 1 条无障碍通道计 = 1。") % {"who": who},
        )
    formula = _(
        "%(who)s：每个单元出入口 1 条无障碍通道，共 %(units)s 个单元 = %(units)s。"
    ) % {"who": who, "units": entrances}
    return ForecastLine(Kind.BARRIER_FREE, entrances, formula)


def childcare_places(*, children: int, rates: dict | None = None) -> ForecastLine:
    """托育/儿童活动场所: children ÷ rate, rounded up."""
    rates = rates or forecast_rates()
    per_place = _rate(rates, "childcare_children_per_place")
    if not children:
        return ForecastLine(Kind.CHILDCARE, 0, _("未登记14岁以下儿童，暂不需要。"))
    quantity = _ceil(children / per_place)
    formula = _(
        "14岁以下儿童 %(children)s 人，每 %(per)s 名儿童 1 处，向上取整 "
        "⌈%(children)s ÷ %(per)s⌉ = %(quantity)s。"
    ) % {"children": children, "per": number(per_place), "quantity": quantity}
    return ForecastLine(Kind.CHILDCARE, quantity, formula)


def ageing_projection(
    *, elderly_60: int, resident_count: int, rates: dict | None = None
) -> AgeingProjection | None:
    """The 60+ share and meal points after the projection horizon; None without
    a resident count."""
    rates = rates or forecast_rates()
    share_now = elderly_share(elderly_60=elderly_60, resident_count=resident_count)
    if share_now is None:
        return None
    years = int(rates["projection_years"])
    drift = _rate(rates, "ageing_drift_points_per_year")
    share_then = min(share_now + drift * years, Fraction(100))
    elderly_then = _round_half_up(resident_count * share_then / 100)
    return AgeingProjection(
        years=years,
        drift=drift,
        share_now=share_now,
        share_then=share_then,
        elderly_now=elderly_60,
        elderly_then=elderly_then,
        meal_points_now=meal_points(
            elderly_60=elderly_60, resident_count=resident_count, rates=rates
        ).quantity,
        meal_points_then=meal_points(
            elderly_60=elderly_then, resident_count=resident_count, rates=rates
        ).quantity,
    )


def estate_forecast(estate, *, rates: dict | None = None) -> EstateForecast:
    """Every forecast line of an estate. Reads `estate.buildings.all()`, so
    prefetch the buildings when forecasting many estates or a profile page."""
    rates = rates or forecast_rates()
    buildings = list(estate.buildings.all())
    lines = [
        meal_points(
            elderly_60=estate.elderly_60_count,
            resident_count=estate.resident_count,
            rates=rates,
        ),
        elevators(buildings=buildings, rates=rates),
        charging_points(household_count=estate.household_count, rates=rates),
        parking_spaces(household_count=estate.household_count, rates=rates),
        barrier_free_paths(
            elderly_80=estate.elderly_80_count,
            disabled=estate.disabled_count,
            buildings=buildings,
        ),
        childcare_places(children=estate.children_count, rates=rates),
    ]
    projection = ageing_projection(
        elderly_60=estate.elderly_60_count,
        resident_count=estate.resident_count,
        rates=rates,
    )
    return EstateForecast(lines=lines, projection=projection)
