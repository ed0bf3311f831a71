from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.cache import cache_page, never_cache
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_cookie
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission

from baitang import health
from baitang.decorators import office_staff_required
from baitang.elder_mode import ELDER_COOKIE, ELDER_COOKIE_AGE
from baitang.roles import is_office_staff


class IsOfficeStaff(BasePermission):
    def has_permission(self, request, view):
        return is_office_staff(request.user)


class ApiSchemaView(SpectacularAPIView):
    """The OpenAPI schema, for office staff: it maps every endpoint and field of
    the register, which is no one else's business."""

    permission_classes = [IsOfficeStaff]


# Swagger UI, for office staff. The split view loads its start-up script from
# ?script= instead of inlining it, and our template keeps its styles in a file:
# the page runs under the Content-Security-Policy unchanged. GET and HEAD only:
# DRF's OPTIONS would render its metadata through a template the page lacks.
api_docs = require_safe(
    office_staff_required(
        SpectacularSwaggerSplitView.as_view(
            url_name="schema", template_name="api/swagger_ui.html"
        )
    )
)


@require_safe
@never_cache
def healthz(request):
    database = health.database_is_up()
    broker = health.broker_is_up()
    return JsonResponse(
        {
            "status": "ok" if database and broker else "degraded",
            "database": "up" if database else "down",
            "broker": "up" if broker else "down",
        },
        status=200 if database and broker else 503,
    )


@require_safe
@cache_page(300)
@vary_on_cookie
def home(request):
    # Cached per language and, through Vary: Cookie, per visitor: a signed-in
    # user never gets someone else's navigation. vary_on_cookie must sit inside
    # cache_page, which stores the response before the session middleware would
    # add the header.
    return render(request, "home.html")


@require_safe
def switch_language(request):
    """Remember the chosen language in a cookie and go back.

    A plain link rather than Django's POST-only set_language: one tap for an
    elderly resident, and no CSRF token, so resident pages stay cacheable. It
    changes nothing but a display preference.
    """
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    language = request.GET.get("language", "")
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def _back_url(request) -> str:
    """The page the visitor came from, when it is one of ours: the error pages'
    way back besides the home page."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:
        return ""
    if not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    ):
        return ""
    return "" if referer == request.build_absolute_uri() else referer


def _error_page(request, template_name: str, status: int):
    return render(
        request, template_name, {"back_url": _back_url(request)}, status=status
    )


def bad_request(request, exception):
    try:
        return _error_page(request, "400.html", 400)
    except Exception:
        # A request bad enough to break the site's own context (an odd host
        # header, say) still gets the page, only without navigation.
        return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    return _error_page(request, "403.html", 403)


def page_not_found(request, exception):
    return _error_page(request, "404.html", 404)


def csrf_failure(request, reason=""):
    """CSRF refusal (an expired form, mostly) in the site's words."""
    return _error_page(request, "403_csrf.html", 403)


# The 500 page is Django's own handler: it renders 500.html with no request and
# no context processors, so nothing on it reaches for the database (which may be
# why the request failed). Kept here so urls.py names every handler in one place.
server_error = defaults.server_error


@require_safe
def switch_elder_mode(request):
    """Turn the elder mode (长辈版: larger text and buttons) on or off and go back.
    A plain link, like switch_language: one tap, remembered in a
    cookie, changing nothing but how the pages look."""
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if request.GET.get("on") == "1":
        response.set_cookie(
            ELDER_COOKIE,
            "1",
            max_age=ELDER_COOKIE_AGE,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=True,
        )
    else:
        response.delete_cookie(ELDER_COOKIE, samesite="Lax")
    # `next` may hold a household's page address.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response
