from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_page, never_cache
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_cookie

from baitang import health


@require_GET
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


@require_GET
@cache_page(300)
@vary_on_cookie
def home(request):
    # Cached per language and, through Vary: Cookie, per visitor: a signed-in
    # user never gets someone else's navigation. vary_on_cookie must sit inside
    # cache_page, which stores the response before the session middleware would
    # add the header.
    return render(request, "home.html")


@require_GET
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
