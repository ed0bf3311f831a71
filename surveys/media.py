"""Which stored order-menu files a user may open at /media/ (see
communities.media_views): office staff see the answer photos of the responses
and the photos of the meetings in their scope, and the menu's pictures;
everyone else gets the same 404 as for a missing file."""

from django.db.models import Q
from django.db.models.fields.files import FieldFile

from .models import Answer, MeetingPhoto
from .permissions import (
    meetings_visible_to,
    menu_items_visible_to,
    responses_visible_to,
)


def answer_photo_file(user, name: str) -> FieldFile | None:
    """The answer photo stored under `name`, if the user may see its response."""
    answer = (
        Answer.objects.filter(photo=name, response__in=responses_visible_to(user))
        .only("photo")
        .first()
    )
    return answer.photo if answer is not None else None


def meeting_photo_file(user, name: str) -> FieldFile | None:
    """A meeting photo or its thumbnail, if the user may see the meeting."""
    photo = (
        MeetingPhoto.objects.filter(Q(image=name) | Q(thumbnail=name))
        .filter(meeting__in=meetings_visible_to(user))
        .only("image", "thumbnail")
        .first()
    )
    if photo is None:
        return None
    return photo.image if photo.image.name == name else photo.thumbnail


def menu_picture_file(user, name: str) -> FieldFile | None:
    """A menu item's picture, for the office staff who read the menu."""
    item = menu_items_visible_to(user).filter(picture=name).only("picture").first()
    return item.picture if item is not None else None
