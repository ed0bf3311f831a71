import io
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from communities.models import Household
from surveys.tests.staff_data import (
    ITEM_NAMES,
    answer_on_paper,
    answer_online,
    many_households,
    survey,
)

pytestmark = pytest.mark.django_db


def url(campaign):
    return reverse("surveys:campaign_results_export", args=[campaign.pk])


def rows(workbook, title):
    return [list(row) for row in workbook[title].iter_rows(values_only=True)]


@pytest.fixture
def data(community, community_user):
    data = survey(community, title="=改造需求征询")
    first, second, third, *_rest = data.households
    Household.objects.filter(pk=first.pk).update(elderly_living_alone=True)
    answer_online(data, first, order=(0, 1, 2), rating=5, text="=HYPERLINK(1)")
    answer_online(data, second, order=(1, 0, 2), option=1, rating=3)
    answer_on_paper(data, third, community_user, order=(1, 2, 0), rating=4)
    return data


def test_export_holds_the_figures_of_the_results_page(client, community_user, data):
    client.force_login(community_user)

    response = client.get(url(data.campaign))

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "概况",
        "各楼栋",
        "点单排名",
        "评分",
        "选择题",
        "意见与答复",
    ]
    summary = dict(rows(workbook, "概况")[1:])
    assert summary["范围内户数"] == 6
    assert summary["已填写户数"] == 3
    assert summary["其中纸质代填"] == 1
    assert Decimal(str(summary["参与率（%）"])) == Decimal("50.0")
    assert summary["已填写的独居老人户"] == 1
    assert summary["其中待答复"] == 1
    assert rows(workbook, "各楼栋")[1:] == [["1栋", 4, 3, 1, 75], ["2栋", 2, 0, 0, 0]]

    menu = rows(workbook, "点单排名")
    assert menu[0][:8] == [
        "题号",
        "题目",
        "计分方式",
        "名次",
        "项目",
        "估算费用（元）",
        "得分",
        "支持户数",
    ]
    assert menu[0][8:10] == ["独居老人户得分", "独居老人户名次"]
    # 雨污: 2 + 3 + 3 = 8; 电梯: 3 + 2 + 1 = 6; 停车: 1 + 1 + 2 = 4.
    assert [(row[3], row[4], row[6], row[7]) for row in menu[1:]] == [
        (1, ITEM_NAMES[1], 8, 3),
        (2, ITEM_NAMES[0], 6, 3),
        (3, ITEM_NAMES[2], 4, 3),
    ]
    elevator = menu[2]
    assert elevator[8:10] == [3, 1]  # the elderly household put it first

    ratings = rows(workbook, "评分")
    assert [(row[2], row[3]) for row in ratings[1:]] == [
        (5, 1),
        (4, 1),
        (3, 1),
        (2, 0),
        (1, 0),
    ]
    assert Decimal(str(ratings[1][5])) == Decimal("4.00")
    assert [(row[2], row[3]) for row in rows(workbook, "选择题")[1:]] == [
        ("同意", 2),
        ("不同意", 1),
    ]


def test_text_never_becomes_a_formula(client, community_user, data):
    client.force_login(community_user)

    workbook = load_workbook(io.BytesIO(client.get(url(data.campaign)).content))

    summary = dict(rows(workbook, "概况")[1:])
    assert summary["征询"] == "'=改造需求征询"
    (words,) = rows(workbook, "意见与答复")[1:]
    assert words[4] == "'=HYPERLINK(1)"
    assert words[:4] == ["1栋", 1, "101", 4]
    assert words[6] == "手机填写"
    assert words[8] == "待答复"
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"


def test_file_name_follows_the_register_scheme(client, community_user, data):
    client.force_login(community_user)

    response = client.get(url(data.campaign))

    name = f"征询结果-改造需求征询-{timezone.localdate():%Y%m%d}.xlsx"
    assert f"filename*=UTF-8''{quote(name, safe='')}" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("role", "status"),
    [("street", 200), ("community", 200), ("other_community", 404), ("party", 403)],
)
def test_export_by_role(client, role_users, data, role, status):
    client.force_login(role_users[role])

    assert client.get(url(data.campaign)).status_code == status


def test_anonymous_cannot_export(client, data):
    assert client.get(url(data.campaign)).status_code == 302


@pytest.mark.parametrize("count", [3, pytest.param(60, marks=pytest.mark.slow)])
def test_export_query_count_does_not_grow(
    client, django_assert_max_num_queries, street_user, community, count
):
    data = survey(community)
    for household in many_households(data.buildings[0], count):
        answer_online(data, household, text="意见")
    client.force_login(street_user)
    client.get(url(data.campaign))

    with django_assert_max_num_queries(10):
        response = client.get(url(data.campaign))

    workbook = load_workbook(io.BytesIO(response.content))
    assert len(rows(workbook, "意见与答复")) == count + 1
