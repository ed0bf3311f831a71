"""The register export: the overview exports exactly its filtered estates, every
export shares one file name scheme, and a large one is built by a Celery task
while a page shows its progress."""

import io
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from communities import exports
from communities.excel import ESTATES
from communities.models import RegisterExport
from communities.tests.factories import (
    BuildingFactory,
    CommunityFactory,
    EstateFactory,
    HouseholdFactory,
)

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("communities:estate_overview")
EXPORT = reverse("communities:estate_export")
NAME = re.compile(r"白藤街道小区登记_(?P<scope>.+)_(?P<time>\d{8}-\d{4})\.xlsx")


def file_name(response) -> str:
    """The UTF-8 file name of an attachment (RFC 5987 filename*)."""
    disposition = response["Content-Disposition"]
    match = re.search(r"filename\*=(?i:utf-8)''([^;]+)", disposition)
    assert match, disposition
    return unquote(match.group(1))


def estate_names(response) -> list[str]:
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    sheet = load_workbook(io.BytesIO(content), read_only=True)[ESTATES]
    return sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True))


@pytest.fixture
def register(community, other_community):
    old = EstateFactory(community=community, name="藤翠苑7号小区", build_year=1990)
    EstateFactory(community=community, name="逸鸿花园", build_year=2010)
    EstateFactory(community=other_community, name="福星苑", build_year=1988)
    return old


def test_overview_offers_an_export_of_its_filters(client, street_user, register):
    client.force_login(street_user)

    page = client.get(
        OVERVIEW, {"community": register.community_id, "sort": "name", "page": "1"}
    ).content.decode()

    action = f'action="{EXPORT}?community={register.community_id}"'
    assert f'<form class="export no-print" method="post" {action}>' in page
    assert "导出筛选结果（Excel）" in page


def test_export_holds_exactly_the_filtered_estates(client, street_user, register):
    client.force_login(street_user)

    response = client.post(f"{EXPORT}?community={register.community_id}&cutoff=1")

    assert response.status_code == 200
    assert estate_names(response) == ["藤翠苑7号小区"]
    match = NAME.fullmatch(file_name(response))
    assert match and match["scope"] == "鹤洲社区_筛选结果"
    assert "no-store" in response["Cache-Control"]


def test_search_filter_is_kept(client, street_user, register):
    client.force_login(street_user)

    response = client.post(f"{EXPORT}?q=花园")

    assert estate_names(response) == ["逸鸿花园"]
    assert NAME.fullmatch(file_name(response))["scope"] == "筛选结果"


def test_community_staff_export_only_their_estates(client, community_user, register):
    client.force_login(community_user)

    response = client.post(EXPORT)

    assert estate_names(response) == ["藤翠苑7号小区", "逸鸿花园"]
    assert NAME.fullmatch(file_name(response))["scope"] == "鹤洲社区"


def test_street_staff_export_everything_by_default(client, street_user, register):
    client.force_login(street_user)

    response = client.post(EXPORT)

    assert estate_names(response) == ["福星苑", "藤翠苑7号小区", "逸鸿花园"]
    assert NAME.fullmatch(file_name(response))["scope"] == "全部小区"


def test_export_needs_a_post(client, street_user, register):
    client.force_login(street_user)

    assert client.get(EXPORT).status_code == 405


@pytest.mark.parametrize("role, status", [("party", 403), ("anonymous", 302)])
def test_export_refuses_others(client, role_users, register, role, status):
    if role_users[role] is not None:
        client.force_login(role_users[role])

    assert client.post(EXPORT).status_code == status


def test_register_export_and_admin_action_share_the_name_scheme(
    client, street_user, register
):
    client.force_login(street_user)

    register_export = client.get(
        reverse("communities:register_export"), {"ids": str(register.pk)}
    )
    action = client.post(
        reverse("admin:communities_estate_changelist"),
        {"action": "export_selected", "_selected_action": [register.pk]},
    )

    for response in (register_export, action):
        assert response.status_code == 200
        assert estate_names(response) == ["藤翠苑7号小区"]
        assert NAME.fullmatch(file_name(response))["scope"] == "所选1个小区"


def test_file_name_scheme():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    at = datetime(2026, 3, 5, 1, 7, tzinfo=ZoneInfo("UTC"))  # 09:07 in Zhuhai

    assert exports.export_file_name("鹤洲社区", at) == (
        "白藤街道小区登记_鹤洲社区_20260305-0907.xlsx"
    )
    assert exports.export_file_name('a/b:"c"', at).startswith("白藤街道小区登记_abc_")


