"""Writes to the estate register. Admin, API, pages, commands and the demo seed all
call these, so a rule enforced here holds everywhere.

`actor` is the user doing the write, or None for the system itself (commands,
the demo seed); a user without the right to change the estate is refused.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baitang.roles import community_ids_of, is_street_staff

from .models import (
    Building,
    Community,
    Estate,
    EstateNeed,
    GovernanceBody,
    GovernanceMember,
    Household,
    Owner,
    Problem,
    ProblemCategory,
    ProblemStatusChange,
)
from .permissions import can_edit_estate

# The problem categories every installation starts with (issue 3); the list stays
# editable in the admin.
DEFAULT_PROBLEM_CATEGORIES = [
    "治安",
    "停车",
    "环境卫生",
    "管网",
    "消防",
    "道路",
    "房屋安全",
    "无障碍/适老",
    "照明",
    "绿化",
    "违建",
    "其他",
]


def problem_categories_ensure_defaults(category_model=ProblemCategory) -> dict:
    """Create the default categories that are missing; return them by name.

    Takes the model as an argument so a migration can pass its historical one.
    An office that renamed or reordered a category keeps its choice.
    """
    return {
        name: category_model.objects.get_or_create(
            name=name, defaults={"sort_order": position * 10}
        )[0]
        for position, name in enumerate(DEFAULT_PROBLEM_CATEGORIES, start=1)
    }


# Which status a problem may move to from each status. A resolved problem that
# comes back is "recurred" (反弹), never silently re-opened, so the rebound stays
# visible in the statistics.
PROBLEM_TRANSITIONS: dict[str, frozenset[str]] = {
    Problem.Status.OPEN: frozenset({Problem.Status.PLANNED, Problem.Status.RESOLVED}),
    Problem.Status.PLANNED: frozenset({Problem.Status.OPEN, Problem.Status.RESOLVED}),
    Problem.Status.RESOLVED: frozenset({Problem.Status.RECURRED}),
    Problem.Status.RECURRED: frozenset(
        {Problem.Status.PLANNED, Problem.Status.RESOLVED}
    ),
}


def _require_estate_rights(actor, estate: Estate) -> None:
    if actor is not None and not can_edit_estate(actor, estate):
        raise PermissionDenied(_("您无权修改该小区的登记信息。"))


def _require_community_rights(actor, community: Community) -> None:
    if actor is None or is_street_staff(actor):
        return
    if community.pk not in community_ids_of(actor):
        raise PermissionDenied(_("您无权在该社区登记小区。"))


def _editable_field_names(model: type[models.Model], exclude: Iterable[str]) -> set:
    skip = set(exclude)
    return {
        field.name
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key and field.name not in skip
    }


def _assign(instance: models.Model, fields: dict[str, Any], allowed: set) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"{type(instance).__name__}: cannot set {sorted(unknown)}")
    for name, value in fields.items():
        setattr(instance, name, value)


def _save(instance: models.Model) -> None:
    instance.full_clean()
    instance.save()


def check_building_in_estate(
    *, building: Building | None, estate_id: int | None, field: str = "building"
) -> None:
    """Refuse a building that belongs to another estate than the row's."""
    if building is not None and estate_id is not None:
        if building.estate_id != estate_id:
            raise ValidationError({field: _("所选楼栋不属于该小区。")})


# --- Estates ------------------------------------------------------------------

ESTATE_FIELDS = _editable_field_names(Estate, exclude=["community", "name"])


@transaction.atomic
def estate_create(
    *,
    community: Community,
    name: str,
    build_year: int,
    actor=None,
    **fields: Any,
) -> Estate:
    """Register a new estate in a community."""
    _require_community_rights(actor, community)
    estate = Estate(community=community, name=name.strip(), build_year=build_year)
    _assign(estate, fields, ESTATE_FIELDS)
    _save(estate)
    return estate


@transaction.atomic
def estate_update(*, estate: Estate, actor=None, **fields: Any) -> Estate:
    """Change an estate's register data; moving it to another community needs
    rights in both."""
    _require_estate_rights(actor, estate)
    if "community" in fields:
        _require_community_rights(actor, fields["community"])
    if "name" in fields:
        fields["name"] = fields["name"].strip()
    _assign(estate, fields, ESTATE_FIELDS | {"community", "name"})
    _save(estate)
    return estate


# --- Buildings and households -------------------------------------------------

