"""Login brute-force protection with django-axes: which address a request
comes from and the page a locked-out login sees. Lifting a lockout is
`services.login_lockouts_clear`."""

import ipaddress

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.utils.translation import gettext as _


def client_ip(request) -> str | None:
    """The address the web server connected from, or, behind the trusted
    proxy, the rightmost address of the header it sets (the same setting the
    rate limiter reads). None when it is not an address."""
    header = getattr(settings, "RATE_LIMIT_CLIENT_IP_HEADER", "")
    raw = request.META.get(header, "") if header else ""
    raw = raw.split(",")[-1].strip() or request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def locked_out(request, original_response=None, credentials=None):
    """The admin login's answer while a username or address is locked out."""
    context = {
        **admin.site.each_context(request),
        "title": _("登录已暂时锁定"),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": lockout_minutes(),
    }
    return render(request, "admin/login_locked_out.html", context, status=429)