@pytest.mark.parametrize("count", [2, 20])
def test_small_export_queries_do_not_grow(
    client, street_user, community, count, django_assert_max_num_queries
):
    for _n in range(count):
        building = BuildingFactory(estate=EstateFactory(community=community))
        HouseholdFactory(building=building)
    client.force_login(street_user)

    # session, user, the filter form's decades, the row count, four for the
    # register
    with django_assert_max_num_queries(8):
        response = client.post(EXPORT)

    assert response.status_code == 200


# --- large exports: a Celery task and a progress page ------------------------------


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.REGISTER_EXPORT_SYNC_MAX_ROWS = 3


@pytest.fixture
def big(community):
    estate = EstateFactory(community=community, name="幸福园小区")
    for number in range(3):
        HouseholdFactory(building=BuildingFactory(estate=estate), number=f"10{number}")
    return estate


def test_large_export_runs_in_the_background(
    client, street_user, big, eager, django_capture_on_commit_callbacks
):
    client.force_login(street_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(EXPORT)

    job = RegisterExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    assert job.status == RegisterExport.Status.DONE
    assert job.rows_total == 1 + 3 + 3
    assert NAME.fullmatch(job.file_name)["scope"] == "全部小区"

    page = client.get(job.get_absolute_url()).content.decode()
    download = client.get(reverse("communities:estate_export_download", args=[job.pk]))

    assert "已生成，共 7 行。" in page
    assert 'http-equiv="refresh"' not in page
    assert download.status_code == 200
    assert file_name(download) == job.file_name
    assert estate_names(download) == ["幸福园小区"]


def test_a_running_export_shows_its_progress_and_refreshes(
    client, street_user, big, eager
):
    client.force_login(street_user)
    job = RegisterExport.objects.create(
        created_by=street_user,
        scope="全部小区",
        file_name="x.xlsx",
        status=RegisterExport.Status.RUNNING,
        rows_total=200,
        rows_written=50,
        progress=25,
    )

    response = client.get(job.get_absolute_url())

    page = response.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert 'max="100" value="25"' in page
    assert "已写入 50 / 200 行" in page
    assert "no-store" in response["Cache-Control"]
    download = reverse("communities:estate_export_download", args=[job.pk])
    assert client.get(download).status_code == 404


def test_one_export_at_a_time_per_user(client, street_user, big, eager):
    client.force_login(street_user)
    running = RegisterExport.objects.create(
        created_by=street_user,
        scope="全部小区",
        file_name="x.xlsx",
        status=RegisterExport.Status.QUEUED,
    )

    response = client.post(EXPORT, follow=True)

    assert response.redirect_chain[-1][0] == running.get_absolute_url()
    assert "您已有一个导出正在生成" in response.content.decode()
    assert RegisterExport.objects.count() == 1


def test_nobody_else_sees_or_downloads_an_export(
    client, street_user, big, eager, django_capture_on_commit_callbacks
):
    client.force_login(street_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(EXPORT)
    job = RegisterExport.objects.get()
    other = CommunityFactory(name="白藤社区")
    colleague = type(street_user).objects.create_user(
        "colleague", password="x-pass-123", role=street_user.role
    )
    colleague.communities.set([other])
    client.force_login(colleague)

    assert client.get(job.get_absolute_url()).status_code == 404
    download = reverse("communities:estate_export_download", args=[job.pk])
    assert client.get(download).status_code == 404


def test_the_task_exports_within_the_creators_scope(
    client, community_user, big, other_community, eager,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    EstateFactory(community=other_community, name="福星苑")
    client.force_login(community_user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(EXPORT)

    job = RegisterExport.objects.get()
    download = client.get(reverse("communities:estate_export_download", args=[job.pk]))
    assert estate_names(download) == ["幸福园小区"]


def test_a_task_delivered_twice_writes_once(
    client, street_user, big, eager, django_capture_on_commit_callbacks
):
    from communities.tasks import register_export_task

    client.force_login(street_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(EXPORT)
    job = RegisterExport.objects.get()
    written = job.stored_path.stat().st_mtime_ns

    register_export_task.delay(str(job.pk))

    job.refresh_from_db()
    assert job.status == RegisterExport.Status.DONE
    assert job.stored_path.stat().st_mtime_ns == written


def test_a_failed_export_says_why(
    client, street_user, big, eager, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("communities.excel.export_register", broken)
    client.force_login(street_user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(EXPORT)

    job = RegisterExport.objects.get()
    page = client.get(job.get_absolute_url()).content.decode()
    assert job.status == RegisterExport.Status.FAILED
    assert "生成文件时出错，请稍后重试。" in page
    assert not job.stored_path.exists()


def test_a_large_get_export_asks_before_starting(client, street_user, big, eager):
    client.force_login(street_user)

    response = client.get(reverse("communities:register_export"), {"ids": str(big.pk)})

    page = response.content.decode()
    assert response.status_code == 200
    assert f'<form method="post" action="{EXPORT}?ids={big.pk}">' in page
    assert not RegisterExport.objects.exists()
