"""API lists at province scale: cursors for the big tables, page numbers with a
bounded count for the rest, figures counted for the rows of a page only, and a
fixed number of queries however many rows there are."""

import io
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from baitang import pagination
from baitang.roles import SYSTEM
from communities.api.urls import router
from communities.models import Building, Estate, Problem
from communities.photos import photo_create
from communities.tests.factories import (
    BuildingFactory,
    CommunityFactory,
    EstateFactory,
    EstateNeedFactory,
    GovernanceBodyFactory,
    GovernanceMemberFactory,
    HouseholdFactory,
    OwnerFactory,
    ProblemFactory,
)

API = "/api/v1"
CURSOR_LISTS = ["households", "owners", "problems", "photos"]
NEWEST_FIRST = {"households": False, "owners": False, "problems": True, "photos": True}
PAGE_LISTS = ["communities", "estates", "buildings", "needs", "governance-bodies"]

pytestmark = pytest.mark.usefixtures("default_problem_categories")


def jpeg_upload():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(buffer, "JPEG")
    return SimpleUploadedFile("site.jpg", buffer.getvalue(), content_type="image/jpeg")


def make_rows(endpoint: str, count: int) -> list[int]:
    """`count` rows the endpoint lists (for street staff), with related rows its
    figures count; returns their ids."""
    estate = EstateFactory()
    if endpoint == "communities":
        communities = [CommunityFactory() for _ in range(count)]
        for community in communities:
            EstateFactory(community=community)
        return [community.pk for community in communities]
    if endpoint == "estates":
        estates = [estate, *EstateFactory.create_batch(count - 1)]
        for each in estates:
            ProblemFactory(estate=each)
        return [each.pk for each in estates]
    if endpoint == "buildings":
        buildings = BuildingFactory.create_batch(count, estate=estate)
        for building in buildings:
            HouseholdFactory(building=building)
        return [building.pk for building in buildings]
    if endpoint == "households":
        building = BuildingFactory(estate=estate)
        owner = OwnerFactory()
        households = HouseholdFactory.create_batch(
            count, building=building, owners=[owner]
        )
        return [household.pk for household in households]
    if endpoint == "owners":
        owners = OwnerFactory.create_batch(count)
        for owner in owners:
            HouseholdFactory(owners=[owner])
        return [owner.pk for owner in owners]
    if endpoint == "problems":
        return [p.pk for p in ProblemFactory.create_batch(count, estate=estate)]
    if endpoint == "photos":
        return [
            photo_create(estate=estate, image_file=jpeg_upload(), actor=SYSTEM).pk
            for _ in range(count)
        ]
    if endpoint == "needs":
        return [n.pk for n in EstateNeedFactory.create_batch(count, estate=estate)]
    if endpoint == "governance-bodies":
        bodies = GovernanceBodyFactory.create_batch(count, estate=estate)
        for body in bodies:
            GovernanceMemberFactory(body=body)
        return [body.pk for body in bodies]
    raise AssertionError(endpoint)


def follow(api_client, url, direction="next"):
    """Every row of a list, page by page, following its links."""
    rows = []
    while url:
        response = api_client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        rows.extend(body["results"])
        url = body[direction]
    return rows


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


# --- Which list pages how -------------------------------------------------------------


def test_every_list_is_a_cursor_list_or_a_page_number_list():
    # A new list endpoint must choose: a big table pages by cursor.
    lists = {
        prefix: viewset
        for prefix, viewset, _basename in router.registry
        if prefix != "problem-categories"  # twelve rows, one unpaginated list
    }

    assert sorted(lists) == sorted(CURSOR_LISTS + PAGE_LISTS)
    for prefix in CURSOR_LISTS:
        viewset = lists[prefix]
        assert viewset.pagination_class is pagination.CursorPagination
        # Unique and indexed (the primary key), and only that may be requested.
        assert viewset.ordering in (["id"], ["-id"])
        assert viewset.ordering_fields == ["id"]
    for prefix in PAGE_LISTS:
        assert lists[prefix].pagination_class is pagination.StandardPagination


# --- Cursor lists ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", CURSOR_LISTS)
def test_cursor_lists_give_every_row_once_in_both_directions(
    api_client, street_user, endpoint
):
    ids = sorted(make_rows(endpoint, 7), reverse=NEWEST_FIRST[endpoint])
    api_client.force_authenticate(street_user)

    first = api_client.get(f"{API}/{endpoint}/?page_size=3").json()
    forward = follow(api_client, f"{API}/{endpoint}/?page_size=3")
    last = api_client.get(
        path_of(api_client.get(path_of(first["next"])).json()["next"])
    ).json()
    backward = follow(api_client, path_of(last["previous"]), "previous")

    assert [row["id"] for row in forward] == ids
    assert [row["id"] for row in last["results"]] == ids[6:]
    assert [row["id"] for row in backward] == ids[3:6] + ids[:3]
    assert set(first) == {"next", "previous", "results"}  # no count at all
    assert first["previous"] is None
    assert last["next"] is None


