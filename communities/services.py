"""Writes to the estate register. Admin, API, pages, commands and the demo seed all
call these, so a rule enforced here holds everywhere.

`actor` is required everywhere: the user doing the write, or `baitang.roles.SYSTEM`
for the platform itself (commands, migrations, the demo seed). Each service checks
the actor's rights itself. Updates check their rules against the stored row, not
against the caller's instance (an admin form has already changed that one).
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from baitang.roles import (
    community_ids_of,
    is_office_staff,
    is_street_staff,
    recorded_actor,
    require_actor,
)

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
    ProblemStatusChange,
)
from .permissions import (
    can_delete_register_rows,
    can_edit_community,
    can_edit_estate,
    can_edit_owner,
    can_edit_problem_categories,
    owners_linkable_by,
)
from .phones import normalise_phone

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


def problem_categories_ensure_defaults(
    category_model=ProblemCategory, *, actor
) -> dict:
    """Create the default categories that are missing; return them by name.

    Takes the model as an argument so a migration can pass its historical one.
    An office that renamed or reordered a category keeps its choice.
    """
    _require(actor, can_edit_problem_categories(actor), _("您无权修改问题类别。"))
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
# Only putting an open problem into the plan needs no explanation: resolving,
# recurring and every move back (out of the plan, into it again after a
# rebound) must say why, so the log answers "who said so, and on what grounds".
PROBLEM_TRANSITIONS_WITHOUT_REASON = frozenset(
    {(Problem.Status.OPEN, Problem.Status.PLANNED)}
)


# --- Shared checks --------------------------------------------------------------


def _require(actor, allowed: bool, message: str) -> None:
    require_actor(actor)
    if not allowed:
        raise PermissionDenied(message)


def require_estate_rights(actor, estate: Estate) -> None:
    require_actor(actor)
    if not can_edit_estate(actor, estate):
        raise PermissionDenied(_("您无权修改该小区的登记信息。"))


def _require_community_rights(actor, community: Community) -> None:
    require_actor(actor)
    if is_street_staff(actor):
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


def locked_row(instance: models.Model) -> models.Model:
    """The stored row, locked until the end of the transaction. Rules are checked
    against it: the caller's instance may already carry a form's changes."""
    if instance.pk is None:
        raise ValueError(f"{type(instance).__name__} is not saved yet")
    return type(instance)._base_manager.select_for_update().get(pk=instance.pk)


def sync_instance(target: models.Model, row: models.Model) -> None:
    """Give the caller's instance the stored row's values (and drop cached
    related objects whose id changed)."""
    for field in row._meta.concrete_fields:
        setattr(target, field.attname, getattr(row, field.attname))


def _related_id(value) -> int | None:
    return value.pk if isinstance(value, models.Model) else value


def refuse_move(row: models.Model, fields: dict, name: str) -> None:
    """A row stays in its estate: refuse a new `name` (its estate, or what ties it
    to one) that differs from the stored one. The same value is accepted."""
    if name not in fields:
        return
    if _related_id(fields[name]) != getattr(row, f"{name}_id"):
        raise ValidationError({name: _moved_message(row)})
    del fields[name]


def _moved_message(row: models.Model) -> str:
    return _(
        "%(model)s登记后不能移到其他小区；如果登记错了，请删除后在正确的小区重新登记。"
    ) % {"model": row._meta.verbose_name}


def _update(row, fields: dict, allowed: set, target) -> models.Model:
    _assign(row, fields, allowed)
    _save(row)
    sync_instance(target, row)
    return target


def check_building_in_estate(
    *, building: Building | None, estate_id: int | None, field: str = "building"
) -> None:
    """Refuse a building that belongs to another estate than the row's."""
    if building is not None and estate_id is not None:
        if building.estate_id != estate_id:
            raise ValidationError({field: _("所选楼栋不属于该小区。")})


def check_problem_in_estate(
    *, problem: Problem | None, estate_id: int | None, field: str = "problem"
) -> None:
    """Refuse a problem that belongs to another estate than the row's."""
    if problem is not None and estate_id is not None:
        if problem.estate_id != estate_id:
            raise ValidationError({field: _("所选问题不属于该小区。")})


# --- Deleting -------------------------------------------------------------------


