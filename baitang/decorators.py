"""View decorators every app's pages share."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.cache import patch_cache_control

from baitang.roles import is_office_staff


def office_staff_required(view):
    """Anonymous visitors go to the login page; logins that keep no register
    (outside parties) get 403. What staff see (residents' names, phones, words,
    access codes) is kept by no cache: every answer is private and no-store."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_office_staff(request.user):
            raise PermissionDenied
        response = view(request, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response

    return wrapper
