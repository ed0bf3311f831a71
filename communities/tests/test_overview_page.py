import re
from decimal import Decimal

import pytest
from django.urls import reverse

from baitang.models import User
from communities.models import Estate, Problem
from communities.tests.factories import (
    CommunityFactory,
    EstateFactory,
    ProblemCategoryFactory,
    ProblemFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("communities:estate_overview")
Status = Problem.Status
Model = Estate.ManagementModel


def names(response):
    return [estate.name for estate in response.context["page"]]


def chart(response, chart_id):
    (found,) = [c for c in response.context["charts"] if c["id"] == chart_id]
    return {row["label"]: row for row in found["rows"]}


@pytest.fixture
def three_estates(community, other_community):
    a = EstateFactory(
        name="甲小区",
        community=community,
        address="白藤一路1号",
        build_year=1995,
        household_count=300,
        resident_count=1000,
        elderly_60_count=300,
        management_model=Model.NONE,
    )
    b = EstateFactory(
        name="乙花园",
        community=community,
        address="湖滨路8号",
        build_year=1988,
        household_count=100,
        resident_count=0,
        elderly_60_count=0,
        elderly_80_count=0,
        management_model=Model.PROPERTY_COMPANY,
    )
    c = EstateFactory(
        name="丙苑",
        community=other_community,
        address="白藤三路3号",
        build_year=2003,
        household_count=200,
        resident_count=400,
        elderly_60_count=40,
        elderly_80_count=10,
        management_model=Model.SELF_MANAGED,
    )
    parking = ProblemCategoryFactory(name="停车")
    fire = ProblemCategoryFactory(name="消防")
    ProblemFactory(estate=a, category=parking, status=Status.OPEN)
    ProblemFactory(estate=a, category=parking, status=Status.RECURRED)
    ProblemFactory(estate=a, category=fire, status=Status.RESOLVED)
    ProblemFactory(estate=b, category=fire, status=Status.PLANNED)
    ProblemFactory(estate=c, category=parking, status=Status.OPEN)
    ProblemFactory(estate=c, category=fire, status=Status.OPEN)
    ProblemFactory(estate=c, category=fire, status=Status.OPEN)
    return a, b, c


# --- who may see it -----------------------------------------------------------------


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('admin:login')}?next={URL}"


def test_outside_party_is_forbidden(client, party_user):
    client.force_login(party_user)

    assert client.get(URL).status_code == 403


def test_street_staff_see_every_estate(client, street_user, three_estates):
    client.force_login(street_user)

    response = client.get(URL)

    assert response.status_code == 200
    assert sorted(names(response)) == sorted(["甲小区", "乙花园", "丙苑"])


def test_community_staff_see_only_their_community(
    client, community_user, three_estates
):
    client.force_login(community_user)

    response = client.get(URL)

    assert sorted(names(response)) == sorted(["甲小区", "乙花园"])
    assert "丙苑" not in response.content.decode()
    assert response.context["totals"]["estates"] == 2
    assert response.context["totals"]["open_problems"] == 2
    community_choices = [
        str(label)
        for _value, label in response.context["form"]["community"].field.choices
    ]
    assert "群兴社区" not in community_choices


def test_community_staff_cannot_filter_to_another_community(
    client, community_user, other_community, three_estates
):
    client.force_login(community_user)

    response = client.get(URL, {"community": other_community.pk})

    assert response.status_code == 200
    assert sorted(names(response)) == sorted(["甲小区", "乙花园"])


# --- the table ----------------------------------------------------------------------


def test_rows_show_open_problems_and_elderly_share(client, street_user, three_estates):
    client.force_login(street_user)

    response = client.get(URL, {"sort": "name"})

    rows = {e.name: e for e in response.context["page"]}
    assert rows["甲小区"].open_problem_count == 2  # open + recurred, not resolved
    assert rows["乙花园"].open_problem_count == 0  # planned is not open
    assert rows["丙苑"].open_problem_count == 3
    assert rows["甲小区"].elderly_share_pct == pytest.approx(30.0)
    assert rows["乙花园"].elderly_share_pct is None  # no residents: no division
    page = response.content.decode()
    assert "30.0%" in page
    assert "10.0%" in page
    assert f'href="{rows["甲小区"].get_absolute_url()}"' in page


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("build_year", ["乙花园", "甲小区", "丙苑"]),
        ("-build_year", ["丙苑", "甲小区", "乙花园"]),
        ("households", ["乙花园", "丙苑", "甲小区"]),
        ("-households", ["甲小区", "丙苑", "乙花园"]),
        ("elderly_share", ["丙苑", "甲小区", "乙花园"]),
        ("-elderly_share", ["甲小区", "丙苑", "乙花园"]),  # unknown share last
        ("open_problems", ["乙花园", "甲小区", "丙苑"]),
        ("-open_problems", ["丙苑", "甲小区", "乙花园"]),
        ("management", ["乙花园", "丙苑", "甲小区"]),  # in the choices' order
        # 鹤洲 (hè) before 群兴 (qún), then by name: 甲 (jiǎ) before 乙 (yǐ)
        ("community", ["甲小区", "乙花园", "丙苑"]),
        ("-community", ["丙苑", "甲小区", "乙花园"]),
    ],
)
def test_sorting_by_each_column(client, street_user, three_estates, sort, expected):
    client.force_login(street_user)

    response = client.get(URL, {"sort": sort})

    assert names(response) == expected