def _file_names(collector: Collector) -> list[tuple[Any, str]]:
    """(storage, name) of every file of every row the collector will delete,
    including rows reached by cascade and rows it deletes in bulk."""
    pks: dict[type[models.Model], set] = {}
    for model, instances in collector.data.items():
        pks.setdefault(model, set()).update(obj.pk for obj in instances)
    querysets = []
    for queryset in collector.fast_deletes:
        if isinstance(queryset, models.QuerySet):
            querysets.append(queryset)
    names = []
    for model, ids in pks.items():
        querysets.append(model._base_manager.filter(pk__in=ids))
    for queryset in querysets:
        file_fields = [
            field
            for field in queryset.model._meta.concrete_fields
            if isinstance(field, models.FileField)
        ]
        if not file_fields:
            continue
        for values in queryset.values_list(*(f.attname for f in file_fields)):
            names.extend(
                (field.storage, name)
                for field, name in zip(file_fields, values, strict=True)
                if name
            )
    return names


def _delete_files_on_commit(names: list[tuple[Any, str]]) -> None:
    def delete():
        for storage, name in names:
            storage.delete(name)

    transaction.on_commit(delete)


def delete_row_with_files(row: models.Model, actor) -> None:
    """Delete a register row with everything that cascades from it; its files
    (and those of cascaded rows, e.g. an estate's photos) go once the deletion
    is committed, so a rollback never leaves a row without its file."""
    _require(
        actor,
        can_delete_register_rows(actor),
        _("只有街道办工作人员可以删除登记数据。"),
    )
    collector = Collector(using=router.db_for_write(type(row)), origin=row)
    try:
        collector.collect([row])
    except (ProtectedError, RestrictedError) as error:
        blocking = (
            error.protected_objects
            if isinstance(error, ProtectedError)
            else error.restricted_objects
        )
        kinds = sorted({str(obj._meta.verbose_name) for obj in blocking})
        raise ValidationError(
            _("“%(row)s”下仍有%(kinds)s，不能删除；请先删除或改登记它们。")
            % {"row": row, "kinds": "、".join(kinds)},
            code="protected",
        ) from error
    names = _file_names(collector)
    collector.delete()
    _delete_files_on_commit(names)


# --- Communities ----------------------------------------------------------------

COMMUNITY_FIELDS = _editable_field_names(Community, exclude=[])


@transaction.atomic
def community_create(*, name: str, actor, **fields: Any) -> Community:
    """Register a community (社区): the street office only."""
    _require(actor, can_edit_community(actor), _("只有街道办工作人员可以登记社区。"))
    community = Community(name=name.strip())
    _assign(community, fields, COMMUNITY_FIELDS - {"name"})
    _save(community)
    return community


@transaction.atomic
def community_update(*, community: Community, actor, **fields: Any) -> Community:
    """Change a community's name, address or notes: the street office only."""
    _require(actor, can_edit_community(actor), _("只有街道办工作人员可以修改社区。"))
    if "name" in fields:
        fields["name"] = fields["name"].strip()
    return _update(locked_row(community), fields, COMMUNITY_FIELDS, community)


@transaction.atomic
def community_delete(*, community: Community, actor) -> None:
    """Delete a community that has no estates left."""
    delete_row_with_files(community, actor)


# --- Estates ------------------------------------------------------------------

ESTATE_FIELDS = _editable_field_names(Estate, exclude=["community", "name"])


@transaction.atomic
def estate_create(
    *,
    community: Community,
    name: str,
    build_year: int,
    actor,
    **fields: Any,
) -> Estate:
    """Register a new estate in a community."""
    _require_community_rights(actor, community)
    estate = Estate(community=community, name=name.strip(), build_year=build_year)
    _assign(estate, fields, ESTATE_FIELDS)
    _save(estate)
    return estate


@transaction.atomic
def estate_update(*, estate: Estate, actor, **fields: Any) -> Estate:
    """Change an estate's register data; moving it to another community needs
    rights in both."""
    row = locked_row(estate)
    require_estate_rights(actor, row)
    if "community" in fields:
        _require_community_rights(actor, fields["community"])
    if "name" in fields:
        fields["name"] = fields["name"].strip()
    return _update(row, fields, ESTATE_FIELDS | {"community", "name"}, estate)


@transaction.atomic
def estate_delete(*, estate: Estate, actor) -> None:
    """Delete an estate with its buildings, households, problems, photos (and
    their files), needs and governance bodies."""
    delete_row_with_files(estate, actor)


# --- Buildings and households -------------------------------------------------

BUILDING_FIELDS = _editable_field_names(Building, exclude=["estate"])
HOUSEHOLD_FIELDS = _editable_field_names(Household, exclude=["owners"])


