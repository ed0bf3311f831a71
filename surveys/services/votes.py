"""Owners' votes under Civil Code Art. 278: creating and closing a vote,
ballots from the phone or from paper (with written proxies), and the consent of
owners whose exclusive part the work would occupy."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baitang.roles import recorded_actor
from communities.models import Building, Estate, Household

from ..models import Ballot, Campaign, MenuItem, OccupiedConsent, StatusChange, Vote
from ..permissions import Resident, acts_for_household, can_edit_vote
from ..selectors import holder_key_of, household_in_vote, vote_tally
from ..voting import MATTERS, RULE_SETS, rules_in_force
from ._common import require, save, strip
from .campaigns import campaign_set_status

VOTE_TRANSITIONS: dict[str, frozenset[str]] = {
    Vote.Status.DRAFT: frozenset({Vote.Status.OPEN}),
    Vote.Status.OPEN: frozenset({Vote.Status.CLOSED}),
    Vote.Status.CLOSED: frozenset(),
}


def _require_vote_rights(actor, vote: Vote) -> None:
    require(
        actor,
        not isinstance(actor, Resident) and can_edit_vote(actor, vote),
        _("您无权管理该表决。"),
    )


@transaction.atomic
def vote_create(
    *,
    estate: Estate,
    matter: int,
    title: str,
    actor,
    building: Building | None = None,
    unit: int | None = None,
    item: MenuItem | None = None,
    description: str = "",
    opens_at: datetime.datetime | None = None,
    closes_at: datetime.datetime | None = None,
    rule_version: str | None = None,
) -> Vote:
    """A draft vote on one matter. The rule set is the one in force today unless
    a version is named (an older local rule still applying to a case)."""
    vote = Vote(
        estate=estate,
        building=building,
        unit=unit,
        matter=matter,
        title=strip(title),
        item=item,
        description=strip(description),
        opens_at=opens_at,
        closes_at=closes_at,
        rule_version=rule_version or rules_in_force(timezone.localdate()).version,
        created_by=recorded_actor(actor),
    )
    _require_vote_rights(actor, vote)
    if matter not in MATTERS:
        raise ValidationError({"matter": _("请选择民法典第278条所列的表决事项。")})
    if vote.rule_version not in RULE_SETS:
        raise ValidationError({"rule_version": _("未知的表决规则。")})
    if building is not None and building.estate_id != estate.pk:
        raise ValidationError({"building": _("所选楼栋不属于该小区。")})
    if unit is not None and building is not None and unit > building.unit_count:
        raise ValidationError({"unit": _("该楼栋没有这个单元。")})
    if item is not None:
        if item.needs_vote and item.vote_matter != matter:
            raise ValidationError(
                {
                    "matter": _("“%(item)s”应按第%(matter)s项事项表决。")
                    % {"item": item.name, "matter": item.vote_matter}
                }
            )
        if item.scope != "estate" and building is None:
            # An elevator is decided within its building or stairwell unit.
            raise ValidationError(
                {
                    "building": _("“%(item)s”须按楼栋或单元表决，请选择楼栋。")
                    % {"item": item.name}
                }
            )
    return save(vote)


def _locked(vote: Vote) -> Vote:
    return Vote.objects.select_for_update().get(pk=vote.pk)


VOTE_FIELDS = frozenset({"title", "description", "opens_at", "closes_at"})


@transaction.atomic
def vote_update(*, vote: Vote, actor, **fields) -> Vote:
    """Change a draft vote's title, plan description or times. What is voted
    on, by whom and under which rule is fixed once the vote exists."""
    _require_vote_rights(actor, vote)
    stored = _locked(vote)
    fixed = {"estate", "building", "unit", "matter", "item", "rule_version"}
    moved = fixed & set(fields)
    if moved:
        message = _("表决的范围、事项和规则创建后不能修改；请另建一个表决。")
        raise ValidationError({name: message for name in sorted(moved)})
    if "status" in fields:
        raise ValidationError({"status": _("表决状态只能通过“开始/结束表决”修改。")})
    if stored.status != Vote.Status.DRAFT:
        raise ValidationError(_("表决已开始，不能再修改。"))
    for name in ("title", "description"):
        if name in fields:
            fields[name] = strip(fields[name])
    unknown = set(fields) - VOTE_FIELDS
    if unknown:
        raise TypeError(f"Vote: cannot set {sorted(unknown)}")
    for name, value in fields.items():
        setattr(stored, name, value)
    save(stored)
    vote.__dict__.update(
        {f.attname: getattr(stored, f.attname) for f in Vote._meta.concrete_fields}
    )
    return vote


@transaction.atomic
def vote_delete(*, vote: Vote, actor) -> None:
    """Delete a draft vote (with any consents recorded for it). A vote that
    was opened stays on record: close it instead."""
    _require_vote_rights(actor, vote)
    stored = _locked(vote)
    if stored.status != Vote.Status.DRAFT:
        raise ValidationError(_("已开始的表决不能删除，只能结束。"))
    stored.delete()


@transaction.atomic
def vote_set_status(*, vote: Vote, status: str, actor, reason: str = "") -> Vote:
    """Open or close a vote (the one place this happens), logged. Closing records
    the count as it stands, with the rule version used."""
    _require_vote_rights(actor, vote)
    stored = _locked(vote)
    if status not in VOTE_TRANSITIONS.get(stored.status, frozenset()):
        raise ValidationError(
            {
                "status": _("表决不能从“%(from)s”改为“%(to)s”。")
                % {
                    "from": Vote.Status(stored.status).label,
                    "to": Vote.Status(status).label
                    if status in Vote.Status.values
                    else status,
                }
            }
        )
    now = timezone.now()
    if status == Vote.Status.OPEN:
        if stored.closes_at and stored.closes_at <= now:
            raise ValidationError({"closes_at": _("结束时间已过，请先修改结束时间。")})
        if stored.opens_at is None or stored.opens_at > now:
            stored.opens_at = now
    else:
        if stored.closes_at is None or stored.closes_at > now:
            stored.closes_at = now
        tally = vote_tally(stored)
        stored.result = tally_record(tally)
        stored.passed = tally.passed
    from_status = stored.status
    stored.status = status
    save(stored)
    StatusChange.objects.create(
        vote=stored,
        from_status=from_status,
        to_status=status,
        actor=recorded_actor(actor),
        reason=strip(reason)[:200],
    )
    vote.__dict__.update(
        {f.attname: getattr(stored, f.attname) for f in Vote._meta.concrete_fields}
    )
    return vote


def _failed_in_platform_language(tally) -> list[str]:
    with translation.override(settings.LANGUAGE_CODE):
        return [str(reason) for reason in tally.failed_conditions()]


def tally_record(tally) -> dict:
    """The count as JSON: exact fractions as "numerator/denominator" strings."""
    return {
        "rule_version": tally.rule_version,
        "total_area": str(tally.total_area),
        "total_heads": tally.total_heads,
        "part_area": str(tally.part_area),
        "part_heads": tally.part_heads,
        "yes_area": str(tally.yes_area),
        "yes_heads": tally.yes_heads,
        "no_area": str(tally.no_area),
        "no_heads": tally.no_heads,
        "quorum_area": tally.quorum_area,
        "quorum_heads": tally.quorum_heads,
        "approve_area": tally.approve_area,
        "approve_heads": tally.approve_heads,
        "consent_ok": tally.consent_ok,
        "passed": tally.passed,
        # The record's words are in the platform's language, whoever closed it;
        # pages derive their own from the booleans above.
        "failed": _failed_in_platform_language(tally),
    }


ONLINE_BALLOT_REFUSED = gettext_lazy(
    "本户登记为出租、空置或未售，网上投票只面向业主自住的住户。"
    "业主本人请到社区投票，或书面委托他人，由工作人员登记。"
)


def online_ballot_allowed(household: Household) -> bool:
    """A household's code may cast its owner's ballot only where the owner lives."""
    return household.occupancy == Household.Occupancy.OWNER_OCCUPIED


def vote_accepts_ballots(vote: Vote, now: datetime.datetime) -> bool:
    return (
        vote.status == Vote.Status.OPEN
        and (vote.opens_at is None or vote.opens_at <= now)
        and (vote.closes_at is None or now < vote.closes_at)
    )


@transaction.atomic
def ballot_cast(
    *,
    vote: Vote,
    household: Household,
    choice: str,
    actor,
    paper_date: datetime.date | None = None,
    proxy_name: str = "",
    proxy_document: str = "",
) -> Ballot:
    """Record the vote of the holder of `household` (it covers all the holder's
    units in the vote). From the household's own link, or entered by a worker
    from a paper ballot; a written proxy is recorded with its document. A
    holder may change their ballot until the vote closes; every change is kept."""
    if acts_for_household(actor, household):
        # The access code is the household's, and whoever lives there holds it:
        # only where the owner lives can it speak for the owner. A tenant's,
        # an empty or an unsold flat's owner votes on paper or by proxy.
        if not online_ballot_allowed(household):
            raise ValidationError(ONLINE_BALLOT_REFUSED)
        channel, entered_by = Ballot.Channel.ONLINE, None
        paper_date = None
        if proxy_name:
            raise ValidationError({"proxy_name": _("委托投票须由工作人员登记。")})
    else:
        _require_vote_rights(actor, vote)
        channel, entered_by = Ballot.Channel.PAPER, recorded_actor(actor)
        if paper_date is None:
            raise ValidationError({"paper_date": _("请填写表决票上的日期。")})
        if paper_date > timezone.localdate():
            raise ValidationError({"paper_date": _("表决票日期不能晚于今天。")})
    if choice not in Ballot.Choice.values:
        raise ValidationError({"choice": _("请选择同意、反对或弃权。")})
    proxy_name, proxy_document = strip(proxy_name), strip(proxy_document)
    if proxy_name and not proxy_document:
        raise ValidationError({"proxy_document": _("委托投票须登记书面委托书。")})
    now = timezone.now()
    stored = Vote.objects.select_for_update(of=("self",)).get(pk=vote.pk)
    if not vote_accepts_ballots(stored, now):
        raise ValidationError(_("表决已结束或尚未开始，不能投票。"))
    if not household_in_vote(stored, household):
        raise ValidationError(_("该户不在本次表决的范围内。"))
    holder = holder_key_of(household)
    ballot = Ballot.objects.filter(vote=stored, holder_key=holder).first()
    entry = {
        "choice": choice,
        "channel": channel,
        "at": now.isoformat(),
        "by": getattr(entered_by, "pk", None),
        "household": household.pk,
    }
    if ballot is None:
        ballot = Ballot(vote=stored, holder_key=holder, history=[])
    ballot.household = household
    ballot.choice = choice
    ballot.channel = channel
    ballot.entered_by = entered_by
    ballot.paper_date = paper_date
    ballot.proxy_name = proxy_name
    ballot.proxy_document = proxy_document
    ballot.cast_at = now
    ballot.history = [*ballot.history, entry]
    return save(ballot)


@transaction.atomic
def consent_record(
    *,
    vote: Vote,
    household: Household,
    consented: bool,
    actor,
    document: str = "",
) -> OccupiedConsent:
    """Record whether the owner of a household whose exclusive part the work
    would occupy consents in writing (recorded per owner, by a worker)."""
    _require_vote_rights(actor, vote)
    stored = _locked(vote)
    if stored.status == Vote.Status.CLOSED:
        raise ValidationError(_("表决已结束，不能再登记。"))
    if not household_in_vote(stored, household):
        raise ValidationError(_("该户不在本次表决的范围内。"))
    document = strip(document)
    if consented and not document:
        raise ValidationError({"document": _("请登记书面同意书的编号或说明。")})
    consent, _created = OccupiedConsent.objects.update_or_create(
        vote=stored,
        household=household,
        defaults={
            "holder_key": holder_key_of(household),
            "consented": consented,
            "document": document,
            "recorded_by": recorded_actor(actor),
            "recorded_at": timezone.now(),
        },
    )
    return consent


def close_due(*, actor, now: datetime.datetime | None = None) -> int:
    """Close every open campaign and vote whose closing time has passed (the
    periodic task's work); each closes in its own transaction. Returns how many
    closed; safe to run twice."""
    now = now or timezone.now()
    closed = 0
    due = {"status": "open", "closes_at__lte": now}
    for campaign in Campaign.objects.filter(**due).order_by("pk"):
        campaign_set_status(
            campaign=campaign, status="closed", actor=actor, reason="到期自动结束"
        )
        closed += 1
    for vote in Vote.objects.filter(**due).order_by("pk"):
        vote_set_status(vote=vote, status="closed", actor=actor, reason="到期自动结束")
        closed += 1
    return closed
