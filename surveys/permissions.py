"""Who may see and change the order menu, campaigns, votes, interviews and
meetings. Office staff work on the estates of their scope (communities'
rules); residents act only for their own household, through its access code."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from baitang.roles import is_office_staff, is_street_staff, scope_by_community
from communities.models import Household
from communities.permissions import can_edit_estate

from .models import (
    AccessCode,
    Ballot,
    Campaign,
    Interview,
    Meeting,
    MenuItem,
    OccupiedConsent,
    Opinion,
    Question,
    Reply,
    Response,
    Vote,
)


@dataclass(frozen=True)
class Resident:
    """A household acting through its access code: the actor of a resident's own
    answers and ballots. It may act for that household and nothing else."""

    household: Household

    is_authenticated = False
    pk = None

    def __str__(self):
        return f"住户 {self.household}"


def acts_for_household(actor, household: Household) -> bool:
    return isinstance(actor, Resident) and actor.household.pk == household.pk


# --- Menu -----------------------------------------------------------------------


def menu_items_visible_to(user) -> QuerySet[MenuItem]:
    if is_office_staff(user):
        return MenuItem.objects.all()
    return MenuItem.objects.none()


def can_edit_menu(user) -> bool:
    """The menu is the street's common list: the street office keeps it."""
    return is_street_staff(user)


# --- Campaigns and what hangs off them --------------------------------------------


def campaigns_visible_to(user) -> QuerySet[Campaign]:
    """Campaigns of the estates in the user's scope, plus the shared templates."""
    if not is_office_staff(user):
        return Campaign.objects.none()
    if is_street_staff(user):
        return Campaign.objects.all()
    in_scope = scope_by_community(Campaign.objects.all(), user, "estate__community")
    return Campaign.objects.filter(
        Q(pk__in=in_scope.values("pk")) | Q(is_template=True)
    )


def can_edit_campaign(user, campaign: Campaign | None = None) -> bool:
    """Templates are the street office's; a campaign follows its estate."""
    if campaign is None:
        return is_office_staff(user)
    if campaign.is_template:
        return is_street_staff(user)
    return can_edit_estate(user, campaign.estate)


def questions_visible_to(user) -> QuerySet[Question]:
    """The questions of the campaigns (and templates) the user sees."""
    return Question.objects.filter(campaign__in=campaigns_visible_to(user))


def responses_visible_to(user) -> QuerySet[Response]:
    return scope_by_community(
        Response.objects.all(), user, "campaign__estate__community"
    )


def replies_visible_to(user) -> QuerySet[Reply]:
    return scope_by_community(
        Reply.objects.all(), user, "response__campaign__estate__community"
    )


def opinions_visible_to(user) -> QuerySet[Opinion]:
    return scope_by_community(Opinion.objects.all(), user, "estate__community")


def access_codes_visible_to(user) -> QuerySet[AccessCode]:
    return scope_by_community(
        AccessCode.objects.all(), user, "household__building__estate__community"
    )


# --- Votes ------------------------------------------------------------------------


def votes_visible_to(user) -> QuerySet[Vote]:
    return scope_by_community(Vote.objects.all(), user, "estate__community")


def can_edit_vote(user, vote: Vote | None = None) -> bool:
    if vote is None:
        return is_office_staff(user)
    return can_edit_estate(user, vote.estate)


def ballots_visible_to(user) -> QuerySet[Ballot]:
    return scope_by_community(Ballot.objects.all(), user, "vote__estate__community")


def consents_visible_to(user) -> QuerySet[OccupiedConsent]:
    return scope_by_community(
        OccupiedConsent.objects.all(), user, "vote__estate__community"
    )


# --- Interviews and meetings --------------------------------------------------------


def interviews_visible_to(user) -> QuerySet[Interview]:
    return scope_by_community(Interview.objects.all(), user, "estate__community")


def meetings_visible_to(user) -> QuerySet[Meeting]:
    return scope_by_community(Meeting.objects.all(), user, "estate__community")
