import csv
import io
import re

import pytest
from django.core.management import CommandError, call_command

from communities.tests.factories import BuildingFactory, EstateFactory, HouseholdFactory
from surveys.codes import format_code, qr_svg
from surveys.models import AccessCode, OpenLink
from surveys.tests.factories import AccessCodeFactory
from surveys.tests.staff_data import estate_with_households

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate(community, settings):
    settings.PUBLIC_BASE_URL = "https://baiteng.example.org"
    estate, buildings, households = estate_with_households(community)
    return estate, buildings, households


def run(*args) -> str:
    out = io.StringIO()
    call_command("household_codes", *args, stdout=out)
    return out.getvalue()


def test_csv_has_one_row_per_household_and_issues_missing_codes(estate):
    estate_, buildings, households = estate
    kept = AccessCodeFactory(household=households[0])

    text = run("--estate", "藤翠苑7号小区", "--format", "csv")

    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["楼栋", "单元", "房号", "访问码", "链接"]
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
        ("1栋", "1", "101"),
        ("1栋", "1", "102"),
        ("1栋", "1", "201"),
        ("1栋", "1", "202"),
        ("2栋", "1", "101"),
        ("2栋", "1", "102"),
    ]
    assert AccessCode.objects.filter(is_active=True).count() == 6
    assert rows[1][3] == format_code(kept.code)  # an existing code is kept
    for row in rows[1:]:
        code = row[3]
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){2}", code)
        assert row[4] == f"https://baiteng.example.org/s/{code.replace('-', '')}/"
    issued_by = AccessCode.objects.exclude(pk=kept.pk).values_list(
        "issued_by", flat=True
    )
    assert set(issued_by) == {None}  # issued by the platform itself


def test_printing_twice_prints_the_same_codes(estate):
    first = run("--estate", "藤翠苑7号小区", "--format", "csv")
    second = run("--estate", "藤翠苑7号小区", "--format", "csv")

    assert first == second


def test_one_building_and_a_file(estate, tmp_path):
    path = tmp_path / "codes.csv"

    message = run(
        "--estate",
        "藤翠苑7号小区",
        "--building",
        "2",
        "--format",
        "csv",
        "--output",
        str(path),
    )

    assert "2 户，其中新发放访问码 2 户" in message
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["2栋", "2栋"]
    assert AccessCode.objects.count() == 2


def test_text_that_looks_like_a_formula_is_neutralised(community):
    building = BuildingFactory(estate=EstateFactory(name="公式小区"), name="=1+1")
    HouseholdFactory(building=building, number="@101")

    rows = list(csv.reader(io.StringIO(run("--estate", "公式小区", "--format", "csv"))))

    assert rows[1][:3] == ["'=1+1", "1", "'@101"]


def test_html_has_one_qr_code_per_household_and_nothing_external(estate):
    _estate, _buildings, households = estate

    html = run("--estate", "藤翠苑7号小区", "--format", "html")

    assert html.startswith("<!doctype html>")
    assert html.count('<div class="qr-household"') == len(households)
    assert (
        html.count(
            '<div class="qr-household" role="img" aria-label="本户专用二维码"><svg'
        )
        == 6
    )
    assert html.count('<section class="sheet"') == 1  # six slips fit one A4 sheet
    for code in AccessCode.objects.all():
        assert format_code(code.code) in html
        url = f"https://baiteng.example.org/s/{code.code}/"
        assert url in html
        assert qr_svg(url) in html
    link = OpenLink.objects.get()
    open_qr = qr_svg(f"https://baiteng.example.org/o/{link.token}/")
    assert html.count(open_qr) == 6  # the estate's open link on every slip
    assert "<style>" in html
    assert "@page" in html
    # Nothing to fetch: no stylesheet link, script, image or remote address.
    assert not re.search(r"<(link|script|img|iframe)\b", html)
    assert not re.search(r"(src|href)=", html)
    assert "url(" not in html
    assert "扫一扫" in html
    assert "上门帮您填写" in html


def test_html_fills_a_new_sheet_after_eight_slips(community):
    estate, _buildings, _households = estate_with_households(
        community, name="大小区", per_building=(9,)
    )

    html = run("--estate", "大小区", "--format", "html")

    assert html.count('<section class="sheet"') == 2
    assert html.count('<article class="slip"') == 9


def test_unknown_estate_or_building_is_a_clear_error(estate):
    with pytest.raises(CommandError, match="小区「没有这个小区」不存在"):
        run("--estate", "没有这个小区", "--format", "csv")
    with pytest.raises(CommandError, match="没有楼栋「9栋」"):
        run("--estate", "藤翠苑7号小区", "--building", "9栋", "--format", "csv")


def test_an_ambiguous_estate_name_asks_for_the_community(estate, other_community):
    EstateFactory(name="藤翠苑7号小区", community=other_community)

    with pytest.raises(CommandError, match="--community"):
        run("--estate", "藤翠苑7号小区", "--format", "csv")
    text = run("--estate", "藤翠苑7号小区", "--community", "鹤洲", "--format", "csv")
    assert len(text.strip().splitlines()) == 7
