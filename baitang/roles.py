"""Role scoping, written once and used by the admin, the API and the pages.

Street office staff see every estate; community staff see the estates of the
communities they are assigned to; outside parties see only the projects they
are party to (the projects app adds that scope); anyone else sees nothing.
"""

from collections.abc import Callable

from django.db.models import Q, QuerySet

from baitang.models import User


class SystemActor:
    """The platform itself acting: management commands, migrations, the demo
    seed, scheduled tasks. It has the street office's rights but is no login, so
    logs record it as no user (`recorded_actor`). Every write service takes an
    explicit actor; a caller that is not a person passes `SYSTEM`."""

    pk = None
    id = None
    is_authenticated = True
    is_active = True
    is_superuser = False
    is_staff = False
    is_anonymous = False
    role = User.Role.STREET
    username = "system"

    def __repr__(self):
        return "SYSTEM"

    def __str__(self):
        return "系统"


SYSTEM = SystemActor()


def require_actor(actor) -> None:
    """Refuse a write that does not say who does it (a programming error)."""
    if actor is None:
        raise TypeError("every write names its actor; pass SYSTEM for the platform")


def recorded_actor(actor) -> User | None:
    """The user to store in a log's actor column: None for the system itself."""
    return None if actor is SYSTEM else actor


def is_street_staff(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.role == User.Role.STREET)
    )


def is_community_staff(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and not user.is_superuser
        and user.role == User.Role.COMMUNITY
    )


def is_office_staff(user) -> bool:
    """Street or community staff: the people who keep the register."""
    return is_street_staff(user) or is_community_staff(user)


def is_outside_party(user) -> bool:
    """A consultant, designer or builder: sees only what a later app grants."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and not user.is_superuser
        and user.role == User.Role.PARTY
    )


def community_ids_of(user) -> frozenset[int]:
    """Ids of the communities a community worker is assigned to (cached per user)."""
    if not is_community_staff(user):
        return frozenset()
    cached = getattr(user, "_community_ids", None)
    if cached is None:
        cached = frozenset(user.communities.values_list("id", flat=True))
        user._community_ids = cached
    return cached


# What an outside party may see, per model label ("communities.Estate"): each
# function takes the user and returns a Q (or a queryset of the model's rows)
# for the rows it grants. Later apps register here (the projects app: "estates
# a party is party to through a project"), so the register never imports them.
PartyScope = Callable[[User], Q | QuerySet]
_PARTY_SCOPES: dict[str, dict[str, PartyScope]] = {}


def register_party_scope(model_label: str, scope: PartyScope, *, key: str) -> None:
    """Let outside parties see the rows of `model_label` that `scope(user)` grants.

    `key` names the grant (e.g. "projects.party_to_project"): registering the
    same key again replaces it, so a module imported twice grants once.
    """
    _PARTY_SCOPES.setdefault(model_label, {})[key] = scope


def unregister_party_scope(model_label: str, *, key: str) -> None:
    _PARTY_SCOPES.get(model_label, {}).pop(key, None)


def _party_rows(queryset: QuerySet, user) -> QuerySet:
    scopes = _PARTY_SCOPES.get(queryset.model._meta.label, {})
    if not scopes:
        return queryset.none()
    granted = Q(pk__in=[])
    for scope in scopes.values():
        rows = scope(user)
        if isinstance(rows, QuerySet):
            rows = Q(pk__in=rows.values("pk"))
        granted |= rows
    # A subquery of ids: a grant across a multi-valued relation adds no
    # duplicate rows.
    return queryset.filter(
        pk__in=queryset.model._base_manager.filter(granted).values("pk")
    )


def scope_by_community(queryset: QuerySet, user, community_path: str) -> QuerySet:
    """Keep the rows a user may see, given the lookup from the row to its community.

    `community_path` is e.g. "id" for Community, "community" for Estate,
    "estate__community" for Building. Outside parties see what the apps
    registered with `register_party_scope` grant them, nothing else.
    """
    if is_street_staff(user):
        return queryset
    if is_community_staff(user):
        # A subquery rather than a list of ids: one query fewer on every page.
        assigned = User.communities.through.objects.filter(user_id=user.pk)
        return queryset.filter(
            **{f"{community_path}__in": assigned.values("community_id")}
        )
    if is_outside_party(user):
        return _party_rows(queryset, user)
    return queryset.none()
