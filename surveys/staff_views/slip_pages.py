"""Household slips in the browser: A4 sheets of an estate or building for the
office's printer, issuing missing codes, and reissuing a lost one."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from baitang.decorators import office_staff_required
from communities.models import Household
from communities.permissions import can_edit_estate, estates_visible_to

from .. import services
from ..codes import format_code
from ..slips import slip_sheets, slips_for
from ..staff_forms import SlipsForm
from ._common import SLIPS_PAGE_SIZE, query_string


@require_http_methods(["GET", "HEAD", "POST"])
@office_staff_required
def slips(request):
    """The A4 sheets of household slips of an estate or one building, for the
    office's printer; POST issues the codes (and the open link) still missing."""
    data = request.POST if request.method == "POST" else request.GET
    estate = None
    if data.get("estate", "").isdecimal():
        estate = estates_visible_to(request.user).filter(pk=data["estate"]).first()
    form = SlipsForm(data or None, user=request.user, estate=estate)
    context = {"form": form, "estate": None}
    if not form.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(request, "surveys/staff/slips.html", context, status=status)
    estate = form.cleaned_data["estate"]
    building = form.cleaned_data["building"]
    can_issue = can_edit_estate(request.user, estate)
    if request.method == "POST":
        if not can_issue:
            raise PermissionDenied
        issued = services.access_codes_ensure(
            estate=estate, building=building, actor=request.user
        )
        services.open_link_ensure(estate=estate, actor=request.user)
        messages.success(
            request, _("已为 %(count)s 户生成访问码。") % {"count": issued}
        )
        query = query_string(
            QueryDict(mutable=True),
            estate=str(estate.pk),
            building=str(building.pk) if building else "",
        )
        return redirect(f"{reverse('surveys:slips')}?{query}")
    rows = slips_for(estate=estate, building=building)
    page = Paginator(rows["households"], SLIPS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context.update(
        {
            "estate": estate,
            "building": building,
            "sheets": slip_sheets(
                estate=estate, households=list(page), open_link=rows["open_link"]
            ),
            "page": page,
            "page_query": query_string(request.GET, page=None),
            "missing": rows["missing"],
            "open_link": rows["open_link"],
            "can_issue": can_issue,
            "base_url": settings.PUBLIC_BASE_URL,
        }
    )
    return render(request, "surveys/staff/slips.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@office_staff_required
def slip_reissue(request, household_pk):
    """Confirm, then give one household a new code: its old slip stops working."""
    household = get_object_or_404(
        Household.objects.filter(
            building__estate__in=estates_visible_to(request.user)
        ).select_related("building__estate"),
        pk=household_pk,
    )
    estate = household.building.estate
    if not can_edit_estate(request.user, estate):
        raise PermissionDenied
    back = (
        f"{reverse('surveys:slips')}?estate={estate.pk}"
        f"&building={household.building_id}"
    )
    if request.method == "POST":
        access = services.access_code_issue(household=household, actor=request.user)
        messages.success(
            request,
            _("已为%(household)s补发新访问码 %(code)s，旧访问码已作废。")
            % {"household": household, "code": format_code(access.code)},
        )
        return redirect(f"{back}#h{household.pk}")
    return render(
        request,
        "surveys/staff/slip_reissue.html",
        {"household": household, "estate": estate, "back_url": back},
    )