BUILDING_FIELDS = _editable_field_names(Building, exclude=["estate"])
HOUSEHOLD_FIELDS = _editable_field_names(Household, exclude=["owners"])


@transaction.atomic
def building_create(
    *, estate: Estate, name: str, actor=None, **fields: Any
) -> Building:
    """Add a building (楼栋) to an estate."""
    _require_estate_rights(actor, estate)
    building = Building(estate=estate, name=name.strip())
    _assign(building, fields, BUILDING_FIELDS)
    _save(building)
    return building


@transaction.atomic
def building_update(*, building: Building, actor=None, **fields: Any) -> Building:
    """Change a building's name, storeys, units or lift."""
    _require_estate_rights(actor, building.estate)
    _assign(building, fields, BUILDING_FIELDS)
    _save(building)
    return building


@transaction.atomic
def owner_create(
    *, name: str, phone: str = "", is_developer: bool = False, actor=None
) -> Owner:
    """Record an owner (业主); link it to households with household_create/update."""
    owner = Owner(name=name.strip(), phone=phone.strip(), is_developer=is_developer)
    _save(owner)
    return owner


@transaction.atomic
def household_create(
    *,
    building: Building,
    number: str,
    exclusive_area,
    actor=None,
    owners: Iterable[Owner] = (),
    **fields: Any,
) -> Household:
    """Add a household (户) to a building, with its owners."""
    _require_estate_rights(actor, building.estate)
    household = Household(
        building=building, number=str(number).strip(), exclusive_area=exclusive_area
    )
    _assign(household, fields, HOUSEHOLD_FIELDS)
    _save(household)
    household.owners.set(list(owners))
    return household


@transaction.atomic
def household_update(
    *,
    household: Household,
    actor=None,
    owners: Iterable[Owner] | None = None,
    **fields: Any,
) -> Household:
    """Change a household; `owners`, when given, replaces its owners."""
    _require_estate_rights(actor, household.building.estate)
    if "building" in fields:
        _require_estate_rights(actor, fields["building"].estate)
    _assign(household, fields, HOUSEHOLD_FIELDS)
    _save(household)
    if owners is not None:
        household.owners.set(list(owners))
    return household


# --- Problems -----------------------------------------------------------------

# Status and its dates move only through problem_set_status.
PROBLEM_FIELDS = _editable_field_names(
    Problem, exclude=["estate", "status", "resolved_on", "recurred_on"]
)


@transaction.atomic
def problem_create(
    *,
    estate: Estate,
    category: ProblemCategory,
    description: str,
    actor=None,
    building: Building | None = None,
    severity: int = Problem.Severity.MINOR,
    source: str = Problem.Source.INSPECTION,
    reported_on: datetime.date | None = None,
) -> Problem:
    """Record a problem (痛点) of an estate; it starts open."""
    _require_estate_rights(actor, estate)
    check_building_in_estate(building=building, estate_id=estate.pk)
    problem = Problem(
        estate=estate,
        building=building,
        category=category,
        description=description.strip(),
        severity=severity,
        source=source,
        reported_on=reported_on or timezone.localdate(),
    )
    _save(problem)
    return problem


@transaction.atomic
def problem_update(*, problem: Problem, actor=None, **fields: Any) -> Problem:
    """Change a problem's description, category, severity…; never its status."""
    if {"status", "resolved_on", "recurred_on"} & set(fields):
        raise ValidationError(
            {"status": _("问题状态只能通过状态变更修改，并会记录原因。")}
        )
    _require_estate_rights(actor, problem.estate)
    _assign(problem, fields, PROBLEM_FIELDS)
    check_building_in_estate(building=problem.building, estate_id=problem.estate_id)
    _save(problem)
    return problem


def problem_transition_check(*, from_status: str, to_status: str) -> None:
    """Raise a ValidationError with the reason when the move is not allowed."""
    if to_status not in Problem.Status.values:
        raise ValidationError({"status": _("未知的问题状态。")})
    if from_status == to_status:
        raise ValidationError(
            {
                "status": _("问题已经是“%(status)s”状态。")
                % {"status": Problem.Status(to_status).label}
            }
        )
    if to_status not in PROBLEM_TRANSITIONS.get(from_status, frozenset()):
        if from_status == Problem.Status.RESOLVED:
            message = _(
                "已解决的问题再次出现时应标记为“反弹复发”，不能直接改为“%(status)s”。"
            )
        else:
            message = _("问题不能从“%(from)s”改为“%(status)s”。")
        raise ValidationError(
            {
                "status": message
                % {
                    "from": Problem.Status(from_status).label,
                    "status": Problem.Status(to_status).label,
                }
            }
        )


