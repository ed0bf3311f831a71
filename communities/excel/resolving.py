"""Resolving rows against the register: each row is matched to the estate,
building or household it names, and planned as a create or an update."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from ..models import Building, Community, Estate, Household, Owner
from .cells import is_spaced_han_name, name_key, owner_name_key
from .checking import _validate, field_reason
from .layout import SheetLayout
from .progress import Progress
from .reading import ParsedRow
from .report import ImportReport

OWNER_QUERY_CHUNK = 5000


@dataclass
class _Plan:
    row: ParsedRow
    instance: models.Model
    created: bool
    changed: list[str]
    owners: list[Owner] = field(default_factory=list)  # new ones not saved yet
    owners_changed: bool = False

    @property
    def dirty(self) -> bool:
        return self.created or bool(self.changed)


_SKIP = object()  # a reference to a row that already has its own error


class _Resolver:
    """Matches each row to the register (community + name, estate + building
    name, building + unit + number), so re-imports update and never duplicate.

    `allowed_community_ids` is None for street staff (every community), else
    the communities the actor keeps; rows of any other community are refused.
    """

    def __init__(
        self,
        report: ImportReport,
        allowed_community_ids,
        progress: Progress | None = None,
    ):
        self.report = report
        self.allowed = (
            None if allowed_community_ids is None else set(allowed_community_ids)
        )
        self.progress = progress or Progress()
        # (name, phone) -> owners the actor may link, with `elsewhere`: holding
        # a household outside the owner's own community.
        self.owner_candidates: dict[tuple[str, str], list[Owner]] = {}
        self.new_owners: dict[tuple, Owner] = {}
        self.communities = {}
        for community in Community.objects.order_by("id"):
            self.communities.setdefault(name_key(community.name), community)
        self.estates: dict[tuple, _Plan | None] = {}
        self.buildings: dict[tuple, _Plan | None] = {}
        self.households: dict[tuple, _Plan | None] = {}
        self.first_rows: dict[tuple, int] = {}

    # Register rows of the communities the file names, fetched once.
    def load(self, parsed: dict[str, list[ParsedRow]]) -> None:
        community_ids = set()
        for rows in parsed.values():
            for row in rows:
                name = row.values.get("community")
                community = self._community_named(name) if name else None
                if community is not None:
                    community_ids.add(community.pk)
        self.db_estates = _index(
            Estate.objects.filter(community_id__in=community_ids),
            lambda estate: (estate.community_id, estate.name),
        )
        self.db_buildings = _index(
            Building.objects.filter(estate__community_id__in=community_ids),
            lambda building: (building.estate_id, building.name),
        )
        self.db_households = _index(
            Household.objects.filter(
                building__estate__community_id__in=community_ids
            ).prefetch_related("owners"),
            lambda household: (household.building_id, household.unit, household.number),
        )
        self._load_owners(parsed)

    def _load_owners(self, parsed: dict[str, list[ParsedRow]]) -> None:
        """The owners the file's names may match: for community staff only those
        entered for their communities (communities.permissions.owners_linkable_by
        decides per row); street staff all. Queried by name in chunks."""
        names = sorted(
            {
                name
                for rows in parsed.values()
                for row in rows
                for name in row.values.get("owners", ())
            }
        )
        through = Household.owners.through
        elsewhere = Exists(
            through.objects.filter(owner_id=OuterRef("pk")).exclude(
                household__building__estate__community_id=OuterRef("community_id")
            )
        )
        for start in range(0, len(names), OWNER_QUERY_CHUNK):
            owners = Owner.objects.filter(
                name__in=names[start : start + OWNER_QUERY_CHUNK]
            )
            if self.allowed is not None:
                owners = owners.filter(community_id__in=self.allowed)
            for owner in owners.annotate(elsewhere=elsewhere).order_by("id"):
                self.owner_candidates.setdefault((owner.name, owner.phone), []).append(
                    owner
                )

    def _community_named(self, name: str) -> Community | None:
        key = name_key(name)
        return self.communities.get(key) or (
            None if key.endswith("社区") else self.communities.get(key + "社区")
        )

    def community(self, layout: SheetLayout, row: ParsedRow) -> Community | None:
        name = row.values.get("community")
        if not name:
            return None
        community = self._community_named(name)
        header = layout.header_of("community")
        if community is None:
            self.report.add(
                layout.title,
                row.number,
                header,
                _("社区「%(name)s」不存在。社区由街道办在后台建立，请核对名称。")
                % {"name": name},
            )
            return None
        if self.allowed is not None and community.pk not in self.allowed:
            self.report.add(
                layout.title,
                row.number,
                header,
                _("您只能导入所负责社区的数据，不能导入「%(name)s」的小区。")
                % {"name": community.name},
            )
            return None
        self._show(layout, row, "community", community.name)
        return community

    def _show(self, layout: SheetLayout, row: ParsedRow, field: str, text: str):
        """A previewed row shows what its value was matched to: the register's
        "鹤洲社区" for "鹤洲", "藤翠苑7号小区" for "藤翠苑 7号小区"."""
        preview = self.report.preview.get(layout.title)
        if preview is not None and preview.rows and row.number <= preview.rows[-1][0]:
            preview.show(row.number, layout.header_of(field), text)

    def _first(self, key: tuple, layout, row, column: str, reason: str) -> bool:
        """True for the first row with this key; later ones are reported."""
        seen = self.first_rows.get(key)
        if seen is not None:
            self.report.add(
                layout.title,
                row.number,
                layout.header_of(column),
                _("与第%(row)s行重复：%(reason)s") % {"row": seen, "reason": reason},
            )
            return False
        self.first_rows[key] = row.number
        return True

    def estate_for(self, key, community, name, layout, row):
        if key in self.estates:
            plan = self.estates[key]
            if plan is None:
                return _SKIP
            self._show(layout, row, "estate", plan.instance.name)
            return plan.instance
        estate = _lookup(self.db_estates, (community.pk, name))
        if estate is not None:
            self._show(layout, row, "estate", estate.name)
            return estate
        self.report.add(
            layout.title,
            row.number,
            layout.header_of("estate"),
            _("找不到小区「%(estate)s」（%(community)s）：「小区」表和系统中都没有。")
            % {"estate": name, "community": community.name},
        )
        return _SKIP

    def building_for(self, key, estate, name, layout, row):
        if key in self.buildings:
            plan = self.buildings[key]
            if plan is None:
                return _SKIP
            self._show(layout, row, "building", plan.instance.name)
            return plan.instance
        building = _lookup(self.db_buildings, (estate.pk, name)) if estate.pk else None
        if building is not None:
            self._show(layout, row, "building", building.name)
            return building
        self.report.add(
            layout.title,
            row.number,
            layout.header_of("building"),
            _("找不到楼栋「%(building)s」（%(estate)s）：「楼栋」表和系统中都没有。")
            % {"building": name, "estate": estate.name},
        )
        return _SKIP

    def resolve_estates(self, layout, rows) -> None:
        for row in rows:
            self.progress.step()
            community = self.community(layout, row)
            name = row.values.get("name")
            if community is None or not name:
                continue
            key = ("estate", community.pk, name_key(name))
            if not self._first(
                key, layout, row, "name", _("同一社区内小区名称不能重复。")
            ):
                continue
            self.estates[key[1:]] = None
            if not row.ok:
                self._check_readable_cells(layout, row, fk="community")
                continue
            estate = _lookup(self.db_estates, (community.pk, name))
            if estate is None:
                estate = Estate(community=community)
            else:
                self._show(layout, row, "name", estate.name)
            plan = _apply(layout, estate, row)
            if _validate(estate, layout, row, self.report, fk="community"):
                self.estates[key[1:]] = plan
                _count(self.report, layout, plan)

    def resolve_buildings(self, layout, rows) -> None:
        for row in rows:
            self.progress.step()
            community = self.community(layout, row)
            estate_name, name = row.values.get("estate"), row.values.get("name")
            if community is None or not estate_name or not name:
                continue
            estate_key = (community.pk, name_key(estate_name))
            estate = self.estate_for(estate_key, community, estate_name, layout, row)
            key = ("building", *estate_key, name_key(name))
            if not self._first(
                key, layout, row, "name", _("同一小区内楼栋名称不能重复。")
            ):
                continue
            self.buildings[key[1:]] = None
            if not row.ok:
                self._check_readable_cells(layout, row, fk="estate")
            if estate is _SKIP or not row.ok:
                continue
            building = (
                _lookup(self.db_buildings, (estate.pk, name)) if estate.pk else None
            )
            if building is None:
                building = Building()
            else:
                self._show(layout, row, "name", building.name)
            building.estate = estate
            plan = _apply(layout, building, row)
            if _validate(building, layout, row, self.report, fk="estate"):
                self.buildings[key[1:]] = plan
                _count(self.report, layout, plan)

    def resolve_households(self, layout, rows) -> None:
        for row in rows:
            self.progress.step()
            community = self.community(layout, row)
            values = row.values
            estate_name, building_name = values.get("estate"), values.get("building")
            if community is None or not estate_name or not building_name:
                continue
            estate_key = (community.pk, name_key(estate_name))
            estate = self.estate_for(estate_key, community, estate_name, layout, row)
            if estate is _SKIP:
                continue
            building_key = (*estate_key, name_key(building_name))
            building = self.building_for(
                building_key, estate, building_name, layout, row
            )
            if building is _SKIP or "unit" not in values or not values.get("number"):
                continue
            key = (
                "household",
                *building_key,
                values["unit"],
                name_key(values["number"]),
            )
            if not self._first(
                key, layout, row, "number", _("同一楼栋同一单元的房号不能重复。")
            ):
                continue
            if not row.ok:
                self._check_readable_cells(layout, row, fk="building")
                continue
            household = (
                _lookup(
                    self.db_households, (building.pk, values["unit"], values["number"])
                )
                if building.pk
                else None
            )
            if household is None:
                household = Household()
            else:
                self._show(layout, row, "number", household.number)
            household.building = building
            plan = _apply(layout, household, row)
            if not self._plan_owners(
                plan, values["owners"], values["contact_phone"], community, layout
            ):
                continue
            # A new owner's phone is the row's: checked with the household first.
            if _validate(
                household, layout, row, self.report, fk="building"
            ) and self._validate_new_owners(plan, layout):
                self.households[key[1:]] = plan
                _count(self.report, layout, plan)

    def _check_readable_cells(self, layout: SheetLayout, row: ParsedRow, fk: str):
        """A row with unreadable cells is not imported, but the cells that could
        be read are checked by the model's rules too, so the clerk sees all of
        the row's problems at once (on a fresh instance: nothing shared)."""
        instance = layout.model()
        unread = frozenset(
            column.field for column in layout.columns if column.field not in row.values
        )
        for column in layout.model_columns():
            if column.field not in unread:
                setattr(instance, column.field, row.values[column.field])
        _validate(instance, layout, row, self.report, fk=fk, skip=unread)

    def _plan_owners(self, plan, names, phone, community, layout) -> bool:
        """Owners of a household row. A name already among the household's
        owners keeps that owner. Any other name is matched by (name, the row's
        normalised phone) among the owners the actor may link to a household of
        this community (the rule of services.check_owner_links): community staff
        only owners of this community holding nothing elsewhere; street staff
        also an owner of another community with the same name and number (never
        by name alone). Otherwise a new owner is entered for this community; an
        owner of several units listed with the same phone becomes one Owner,
        which the Civil-Code headcount counts once. A Chinese name with a
        space inside ("张三 李四") is refused unless the household already has
        that owner: one owner or two is not guessed. False when refused."""
        current = [] if plan.created else list(plan.instance.owners.all())
        by_name = {}
        for owner in current:
            by_name.setdefault(owner_name_key(owner.name), owner)
        plan.owners = []
        for name in names:
            owner = by_name.get(owner_name_key(name))
            if owner is None and is_spaced_han_name(name):
                self.report.add(
                    layout.title,
                    plan.row.number,
                    layout.header_of("owners"),
                    _(
                        "「%(name)s」中间有空格：几位业主请用“、”分开，"
                        "一个人的姓名请去掉空格。"
                    )
                    % {"name": name[:30]},
                )
                return False
            plan.owners.append(owner or self._owner_for(name, phone, community))
        wanted = {owner.pk for owner in plan.owners}
        plan.owners_changed = bool(names or current) and (
            None in wanted or wanted != {owner.pk for owner in current}
        )
        return True

    def _validate_new_owners(self, plan, layout) -> bool:
        ok = True
        for owner in plan.owners:
            if owner.pk is None and not getattr(owner, "_checked", False):
                owner._checked = True
                ok = self._validate_owner(owner, plan.row, layout) and ok
        return ok

    def _owner_for(self, name: str, phone: str, community: Community) -> Owner:
        street = self.allowed is None
        candidates = self.owner_candidates.get((name, phone), [])
        for owner in candidates:
            if owner.community_id == community.pk and (street or not owner.elsewhere):
                return owner
        if street and phone and candidates:
            return candidates[0]
        key = (name, phone, None if street and phone else community.pk)
        owner = self.new_owners.get(key)
        if owner is None:
            owner = Owner(name=name, phone=phone, community=community)
            self.new_owners[key] = owner
        return owner

    def _validate_owner(self, owner: Owner, row: ParsedRow, layout) -> bool:
        """A new owner passes the model's validation, as owner_create's would."""
        try:
            owner.full_clean(
                exclude=["community"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            header = layout.header_of("owners")
            for name, errors in error.error_dict.items():
                for field_error in errors:
                    self.report.add(
                        layout.title,
                        row.number,
                        header,
                        field_reason(Owner, name, "", field_error),
                    )
            return False
        return True


def _index(queryset, key: Callable) -> dict:
    """Rows by their exact key and by their normalised key (exact wins)."""
    index = {}
    for obj in queryset.order_by("id"):
        exact = key(obj)
        index.setdefault(("exact", *exact), obj)
        index.setdefault(("normal", *_normal_key(exact)), obj)
    return index


def _normal_key(key: tuple) -> tuple:
    return tuple(name_key(part) if isinstance(part, str) else part for part in key)


def _lookup(index: dict, key: tuple):
    return index.get(("exact", *key)) or index.get(("normal", *_normal_key(key)))


def _apply(layout: SheetLayout, instance, row: ParsedRow) -> _Plan:
    """Put the row's values on the instance, noting which ones change. The key
    name of a matched row is kept as stored."""
    created = instance.pk is None
    changed = []
    for column in layout.model_columns():
        name = column.field
        if not created and name in layout.key:
            continue
        value = row.values[name]
        if created or getattr(instance, name) != value:
            setattr(instance, name, value)
            if not created:
                changed.append(name)
    return _Plan(row=row, instance=instance, created=created, changed=changed)


def _count(report: ImportReport, layout: SheetLayout, plan: _Plan) -> None:
    counts = report.counts[layout.title]
    if plan.created:
        counts.created += 1
    elif plan.changed or plan.owners_changed:
        counts.updated += 1
    else:
        counts.unchanged += 1
