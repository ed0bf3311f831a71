"""Household slips: what a household's printed slip says (its estate, building,
unit and room, its access code, the link and its QR code), for the office's
browser page and `manage.py household_codes` alike. Eight slips fill an A4
sheet, cut along the dotted lines and handed out door to door."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from communities.models import Building, Estate, Household

from .codes import format_code, qr_svg
from .models import AccessCode, OpenLink

SLIPS_PER_SHEET = 8
SLIPS_CSS = "css/surveys-slips.css"


def public_url(path: str) -> str:
    """An address residents open from outside (settings.PUBLIC_BASE_URL)."""
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}"


def household_url(code: str) -> str:
    return public_url(reverse("surveys:household", kwargs={"code": code}))


def open_link_url(link: OpenLink) -> str:
    return public_url(reverse("surveys:opinion", kwargs={"token": link.token}))


def households_with_codes(
    *, estate: Estate, building: Building | None = None
) -> QuerySet[Household]:
    """An estate's (or one building's) households in building, unit and room
    order, each with `code`: its active access code, or None (one query)."""
    active = AccessCode.objects.filter(household=OuterRef("pk"), is_active=True)
    households = Household.objects.filter(building__estate=estate)
    if building is not None:
        households = households.filter(building=building)
    return (
        households.select_related("building")
        .annotate(code=Subquery(active.values("code")[:1]))
        .order_by("building__name", "unit", "number")
    )


def slips_for(*, estate: Estate, building: Building | None = None) -> dict:
    """The households that have a code (to print), how many have none yet, and
    the estate's open link if it has one (three queries)."""
    households = households_with_codes(estate=estate, building=building)
    return {
        "households": households.filter(code__isnull=False),
        "missing": households.filter(code__isnull=True).count(),
        "open_link": OpenLink.objects.filter(estate=estate, is_active=True).first(),
    }


@dataclass(frozen=True)
class Slip:
    household_id: int
    estate: str
    building: str
    unit: int
    number: str
    code: str  # formatted: ABCDE-FGHJK-MNPQR
    url: str
    qr: SafeString


@dataclass(frozen=True)
class OpenLinkSlip:
    url: str
    qr: SafeString


def slip_of(estate: Estate, household: Household) -> Slip:
    url = household_url(household.code)
    return Slip(
        household_id=household.pk,
        estate=estate.name,
        building=household.building.name,
        unit=household.unit,
        number=household.number,
        code=format_code(household.code),
        url=url,
        # segno writes the SVG from our own URL: nothing in it comes from a user.
        qr=mark_safe(qr_svg(url)),  # noqa: S308
    )


def open_link_slip(link: OpenLink | None) -> OpenLinkSlip | None:
    if link is None:
        return None
    url = open_link_url(link)
    return OpenLinkSlip(url=url, qr=mark_safe(qr_svg(url)))  # noqa: S308


def slip_sheets(
    *, estate: Estate, households, open_link: OpenLink | None
) -> list[dict]:
    """Households (with `code`) as A4 sheets of eight slips each."""
    open_slip = open_link_slip(open_link)
    households = list(households)
    return [
        {
            "slips": [slip_of(estate, h) for h in households[i : i + SLIPS_PER_SHEET]],
            "open_link": open_slip,
        }
        for i in range(0, len(households), SLIPS_PER_SHEET)
    ]


def slips_css() -> str:
    """The slips' stylesheet, for a file that must carry it inline."""
    path = finders.find(SLIPS_CSS)
    with open(path, encoding="utf-8") as handle:
        return handle.read()
