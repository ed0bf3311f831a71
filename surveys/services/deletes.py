"""One way to delete any order-menu row: its model's delete service, which checks
the actor and the row's state and removes its files once the deletion commits.
The admin (one row, a bulk action, an inline row) and the API all come here."""

from collections.abc import Callable

from django.db import models

from ..models import (
    Campaign,
    Interview,
    Meeting,
    MeetingDecision,
    MeetingParticipant,
    MeetingPhoto,
    MenuItem,
    Opinion,
    Option,
    Question,
    QuestionItem,
    Response,
    Vote,
)
from .campaigns import (
    campaign_delete,
    menu_item_delete,
    option_delete,
    question_delete,
    question_item_delete,
)
from .meetings import (
    interview_delete,
    meeting_decision_delete,
    meeting_delete,
    meeting_participant_delete,
    meeting_photo_delete,
)
from .responses import opinion_delete, response_delete
from .votes import vote_delete

ROW_DELETES: dict[type[models.Model], Callable[..., None]] = {
    MenuItem: lambda *, row, actor: menu_item_delete(item=row, actor=actor),
    Campaign: lambda *, row, actor: campaign_delete(campaign=row, actor=actor),
    Question: lambda *, row, actor: question_delete(question=row, actor=actor),
    Option: lambda *, row, actor: option_delete(option=row, actor=actor),
    QuestionItem: lambda *, row, actor: question_item_delete(row=row, actor=actor),
    Response: lambda *, row, actor: response_delete(response=row, actor=actor),
    Opinion: lambda *, row, actor: opinion_delete(opinion=row, actor=actor),
    Vote: lambda *, row, actor: vote_delete(vote=row, actor=actor),
    Interview: lambda *, row, actor: interview_delete(interview=row, actor=actor),
    Meeting: lambda *, row, actor: meeting_delete(meeting=row, actor=actor),
    MeetingParticipant: lambda *, row, actor: meeting_participant_delete(
        participant=row, actor=actor
    ),
    MeetingDecision: lambda *, row, actor: meeting_decision_delete(
        decision=row, actor=actor
    ),
    MeetingPhoto: lambda *, row, actor: meeting_photo_delete(photo=row, actor=actor),
}


def row_delete(*, row: models.Model, actor) -> None:
    """Delete any order-menu row through its model's delete service."""
    try:
        delete = ROW_DELETES[type(row)]
    except KeyError:
        raise TypeError(f"no delete service for {type(row).__name__}") from None
    delete(row=row, actor=actor)