@pytest.mark.django_db
def test_cursor_lists_may_be_read_in_the_other_order(api_client, street_user):
    ids = make_rows("problems", 4)
    api_client.force_authenticate(street_user)

    newest = api_client.get(f"{API}/problems/").json()["results"]
    oldest = api_client.get(f"{API}/problems/?ordering=id").json()["results"]

    assert [row["id"] for row in newest] == sorted(ids, reverse=True)
    assert [row["id"] for row in oldest] == sorted(ids)


@pytest.mark.django_db
def test_filters_narrow_a_cursor_list_across_pages(api_client, street_user):
    estate = EstateFactory()
    wanted = ProblemFactory.create_batch(5, estate=estate, status=Problem.Status.OPEN)
    ProblemFactory.create_batch(4, estate=estate, status=Problem.Status.PLANNED)
    api_client.force_authenticate(street_user)

    rows = follow(api_client, f"{API}/problems/?status=open&page_size=2")

    assert [row["id"] for row in rows] == sorted((p.pk for p in wanted), reverse=True)


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", CURSOR_LISTS)
def test_a_cursor_that_is_not_one_is_a_404(api_client, street_user, endpoint):
    api_client.force_authenticate(street_user)

    response = api_client.get(f"{API}/{endpoint}/?cursor=bm9wZQ")

    assert response.status_code == 404
    assert response.json() == {"detail": "无效的翻页游标。"}


# --- Page-number lists ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", PAGE_LISTS)
def test_page_lists_count_exactly_and_link_their_pages(
    api_client, street_user, endpoint
):
    ids = make_rows(endpoint, 7)
    api_client.force_authenticate(street_user)

    first = api_client.get(f"{API}/{endpoint}/?page_size=3").json()
    second = api_client.get(path_of(first["next"])).json()
    rows = follow(api_client, f"{API}/{endpoint}/?page_size=3")

    total = len(api_client.get(f"{API}/{endpoint}/?page_size=200").json()["results"])
    assert set(ids) <= {row["id"] for row in rows}
    assert len(rows) == len({row["id"] for row in rows}) == total
    assert first["count"] == second["count"] == total
    assert first["count_is_estimate"] is False
    assert first["previous"] is None
    assert "page=2" in first["next"]
    assert path_of(second["previous"]) == f"{API}/{endpoint}/?page_size=3"


@pytest.mark.django_db
def test_a_count_above_the_limit_is_the_planners_estimate(
    api_client, street_user, monkeypatch
):
    estate = EstateFactory()
    BuildingFactory.create_batch(7, estate=estate)
    monkeypatch.setattr(pagination, "EXACT_COUNT_LIMIT", 3)
    api_client.force_authenticate(street_user)

    first = api_client.get(f"{API}/buildings/?page_size=2").json()
    last = api_client.get(f"{API}/buildings/?page_size=2&page=4").json()

    # Never fewer rows than the count that stopped at the limit saw.
    assert first["count_is_estimate"] is True
    assert first["count"] >= 4
    # The last page knows the exact total without counting.
    assert (last["count"], last["count_is_estimate"]) == (7, False)
    assert last["next"] is None
    assert len(last["results"]) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["9", "0", "-1", "abc", "last"])
def test_a_page_that_is_not_there_is_a_404(api_client, street_user, page):
    EstateFactory.create_batch(3)
    api_client.force_authenticate(street_user)

    response = api_client.get(f"{API}/estates/?page={page}")

    assert response.status_code == 404
    assert response.json() == {"detail": "无效页码。"}


@pytest.mark.django_db
def test_an_empty_list_is_one_empty_page(api_client, street_user):
    api_client.force_authenticate(street_user)

    body = api_client.get(f"{API}/buildings/").json()

    assert body == {
        "count": 0,
        "count_is_estimate": False,
        "next": None,
        "previous": None,
        "results": [],
    }


@pytest.mark.django_db
def test_rows_that_tie_on_the_sort_never_repeat_across_pages(api_client, street_user):
    # Twenty buildings of the same height: ?ordering=storeys alone ties them all.
    estate = EstateFactory()
    buildings = BuildingFactory.create_batch(20, estate=estate, storeys=6)
    api_client.force_authenticate(street_user)

    rows = follow(api_client, f"{API}/buildings/?ordering=storeys&page_size=3")

    assert sorted(row["id"] for row in rows) == sorted(b.pk for b in buildings)


