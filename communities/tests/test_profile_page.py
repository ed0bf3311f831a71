import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from communities.models import EstateNeed, GovernanceBody, Household, Photo, Problem
from communities.tests.factories import (
    BuildingFactory,
    EstateFactory,
    EstateNeedFactory,
    GovernanceBodyFactory,
    GovernanceMemberFactory,
    HouseholdFactory,
    ProblemCategoryFactory,
    ProblemFactory,
)

pytestmark = pytest.mark.django_db


def url(estate):
    return reverse("communities:estate_profile", args=[estate.pk])


def png_bytes(color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), color).save(buffer, "PNG")
    return buffer.getvalue()


def make_photo(estate, *, width=1600, height=1200, **fields) -> Photo:
    """A stored photo row with tiny real files (not through the upload service)."""
    photo = Photo(estate=estate, width=width, height=height, **fields)
    data = png_bytes()
    photo.image.save("photo.png", ContentFile(data), save=False)
    photo.thumbnail_small.save("photo_s.png", ContentFile(data), save=False)
    photo.thumbnail_large.save("photo_l.png", ContentFile(data), save=False)
    photo.save()
    return photo


@pytest.fixture
def estate(community):
    return EstateFactory(
        name="藤翠苑7号小区",
        community=community,
        address="白藤二路7号",
        build_year=1998,
        land_area=Decimal("15674.00"),
        floor_area=Decimal("24631.00"),
        household_count=144,
        resident_count=400,
        elderly_60_count=100,
        elderly_80_count=20,
        disabled_count=5,
        children_count=40,
        low_income_count=3,
        tenant_share=Decimal("20.00"),
        maintenance_fund=Decimal("125000.00"),
        has_owners_committee=True,
        notes="居民集资加民生微实事",
    )


# --- who may see it -------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login_page(client, estate):
    response = client.get(url(estate))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    ("role", "status"),
    [("street", 200), ("community", 200), ("other_community", 404), ("party", 403)],
)
def test_who_may_open_a_profile(client, role_users, estate, role, status):
    client.force_login(role_users[role])

    assert client.get(url(estate)).status_code == status


def test_missing_estate_is_404(client, street_user):
    client.force_login(street_user)

    assert client.get("/estates/987654/").status_code == 404


# --- the register data ----------------------------------------------------------------


def test_register_data_and_derived_indicators(client, community_user, estate):
    client.force_login(community_user)

    page = client.get(url(estate)).content.decode()

    assert "<h1>藤翠苑7号小区" in page
    assert "鹤洲社区 · 白藤二路7号" in page
    assert "15674.00 ㎡" in page
    assert "24631.00 ㎡" in page
    assert "171.0 ㎡" in page  # 24631 / 144 households
    assert "25.0%" in page  # 100 of 400 are 60+
    assert f"{timezone.localdate().year - 1998} 年" in page
    assert "125000.00 元" in page
    assert "已成立" in page
    assert "居民集资加民生微实事" in page
    assert "样例数据" not in page


def test_sample_estates_carry_a_badge(client, street_user, community):
    sample = EstateFactory(community=community, is_sample=True)
    client.force_login(street_user)

    assert '<span class="badge sample">样例数据</span>' in (
        client.get(url(sample)).content.decode()
    )


def test_special_populations_and_household_flags(client, street_user, estate):
    building = BuildingFactory(estate=estate, name="1栋")
    HouseholdFactory(building=building, elderly_living_alone=True)
    HouseholdFactory(building=building, elderly_living_alone=True, has_children=True)
    HouseholdFactory(
        building=building,
        has_disabled_member=True,
        occupancy=Household.Occupancy.RENTED,
    )
    HouseholdFactory(building=building, occupancy=Household.Occupancy.VACANT)
    HouseholdFactory(building=BuildingFactory())  # another estate's
    client.force_login(street_user)

    response = client.get(url(estate))

    figures = response.context["households"]
    assert figures["recorded"] == 4
    assert figures["elderly_living_alone"] == 2
    assert figures["with_disabled"] == 1
    assert figures["with_children"] == 1
    assert [(str(label), n) for label, n in figures["occupancy"]] == [
        ("业主自住", 2),
        ("出租", 1),
        ("空置", 1),
        ("未售出", 0),
    ]
    page = response.content.decode()
    assert "已登记住户（4 户）" in page
    assert "<dt>80岁以上老人</dt><dd>20 人</dd>" in page
    assert "<dt>低保户</dt><dd>3 户</dd>" in page
    assert "<dt>租户占比</dt><dd>20.00%</dd>" in page


def test_buildings_in_natural_order(client, street_user, estate):
    BuildingFactory(estate=estate, name="10栋", storeys=7, has_elevator=True)
    BuildingFactory(estate=estate, name="2栋", storeys=6, unit_count=3)
    client.force_login(street_user)

    response = client.get(url(estate))

    assert [b.name for b in response.context["buildings"]] == ["2栋", "10栋"]
    page = response.content.decode()
    assert (
        '<tr><td>2栋</td><td class="num">6</td><td class="num">3</td><td>无</td></tr>'
        in page
    )


