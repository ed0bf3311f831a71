"""View decorators every app's pages share."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from baitang.roles import is_office_staff


def office_staff_required(view):
    """Anonymous visitors go to the login page; logins that keep no register
    (outside parties) get 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_office_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
