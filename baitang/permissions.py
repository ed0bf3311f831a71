"""Who may see and manage API tokens.

A token is a login's key to the API. Street office staff issue them to anyone;
every login sees and revokes its own. DRF's authtoken keeps the key in clear,
so a key is shown to its owner, and once to the street worker who issues it.
"""

from django.db.models import QuerySet
from rest_framework.authtoken.models import Token

from baitang.roles import is_street_staff


def tokens_visible_to(user) -> QuerySet[Token]:
    """Street office staff see every token; anyone else only their own."""
    tokens = Token.objects.select_related("user")
    if is_street_staff(user):
        return tokens
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return tokens.none()
    return tokens.filter(user=user)


def can_issue_token(actor, user) -> bool:
    return is_street_staff(actor) and user.is_active


def can_revoke_token(actor, user) -> bool:
    return is_street_staff(actor) or (
        getattr(actor, "is_authenticated", False) and actor.pk == user.pk
    )