# --- problems -------------------------------------------------------------------------


def test_problems_by_category_and_status(client, street_user, estate):
    parking = ProblemCategoryFactory(name="停车")
    fire = ProblemCategoryFactory(name="消防")
    building = BuildingFactory(estate=estate, name="3栋")
    ProblemFactory(
        estate=estate,
        category=parking,
        status=Problem.Status.OPEN,
        description="电动车楼道充电",
        severity=Problem.Severity.CRITICAL,
        building=building,
        source=Problem.Source.SURVEY,
        reported_on=date(2025, 3, 1),
    )
    ProblemFactory(
        estate=estate,
        category=parking,
        status=Problem.Status.RECURRED,
        description="车辆乱停反弹",
        reported_on=date(2024, 5, 1),
        recurred_on=date(2025, 6, 2),
    )
    ProblemFactory(
        estate=estate,
        category=fire,
        status=Problem.Status.RESOLVED,
        description="灭火器过期",
    )
    ProblemFactory(category=fire, description="别的小区的问题")
    client.force_login(street_user)

    response = client.get(url(estate))

    table = {row["name"]: row for row in response.context["problem_table"]}
    # counts in Problem.Status order: open, planned, resolved, recurred
    assert table["停车"]["counts"] == [1, 0, 0, 1]
    assert table["消防"]["counts"] == [0, 0, 1, 0]
    assert [row["name"] for row in response.context["problem_table"]] == [
        "停车",
        "消防",
    ]
    page = response.content.decode()
    assert "电动车楼道充电" in page
    assert '<span class="severity severity-3">严重</span>' in page
    assert (
        '<td role="cell" data-label="楼栋">3栋</td>'
        '<td role="cell" data-label="来源">问卷调查</td>'
        '<td role="cell" data-label="状态">待解决</td>'
    ) in page
    assert "复发 2025-06-02" in page
    assert "车辆乱停反弹" in page
    assert "灭火器过期" not in page  # resolved: counted, not listed
    assert "别的小区的问题" not in page


# --- photos ---------------------------------------------------------------------------


def test_gallery_pairs_before_and_after_and_sizes_thumbnails(
    client, street_user, estate
):
    before = make_photo(
        estate, stage=Photo.Stage.BEFORE, pair_key="东门", caption="东门改造前"
    )
    after = make_photo(
        estate,
        stage=Photo.Stage.AFTER,
        pair_key="东门",
        caption="东门改造后",
        width=900,
        height=1200,
    )
    lonely = make_photo(
        estate, stage=Photo.Stage.BEFORE, pair_key="北门", caption="北门现状"
    )
    small = make_photo(estate, stage=Photo.Stage.DURING, width=200, height=100)
    client.force_login(street_user)

    response = client.get(url(estate))

    gallery = response.context["gallery"]
    assert len(gallery["pairs"]) == 1
    assert gallery["pairs"][0]["before"].photo == before
    assert gallery["pairs"][0]["after"].photo == after
    assert [item.photo for item in gallery["singles"]] == [lonely, small]
    page = response.content.decode()
    assert (
        f'<a href="{before.thumbnail_large.url}">'
        f'<img src="{before.thumbnail_small.url}"'
        ' width="320" height="240" loading="lazy" alt="东门改造前"></a>'
    ) in page
    assert 'width="240" height="320" loading="lazy" alt="东门改造后"' in page
    assert 'width="200" height="100"' in page  # never upscaled
    assert page.count('class="photo-pair"') == 1
    assert "暂无照片" not in page


# --- forecast and needs ---------------------------------------------------------


def test_forecast_with_formulas_beside_staff_needs(client, street_user, estate):
    BuildingFactory(estate=estate, name="1栋", storeys=7, unit_count=2)
    EstateNeedFactory(
        estate=estate,
        kind=EstateNeed.Kind.ELEVATOR,
        quantity=1,
        description="先试点1栋",
    )
    EstateNeedFactory(
        estate=estate, kind=EstateNeed.Kind.OTHER, quantity=1, description="快递柜"
    )
    client.force_login(street_user)

    response = client.get(url(estate))

    rows = {str(row["kind"]): row for row in response.context["needs"]}
    assert rows["加装电梯"]["line"].quantity == 2
    assert [n.description for n in rows["加装电梯"]["needs"]] == ["先试点1栋"]
    assert rows["其他"]["line"] is None
    assert rows["电动车充电桩"]["line"].quantity == 44
    page = response.content.decode()
    assert "户数 144 × 每户 0.3 个充电桩，向上取整 = 44。" in page
    assert "1（先试点1栋）" in page
    assert "1（快递柜）" in page
    assert "5 年后60岁以上老人占比将由 25.0% 升至 29.0%" in page


