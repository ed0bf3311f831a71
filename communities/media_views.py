"""Uploaded files (/media/…), served only to users who may see them.

Photos of residents' homes are not public: a request is answered only when
the file is a Photo's image or thumbnail that `photos_visible_to(user)`
returns; anything else is a 404, so a refused file looks like a missing one.
The bytes go out through the web server when one is configured
(settings.MEDIA_ACCEL_REDIRECT_PREFIX for nginx's X-Accel-Redirect,
settings.MEDIA_SENDFILE_HEADER for Apache's or lighttpd's X-Sendfile) and
through Django otherwise.
"""

import mimetypes
import posixpath
from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from .permissions import photos_visible_to

# Browsers may keep a file a day, never a shared cache: stored names never
# change content (Django's storage never overwrites a name).
PRIVATE_MAX_AGE = 24 * 3600

PHOTO_FILE_FIELDS = ("image", "thumbnail_small", "thumbnail_large")

MediaLookup = Callable[[object, str], FieldFile | None]


def photo_file(user, name: str) -> FieldFile | None:
    """The photo file stored under `name`, if the user may see its estate."""
    matches = Q()
    for field in PHOTO_FILE_FIELDS:
        matches |= Q(**{field: name})
    photo = photos_visible_to(user).filter(matches).first()
    if photo is None:
        return None
    return next(
        getattr(photo, field)
        for field in PHOTO_FILE_FIELDS
        if getattr(photo, field).name == name
    )


# Each app that stores files registers how a user's request for a stored name
# is resolved (a later app appends its own lookup; this one knows photos).
MEDIA_LOOKUPS: list[MediaLookup] = [photo_file]


def _clean_name(path: str) -> str | None:
    """A storage name from the URL, or None for anything that climbs out."""
    name = posixpath.normpath(path).lstrip("/")
    if name in ("", ".") or name.startswith("..") or "\x00" in name:
        return None
    return name


def _file_response(file: FieldFile) -> HttpResponse:
    content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    if settings.MEDIA_ACCEL_REDIRECT_PREFIX:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = (
            settings.MEDIA_ACCEL_REDIRECT_PREFIX.rstrip("/") + "/" + quote(file.name)
        )
    elif settings.MEDIA_SENDFILE_HEADER:
        response = HttpResponse(content_type=content_type)
        response[settings.MEDIA_SENDFILE_HEADER] = file.path
    else:
        try:
            handle = file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type)
    return response


@require_safe
def protected_media(request, path: str):
    """Send one stored file to a user allowed to see it; 404 otherwise."""
    name = _clean_name(path)
    if name is None or not request.user.is_authenticated:
        raise Http404
    for lookup in MEDIA_LOOKUPS:
        file = lookup(request.user, name)
        if file is not None:
            break
    else:
        raise Http404
    response = _file_response(file)
    patch_cache_control(response, private=True, max_age=PRIVATE_MAX_AGE)
    patch_vary_headers(response, ["Cookie"])
    return response