@transaction.atomic
def problem_set_status(
    *,
    problem: Problem,
    status: str,
    actor,
    reason: str = "",
    on: datetime.date | None = None,
) -> Problem:
    """Move a problem to another status (the one place this happens) and log who,
    when and why. `on` dates a resolution or recurrence; default today."""
    _require_estate_rights(actor, problem.estate)
    # Lock the row so two workers cannot both move it from the same status.
    locked = Problem.objects.select_for_update().get(pk=problem.pk)
    problem_transition_check(from_status=locked.status, to_status=status)
    day = on or timezone.localdate()
    from_status = locked.status
    locked.status = status
    if status == Problem.Status.RESOLVED:
        locked.resolved_on = day
    elif status == Problem.Status.RECURRED:
        if locked.resolved_on and day < locked.resolved_on:
            raise ValidationError({"status": _("复发日期不能早于解决日期。")})
        locked.recurred_on = day
    _save(locked)
    ProblemStatusChange.objects.create(
        problem=locked,
        from_status=from_status,
        to_status=status,
        actor=actor,
        reason=reason.strip()[:200],
    )
    # The caller's object reflects the new state too.
    problem.status = locked.status
    problem.resolved_on = locked.resolved_on
    problem.recurred_on = locked.recurred_on
    return problem


# --- Needs and governance -----------------------------------------------------

NEED_FIELDS = _editable_field_names(EstateNeed, exclude=["estate"])
GOVERNANCE_BODY_FIELDS = _editable_field_names(GovernanceBody, exclude=["estate"])
GOVERNANCE_MEMBER_FIELDS = _editable_field_names(GovernanceMember, exclude=["body"])


@transaction.atomic
def need_create(
    *,
    estate: Estate,
    kind: str,
    quantity: int = 1,
    description: str = "",
    actor=None,
) -> EstateNeed:
    """Record a future need of an estate entered by hand."""
    _require_estate_rights(actor, estate)
    need = EstateNeed(
        estate=estate, kind=kind, quantity=quantity, description=description.strip()
    )
    _save(need)
    return need


@transaction.atomic
def need_update(*, need: EstateNeed, actor=None, **fields: Any) -> EstateNeed:
    """Change a hand-entered need."""
    _require_estate_rights(actor, need.estate)
    _assign(need, fields, NEED_FIELDS)
    _save(need)
    return need


@transaction.atomic
def governance_body_create(
    *,
    estate: Estate,
    kind: str,
    name: str,
    actor=None,
    established_on: datetime.date | None = None,
    term_ends_on: datetime.date | None = None,
) -> GovernanceBody:
    """Record a governance body (自治小组, 自管委员会, 议事代表…) of an estate."""
    _require_estate_rights(actor, estate)
    body = GovernanceBody(
        estate=estate,
        kind=kind,
        name=name.strip(),
        established_on=established_on,
        term_ends_on=term_ends_on,
    )
    _save(body)
    return body


@transaction.atomic
def governance_body_update(
    *, body: GovernanceBody, actor=None, **fields: Any
) -> GovernanceBody:
    """Change a governance body's name, kind or term."""
    _require_estate_rights(actor, body.estate)
    _assign(body, fields, GOVERNANCE_BODY_FIELDS)
    _save(body)
    return body


@transaction.atomic
def governance_member_create(
    *, body: GovernanceBody, name: str, actor=None, **fields: Any
) -> GovernanceMember:
    """Add a member to a governance body; a member's building must be in the
    body's estate."""
    _require_estate_rights(actor, body.estate)
    member = GovernanceMember(body=body, name=name.strip())
    _assign(member, fields, GOVERNANCE_MEMBER_FIELDS)
    check_building_in_estate(building=member.building, estate_id=body.estate_id)
    _save(member)
    return member


@transaction.atomic
def governance_member_update(
    *, member: GovernanceMember, actor=None, **fields: Any
) -> GovernanceMember:
    """Change a member's position, term or contact."""
    _require_estate_rights(actor, member.body.estate)
    _assign(member, fields, GOVERNANCE_MEMBER_FIELDS)
    check_building_in_estate(building=member.building, estate_id=member.body.estate_id)
    _save(member)
    return member
