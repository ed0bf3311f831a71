"""Request guards every page and the API share."""

import time

from csp.constants import UNSAFE_INLINE
from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from rest_framework.renderers import BrowsableAPIRenderer

FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _carries_nul(request) -> bool:
    if "\x00" in request.path_info:
        return True
    parameters = [request.GET]
    # Forms only: Django parses them for the view anyway, and a JSON body is the
    # API's (DRF refuses NUL in its fields). Uploaded files may hold any byte.
    if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
        parameters.append(request.POST)
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for query in parameters
        for key, values in query.lists()
    )


class RefuseNulBytesMiddleware:
    """Answer 400 to a NUL byte in the path, the query string or a posted form.

    PostgreSQL cannot store or compare text holding NUL: the driver raises
    ValueError, which every search box (admin changelists, autocomplete, API
    `?search=`, the overview's filters) turned into a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _carries_nul(request):
            message = _("请求中含有无效字符（NUL），请删除后重试。")
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            raise BadRequest(message)
        return self.get_response(request)


class PrivateApiResponsesMiddleware:
    """Every /api/ response is `Cache-Control: no-store` (and private).

    Nearly every API answer carries names, phone numbers or households, and all
    of them depend on who asks; none may stay in a browser's or a proxy's cache.
    One rule for the whole prefix cannot miss an endpoint added later, and costs
    nothing: integrations page through fresh data anyway.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith("/api/"):
            add_never_cache_headers(response)
        return response


class BrowsableApiStylesMiddleware:
    """Let DRF's browsable API pages (/api/v1/ in a browser) keep their inline
    styles: its templates float buttons with style attributes and colour code
    with an inline style block. Only styles, only on those pages; scripts stay
    as strict as everywhere (its own scripts are files)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if isinstance(
            getattr(response, "accepted_renderer", None), BrowsableAPIRenderer
        ):
            response._csp_update = {"style-src": [UNSAFE_INLINE]}
        return response


SESSION_RENEWED_AT = "renewed_at"


def mark_session_renewed(sender, request, user, **kwargs):
    """Connected to user_logged_in: a new session's full age starts at login."""
    if hasattr(request, "session"):
        request.session[SESSION_RENEWED_AT] = int(time.time())


class RenewSessionMiddleware:
    """A staff session lasts SESSION_COOKIE_AGE after its last request.

    Renewing costs a database write and a new cookie, so a session is renewed
    at most every SESSION_RENEW_SECONDS rather than on every request
    (SESSION_SAVE_EVERY_REQUEST would add a write to every page). A session
    the request never opened is left alone: anonymous visitors get none and
    the cached home page stays a cache hit.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or session.is_empty():
            return response
        now = int(time.time())
        if now - session.get(SESSION_RENEWED_AT, 0) >= settings.SESSION_RENEW_SECONDS:
            session[SESSION_RENEWED_AT] = now  # SessionMiddleware saves it
        return response
