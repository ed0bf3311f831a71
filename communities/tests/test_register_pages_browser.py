import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from communities.excel import ESTATES
from communities.models import Photo, Problem
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
from communities.tests.test_profile_page import make_photo
from conftest import assert_no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROFILE_HEADINGS = [
    "基本数据",
    "特殊人群",
    "楼栋",
    "问题（痛点）",
    "现场照片",
    "需求测算",
    "治理结构",
]


@pytest.fixture
def register(community, other_community):
    """Two estates with every section filled, long texts included, so a narrow
    screen has something to overflow."""
    estate = EstateFactory(
        name="藤翠苑7号小区（白藤街道鹤洲社区老旧小区改造试点）",
        community=community,
        address="珠海市斗门区白藤街道白藤二路藤翠苑7号小区东门",
        build_year=1998,
    )
    EstateFactory(name="福星苑", community=other_community, build_year=1985)
    parking = ProblemCategoryFactory(name="停车")
    fire = ProblemCategoryFactory(name="消防")
    for index in range(6):
        building = BuildingFactory(estate=estate, name=f"{index + 1}栋")
        HouseholdFactory(building=building, elderly_living_alone=True)
        ProblemFactory(
            estate=estate,
            category=parking if index % 2 else fire,
            building=building,
            status=Problem.Status.RECURRED if index == 0 else Problem.Status.OPEN,
            description="电动车在楼道内充电，消防通道被占用，居民多次反映仍未解决" * 2,
            reported_on=date(2025, 3, 1),
            recurred_on=date(2025, 6, 2) if index == 0 else None,
        )
    make_photo(estate, stage=Photo.Stage.BEFORE, pair_key="东门", caption="东门改造前")
    make_photo(estate, stage=Photo.Stage.AFTER, pair_key="东门", caption="东门改造后")
    make_photo(estate, stage=Photo.Stage.DURING, caption="施工中的雨污分流管网")
    body = GovernanceBodyFactory(estate=estate, name="藤翠苑7号小区自管委员会")
    GovernanceMemberFactory(
        body=body,
        name="李红",
        position="主任",
        is_party_member=True,
        phone="13812345678",
        term_start=date(2024, 1, 1),
        term_end=date(2026, 12, 31),
    )
    EstateNeedFactory(estate=estate, description="先在3栋试点加装电梯，再逐步推开")
    return estate


def log_in(page, live_server, next_path):
    page.goto(f"{live_server.url}/admin/login/?next={next_path}")
    page.fill("#id_username", "street")
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_path}")


def test_staff_open_the_overview_and_a_profile(
    live_server, desktop_page, street_user, register
):
    page = desktop_page
    log_in(page, live_server, "/estates/")

    rows = page.locator("table.estates tbody tr")
    assert rows.count() == 2
    assert rows.first.is_visible()
    assert page.locator("#chart-problems .bars").is_visible()
    assert page.locator("#chart-decades .bar").count() == 2

    page.click("th >> text=户数")
    page.wait_for_url("**/estates/?sort=households")
    assert page.locator("th[aria-sort=ascending]").inner_text().startswith("户数")

    page.click(f"text={register.name}")
    page.wait_for_url(f"{live_server.url}/estates/{register.pk}/")
    assert page.locator("h1").inner_text().startswith(register.name)
    assert page.locator("main h2").all_inner_texts() == PROFILE_HEADINGS
    assert page.locator(".photo-pair img").count() == 2
    assert page.get_by_role("button", name="打印").is_visible()

    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="打印").is_visible()
    assert not page.locator(".site-header").is_visible()


def test_register_pages_fit_a_phone(live_server, phone_page, street_user, register):
    page = phone_page
    log_in(page, live_server, f"/estates/{register.pk}/")

    assert page.locator("main h2").all_inner_texts() == PROFILE_HEADINGS
    assert_no_horizontal_scroll(page)

    page.goto(f"{live_server.url}/estates/")
    assert page.locator("table.estates tbody tr").count() == 2
    assert page.locator("#chart-populations .bars").is_visible()
    assert_no_horizontal_scroll(page)