@transaction.atomic
def building_create(*, estate: Estate, name: str, actor, **fields: Any) -> Building:
    """Add a building (楼栋) to an estate."""
    require_estate_rights(actor, estate)
    building = Building(estate=estate, name=name.strip())
    _assign(building, fields, BUILDING_FIELDS)
    _save(building)
    return building


@transaction.atomic
def building_update(*, building: Building, actor, **fields: Any) -> Building:
    """Change a building's name, storeys, units or lift; it stays in its estate
    (its households would move with it)."""
    row = locked_row(building)
    require_estate_rights(actor, row.estate)
    refuse_move(row, fields, "estate")
    return _update(row, fields, BUILDING_FIELDS, building)


@transaction.atomic
def building_delete(*, building: Building, actor) -> None:
    """Delete a building and its households; its problems and photos stay with
    the estate, no longer tied to a building."""
    delete_row_with_files(building, actor)


@transaction.atomic
def owner_create(
    *,
    name: str,
    community: Community,
    actor,
    phone: str = "",
    is_developer: bool = False,
) -> Owner:
    """Record an owner (业主) for the community it is entered for; link it to
    households with household_create/update."""
    _require_owner_community(actor, community)
    owner = Owner(
        name=name.strip(),
        phone=normalised_phone(phone, field="phone"),
        is_developer=is_developer,
        community=community,
    )
    _save(owner)
    return owner


def _require_owner_community(actor, community: Community | None) -> None:
    allowed = is_office_staff(actor) and (
        is_street_staff(actor)
        or (community is not None and community.pk in community_ids_of(actor))
    )
    _require(actor, allowed, _("您无权为该社区登记业主。"))


def normalised_phone(value, *, field: str) -> str:
    """A phone number as stored (communities.phones), refused under `field`."""
    try:
        return normalise_phone(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


def check_owner_links(
    *, actor, community: Community, owners: Iterable[Owner], current=()
) -> list[Owner]:
    """Refuse linking a household of `community` to an owner the actor may not
    link there (communities.permissions.owners_linkable_by); owners already
    linked (`current`) stay. The importer applies the same rule."""
    owners = list(owners)
    new_ids = {owner.pk for owner in owners} - {owner.pk for owner in current}
    if not new_ids:
        return owners
    allowed = set(
        owners_linkable_by(actor, community)
        .filter(pk__in=new_ids)
        .values_list("pk", flat=True)
    )
    refused = [owner for owner in owners if owner.pk in new_ids - allowed]
    if refused:
        raise ValidationError(
            {
                "owners": _(
                    "不能关联业主%(names)s：社区工作人员只能关联为本社区登记、"
                    "且未在其他社区持有房屋的业主；跨社区的业主由街道办关联。"
                )
                % {"names": "、".join(f"「{owner.name}」" for owner in refused)}
            }
        )
    return owners


OWNER_FIELDS = _editable_field_names(Owner, exclude=[])


@transaction.atomic
def owner_update(*, owner: Owner, actor, **fields: Any) -> Owner:
    """Change an owner's name, phone or developer flag."""
    row = locked_row(owner)
    _require(actor, can_edit_owner(actor, row), _("您无权修改该业主的信息。"))
    if "name" in fields:
        fields["name"] = fields["name"].strip()
    if "phone" in fields:
        fields["phone"] = normalised_phone(fields["phone"], field="phone")
    if "community" in fields and fields["community"] != row.community:
        _require_owner_community(actor, fields["community"])
    return _update(row, fields, OWNER_FIELDS, owner)


@transaction.atomic
def owner_delete(*, owner: Owner, actor) -> None:
    """Delete an owner; the households it held lose it as an owner."""
    delete_row_with_files(owner, actor)


@transaction.atomic
def household_create(
    *,
    building: Building,
    number: str,
    exclusive_area,
    actor,
    owners: Iterable[Owner] = (),
    **fields: Any,
) -> Household:
    """Add a household (户) to a building, with its owners."""
    require_estate_rights(actor, building.estate)
    household = Household(
        building=building, number=str(number).strip(), exclusive_area=exclusive_area
    )
    if "contact_phone" in fields:
        fields["contact_phone"] = normalised_phone(
            fields["contact_phone"], field="contact_phone"
        )
    _assign(household, fields, HOUSEHOLD_FIELDS)
    owners = check_owner_links(
        actor=actor, community=building.estate.community, owners=owners
    )
    _save(household)
    household.owners.set(owners)
    return household


@transaction.atomic
def household_update(
    *,
    household: Household,
    actor,
    owners: Iterable[Owner] | None = None,
    **fields: Any,
) -> Household:
    """Change a household; `owners`, when given, replaces its owners. It may
    move to another building of its estate, never to another estate."""
    row = locked_row(household)
    require_estate_rights(actor, row.building.estate)
    if "building" in fields:
        building = fields["building"]
        if building.estate_id != row.building.estate_id:
            raise ValidationError({"building": _moved_message(row)})
    if "contact_phone" in fields:
        fields["contact_phone"] = normalised_phone(
            fields["contact_phone"], field="contact_phone"
        )
    if owners is not None:
        owners = check_owner_links(
            actor=actor,
            community=row.building.estate.community,
            owners=owners,
            current=row.owners.all(),
        )
    _update(row, fields, HOUSEHOLD_FIELDS, household)
    if owners is not None:
        row.owners.set(owners)
    return household


@transaction.atomic
def household_delete(*, household: Household, actor) -> None:
    """Delete a household; its owners stay on record."""
    delete_row_with_files(household, actor)


# --- Problems -----------------------------------------------------------------

PROBLEM_CATEGORY_FIELDS = _editable_field_names(ProblemCategory, exclude=[])


@transaction.atomic
def problem_category_create(
    *, name: str, actor, sort_order: int = 0
) -> ProblemCategory:
    """Add a problem category to the street's list: the street office only."""
    _require(actor, can_edit_problem_categories(actor), _("您无权修改问题类别。"))
    category = ProblemCategory(name=name.strip(), sort_order=sort_order)
    _save(category)
    return category


@transaction.atomic
def problem_category_update(
    *, category: ProblemCategory, actor, **fields: Any
) -> ProblemCategory:
    """Rename or reorder a problem category: the street office only."""
    _require(actor, can_edit_problem_categories(actor), _("您无权修改问题类别。"))
    if "name" in fields:
        fields["name"] = fields["name"].strip()
    return _update(locked_row(category), fields, PROBLEM_CATEGORY_FIELDS, category)


@transaction.atomic
def problem_category_delete(*, category: ProblemCategory, actor) -> None:
    """Delete a category no problem uses."""
    delete_row_with_files(category, actor)


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
    actor,
    building: Building | None = None,
    severity: int = Problem.Severity.MINOR,
    source: str = Problem.Source.INSPECTION,
    reported_on: datetime.date | None = None,
) -> Problem:
    """Record a problem (痛点) of an estate; it starts open."""
    require_estate_rights(actor, estate)
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
def problem_update(*, problem: Problem, actor, **fields: Any) -> Problem:
    """Change a problem's description, category, severity…; never its status,
    never its estate."""
    if {"status", "resolved_on", "recurred_on"} & set(fields):
        raise ValidationError(
            {"status": _("问题状态只能通过状态变更修改，并会记录原因。")}
        )
    row = locked_row(problem)
    require_estate_rights(actor, row.estate)
    refuse_move(row, fields, "estate")
    _assign(row, fields, PROBLEM_FIELDS)
    check_building_in_estate(building=row.building, estate_id=row.estate_id)
    return _update(row, {}, PROBLEM_FIELDS, problem)


