"""Reads of the order menu: a household's own page, campaign results (counted
in SQL), the ranked menu the projects app turns into a project's items, and
the count of an owners' vote. Each runs a fixed number of queries."""

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.db.models import (
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.base import DEFERRED
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baitang.prepared import PreparedStatement
from communities.models import Building, Estate, Household

from .codes import normalise_code
from .models import (
    AccessCode,
    Answer,
    Ballot,
    Campaign,
    OccupiedConsent,
    OpenLink,
    Question,
    Reply,
    Response,
    Vote,
)
from .structure import CampaignStructure, QuestionSpec, campaign_structure
from .voting import RULE_SETS, Tally, tally

# --- A household's way in ---------------------------------------------------------


def household_for_code(raw_code: str) -> Household | None:
    """The household whose active code this is (as typed or scanned), or None.
    One query, on the code's unique index."""
    code = normalise_code(raw_code)
    if code is None:
        return None
    access = _one(
        AccessCode.objects.filter(code=code, is_active=True).select_related(
            "household__building__estate__community"
        )
    )
    return access.household if access else None


def _one(queryset: QuerySet):
    """The row of a query that can match one row at most, or None. Unlike
    first(), adds no ORDER BY, which costs more to build than the query takes
    to run on a phone page."""
    rows = list(queryset.order_by()[:1])
    return rows[0] if rows else None


def active_code_of(household: Household) -> str | None:
    return (
        AccessCode.objects.filter(household=household, is_active=True)
        .values_list("code", flat=True)
        .first()
    )


def _in_scope(queryset: QuerySet, household: Household) -> QuerySet:
    """Campaigns or votes whose scope (estate, building, unit) covers a household."""
    building = household.building
    return queryset.filter(estate_id=building.estate_id).filter(
        Q(building__isnull=True)
        | Q(building_id=building.pk, unit__isnull=True)
        | Q(building_id=building.pk, unit=household.unit)
    )


def household_campaigns(household: Household) -> list[Campaign]:
    """The campaigns a household may answer or has answered, newest first, each
    with `my_response` (the household's response or None). Two queries."""
    campaigns = list(
        _in_scope(Campaign.objects.all(), household)
        .exclude(status=Campaign.Status.DRAFT)
        .select_related("building")
        .order_by("-opens_at", "-id")[:20]
    )
    responses = {
        response.campaign_id: response
        for response in Response.objects.filter(
            household=household, campaign__in=[c.pk for c in campaigns]
        )
    }
    now = timezone.now()
    for campaign in campaigns:
        campaign.my_response = responses.get(campaign.pk)
        campaign.accepting = (
            campaign.status == Campaign.Status.OPEN
            and (campaign.opens_at is None or campaign.opens_at <= now)
            and (campaign.closes_at is None or now < campaign.closes_at)
        )
    return campaigns


def household_votes(household: Household) -> list[Vote]:
    """Votes covering a household, with `my_ballot` (the holder's ballot or None)."""
    votes = list(
        _in_scope(Vote.objects.all(), household)
        .exclude(status=Vote.Status.DRAFT)
        .select_related("building")
        .order_by("-opens_at", "-id")[:20]
    )
    if not votes:
        return votes
    holder = holder_key_of(household)
    ballots = {
        ballot.vote_id: ballot
        for ballot in Ballot.objects.filter(
            vote__in=[v.pk for v in votes], holder_key=holder
        )
    }
    for vote in votes:
        vote.my_ballot = ballots.get(vote.pk)
    return votes


def response_values(
    response: Response | None, structure: CampaignStructure | None = None
) -> dict[int, object]:
    """A stored response as the raw values the form shows (see answers.py). One
    query with the campaign's structure at hand, two without."""
    if response is None:
        return {}
    values: dict[int, object] = {}
    # Plain tuples: this runs on every phone page, where model instances cost
    # more than the query. A photo is its stored name.
    rows = (
        Answer.objects.filter(response_id=response.pk)
        .order_by("question_id", "rank", "id")
        .values_list(
            "question_id", "item_id", "option_id", "points", "rating", "text", "photo"
        )
    )
    if structure is not None:
        kinds = {question.id: question.kind for question in structure.questions}
    else:
        kinds = dict(
            Question.objects.filter(campaign_id=response.campaign_id).values_list(
                "id", "kind"
            )
        )
    for question_id, item_id, option_id, points, rating, text, photo in rows:
        kind = kinds.get(question_id)
        if kind in (Question.Kind.MENU_RANK, Question.Kind.MENU_BUDGET):
            values.setdefault(question_id, []).append(item_id)
        elif kind == Question.Kind.MENU_POINTS:
            values.setdefault(question_id, {})[item_id] = points
        elif kind == Question.Kind.SINGLE:
            values[question_id] = option_id
        elif kind == Question.Kind.MULTIPLE:
            values.setdefault(question_id, []).append(option_id)
        elif kind == Question.Kind.RATING:
            values[question_id] = rating
        elif kind == Question.Kind.TEXT:
            values[question_id] = text
        elif kind == Question.Kind.PHOTO:
            values[question_id] = photo
    return values


def household_replies(household: Household) -> list[Reply]:
    """The office's replies to this household's words, newest first, each with
    `my_text` (what the household wrote; empty for a photo). One query."""
    my_text = Answer.objects.filter(
        response_id=OuterRef("response_id"), question_id=OuterRef("question_id")
    ).values("text")[:1]
    return list(
        Reply.objects.filter(response__household=household)
        .exclude(status=Reply.Status.PENDING)
        .select_related("response__campaign", "question")
        .annotate(my_text=Subquery(my_text))
        .order_by("-replied_at")[:50]
    )


_CAMPAIGN_FIELDS = [field.attname for field in Campaign._meta.concrete_fields]
_HOUSEHOLD_FIELDS = ["id", "unit", "number", "floor", "occupancy", "building_id"]
_RESPONSE_FIELDS = ["id", "version", "channel", "submitted_at", "updated_at"]
_HOUSEHOLD_CAMPAIGN = f"""
SELECT {", ".join(f"h.{name}" for name in _HOUSEHOLD_FIELDS)},
       b.name, b.estate_id, e.name,
       {", ".join(f"c.{name}" for name in _CAMPAIGN_FIELDS)},
       cb.name,
       {", ".join(f"r.{name}" for name in _RESPONSE_FIELDS)}
FROM {AccessCode._meta.db_table} ac
JOIN {Household._meta.db_table} h ON h.id = ac.household_id
JOIN {Building._meta.db_table} b ON b.id = h.building_id
JOIN {Estate._meta.db_table} e ON e.id = b.estate_id
LEFT JOIN {Campaign._meta.db_table} c
       ON c.id = $1 AND c.estate_id = b.estate_id AND c.status <> 'draft'
      AND (c.building_id IS NULL OR c.building_id = b.id)
      AND (c.unit IS NULL OR c.unit = h.unit)
LEFT JOIN {Building._meta.db_table} cb ON cb.id = c.building_id
LEFT JOIN {Response._meta.db_table} r
       ON r.campaign_id = c.id AND r.household_id = h.id
WHERE ac.code = $2 AND ac.is_active
"""
_HOUSEHOLD_CAMPAIGN_STATEMENT = PreparedStatement(
    "surveys_household_campaign", _HOUSEHOLD_CAMPAIGN
)


# The largest primary key PostgreSQL's bigint holds. The address takes any
# digits, and a larger number sent to the prepared statements is a DataError.
_MAX_ROW_ID = 2**63 - 1


def _is_row_id(value: int) -> bool:
    return 0 < value <= _MAX_ROW_ID


def _loaded(model, values: dict):
    """A model instance from some of its columns, the others deferred (read on
    access), as if the ORM had loaded it with only()."""
    names = [f.attname for f in model._meta.concrete_fields]
    row = [values.get(name, DEFERRED) for name in names]
    return model.from_db(None, names, row)


def household_campaign_by_code(
    raw_code: str, campaign_id: int
) -> tuple[Household | None, Campaign | None]:
    """(household, campaign) for an active code and a campaign the household may
    open (in its scope, not a draft), the campaign carrying `my_response` (the
    household's response or None); (household, None) when the campaign is not
    the household's; (None, None) when the code is not active.

    One query in plain SQL, prepared once per connection: this runs on every
    submission and every uncached view of a campaign page, where building the
    same joins through the ORM, or planning them, costs ten times what running
    them does."""
    code = normalise_code(raw_code)
    if code is None:
        return None, None
    if not _is_row_id(campaign_id):
        campaign_id = 0  # no campaign has it: the household alone is found
    with connection.cursor() as cursor:
        row = _HOUSEHOLD_CAMPAIGN_STATEMENT.execute(
            cursor, [campaign_id, code]
        ).fetchone()
    if row is None:
        return None, None
    values = iter(row)

    def take(names) -> dict:
        return {name: next(values) for name in names}

    household = _loaded(Household, take(_HOUSEHOLD_FIELDS))
    building = take(["name", "estate_id"]) | {"id": household.building_id}
    estate = {"id": building["estate_id"], "name": next(values)}
    household.building = _loaded(Building, building)
    household.building.estate = _loaded(Estate, estate)
    campaign_values = take(_CAMPAIGN_FIELDS)
    campaign_building_name = next(values)
    mine = take(_RESPONSE_FIELDS)
    if campaign_values["id"] is None:
        return household, None
    campaign = _loaded(Campaign, campaign_values)
    if campaign.building_id is not None:
        campaign.building = _loaded(
            Building,
            {
                "id": campaign.building_id,
                "name": campaign_building_name,
                "estate_id": campaign.estate_id,
            },
        )
    campaign.my_response = None
    if mine["id"] is not None:
        campaign.my_response = _loaded(
            Response, mine | {"campaign_id": campaign.pk, "household_id": household.pk}
        )
    return household, campaign


_PAGE_STAMP = f"""
SELECT code.household_id, campaign.updated_at, campaign.status, campaign.opens_at,
       campaign.closes_at, response.version
FROM {Campaign._meta.db_table} campaign
LEFT JOIN {AccessCode._meta.db_table} code ON code.code = $1 AND code.is_active
LEFT JOIN {Response._meta.db_table} response
       ON response.campaign_id = campaign.id
      AND response.household_id = code.household_id
WHERE campaign.id = $2
"""


_PAGE_STAMP_STATEMENT = PreparedStatement("surveys_page_stamp", _PAGE_STAMP)


def campaign_page_stamp(raw_code: str, campaign_id: int) -> tuple | None:
    """What a household's campaign page depends on: (household id or None when
    the code is not active, the campaign's updated_at, status, opens_at,
    closes_at, and the household's response version or None); None when there
    is no such campaign. The page is cached under this stamp (surveys.views),
    so it runs on every view of a campaign page: plain SQL, because building
    the same query through the ORM costs ten times as much as running it."""
    code = normalise_code(raw_code)
    if code is None or not _is_row_id(campaign_id):
        return None
    with connection.cursor() as cursor:
        return _PAGE_STAMP_STATEMENT.execute(cursor, [code, campaign_id]).fetchone()


def household_vote(household: Household, vote_id: int) -> Vote | None:
    """One vote covering a household (not a draft), or None."""
    return (
        _in_scope(Vote.objects.all(), household)
        .exclude(status=Vote.Status.DRAFT)
        .filter(pk=vote_id)
        .select_related("building")
        .first()
    )


def open_link_for_token(raw_token: str) -> OpenLink | None:
    """The active open-opinion link with this token (as typed or scanned)."""
    token = normalise_code(raw_token)
    if token is None:
        return None
    return (
        OpenLink.objects.filter(token=token, is_active=True)
        .select_related("estate")
        .first()
    )


# --- Campaign results ---------------------------------------------------------------


@dataclass
class RankedItem:
    """A menu item's standing in one menu question."""

    item_id: int
    name: str
    cost: Decimal
    score: int  # Borda points, allotted points or times chosen (see `kind`)
    supporters: int  # households that ranked, pointed or chose it
    by_group: dict[str, int] = field(default_factory=dict)  # group -> score
    # group -> place within that group (1 = first; None when no household of
    # the group chose it), so a page can show where each group would put it.
    group_ranks: dict[str, int | None] = field(default_factory=dict)


# Groups the results compare, from the register's household data: the
# household fields that define each group, and the same as a filter on answers.
GROUP_HOUSEHOLDS = {
    "elderly_alone": (_("独居老人户"), {"elderly_living_alone": True}),
    "others": (_("其他户"), {"elderly_living_alone": False}),
    "owner_occupied": (
        _("业主自住"),
        {"occupancy": Household.Occupancy.OWNER_OCCUPIED},
    ),
    "rented": (_("出租"), {"occupancy": Household.Occupancy.RENTED}),
}


def _group_filter(fields: dict, prefix: str) -> Q:
    return Q(**{f"{prefix}{name}": value for name, value in fields.items()})


GROUPS = {
    key: (label, _group_filter(fields, "response__household__"))
    for key, (label, fields) in GROUP_HOUSEHOLDS.items()
}


def _score_expression(question: QuestionSpec):
    if question.kind == Question.Kind.MENU_RANK:
        # Borda count: first of n offered items gets n points, the last 1.
        return Sum(Value(len(question.items) + 1) - F("rank"))
    if question.kind == Question.Kind.MENU_POINTS:
        return Sum("points")
    return Count("id")


def ranked_menu(question: QuestionSpec) -> list[RankedItem]:
    """One menu question's items, best first, with the score per group. One
    query: conditional aggregates, whatever the number of answers."""
    score = _score_expression(question)
    aggregates = {"score": score, "supporters": Count("response_id", distinct=True)}
    for key, (_label, condition) in GROUPS.items():
        aggregates[f"group_{key}"] = _filtered(score, condition)
    rows = {
        row["item_id"]: row
        for row in Answer.objects.filter(question_id=question.id, item__isnull=False)
        .values("item_id")
        .annotate(**aggregates)
    }
    ranked = []
    for item in question.items:
        row = rows.get(item.id, {})
        ranked.append(
            RankedItem(
                item_id=item.id,
                name=item.name,
                cost=item.cost,
                score=row.get("score") or 0,
                supporters=row.get("supporters") or 0,
                by_group={key: row.get(f"group_{key}") or 0 for key in GROUPS},
            )
        )
    ranked.sort(key=lambda r: (-r.score, -r.supporters, r.name))
    for key in GROUPS:
        _rank_within(ranked, key)
    return ranked


def _rank_within(ranked: list[RankedItem], group: str) -> None:
    """Competition ranking (1, 2, 2, 4) of the items by one group's score; an
    item the group gave nothing has no place."""
    scores = sorted((item.by_group[group] for item in ranked), reverse=True)
    for item in ranked:
        score = item.by_group[group]
        item.group_ranks[group] = scores.index(score) + 1 if score else None


def _filtered(aggregate, condition: Q):
    copy = aggregate.copy()
    copy.filter = condition
    return copy


def campaign_ranked_items(*, campaign: Campaign) -> list[RankedItem]:
    """The campaign's ranked menu, ready to become a project's item list: the
    items of its menu questions, best first (the first menu question decides
    the order; items it does not offer follow in their own questions' order)."""
    structure = campaign_structure(campaign)
    ranked: list[RankedItem] = []
    seen: set[int] = set()
    for question in structure.questions:
        if not question.is_menu:
            continue
        for item in ranked_menu(question):
            if item.item_id not in seen:
                seen.add(item.item_id)
                ranked.append(item)
    return ranked


def households_in_campaign(campaign: Campaign) -> QuerySet[Household]:
    households = Household.objects.filter(building__estate_id=campaign.estate_id)
    if campaign.building_id:
        households = households.filter(building_id=campaign.building_id)
    if campaign.unit is not None:
        households = households.filter(unit=campaign.unit)
    return households


def response_rate_by_building(campaign: Campaign) -> list[dict]:
    """Households and responses per building of the campaign's scope (one query)."""
    buildings = Building.objects.filter(estate_id=campaign.estate_id)
    household_filter = Q()
    if campaign.building_id:
        buildings = buildings.filter(pk=campaign.building_id)
    if campaign.unit is not None:
        household_filter = Q(households__unit=campaign.unit)
    rows = (
        buildings.annotate(
            household_total=Count("households", filter=household_filter, distinct=True),
            responded=Count(
                "households__survey_responses",
                filter=household_filter
                & Q(households__survey_responses__campaign=campaign),
                distinct=True,
            ),
            paper=Count(
                "households__survey_responses",
                filter=household_filter
                & Q(
                    households__survey_responses__campaign=campaign,
                    households__survey_responses__channel=Response.Channel.PAPER,
                ),
                distinct=True,
            ),
        )
        .values("pk", "name", "household_total", "responded", "paper")
        .order_by("name")
    )
    return [
        row | {"rate": _percent(row["responded"], row["household_total"])}
        for row in rows
    ]


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


@dataclass
class CampaignResults:
    campaign: Campaign
    structure: CampaignStructure
    households: int
    responded: int
    paper: int
    rate: Decimal | None
    buildings: list[dict]
    menus: list[tuple[QuestionSpec, list[RankedItem]]]
    ratings: list[tuple[QuestionSpec, list[dict], Decimal | None]]
    choices: list[tuple[QuestionSpec, list[dict]]]
    words_total: int
    words_pending: int
    groups: dict[str, str]
    # group -> how many of the responding households belong to it
    group_sizes: dict[str, int] = field(default_factory=dict)


def campaign_results(*, campaign: Campaign) -> CampaignResults:
    """Everything the results page shows, counted in SQL: response rate overall
    and per building, each menu question ranked overall and per group, rating
    distributions, choice counts, and how many words await a reply."""
    structure = campaign_structure(campaign)
    buildings = response_rate_by_building(campaign)
    households = sum(row["household_total"] for row in buildings)
    responded = sum(row["responded"] for row in buildings)
    paper = sum(row["paper"] for row in buildings)

    menus = [(q, ranked_menu(q)) for q in structure.questions if q.is_menu]

    rating_rows = (
        Answer.objects.filter(question__campaign=campaign, rating__isnull=False)
        .values("question_id", "rating")
        .annotate(count=Count("id"))
    )
    rating_counts: dict[int, dict[int, int]] = {}
    for row in rating_rows:
        rating_counts.setdefault(row["question_id"], {})[row["rating"]] = row["count"]
    ratings = []
    for question in structure.questions:
        if question.kind != Question.Kind.RATING:
            continue
        counts = rating_counts.get(question.id, {})
        total = sum(counts.values())
        mean = (
            (Decimal(sum(r * n for r, n in counts.items())) / total).quantize(
                Decimal("0.01")
            )
            if total
            else None
        )
        ratings.append(
            (
                question,
                [
                    {
                        "rating": r,
                        "count": counts.get(r, 0),
                        "share": _percent(counts.get(r, 0), total),
                    }
                    for r in range(5, 0, -1)
                ],
                mean,
            )
        )

    option_rows = (
        Answer.objects.filter(question__campaign=campaign, option__isnull=False)
        .values("option_id")
        .annotate(count=Count("id"))
    )
    option_counts = {row["option_id"]: row["count"] for row in option_rows}
    choices = []
    for question in structure.questions:
        if question.kind not in Question.OPTION_KINDS:
            continue
        total = sum(option_counts.get(o.id, 0) for o in question.options)
        choices.append(
            (
                question,
                [
                    {
                        "label": o.label,
                        "count": option_counts.get(o.id, 0),
                        "share": _percent(option_counts.get(o.id, 0), total),
                    }
                    for o in question.options
                ],
            )
        )

    replies = Reply.objects.filter(response__campaign=campaign).aggregate(
        total=Count("id"),
        pending=Count("id", filter=Q(status=Reply.Status.PENDING)),
    )
    group_sizes = Response.objects.filter(campaign=campaign).aggregate(
        **{
            key: Count("id", filter=_group_filter(fields, "household__"))
            for key, (_label, fields) in GROUP_HOUSEHOLDS.items()
        }
    )
    return CampaignResults(
        campaign=campaign,
        structure=structure,
        households=households,
        responded=responded,
        paper=paper,
        rate=_percent(responded, households),
        buildings=buildings,
        menus=menus,
        ratings=ratings,
        choices=choices,
        words_total=replies["total"],
        words_pending=replies["pending"],
        groups={key: label for key, (label, _c) in GROUPS.items()},
        group_sizes=group_sizes,
    )


def campaign_words(*, campaign: Campaign) -> QuerySet[Answer]:
    """Residents' free text and photos, with who said it and the office's reply
    (annotated, so a page of them is one query)."""
    replies = Reply.objects.filter(
        response_id=OuterRef("response_id"), question_id=OuterRef("question_id")
    )
    return (
        Answer.objects.filter(question__campaign=campaign)
        .filter(~Q(text="") | ~Q(photo=""))
        .select_related("response__household__building", "question")
        .annotate(
            reply_id=Subquery(replies.values("pk")[:1]),
            reply_status=Subquery(replies.values("status")[:1]),
            reply_text=Subquery(replies.values("text")[:1]),
        )
        .order_by("-response__updated_at", "id")
    )


# --- Owners' votes ----------------------------------------------------------------


# The stored holder key of the developer, who votes once for all unsold units.
UNSOLD = "unsold"


def holder_key(
    *,
    household_id: int,
    owner_ids: list[int],
    developer_ids: list[int],
    occupancy: str,
) -> str:
    """Who votes for a unit: "o12" for one owner, "o12+o15" for a fixed set of
    co-owners, UNSOLD for an unsold developer unit (all of them vote as one),
    and "h<id>" for a unit whose owners the register does not name yet."""
    if occupancy == Household.Occupancy.UNSOLD:
        return UNSOLD
    buyers = sorted(set(owner_ids) - set(developer_ids))
    if not buyers:
        return UNSOLD if developer_ids else f"h{household_id}"
    return "+".join(f"o{pk}" for pk in buyers)


def _tally_holder(key: str) -> str | None:
    return None if key == UNSOLD else key


def holder_key_of(household: Household) -> str:
    owners = list(household.owners.values_list("pk", "is_developer"))
    return holder_key(
        household_id=household.pk,
        owner_ids=[pk for pk, _dev in owners],
        developer_ids=[pk for pk, dev in owners if dev],
        occupancy=household.occupancy,
    )


def households_in_vote(vote: Vote) -> QuerySet[Household]:
    households = Household.objects.filter(building__estate_id=vote.estate_id)
    if vote.building_id:
        households = households.filter(building_id=vote.building_id)
    if vote.unit is not None:
        households = households.filter(unit=vote.unit)
    return households


def household_in_vote(vote: Vote, household: Household) -> bool:
    building = household.building
    return (
        building.estate_id == vote.estate_id
        and (vote.building_id is None or building.pk == vote.building_id)
        and (vote.unit is None or household.unit == vote.unit)
    )


def vote_units(vote: Vote) -> list[tuple[str, str | None, Decimal]]:
    """(unit key, holder key, exclusive area) for every unit in the vote: one
    query, owners gathered with array_agg."""
    rows = (
        households_in_vote(vote)
        .annotate(
            owner_ids=ArrayAgg("owners__pk", distinct=True, default=Value([])),
            developer_ids=ArrayAgg(
                "owners__pk",
                filter=Q(owners__is_developer=True),
                distinct=True,
                default=Value([]),
            ),
        )
        .values_list("pk", "occupancy", "exclusive_area", "owner_ids", "developer_ids")
    )
    return [
        (
            f"u{pk}",
            _tally_holder(
                holder_key(
                    household_id=pk,
                    owner_ids=[o for o in owner_ids if o is not None],
                    developer_ids=[o for o in developer_ids if o is not None],
                    occupancy=occupancy,
                )
            ),
            area,
        )
        for pk, occupancy, area, owner_ids, developer_ids in rows
    ]


def vote_tally(vote: Vote) -> Tally:
    """The count of a vote now, under the rule version it recorded (three
    queries: units, ballots, consents)."""
    units = vote_units(vote)
    holders = {holder for _unit, holder, _area in units}
    # A ballot whose holder no longer holds a unit here (the register changed
    # after it was cast) is not counted.
    ballots = {
        _tally_holder(key): choice
        for key, choice in Ballot.objects.filter(vote=vote).values_list(
            "holder_key", "choice"
        )
        if _tally_holder(key) in holders
    }
    consents = {
        _tally_holder(key): consented
        for key, consented in OccupiedConsent.objects.filter(vote=vote).values_list(
            "holder_key", "consented"
        )
    }
    return tally(
        vote.matter,
        units,
        ballots,
        consents,
        rules=RULE_SETS[vote.rule_version],
    )


def tally_from_record(record: dict, *, matter: int) -> Tally:
    """A closed vote's stored count (services.votes.tally_record) as a Tally,
    under the rule version it recorded."""
    return Tally(
        matter=matter,
        rules=RULE_SETS[record["rule_version"]],
        total_area=Fraction(record["total_area"]),
        total_heads=record["total_heads"],
        part_area=Fraction(record["part_area"]),
        part_heads=record["part_heads"],
        yes_area=Fraction(record["yes_area"]),
        yes_heads=record["yes_heads"],
        no_area=Fraction(record["no_area"]),
        no_heads=record["no_heads"],
        quorum_area=record["quorum_area"],
        quorum_heads=record["quorum_heads"],
        approve_area=record["approve_area"],
        approve_heads=record["approve_heads"],
        consent_ok=record["consent_ok"],
        passed=record["passed"],
    )


@dataclass
class VoteResult:
    tally: Tally
    frozen: bool  # the count stored when the vote closed, not counted now
    failed: list[str]  # the conditions not met, in words


def vote_result(*, vote: Vote) -> VoteResult:
    """The count a result page shows: a closed vote's stored count (no query),
    otherwise the count as it stands (see vote_tally)."""
    if vote.status == Vote.Status.CLOSED and vote.result:
        # The words come from the stored booleans, in the reader's language.
        tally = tally_from_record(vote.result, matter=vote.matter)
        return VoteResult(tally=tally, frozen=True, failed=tally.failed_conditions())
    tally = vote_tally(vote)
    return VoteResult(tally=tally, frozen=False, failed=tally.failed_conditions())


def vote_ballot_counts(*, vote: Vote) -> dict[str, int]:
    """Ballots by channel, and how many were cast by a written proxy (one query)."""
    return Ballot.objects.filter(vote=vote).aggregate(
        total=Count("id"),
        online=Count("id", filter=Q(channel=Ballot.Channel.ONLINE)),
        paper=Count("id", filter=Q(channel=Ballot.Channel.PAPER)),
        proxy=Count("id", filter=~Q(proxy_name="")),
    )


def vote_consents(*, vote: Vote) -> QuerySet[OccupiedConsent]:
    """The recorded consents of owners whose exclusive part the work occupies."""
    return (
        OccupiedConsent.objects.filter(vote=vote)
        .select_related("household__building", "recorded_by")
        .order_by("household__building__name", "household__unit", "household__number")
    )


# --- Staff pages ------------------------------------------------------------------


def campaigns_listed(
    *,
    campaigns: QuerySet[Campaign],
    estate=None,
    search: str = "",
    status: str = "",
) -> QuerySet[Campaign]:
    """Campaigns (not templates) for the staff list, newest first, each with
    `response_count` (one query per page)."""
    rows = campaigns.filter(is_template=False)
    if estate is not None:
        rows = rows.filter(estate=estate)
    if search:
        rows = rows.filter(
            Q(title__icontains=search) | Q(estate__name__icontains=search)
        )
    if status:
        rows = rows.filter(status=status)
    responses = (
        Response.objects.filter(campaign=OuterRef("pk"))
        .order_by()
        .values("campaign")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        rows.select_related("estate__community", "building")
        .annotate(response_count=Coalesce(Subquery(responses), 0))
        .order_by("-created_at", "-id")
    )


def reply_status_counts(*, campaign: Campaign) -> dict[str, int]:
    """How many residents' words have each reply status (one query)."""
    counts = dict.fromkeys(Reply.Status.values, 0)
    counts.update(
        Reply.objects.filter(response__campaign=campaign)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return counts


def households_for_entry(
    *, households: QuerySet[Household], building=None, number: str = ""
) -> QuerySet[Household]:
    """Households a worker picks from (one building, room number containing
    `number`), in stairwell and room order."""
    if building is not None:
        households = households.filter(building=building)
    number = "".join(number.split())
    if number:
        households = households.filter(number__icontains=number)
    return households.select_related("building").order_by(
        "building__name", "unit", "number"
    )


def campaign_households(
    *, campaign: Campaign, building=None, number: str = ""
) -> QuerySet[Household]:
    """households_for_entry for a campaign, each with `response_channel` (the
    channel of its response, or None)."""
    channel = Response.objects.filter(
        campaign=campaign, household=OuterRef("pk")
    ).values("channel")[:1]
    return households_for_entry(
        households=households_in_campaign(campaign), building=building, number=number
    ).annotate(response_channel=Subquery(channel))


def holder_ballot(*, vote: Vote, household: Household) -> Ballot | None:
    """The ballot of the holder of a household in a vote, if cast (two queries)."""
    return (
        Ballot.objects.filter(vote=vote, holder_key=holder_key_of(household))
        .select_related("household__building", "entered_by")
        .first()
    )