ALL_PHOTOS_LOADED = """() => Array.from(document.querySelectorAll('.photo img'))
    .every(image => image.loading === 'eager' && image.complete
                    && image.naturalWidth > 0)"""
UNLOADED_PHOTOS = """() => Array.from(document.querySelectorAll('.photo img'))
    .filter(image => image.naturalWidth === 0).length"""


@pytest.fixture
def many_photos(register):
    for number in range(40):
        make_photo(register, stage=Photo.Stage.DURING, caption=f"施工照片{number}")
    return register


def test_printing_loads_every_lazy_photo(
    live_server, phone_page, street_user, many_photos
):
    page = phone_page
    log_in(page, live_server, f"/estates/{many_photos.pk}/")
    page.wait_for_load_state("load")
    # Photos far below the first screen have not loaded.
    assert page.evaluate(UNLOADED_PHOTOS) > 0

    page.emulate_media(media="print")

    page.wait_for_function(ALL_PHOTOS_LOADED, timeout=10_000)


def test_the_print_button_waits_for_the_photos(
    live_server, phone_page, street_user, many_photos
):
    page = phone_page
    page.add_init_script(
        "window.print = () => { window.unloadedWhenPrinted = Array.from("
        "document.querySelectorAll('.photo img')).filter(i => !i.complete).length; };"
    )
    log_in(page, live_server, f"/estates/{many_photos.pk}/")
    page.wait_for_load_state("load")
    assert page.evaluate(UNLOADED_PHOTOS) > 0

    page.get_by_role("button", name="打印").click()

    page.wait_for_function("() => window.unloadedWhenPrinted !== undefined")
    assert page.evaluate("() => window.unloadedWhenPrinted") == 0


CELL_OVERFLOW = """(selector) => Array.from(document.querySelectorAll(selector))
    .filter(cell => cell.getBoundingClientRect().right > window.innerWidth
                    || cell.getBoundingClientRect().left < 0)
    .map(cell => cell.textContent.trim())"""


def test_problems_and_forecast_are_cards_on_a_phone(
    live_server, phone_page, street_user, register
):
    page = phone_page
    log_in(page, live_server, f"/estates/{register.pk}/")

    for table in ("table.problems", "table.forecast"):
        wrap = page.locator(f".table-wrap:has({table})")
        assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth"), table
        assert page.evaluate(CELL_OVERFLOW, f"{table} tbody td") == []
    severity = page.locator("table.problems tbody tr").first.locator("td").nth(2)
    assert severity.is_visible()
    assert severity.evaluate("el => getComputedStyle(el, '::before').content") in (
        '"严重程度"',
        '"严重程度" / ""',
    )
    # The header row is hidden from the eye only; the table stays a table.
    assert page.get_by_role("columnheader", name="状态").count() == 1
    assert page.get_by_role("table").count() >= 2


def test_problems_stay_a_table_on_a_desktop(
    live_server, desktop_page, street_user, register
):
    page = desktop_page
    log_in(page, live_server, f"/estates/{register.pk}/")

    header = page.locator("table.problems thead")
    assert header.is_visible()
    assert header.bounding_box()["height"] > 20
    assert (
        page.locator("table.problems").evaluate("el => getComputedStyle(el).display")
        == "table"
    )


def test_overview_exports_what_it_shows(
    live_server, desktop_page, street_user, register
):
    page = desktop_page
    log_in(page, live_server, "/estates/")
    page.select_option("#id_community", label="鹤洲社区")
    page.get_by_role("button", name="筛选", exact=True).click()
    page.wait_for_url("**/estates/?*community=*")

    with page.expect_download() as info:
        page.get_by_role("button", name="导出筛选结果（Excel）").click()

    download = info.value
    assert re.fullmatch(
        r"白藤街道小区登记_鹤洲社区_\d{8}-\d{4}\.xlsx", download.suggested_filename
    )
    with open(download.path(), "rb") as stored:
        sheet = load_workbook(io.BytesIO(stored.read()), read_only=True)[ESTATES]
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == [register.name]