# --- Figures for the rows of a page ---------------------------------------------------


@pytest.mark.django_db
def test_figures_are_counted_for_every_row_of_every_page(api_client, street_user):
    estate = EstateFactory()
    buildings = BuildingFactory.create_batch(5, estate=estate)
    for size, building in enumerate(buildings):
        HouseholdFactory.create_batch(size, building=building)
    api_client.force_authenticate(street_user)

    rows = follow(api_client, f"{API}/buildings/?estate={estate.pk}&page_size=2")

    assert {row["id"]: row["household_total"] for row in rows} == {
        building.pk: size for size, building in enumerate(buildings)
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("endpoint", "figure"),
    [
        ("communities", "estate_count"),
        ("estates", "open_problem_count"),
        ("buildings", "household_total"),
    ],
)
def test_sorting_by_a_figure_sorts_the_whole_list(
    api_client, street_user, endpoint, figure
):
    make_rows(endpoint, 3)
    api_client.force_authenticate(street_user)
    heavy = {
        "communities": lambda: CommunityFactory(name="最大社区"),
        "estates": lambda: EstateFactory(),
        "buildings": lambda: BuildingFactory(),
    }[endpoint]()
    for _ in range(4):
        {
            "communities": lambda: EstateFactory(community=heavy),
            "estates": lambda: ProblemFactory(estate=heavy),
            "buildings": lambda: HouseholdFactory(building=heavy),
        }[endpoint]()

    first = api_client.get(f"{API}/{endpoint}/?ordering=-{figure}&page_size=1")
    last = api_client.get(f"{API}/{endpoint}/?ordering={figure}&page_size=1")

    assert first.json()["results"][0]["id"] == heavy.pk
    assert first.json()["results"][0][figure] == 4
    assert last.json()["results"][0][figure] <= 1


@pytest.mark.django_db
def test_a_figure_is_also_in_the_answer_to_a_write(api_client, street_user):
    estate = EstateFactory()
    ProblemFactory.create_batch(2, estate=estate, status=Problem.Status.OPEN)
    api_client.force_authenticate(street_user)

    response = api_client.patch(
        f"{API}/estates/{estate.pk}/", {"notes": "改"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["open_problem_count"] == 2
    assert (
        api_client.get(f"{API}/estates/{estate.pk}/").json()["open_problem_count"] == 2
    )


# --- Queries do not grow with the rows ------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", CURSOR_LISTS + PAGE_LISTS)
@pytest.mark.parametrize("count", [4, 24])
def test_a_middle_page_costs_the_same_queries_at_any_size(
    api_client, street_user, endpoint, count, django_assert_max_num_queries
):
    make_rows(endpoint, count)
    api_client.force_authenticate(street_user)
    first = api_client.get(f"{API}/{endpoint}/?page_size=2").json()

    # A cursor page: its rows (and the owners of households). A numbered page:
    # its rows, the count, and the figures of its rows.
    with django_assert_max_num_queries(3):
        second = api_client.get(path_of(first["next"]))

    assert second.status_code == 200
    assert len(second.json()["results"]) == 2


@pytest.mark.django_db
def test_filtering_by_statuses_does_not_sort_every_matching_row(
    api_client, street_user
):
    estate = EstateFactory()
    open_ = ProblemFactory(estate=estate, status=Problem.Status.OPEN)
    recurred = ProblemFactory(estate=estate, status=Problem.Status.RECURRED)
    ProblemFactory(estate=estate, status=Problem.Status.RESOLVED)
    api_client.force_authenticate(street_user)

    with CaptureQueriesContext(connection) as queries:
        rows = results(api_client.get(f"{API}/problems/?status=open&status=recurred"))

    assert [row["id"] for row in rows] == [recurred.pk, open_.pk]
    # SELECT DISTINCT over the joined columns would sort all matches first.
    assert not any("DISTINCT" in query["sql"] for query in queries.captured_queries)


def test_orders_get_the_primary_key_last_unless_already_unique():
    def order(queryset):
        return list(pagination.with_unique_order(queryset).query.order_by)

    assert order(Estate.objects.order_by("community_id", "name")) == [
        "community_id",
        "name",
    ]
    assert order(Building.objects.order_by("estate_id", "name")) == [
        "estate_id",
        "name",
    ]
    assert order(Estate.objects.order_by("-pk")) == ["-pk"]
    assert order(Estate.objects.order_by("name")) == ["name", "pk"]
    assert order(Estate.objects.order_by("community__name", "name")) == [
        "community__name",
        "name",
        "pk",
    ]
