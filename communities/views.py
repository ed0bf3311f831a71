"""The register's pages for office staff: the street overview, its export,
and the estate profile (三维画像)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from baitang.decorators import office_staff_required

from . import excel, exports, selectors
from .forecast import estate_forecast
from .forms import EstateFilterForm
from .models import EstateNeed, Problem, RegisterExport, mask_phone
from .permissions import can_edit_estate

OVERVIEW_PAGE_SIZE = 50


def bar_chart(*, chart_id: str, title: str, description: str, rows, series):
    """Scale rows for a pure-CSS horizontal bar chart.

    `rows` are (label, {series_key: value}) pairs; `series` are (key, label)
    pairs drawn as stacked segments. Widths are percentages of the longest bar.
    """
    rows = list(rows)
    longest = max((sum(values.values()) for _label, values in rows), default=0)
    scaled = []
    for label, values in rows:
        total = sum(values.values())
        segments = [
            {
                "key": key,
                "label": series_label,
                "value": values.get(key, 0),
                "width": round(100 * values.get(key, 0) / longest, 2) if longest else 0,
            }
            for key, series_label in series
        ]
        scaled.append({"label": label, "total": total, "segments": segments})
    return {
        "id": chart_id,
        "title": title,
        "description": description,
        "rows": scaled,
        "series": [{"key": key, "label": label} for key, label in series],
        "empty": longest == 0,
    }


def _query_string(params, **changes) -> str:
    query = params.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value:
            query[key] = value
    return query.urlencode()


def _sort_columns(request, current: str) -> list[dict]:
    labels = {
        "name": _("小区名称"),
        "community": _("所属社区"),
        "build_year": _("建成年代"),
        "management": _("物业管理情况"),
        "open_problems": _("待解决问题"),
        "households": _("户数"),
        "elderly_share": _("老龄化率"),
    }
    numeric = {"build_year", "open_problems", "households", "elderly_share"}
    columns = []
    for key in selectors.SORT_FIELDS:
        direction = None
        if current == key:
            direction = "ascending"
        elif current == f"-{key}":
            direction = "descending"
        next_sort = f"-{key}" if direction == "ascending" else key
        columns.append(
            {
                "key": key,
                "label": labels[key],
                "numeric": key in numeric,
                "direction": direction,
                "url": "?" + _query_string(request.GET, sort=next_sort, page=None),
            }
        )
    return columns


@require_safe
@office_staff_required
def estate_overview(request):
    form = EstateFilterForm(request.GET or None, user=request.user)
    estates = selectors.estates_filtered(user=request.user, **form.filters())
    sort = selectors.sort_key(request.GET.get("sort"))
    page = Paginator(
        selectors.estate_overview(estates=estates, sort=sort), OVERVIEW_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    problem_rows = selectors.problems_by_category(estates=estates)
    totals = selectors.overview_totals(estates=estates, problem_rows=problem_rows)
    status_series = [(s.value, s.label) for s in Problem.Status]
    charts = [
        bar_chart(
            chart_id="chart-problems",
            title=_("各类问题数量"),
            description=_("按问题类别统计的问题数，分状态显示。"),
            rows=[
                (row["name"], {s: row[s] for s, _label in status_series})
                for row in problem_rows
            ],
            series=status_series,
        ),
        bar_chart(
            chart_id="chart-decades",
            title=_("按建成年代统计的小区"),
            description=_("每个年代建成的小区数量。"),
            rows=[
                (_("%(decade)s年代") % {"decade": row["decade"]}, {"n": row["count"]})
                for row in selectors.estates_by_decade(estates=estates)
            ],
            series=[("n", _("小区数"))],
        ),
        bar_chart(
            chart_id="chart-populations",
            title=_("特殊人群"),
            description=_("所选小区的老人、残疾人、儿童人数和低保户数合计。"),
            rows=[
                (_("60岁以上老人（人）"), {"n": totals["elderly_60"]}),
                (_("80岁以上老人（人）"), {"n": totals["elderly_80"]}),
                (_("残疾人（人）"), {"n": totals["disabled"]}),
                (_("14岁以下儿童（人）"), {"n": totals["children"]}),
                (_("低保户（户）"), {"n": totals["low_income"]}),
            ],
            series=[("n", _("合计"))],
        ),
    ]
    return render(
        request,
        "communities/estate_overview.html",
        {
            "form": form,
            "page": page,
            "sort": sort,
            "columns": _sort_columns(request, sort),
            "page_query": _query_string(request.GET, page=None),
            "export_query": _query_string(request.GET, page=None, sort=None),
            "totals": totals,
            "charts": charts,
        },
    )


# --- Export -------------------------------------------------------------------


def chosen_ids(raw: str) -> list[int] | None:
    """?ids=1,2,3 as a list; [] when absent; None when malformed."""
    try:
        return [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        return None


def register_export_response(request, *, filters: dict, may_queue: bool):
    """The register export every page and the admin share: a small one is sent
    at once; a larger one becomes a background job (only from a POST: a GET
    gets a page asking to start it), and the user goes to its progress page."""
    estates = exports.estates_to_export(user=request.user, filters=filters)
    scope = exports.export_scope(user=request.user, filters=filters)
    rows = exports.row_total(estates)
    if exports.is_small(rows):
        name = exports.export_file_name(scope)
        return excel.xlsx_response(excel.export_register(estates), name)
    if not may_queue:
        query = request.GET.urlencode()
        return render(
            request,
            "communities/export_confirm.html",
            {
                "rows": rows,
                "scope": scope,
                "action": reverse("communities:estate_export")
                + (f"?{query}" if query else ""),
            },
        )
    try:
        job = exports.export_job_start(actor=request.user, filters=filters, scope=scope)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        running = exports.running_job_of(request.user)
        if running is not None:
            return redirect(running)
        return redirect("communities:estate_overview")
    return redirect(job)


@require_POST
@office_staff_required
def estate_export(request):
    """The overview's estates, filtered as on the page (its query string), or
    those of ?ids=1,2,3, as the register workbook."""
    ids = chosen_ids(request.GET.get("ids", ""))
    if ids is None:
        return HttpResponseBadRequest(_("参数 ids 应为用逗号分隔的小区编号。"))
    form = EstateFilterForm(request.GET or None, user=request.user)
    filters = exports.filters_of(form.filters(), ids)
    return register_export_response(request, filters=filters, may_queue=True)


def _own_export(request, pk) -> RegisterExport:
    # Someone else's export looks missing.
    return get_object_or_404(RegisterExport, pk=pk, created_by=request.user)


@require_safe
@office_staff_required
def estate_export_job(request, pk):
    """A background export's progress (the page refreshes itself), then its
    download link."""
    job = _own_export(request, pk)
    response = render(request, "communities/export_job.html", {"job": job})
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
@office_staff_required
def estate_export_download(request, pk):
    job = _own_export(request, pk)
    if job.status != RegisterExport.Status.DONE:
        raise Http404
    try:
        handle = job.stored_path.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=job.file_name,
        content_type=excel.XLSX_CONTENT_TYPE,
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


def _needs_beside_forecast(estate, forecast) -> list[dict]:
    staff_needs = {}
    for need in estate.needs.all():
        staff_needs.setdefault(need.kind, []).append(need)
    rows = [
        {"kind": line.label, "line": line, "needs": staff_needs.pop(line.kind, [])}
        for line in forecast.lines
    ]
    for kind, needs in staff_needs.items():
        rows.append({"kind": EstateNeed.Kind(kind).label, "line": None, "needs": needs})
    return rows


@require_safe
@office_staff_required
def estate_profile(request, pk):
    estate = get_object_or_404(
        selectors.estate_profile_queryset(user=request.user), pk=pk
    )
    forecast = estate_forecast(estate)
    bodies = list(estate.governance_bodies.all())
    for body in bodies:
        for member in body.members.all():
            member.masked_phone = mask_phone(member.phone)
    admin_url = None
    if can_edit_estate(request.user, estate):
        admin_url = reverse("admin:communities_estate_change", args=[estate.pk])
    return render(
        request,
        "communities/estate_profile.html",
        {
            "estate": estate,
            "buildings": estate.buildings.all(),
            "households": selectors.estate_household_figures(estate=estate),
            "problem_table": selectors.estate_problem_table(estate=estate),
            "problem_statuses": [(s.value, s.label) for s in Problem.Status],
            "gallery": selectors.photo_gallery(list(estate.photos.all())),
            "forecast": forecast,
            "needs": _needs_beside_forecast(estate, forecast),
            "governance_bodies": bodies,
            "admin_url": admin_url,
            "cutoff_year": settings.REGISTER_BUILD_YEAR_CUTOFF,
        },
    )