@transaction.atomic
def problem_delete(*, problem: Problem, actor) -> None:
    """Delete a problem and its status log; its photos stay with the estate."""
    delete_row_with_files(problem, actor)


def problem_transition_needs_reason(*, from_status: str, to_status: str) -> bool:
    return (from_status, to_status) not in PROBLEM_TRANSITIONS_WITHOUT_REASON


def problem_transition_check(
    *, from_status: str, to_status: str, reason: str | None = None
) -> None:
    """Raise a ValidationError with the reason when the move is not allowed.
    With `reason` given (a form's text), also refuse a missing explanation."""
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
    if (
        reason is not None
        and not reason.strip()
        and problem_transition_needs_reason(
            from_status=from_status, to_status=to_status
        )
    ):
        raise ValidationError(
            {
                "reason": _("把问题从“%(from)s”改为“%(status)s”需要填写原因。")
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
    when and why; every move but planning an open problem needs a reason. `on`
    dates a resolution or recurrence; default today."""
    # Lock the row so two workers cannot both move it from the same status.
    locked = locked_row(problem)
    require_estate_rights(actor, locked.estate)
    problem_transition_check(
        from_status=locked.status, to_status=status, reason=reason or ""
    )
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
        actor=recorded_actor(actor),
        reason=(reason or "").strip()[:200],
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
    actor,
    quantity: int = 1,
    description: str = "",
) -> EstateNeed:
    """Record a future need of an estate entered by hand."""
    require_estate_rights(actor, estate)
    need = EstateNeed(
        estate=estate, kind=kind, quantity=quantity, description=description.strip()
    )
    _save(need)
    return need


@transaction.atomic
def need_update(*, need: EstateNeed, actor, **fields: Any) -> EstateNeed:
    """Change a hand-entered need; it stays with its estate."""
    row = locked_row(need)
    require_estate_rights(actor, row.estate)
    refuse_move(row, fields, "estate")
    return _update(row, fields, NEED_FIELDS, need)


@transaction.atomic
def need_delete(*, need: EstateNeed, actor) -> None:
    """Delete a hand-entered need."""
    delete_row_with_files(need, actor)


@transaction.atomic
def governance_body_create(
    *,
    estate: Estate,
    kind: str,
    name: str,
    actor,
    established_on: datetime.date | None = None,
    term_ends_on: datetime.date | None = None,
) -> GovernanceBody:
    """Record a governance body (自治小组, 自管委员会, 议事代表…) of an estate."""
    require_estate_rights(actor, estate)
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
    *, body: GovernanceBody, actor, **fields: Any
) -> GovernanceBody:
    """Change a governance body's name, kind or term; it stays with its estate."""
    row = locked_row(body)
    require_estate_rights(actor, row.estate)
    refuse_move(row, fields, "estate")
    return _update(row, fields, GOVERNANCE_BODY_FIELDS, body)


@transaction.atomic
def governance_body_delete(*, body: GovernanceBody, actor) -> None:
    """Delete a governance body with its members."""
    delete_row_with_files(body, actor)


@transaction.atomic
def governance_member_create(
    *, body: GovernanceBody, name: str, actor, **fields: Any
) -> GovernanceMember:
    """Add a member to a governance body; a member's building must be in the
    body's estate."""
    require_estate_rights(actor, body.estate)
    member = GovernanceMember(body=body, name=name.strip())
    if "phone" in fields:
        fields["phone"] = normalised_phone(fields["phone"], field="phone")
    _assign(member, fields, GOVERNANCE_MEMBER_FIELDS)
    check_building_in_estate(building=member.building, estate_id=body.estate_id)
    _save(member)
    return member


@transaction.atomic
def governance_member_update(
    *, member: GovernanceMember, actor, **fields: Any
) -> GovernanceMember:
    """Change a member's position, term or contact. A member may move to
    another body of the same estate, never to another estate's."""
    row = locked_row(member)
    estate = row.body.estate
    require_estate_rights(actor, estate)
    if "body" in fields:
        body = fields.pop("body")
        if body.estate_id != estate.pk:
            raise ValidationError({"body": _moved_message(row)})
        row.body = body
    if "phone" in fields:
        fields["phone"] = normalised_phone(fields["phone"], field="phone")
    _assign(row, fields, GOVERNANCE_MEMBER_FIELDS)
    check_building_in_estate(building=row.building, estate_id=estate.pk)
    return _update(row, {}, GOVERNANCE_MEMBER_FIELDS, member)


@transaction.atomic
def governance_member_delete(*, member: GovernanceMember, actor) -> None:
    """Remove a member from a governance body."""
    delete_row_with_files(member, actor)


# --- One entry point per model, for the admin and the API -------------------------


def _photo_delete(*, row, actor) -> None:
    # Imported here: photos imports this module.
    from .photos import photo_delete

    photo_delete(photo=row, actor=actor)


ROW_DELETES = {
    Community: lambda *, row, actor: community_delete(community=row, actor=actor),
    Estate: lambda *, row, actor: estate_delete(estate=row, actor=actor),
    Building: lambda *, row, actor: building_delete(building=row, actor=actor),
    Household: lambda *, row, actor: household_delete(household=row, actor=actor),
    Owner: lambda *, row, actor: owner_delete(owner=row, actor=actor),
    ProblemCategory: lambda *, row, actor: problem_category_delete(
        category=row, actor=actor
    ),
    Problem: lambda *, row, actor: problem_delete(problem=row, actor=actor),
    Photo: _photo_delete,
    EstateNeed: lambda *, row, actor: need_delete(need=row, actor=actor),
    GovernanceBody: lambda *, row, actor: governance_body_delete(body=row, actor=actor),
    GovernanceMember: lambda *, row, actor: governance_member_delete(
        member=row, actor=actor
    ),
}


def row_delete(*, row: models.Model, actor) -> None:
    """Delete any register row through its model's delete service."""
    try:
        delete = ROW_DELETES[type(row)]
    except KeyError:
        raise TypeError(f"no delete service for {type(row).__name__}") from None
    delete(row=row, actor=actor)
