"""Who may see and change the register. Every read of the register goes through
one of the *_visible_to selectors, so admin, API and pages scope alike."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from baitang.roles import is_office_staff, is_street_staff, scope_by_community

from .models import (
    Building,
    Community,
    Estate,
    EstateNeed,
    GovernanceBody,
    GovernanceMember,
    Household,
    Owner,
    Photo,
    Problem,
    ProblemCategory,
)


def communities_visible_to(user) -> QuerySet[Community]:
    return scope_by_community(Community.objects.all(), user, "id")


def estates_visible_to(user) -> QuerySet[Estate]:
    return scope_by_community(Estate.objects.all(), user, "community")


def buildings_visible_to(user) -> QuerySet[Building]:
    return scope_by_community(Building.objects.all(), user, "estate__community")


def households_visible_to(user) -> QuerySet[Household]:
    return scope_by_community(
        Household.objects.all(), user, "building__estate__community"
    )


def owners_visible_to(user) -> QuerySet[Owner]:
    if is_street_staff(user):
        return Owner.objects.all()
    owner_ids = households_visible_to(user).values("owners")
    return Owner.objects.filter(id__in=owner_ids)


def owners_choosable_by(user):
    """Owners a staff member may link to a household: those already linked to a
    household they see, plus owners not linked to any household yet (just
    entered, so the person entering them can link them)."""
    if not is_office_staff(user):
        return Owner.objects.none()
    if is_street_staff(user):
        return Owner.objects.all()
    linked = Household.owners.through.objects.filter(owner_id=OuterRef("pk"))
    return Owner.objects.filter(
        Q(pk__in=owners_visible_to(user).values("pk")) | ~Exists(linked)
    )


def problems_visible_to(user) -> QuerySet[Problem]:
    return scope_by_community(Problem.objects.all(), user, "estate__community")


def problem_categories_visible_to(user) -> QuerySet[ProblemCategory]:
    if is_office_staff(user):
        return ProblemCategory.objects.all()
    return ProblemCategory.objects.none()


def photos_visible_to(user) -> QuerySet[Photo]:
    return scope_by_community(Photo.objects.all(), user, "estate__community")


def needs_visible_to(user) -> QuerySet[EstateNeed]:
    return scope_by_community(EstateNeed.objects.all(), user, "estate__community")


def governance_bodies_visible_to(user) -> QuerySet[GovernanceBody]:
    return scope_by_community(GovernanceBody.objects.all(), user, "estate__community")


def governance_members_visible_to(user) -> QuerySet[GovernanceMember]:
    return scope_by_community(
        GovernanceMember.objects.all(), user, "body__estate__community"
    )


def can_edit_estate(user, estate: Estate | None = None) -> bool:
    """Street staff edit every estate; community staff those of their communities."""
    if is_street_staff(user):
        return True
    if not is_office_staff(user):
        return False
    if estate is None:
        return True
    return estates_visible_to(user).filter(pk=estate.pk).exists()


def can_edit_community(user, community: Community | None = None) -> bool:
    return is_street_staff(user)


def can_delete_register_rows(user) -> bool:
    """Deleting register rows is destructive: street office only."""
    return is_street_staff(user)


def can_see_personal_data(user) -> bool:
    """Owner names and phone numbers: only the office staff who contact residents."""
    return is_office_staff(user)
