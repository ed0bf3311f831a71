"""Derived indicators of an estate, each defined once.

The model's properties, the profile, the overview, the forecast sentence, the
API and the admin all read these functions, so a figure shows the same digits
wherever it appears: exact fractions, rounded half up to one decimal only for
display.
"""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

ONE_DECIMAL = Decimal("0.1")


def round_half_up(value: Fraction | Decimal, places: Decimal = ONE_DECIMAL):
    """A value rounded half up (30.25 → 30.3), as a Decimal; never a float."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return value.quantize(places, rounding=ROUND_HALF_UP)


def elderly_share(*, elderly_60: int, resident_count: int) -> Fraction | None:
    """The 60+ share of residents in percent, exact; None when nobody is counted."""
    if not resident_count:
        return None
    return Fraction(100 * elderly_60, resident_count)


def elderly_share_percent(*, elderly_60: int, resident_count: int) -> Decimal | None:
    """The 60+ share as shown everywhere: percent, one decimal, half up."""
    share = elderly_share(elderly_60=elderly_60, resident_count=resident_count)
    return None if share is None else round_half_up(share)


def floor_area_per_household(
    *, floor_area: Decimal | None, household_count: int
) -> Decimal | None:
    """Floor area per household in ㎡, one decimal, half up; None when unknown."""
    if not household_count or floor_area is None:
        return None
    return round_half_up(Fraction(floor_area) / household_count)