def test_sort_by_name_follows_the_database_collation(
    client, street_user, three_estates
):
    client.force_login(street_user)

    ascending = names(client.get(URL, {"sort": "name"}))
    descending = names(client.get(URL, {"sort": "-name"}))

    assert ascending == ["丙苑", "甲小区", "乙花园"]  # bǐng, jiǎ, yǐ
    assert descending == list(reversed(ascending))


def test_header_links_toggle_the_direction_and_keep_filters(
    client, street_user, three_estates, community
):
    client.force_login(street_user)

    response = client.get(
        URL, {"sort": "households", "community": community.pk, "page": 1}
    )

    columns = {c["key"]: c for c in response.context["columns"]}
    assert columns["households"]["direction"] == "ascending"
    assert f"community={community.pk}" in columns["households"]["url"]
    assert "sort=-households" in columns["households"]["url"]
    assert "page=" not in columns["households"]["url"]
    assert "sort=name" in columns["name"]["url"]
    assert 'aria-sort="ascending"' in response.content.decode()
    descending = client.get(URL, {"sort": "-households"})
    columns = {c["key"]: c for c in descending.context["columns"]}
    assert columns["households"]["direction"] == "descending"
    assert "sort=households" in columns["households"]["url"]


# --- filters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"decade": "1980"}, ["乙花园"]),
        ({"decade": "1990"}, ["甲小区"]),
        ({"management": Model.SELF_MANAGED}, ["丙苑"]),
        ({"q": "花园"}, ["乙花园"]),  # by name
        ({"q": "白藤"}, ["甲小区", "丙苑"]),  # by address
        ({"q": "  湖滨  "}, ["乙花园"]),
        ({"q": "白藤", "decade": "2000"}, ["丙苑"]),
    ],
)
def test_filters_and_search_narrow_the_table(
    client, street_user, three_estates, params, expected
):
    client.force_login(street_user)

    response = client.get(URL, {**params, "sort": "build_year"})

    assert sorted(names(response)) == sorted(expected)


def test_community_filter(client, street_user, three_estates, other_community):
    client.force_login(street_user)

    response = client.get(URL, {"community": other_community.pk})

    assert names(response) == ["丙苑"]


def test_decade_choices_come_from_the_visible_estates(
    client, community_user, three_estates
):
    client.force_login(community_user)

    response = client.get(URL)

    values = [
        value for value, _label in response.context["form"]["decade"].field.choices
    ]
    assert values == ["", 1980, 1990]


def test_no_match_shows_the_empty_state(client, street_user, three_estates):
    client.force_login(street_user)

    response = client.get(URL, {"q": "不存在的小区"})

    assert names(response) == []
    assert "没有符合条件的小区。" in response.content.decode()
    assert response.context["totals"]["estates"] == 0
    assert all(c["empty"] for c in response.context["charts"][:2])


def test_bad_sort_filter_and_page_values_fall_back(client, street_user, three_estates):
    client.force_login(street_user)

    response = client.get(
        URL,
        {
            "sort": "password; drop table",
            "decade": "abc",
            "community": "999999",
            "management": "castle",
            "page": "last-but-one",
            "q": "花园",
        },
    )

    assert response.status_code == 200
    # the valid search still applies; everything invalid is ignored
    assert names(response) == ["乙花园"]
    assert "部分筛选条件无效" in response.content.decode()


@pytest.mark.parametrize("sort", ["--name", "-", "", "name-", "pk"])
def test_malformed_sort_uses_the_default_order(
    client, street_user, three_estates, sort
):
    client.force_login(street_user)

    response = client.get(URL, {"sort": sort})

    assert response.status_code == 200
    assert names(response) == names(client.get(URL, {"sort": "community"}))
    assert names(response) == ["甲小区", "乙花园", "丙苑"]


# --- summary and charts ---------------------------------------------------------


def test_summary_figures(client, street_user, three_estates):
    client.force_login(street_user)

    totals = client.get(URL).context["totals"]

    assert totals["estates"] == 3
    assert totals["households"] == 600
    assert totals["residents"] == 1400
    assert totals["open_problems"] == 5
    assert totals["elderly_60"] == 340
    assert totals["elderly_80"] == 30  # factory's 20 + 0 + 10