def test_forecast_follows_the_rate_settings(client, street_user, estate, settings):
    settings.FORECAST_RATES = {
        **settings.FORECAST_RATES,
        "charging_points_per_household": 1,
    }
    client.force_login(street_user)

    page = client.get(url(estate)).content.decode()

    assert "户数 144 × 每户 1 个充电桩，向上取整 = 144。" in page


# --- governance -----------------------------------------------------------------------


def test_governance_bodies_with_masked_phones(client, street_user, estate):
    body = GovernanceBodyFactory(
        estate=estate,
        name="藤翠苑自管委员会",
        kind=GovernanceBody.Kind.SELF_MANAGEMENT_COMMITTEE,
        established_on=date(2024, 1, 1),
        term_ends_on=date(2026, 12, 31),
    )
    GovernanceMemberFactory(
        body=body,
        name="李红",
        position="主任",
        is_party_member=True,
        phone="13812345678",
    )
    GovernanceMemberFactory(body=body, name="王强", position="委员", phone="")
    client.force_login(street_user)

    page = client.get(url(estate)).content.decode()

    assert "藤翠苑自管委员会" in page
    assert '<span class="badge">自管委员会</span>' in page
    assert "成立 2024-01-01 · 任期届满 2026-12-31" in page
    assert "138****5678" in page
    assert "13812345678" not in page
    assert '<td>李红</td><td>主任</td><td><span class="badge party">党员</span>' in page
    assert "王强" in page


# --- empty states, printing, editing --------------------------------------------------


def test_every_section_has_a_chinese_empty_state(client, street_user, community):
    bare = EstateFactory(
        community=community,
        resident_count=0,
        elderly_60_count=0,
        elderly_80_count=0,
        disabled_count=0,
        children_count=0,
        household_count=0,
        floor_area=None,
        land_area=None,
    )
    client.force_login(street_user)

    page = client.get(url(bare)).content.decode()

    for text in [
        "暂无住户登记",
        "暂无楼栋信息",
        "暂无问题记录",
        "暂无照片",
        "暂无治理组织",
        "未登记",
        "未登记楼栋，无法测算。",
    ]:
        assert text in page, text
    assert "年后60岁以上老人占比" not in page  # no residents: no projection


def test_print_button_and_print_styles(client, street_user, estate):
    client.force_login(street_user)

    page = client.get(url(estate)).content.decode()

    assert re.search(
        r'<p class="actions no-print"><button type="button" '
        r"data-print-photos>打印</button>",
        page,
    )
    assert "onclick" not in page  # no inline script (Content-Security-Policy)
    assert '<link rel="stylesheet" href="/static/css/register.css">' in page
    assert '<script src="/static/js/print_photos.js" defer></script>' in page
    css = b"".join(client.get("/static/css/register.css").streaming_content).decode()
    assert "@media print" in css
    assert "break-inside: avoid" in css


@pytest.mark.parametrize("role", ["street", "community"])
def test_editors_get_a_link_to_the_admin(client, role_users, estate, role):
    client.force_login(role_users[role])

    page = client.get(url(estate)).content.decode()

    change_url = reverse("admin:communities_estate_change", args=[estate.pk])
    assert f'href="{change_url}"' in page


# --- query count ----------------------------------------------------------------------


def _fill(estate, count):
    category = ProblemCategoryFactory(name="停车")
    body = GovernanceBodyFactory(estate=estate)
    for index in range(count):
        building = BuildingFactory(estate=estate, name=f"{index + 1}栋")
        HouseholdFactory(building=building, elderly_living_alone=index % 2 == 0)
        ProblemFactory(estate=estate, category=category, building=building)
        make_photo(
            estate,
            building=building,
            stage=Photo.Stage.BEFORE if index % 2 else Photo.Stage.AFTER,
            pair_key=f"位置{index // 2}",
            caption=f"照片{index}",
        )
        GovernanceMemberFactory(body=body, building=building, phone="13900001111")
        EstateNeedFactory(estate=estate)


@pytest.mark.parametrize("count", [2, 60])
@pytest.mark.parametrize("role", ["street", "community"])
def test_query_count_does_not_grow_with_rows(
    client, django_assert_max_num_queries, role_users, estate, count, role
):
    _fill(estate, count)
    client.force_login(role_users[role])

    # 11, and one more for community staff (may they edit it?)
    with django_assert_max_num_queries(12):
        response = client.get(url(estate))

    assert response.status_code == 200
    assert len(response.context["buildings"]) == count
    assert len(response.context["gallery"]["pairs"]) == count // 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("build_year", "text"),
    [(2004, "符合（2004年及以前建成）"), (2005, "不符合（2004年以后建成）")],
)
def test_profile_says_whether_the_estate_is_within_the_cutoff(
    client, settings, street_user, build_year, text
):
    settings.REGISTER_BUILD_YEAR_CUTOFF = 2004
    estate = EstateFactory(build_year=build_year)
    client.force_login(street_user)

    response = client.get(f"/estates/{estate.pk}/")

    assert text in response.content.decode()
