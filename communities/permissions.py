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
    """Street staff see every owner; community staff the owners entered for
    their communities and the owners of households they see."""
    if is_street_staff(user):
        return Owner.objects.all()
    if not is_office_staff(user):
        return Owner.objects.none()
    entered = scope_by_community(Owner.objects.all(), user, "community")
    holding = households_visible_to(user).values("owners")
    return Owner.objects.filter(Q(pk__in=entered.values("pk")) | Q(pk__in=holding))


def _holds_elsewhere(community_ids) -> Exists:
    """An owner holds a household outside these communities (a subquery)."""
    return Exists(
        Household.owners.through.objects.filter(owner_id=OuterRef("pk")).exclude(
            household__building__estate__community__in=community_ids
        )
    )


def owners_choosable_by(user) -> QuerySet[Owner]:
    """Owners a staff member may link to a household and edit: community staff
    those entered for their communities and holding nothing elsewhere. An owner
    held in two communities is linked and edited by the street office alone."""
    if is_street_staff(user):
        return Owner.objects.all()
    if not is_office_staff(user):
        return Owner.objects.none()
    assigned = scope_by_community(Community.objects.all(), user, "id").values("pk")
    return Owner.objects.filter(community__in=assigned).exclude(
        _holds_elsewhere(assigned)
    )


def owners_linkable_by(user, community: Community) -> QuerySet[Owner]:
    """Owners a user may link to a household of `community`: street staff any;
    community staff those of `community` (one of theirs) holding nothing in
    another community, so no link ever spans two communities without the street
    office."""
    if is_street_staff(user):
        return Owner.objects.all()
    if not communities_visible_to(user).filter(pk=community.pk).exists():
        return Owner.objects.none()
    return Owner.objects.filter(community=community).exclude(
        _holds_elsewhere([community.pk])
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


def can_edit_owner(user, owner: Owner | None = None) -> bool:
    """Office staff edit the owners they may link to a household."""
    if not is_office_staff(user):
        return False
    if owner is None or is_street_staff(user):
        return True
    return owners_choosable_by(user).filter(pk=owner.pk).exists()


def can_edit_problem_categories(user) -> bool:
    """The category list is the street's: the street office keeps it."""
    return is_street_staff(user)


def can_delete_register_rows(user) -> bool:
    """Deleting register rows is destructive: street office only."""
    return is_street_staff(user)


def can_see_personal_data(user) -> bool:
    """Owner names and phone numbers: only the office staff who contact residents."""
    return is_office_staff(user)
