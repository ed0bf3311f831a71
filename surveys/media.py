"""Which stored answer photos a user may open at /media/ (see
communities.media_views): office staff see the photos of the responses in
their scope; everyone else gets the same 404 as for a missing file."""

from django.db.models.fields.files import FieldFile

from .models import Answer
from .permissions import responses_visible_to


def answer_photo_file(user, name: str) -> FieldFile | None:
    """The answer photo stored under `name`, if the user may see its response."""
    answer = (
        Answer.objects.filter(photo=name, response__in=responses_visible_to(user))
        .only("photo")
        .first()
    )
    return answer.photo if answer is not None else None
