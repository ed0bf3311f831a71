"""Reads behind the register pages. Every figure is counted or summed in the
database, and each selector runs a fixed number of queries whatever the rows."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf

from .models import (
    UNRESOLVED_PROBLEM_STATUSES,
    Building,
    Estate,
    GovernanceBody,
    GovernanceMember,
    Household,
    Photo,
    Problem,
    ProblemCategory,
)
from .permissions import estates_visible_to

# Overview columns a user may sort by: ?sort=<key> ascending, ?sort=-<key>
# descending. Anything else falls back to DEFAULT_SORT.
SORT_FIELDS = {
    "name": "name",
    "community": "community__name",
    "build_year": "build_year",
    "management": "management_order",
    "open_problems": "open_problem_count",
    "households": "household_count",
    "elderly_share": "elderly_share_pct",
}
DEFAULT_SORT = "community"


def decade_of(field: str = "build_year"):
    """The decade a year falls in, as 1990 for 1990–1999 (integer division)."""
    return Cast(F(field) / 10, IntegerField()) * 10


def _management_order():
    return Case(
        *[
            When(management_model=value, then=Value(index))
            for index, value in enumerate(Estate.ManagementModel.values)
        ],
        default=Value(len(Estate.ManagementModel.values)),
        output_field=IntegerField(),
    )


def visible_count(rows: QuerySet, link: str) -> Coalesce:
    """Per outer row, how many of `rows` point to it through `link`: pass rows
    already scoped to the user (problems_visible_to…), so a count never
    includes what the user may not see. One correlated subquery, no join
    that would multiply the outer rows."""
    counted = (
        rows.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_open_problem_count(estates: QuerySet[Estate]) -> QuerySet[Estate]:
    """Annotate each estate with `open_problem_count` (open and recurred)."""
    return estates.annotate(open_problem_count=open_problem_count())


def open_problem_count():
    """An estate's open and recurred problems: a subquery on OuterRef("pk")."""
    counts = (
        Problem.objects.filter(
            estate=OuterRef("pk"), status__in=UNRESOLVED_PROBLEM_STATUSES
        )
        .order_by()
        .values("estate")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def _elderly_share_pct():
    # NULL (not a division error) for an estate with no resident count.
    return (
        Cast("elderly_60_count", FloatField())
        * 100
        / NullIf(Cast("resident_count", FloatField()), 0.0)
    )


def estate_decades(*, user) -> list[int]:
    """The decades in which the estates a user may see were built, ascending."""
    return list(
        estates_visible_to(user)
        .annotate(decade=decade_of())
        .order_by("decade")
        .values_list("decade", flat=True)
        .distinct()
    )


def estates_filtered(
    *,
    user,
    community=None,
    decade: int | None = None,
    management_model: str = "",
    search: str = "",
    within_cutoff: bool | None = None,
) -> QuerySet[Estate]:
    """The estates a user may see, narrowed by the overview's filters.
    `within_cutoff` keeps estates built up to (True) or after (False) the
    programme's cutoff year, settings.REGISTER_BUILD_YEAR_CUTOFF."""
    estates = estates_visible_to(user)
    if within_cutoff is not None:
        cutoff = Q(build_year__lte=settings.REGISTER_BUILD_YEAR_CUTOFF)
        estates = estates.filter(cutoff if within_cutoff else ~cutoff)
    if community is not None:
        estates = estates.filter(community=community)
    if decade is not None:
        estates = estates.filter(build_year__gte=decade, build_year__lt=decade + 10)
    if management_model:
        estates = estates.filter(management_model=management_model)
    for term in search.split():
        estates = estates.filter(
            Q(name__normalized_icontains=term) | Q(address__normalized_icontains=term)
        )
    return estates


def sort_key(raw: str | None) -> str:
    """A whitelisted sort key ("name", "-households"…), else the default."""
    if raw and raw.lstrip("-") in SORT_FIELDS and raw.count("-") <= 1:
        return raw
    return DEFAULT_SORT


def estate_overview(*, estates: QuerySet[Estate], sort: str) -> QuerySet[Estate]:
    """The overview's rows: each estate with its open-problem count and 60+ share
    annotated in SQL, ordered by a whitelisted sort key."""
    sort = sort_key(sort)
    field = SORT_FIELDS[sort.lstrip("-")]
    descending = sort.startswith("-")
    order = F(field).desc(nulls_last=True) if descending else F(field).asc()
    return (
        estates.select_related("community")
        .annotate(
            open_problem_count=open_problem_count(),
            elderly_share_pct=_elderly_share_pct(),
            management_order=_management_order(),
        )
        .order_by(order, "name", "pk")
    )


def overview_totals(*, estates: QuerySet[Estate], problem_rows: list[dict]) -> dict:
    """Summary figures and special-population totals over the given estates;
    open problems come from `problems_by_category` rows, already counted."""
    totals = estates.order_by().aggregate(
        estates=Count("pk"),
        households=Coalesce(Sum("household_count"), 0),
        residents=Coalesce(Sum("resident_count"), 0),
        elderly_60=Coalesce(Sum("elderly_60_count"), 0),
        elderly_80=Coalesce(Sum("elderly_80_count"), 0),
        disabled=Coalesce(Sum("disabled_count"), 0),
        children=Coalesce(Sum("children_count"), 0),
        low_income=Coalesce(Sum("low_income_count"), 0),
    )
    totals["open_problems"] = sum(
        row[status] for row in problem_rows for status in UNRESOLVED_PROBLEM_STATUSES
    )
    return totals


def problems_by_category(*, estates: QuerySet[Estate]) -> list[dict]:
    """Every problem category with its problems of the given estates counted by
    status: rows of {name, open, planned, resolved, recurred, total}."""
    # Counting from the problems side lets PostgreSQL semi-join the estates once;
    # filtering a LEFT JOIN from the categories re-ran the estate subquery per row.
    counts = {
        status: Count("pk", filter=Q(status=status)) for status in Problem.Status.values
    }
    by_category = {
        row.pop("category"): row
        for row in Problem.objects.filter(estate__in=estates.order_by().values("pk"))
        .order_by()
        .values("category")
        .annotate(total=Count("pk"), **counts)
    }
    empty = dict.fromkeys(["total", *Problem.Status.values], 0)
    return [
        {"name": category.name, **by_category.get(category.pk, empty)}
        for category in ProblemCategory.objects.order_by("sort_order", "name")
    ]


def estates_by_decade(*, estates: QuerySet[Estate]) -> list[dict]:
    """How many of the given estates were built in each decade: [{decade, count}]."""
    return list(
        estates.order_by()
        .annotate(decade=decade_of())
        .values("decade")
        .annotate(count=Count("pk"))
        .order_by("decade")
    )


# --- The profile page ---------------------------------------------------------


def estate_profile_queryset(*, user) -> QuerySet[Estate]:
    """Estates a user may see, with everything the profile page shows prefetched
    (buildings, open problems, photos, needs, governance bodies and members)."""
    buildings = Building.objects.order_by("name")  # pinyin, "2栋" before "10栋"
    unresolved = (
        Problem.objects.filter(status__in=UNRESOLVED_PROBLEM_STATUSES)
        .select_related("category", "building")
        .order_by("-severity", "-reported_on", "-id")
    )
    photos = Photo.objects.select_related("building").order_by("taken_on", "id")
    members = GovernanceMember.objects.select_related("building").order_by(
        "-is_party_member", "id"
    )
    bodies = GovernanceBody.objects.prefetch_related(
        Prefetch("members", queryset=members)
    ).order_by("kind", "name")
    return (
        estates_visible_to(user)
        .select_related("community")
        .prefetch_related(
            Prefetch("buildings", queryset=buildings),
            Prefetch("problems", queryset=unresolved, to_attr="unresolved_problems"),
            Prefetch("photos", queryset=photos),
            "needs",
            Prefetch("governance_bodies", queryset=bodies),
        )
    )


def estate_household_figures(*, estate: Estate) -> dict:
    """Households of an estate counted by flag and by occupancy, in one query."""
    households = Household.objects.filter(building__estate=estate)
    by_occupancy = {
        f"occupancy_{value}": Count("pk", filter=Q(occupancy=value))
        for value in Household.Occupancy.values
    }
    figures = households.aggregate(
        recorded=Count("pk"),
        elderly_living_alone=Count("pk", filter=Q(elderly_living_alone=True)),
        with_disabled=Count("pk", filter=Q(has_disabled_member=True)),
        with_children=Count("pk", filter=Q(has_children=True)),
        **by_occupancy,
    )
    figures["occupancy"] = [
        (label, figures.pop(f"occupancy_{value}"))
        for value, label in Household.Occupancy.choices
    ]
    return figures


def estate_problem_table(*, estate: Estate) -> list[dict]:
    """The estate's problems counted per category and status, in one query: rows
    of {name, total, counts (in Problem.Status order)}, busiest category first."""
    counts = {
        status: Count("pk", filter=Q(status=status)) for status in Problem.Status.values
    }
    rows = list(
        Problem.objects.filter(estate=estate)
        .order_by()
        .values(name=F("category__name"))
        .annotate(total=Count("pk"), **counts)
        .order_by("-total", "name")
    )
    for row in rows:
        row["counts"] = [row[status] for status in Problem.Status.values]
    return rows


@dataclass(frozen=True)
class GalleryPhoto:
    photo: Photo
    width: int
    height: int


def _gallery_photo(photo: Photo) -> GalleryPhoto:
    # The small thumbnail fits a square box and is never upscaled; its size
    # follows from the original's, so no file is opened to read it.
    box = settings.PHOTO_THUMBNAIL_SIZES["small"]
    if not photo.width or not photo.height:
        return GalleryPhoto(photo, box, box * 3 // 4)
    scale = min(1, box / max(photo.width, photo.height))
    return GalleryPhoto(
        photo,
        max(1, round(photo.width * scale)),
        max(1, round(photo.height * scale)),
    )


def photo_gallery(photos) -> dict:
    """Split already-fetched photos into before/after pairs (same pair_key, both
    stages present) and the rest, each with its small thumbnail's size."""
    by_key: dict[str, dict[str, Photo]] = {}
    for photo in photos:
        if photo.pair_key and photo.stage in (Photo.Stage.BEFORE, Photo.Stage.AFTER):
            by_key.setdefault(photo.pair_key, {}).setdefault(photo.stage, photo)
    paired = {
        key: stages
        for key, stages in by_key.items()
        if Photo.Stage.BEFORE in stages and Photo.Stage.AFTER in stages
    }
    in_pairs = {stages[stage].pk for stages in paired.values() for stage in stages}
    pairs = [
        {
            "key": key,
            "before": _gallery_photo(stages[Photo.Stage.BEFORE]),
            "after": _gallery_photo(stages[Photo.Stage.AFTER]),
        }
        for key, stages in paired.items()
    ]
    singles = [_gallery_photo(p) for p in photos if p.pk not in in_pairs]
    return {"pairs": pairs, "singles": singles, "count": len(photos)}