def test_charts_count_by_category_decade_and_population(
    client, street_user, three_estates
):
    client.force_login(street_user)

    response = client.get(URL)

    problems = chart(response, "chart-problems")
    parking = {s["key"]: s["value"] for s in problems["停车"]["segments"]}
    fire = {s["key"]: s["value"] for s in problems["消防"]["segments"]}
    assert parking == {"open": 2, "planned": 0, "resolved": 0, "recurred": 1}
    assert fire == {"open": 2, "planned": 1, "resolved": 1, "recurred": 0}
    assert problems["消防"]["total"] == 4
    decades = chart(response, "chart-decades")
    assert {label: row["total"] for label, row in decades.items()} == {
        "1980年代": 1,
        "1990年代": 1,
        "2000年代": 1,
    }
    populations = chart(response, "chart-populations")
    assert populations["60岁以上老人（人）"]["total"] == 340
    assert populations["低保户（户）"]["total"] == 9
    # the longest bar fills the track
    assert fire["open"] == 2
    widths = [s["width"] for s in problems["消防"]["segments"]]
    assert sum(widths) == pytest.approx(100)


def test_charts_follow_scope_and_filters(
    client, community_user, three_estates, community
):
    client.force_login(community_user)

    response = client.get(URL, {"decade": "1990"})

    problems = chart(response, "chart-problems")
    assert problems["停车"]["total"] == 2
    assert problems["消防"]["total"] == 1
    assert list(chart(response, "chart-decades")) == ["1990年代"]
    assert chart(response, "chart-populations")["60岁以上老人（人）"]["total"] == 300


def test_charts_are_accessible_and_need_no_other_host(
    client, street_user, three_estates
):
    client.force_login(street_user)

    page = client.get(URL).content.decode()

    assert page.count('role="img"') == 3
    assert page.count('class="chart-data"') == 3
    assert re.findall(r'(?:src|href)="(https?://[^"]+)"', page) == []
    assert "<script" not in page


# --- pagination and query count -----------------------------------------------------


def test_pagination_in_chinese(client, street_user, community):
    EstateFactory.create_batch(51, community=community)
    client.force_login(street_user)

    first = client.get(URL, {"sort": "name"})
    second = client.get(URL, {"sort": "name", "page": 2})

    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 1
    assert "第 1 页，共 2 页" in first.content.decode()
    assert "下一页" in first.content.decode()
    assert 'href="?sort=name&amp;page=2"' in first.content.decode()
    assert "上一页" in second.content.decode()


def _estates_with_problems(count, communities):
    category = ProblemCategoryFactory(name="停车")
    for index in range(count):
        estate = EstateFactory(
            community=communities[index % len(communities)],
            build_year=1980 + index % 25,
            tenant_share=Decimal("10"),
        )
        ProblemFactory(estate=estate, category=category, status=Status.OPEN)


@pytest.mark.parametrize("count", [5, pytest.param(200, marks=pytest.mark.slow)])
@pytest.mark.parametrize("role", ["street", "community"])
def test_query_count_does_not_grow_with_estates(
    client, django_assert_max_num_queries, role_users, community, count, role
):
    _estates_with_problems(count, [community, CommunityFactory(name="白藤社区")])
    client.force_login(role_users[role])

    with django_assert_max_num_queries(10):
        response = client.get(URL, {"sort": "-open_problems"})

    assert response.status_code == 200
    assert len(response.context["page"]) == min(
        50, count if role == "street" else (count + 1) // 2
    )


def test_community_staff_without_a_community_see_an_empty_overview(
    client, three_estates
):
    client.force_login(UserFactory(username="new-worker", role=User.Role.COMMUNITY))

    response = client.get(URL, {"sort": "-elderly_share"})

    assert response.status_code == 200
    assert names(response) == []
    assert response.context["totals"]["estates"] == 0
    assert response.context["totals"]["households"] == 0
    assert all(chart["empty"] for chart in response.context["charts"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    # sorted by -name: 新 (xīn) after 老 (lǎo) in pinyin
    ("cutoff", "names"),
    [("1", ["老一"]), ("0", ["新二"]), ("", ["新二", "老一"])],
)
def test_cutoff_filter_follows_the_setting(
    client, settings, street_user, cutoff, names
):
    settings.REGISTER_BUILD_YEAR_CUTOFF = 2000
    EstateFactory(name="老一", build_year=2000)
    EstateFactory(name="新二", build_year=2001)
    client.force_login(street_user)

    response = client.get(URL, {"cutoff": cutoff, "sort": "-name"})

    assert [estate.name for estate in response.context["page"]] == names
