"""Owners' joint decisions (业主共同决定), as a pure function over plain data.

Civil Code Art. 278 (民法典第二百七十八条), in force since 2021-01-01:
- quorum: the owners taking part hold at least 2/3 of the exclusive area AND are
  at least 2/3 of the owners by headcount;
- approval: matters 6–8 (raising the maintenance fund, rebuilding, changing the
  use of common parts) need at least 3/4 of the participating area AND headcount;
  every other matter needs MORE than half of both.
Art. 1259: "以上" includes the boundary, "过半数" does not. Counting follows the
Supreme People's Court interpretation on building-division ownership (Arts. 8–9):
an owner of several units counts once by headcount; unsold developer units count
together as one. Everything is computed with exact fractions, never floats.

Earlier local elevator rules used the Property Law (物权法, 2007) formula, where
the share that must AGREE is counted over all owners rather than participants.
Each rule set is versioned with its effective date; a vote records which it used.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

YES = "yes"
NO = "no"
ABSTAIN = "abstain"
CHOICES = (YES, NO, ABSTAIN)

# Civil Code Art. 278, paragraph 1. Matter 7 covers an elevator retrofit (改建
# 建筑物及其附属设施), decided within the building or stairwell unit concerned.
MATTERS = {
    1: gettext_lazy("制定和修改业主大会议事规则"),
    2: gettext_lazy("制定和修改管理规约"),
    3: gettext_lazy("选举业主委员会或者更换业主委员会成员"),
    4: gettext_lazy("选聘和解聘物业服务企业或者其他管理人"),
    5: gettext_lazy("使用建筑物及其附属设施的维修资金"),
    6: gettext_lazy("筹集建筑物及其附属设施的维修资金"),
    7: gettext_lazy("改建、重建建筑物及其附属设施"),
    8: gettext_lazy("改变共有部分的用途或者利用共有部分从事经营活动"),
    9: gettext_lazy("有关共有和共同管理权利的其他重大事项"),
}


@dataclass(frozen=True)
class RuleSet:
    """One version of the thresholds. `base` says what an approval share is
    counted over: the participants (Civil Code) or all owners (Property Law)."""

    version: str
    title: str  # lazily translated
    effective_from: datetime.date
    quorum: Fraction | None  # None: no separate quorum
    base: str  # "participants" or "all"
    special_matters: frozenset[int]
    special_share: Fraction  # reached "以上": the boundary passes
    ordinary_share: Fraction  # must be exceeded ("过半数"): the boundary fails

    def share_words(self, matter: int) -> str:
        """The approval share a matter needs, as a notice says it ("四分之三以上",
        "过半数")."""
        special = matter in self.special_matters
        return _share_words(
            self.special_share if special else self.ordinary_share, special
        )


CIVIL_CODE_2021 = RuleSet(
    version="civil-code-278-2021",
    title=gettext_lazy("《民法典》第二百七十八条（2021年1月1日起施行）"),
    effective_from=datetime.date(2021, 1, 1),
    quorum=Fraction(2, 3),
    base="participants",
    special_matters=frozenset({6, 7, 8}),
    special_share=Fraction(3, 4),
    ordinary_share=Fraction(1, 2),
)

# Property Law Art. 76 (2007-10-01 to 2020-12-31): raising and using the
# maintenance fund and rebuilding needed 2/3 of ALL area and owners to agree,
# the rest more than half of all. (verify against the local rules in force.)
PROPERTY_LAW_2007 = RuleSet(
    version="property-law-76-2007",
    title=gettext_lazy("《物权法》第七十六条（2007年10月1日起施行）"),
    effective_from=datetime.date(2007, 10, 1),
    quorum=None,
    base="all",
    special_matters=frozenset({5, 6, 7}),
    special_share=Fraction(2, 3),
    ordinary_share=Fraction(1, 2),
)

RULE_SETS = {rules.version: rules for rules in (CIVIL_CODE_2021, PROPERTY_LAW_2007)}


def rules_in_force(on: datetime.date) -> RuleSet:
    """The rule set in force on a day (the newest that had taken effect)."""
    candidates = [r for r in RULE_SETS.values() if r.effective_from <= on]
    if not candidates:
        raise ValueError(f"no owners' decision rule was in force on {on}")
    return max(candidates, key=lambda rules: rules.effective_from)


@dataclass(frozen=True)
class Tally:
    """The count of one vote, and whether each condition is met."""

    matter: int
    rules: RuleSet
    total_area: Fraction
    total_heads: int
    part_area: Fraction
    part_heads: int
    yes_area: Fraction
    yes_heads: int
    no_area: Fraction
    no_heads: int
    quorum_area: bool
    quorum_heads: bool
    approve_area: bool
    approve_heads: bool
    consent_ok: bool
    passed: bool
    missing_consent: tuple[str, ...] = field(default=())

    @property
    def rule_version(self) -> str:
        return self.rules.version

    @property
    def special(self) -> bool:
        return self.matter in self.rules.special_matters

    @property
    def required_share(self) -> Fraction:
        return self.rules.special_share if self.special else self.rules.ordinary_share

    @property
    def boundary_passes(self) -> bool:
        """ "以上" (at least) for special matters, "过半数" (more than) otherwise."""
        return self.special

    @property
    def part_area_share(self) -> Fraction:
        return _share(self.part_area, self.total_area)

    @property
    def part_heads_share(self) -> Fraction:
        return _share(self.part_heads, self.total_heads)

    @property
    def yes_area_share(self) -> Fraction:
        """Agreeing area over the base the rule counts approval against."""
        return _share(self.yes_area, self._area_base)

    @property
    def yes_heads_share(self) -> Fraction:
        return _share(self.yes_heads, self._heads_base)

    @property
    def _area_base(self) -> Fraction:
        return self.part_area if self.rules.base == "participants" else self.total_area

    @property
    def _heads_base(self) -> int:
        return (
            self.part_heads if self.rules.base == "participants" else self.total_heads
        )

    def failed_conditions(self) -> list[str]:
        """What stopped the vote, in the words a notice would use (in the
        language active when called)."""
        share = _share_words(self.required_share, self.boundary_passes)
        participants = self.rules.base == "participants"
        failed = []
        if not self.quorum_area:
            failed.append(_("参与表决业主的专有部分面积未达到总面积的三分之二以上"))
        if not self.quorum_heads:
            failed.append(_("参与表决业主人数未达到业主总人数的三分之二以上"))
        if not self.approve_area:
            failed.append(
                _("同意的专有部分面积未达到参与表决业主专有部分面积的%(share)s")
                % {"share": share}
                if participants
                else _("同意的专有部分面积未达到全体业主专有部分面积的%(share)s")
                % {"share": share}
            )
        if not self.approve_heads:
            failed.append(
                _("同意的业主人数未达到参与表决业主人数的%(share)s") % {"share": share}
                if participants
                else _("同意的业主人数未达到全体业主人数的%(share)s") % {"share": share}
            )
        if not self.consent_ok:
            failed.append(_("专有部分受影响的业主未全部书面同意"))
        return failed


def _share(part, whole) -> Fraction:
    return Fraction(part) / Fraction(whole) if whole else Fraction(0)


def _share_words(share: Fraction, inclusive: bool) -> str:
    """ "三分之二以上" (at least), "超过四分之三" (more than), "过半数"."""
    if share == Fraction(1, 2) and not inclusive:
        return _("过半数")
    words = {
        Fraction(1, 2): _("二分之一"),
        Fraction(2, 3): _("三分之二"),
        Fraction(3, 4): _("四分之三"),
    }.get(share, f"{share.numerator}/{share.denominator}")
    if inclusive:
        return _("%(share)s以上") % {"share": words}
    return _("超过%(share)s") % {"share": words}


def _exact_area(value) -> Fraction:
    if isinstance(value, float):
        # A float has already lost the registered figure (0.1 is not 1/10).
        raise TypeError("areas must be Decimal, int, str or Fraction, never float")
    area = Fraction(Decimal(value) if isinstance(value, str) else value)
    if area <= 0:
        raise ValueError(f"an exclusive area must be positive, got {value}")
    return area


def _reached(part, whole, share: Fraction, inclusive: bool) -> bool:
    if not whole:
        return False
    ratio = Fraction(part) / Fraction(whole)
    return ratio >= share if inclusive else ratio > share


def tally(
    matter: int,
    units: Iterable[tuple[str, str | None, Decimal]],
    ballots: Mapping[str, str],
    occupied_consent: Mapping[str, bool] | None = None,
    *,
    rules: RuleSet | None = None,
    on: datetime.date | None = None,
) -> Tally:
    """Count one owners' vote.

    `units` are (unit key, holder key, exclusive area); the holder key names the
    buyer (one person or one fixed set of co-owners), None for an unsold
    developer unit. `ballots` maps a holder key to "yes", "no" or "abstain" and
    covers all that holder's units; the developer's ballot for the unsold units,
    if any, is under the key None. `occupied_consent` maps each holder whose
    exclusive part the work would occupy to whether they consented in writing.
    The rule set is `rules`, else the one in force `on` (default: the Civil Code).
    """
    if matter not in MATTERS:
        raise ValueError(f"unknown matter {matter}: Art. 278 lists 1 to 9")
    if rules is None:
        rules = rules_in_force(on) if on is not None else CIVIL_CODE_2021

    area_by_holder: dict[str | None, Fraction] = {}
    seen_units: set[str] = set()
    for unit_key, holder, area in units:
        if unit_key in seen_units:
            raise ValueError(f"unit {unit_key!r} is listed twice")
        seen_units.add(unit_key)
        area_by_holder[holder] = area_by_holder.get(holder, Fraction(0)) + _exact_area(
            area
        )

    for holder, choice in ballots.items():
        if choice not in CHOICES:
            raise ValueError(f"ballot {choice!r} is not one of {CHOICES}")
        if holder not in area_by_holder:
            raise ValueError(f"ballot from {holder!r}, who holds no unit in this vote")

    total_area = sum(area_by_holder.values(), Fraction(0))
    # Unsold units (holder None) are one owner together, like any other holder.
    total_heads = len(area_by_holder)
    part = {holder: area_by_holder[holder] for holder in ballots}
    yes = [holder for holder, choice in ballots.items() if choice == YES]
    no = [holder for holder, choice in ballots.items() if choice == NO]
    part_area = sum(part.values(), Fraction(0))
    yes_area = sum((area_by_holder[h] for h in yes), Fraction(0))
    no_area = sum((area_by_holder[h] for h in no), Fraction(0))

    if rules.quorum is None:
        quorum_area = quorum_heads = True
    else:
        quorum_area = _reached(part_area, total_area, rules.quorum, inclusive=True)
        quorum_heads = _reached(len(part), total_heads, rules.quorum, inclusive=True)

    special = matter in rules.special_matters
    share = rules.special_share if special else rules.ordinary_share
    area_base = part_area if rules.base == "participants" else total_area
    heads_base = len(part) if rules.base == "participants" else total_heads
    approve_area = _reached(yes_area, area_base, share, inclusive=special)
    approve_heads = _reached(len(yes), heads_base, share, inclusive=special)

    missing_consent = tuple(
        sorted(
            str(holder)
            for holder, consented in (occupied_consent or {}).items()
            if not consented
        )
    )
    consent_ok = not missing_consent

    return Tally(
        matter=matter,
        rules=rules,
        total_area=total_area,
        total_heads=total_heads,
        part_area=part_area,
        part_heads=len(part),
        yes_area=yes_area,
        yes_heads=len(yes),
        no_area=no_area,
        no_heads=len(no),
        quorum_area=quorum_area,
        quorum_heads=quorum_heads,
        approve_area=approve_area,
        approve_heads=approve_heads,
        consent_ok=consent_ok,
        passed=(
            quorum_area
            and quorum_heads
            and approve_area
            and approve_heads
            and consent_ok
        ),
        missing_consent=missing_consent,
    )
