import re
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote
from uuid import uuid4

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from communities.excel import BUILDINGS, ESTATES, HOUSEHOLDS
from communities.models import Building, Estate, Household, RegisterImport
from communities.tests.excel_samples import (
    building_row,
    estate_row,
    household_row,
    read_sheet,
    workbook_bytes,
)
from communities.tests.factories import (
    BuildingFactory,
    EstateFactory,
    HouseholdFactory,
    OwnerFactory,
)
from conftest import assert_no_horizontal_scroll

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("communities:register_import")
TEMPLATE_URL = reverse("communities:register_template")
EXPORT_URL = reverse("communities:register_export")
ESTATE_LIST = "/admin/communities/estate/"


def PROGRESS_URL(job) -> str:  # noqa: N802
    return reverse("communities:register_import_progress", args=[job.pk])


@pytest.fixture
def run_tasks(settings, django_capture_on_commit_callbacks):
    """Celery runs eagerly, and what the request enqueues on commit runs."""
    settings.CELERY_TASK_ALWAYS_EAGER = True

    @contextmanager
    def run():
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            yield callbacks

    return run


def xlsx(data: bytes, name: str = "登记表.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def good_workbook(community_name="鹤洲社区") -> bytes:
    return workbook_bytes(
        {
            ESTATES: [estate_row(**{"所属社区": community_name})],
            BUILDINGS: [building_row(**{"所属社区": community_name})],
            HOUSEHOLDS: [household_row(**{"所属社区": community_name})],
        }
    )


def pending_files(settings) -> list[Path]:
    folder = Path(settings.REGISTER_IMPORT_DIR)
    return sorted(folder.glob("*")) if folder.exists() else []


@pytest.mark.parametrize("url", [IMPORT_URL, TEMPLATE_URL, EXPORT_URL])
def test_anonymous_users_are_sent_to_log_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")


@pytest.mark.parametrize("url", [IMPORT_URL, TEMPLATE_URL, EXPORT_URL])
def test_outside_parties_are_refused(client, party_user, url):
    client.force_login(party_user)

    assert client.get(url).status_code == 403


def test_outside_parties_cannot_post_a_file(client, party_user, community):
    client.force_login(party_user)

    response = client.post(IMPORT_URL, {"file": xlsx(good_workbook())})

    assert response.status_code == 403
    assert Estate.objects.count() == 0


def test_upload_form_links_the_blank_template(client, street_user):
    client.force_login(street_user)

    response = client.get(IMPORT_URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in page
    assert "csrfmiddlewaretoken" in page
    assert f'href="{TEMPLATE_URL}"' in page


def job_of(user) -> RegisterImport:
    return RegisterImport.objects.filter(created_by=user).latest("created_at")


def test_upload_check_preview_confirm(
    client, street_user, community, settings, run_tasks
):
    client.force_login(street_user)

    # when: the file is uploaded, a task checks it; the page previews it
    with run_tasks():
        uploaded = client.post(IMPORT_URL, {"file": xlsx(good_workbook())})

    job = job_of(street_user)
    assert uploaded.status_code == 302
    assert uploaded["Location"] == job.get_absolute_url()
    assert job.status == RegisterImport.Status.CHECKED
    preview = client.get(job.get_absolute_url())
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "文件检查通过，尚未写入" in page
    assert "藤翠苑7号小区" in page
    # the confirm button before the preview tables and after them
    assert page.count('value="confirm"') == 2
    assert page.rindex('value="confirm"') > page.rindex("import-table")
    assert Estate.objects.count() == 0
    assert pending_files(settings) == [job.stored_path]

    # when: the user confirms, a task imports it in one go
    with run_tasks():
        confirmed = client.post(job.get_absolute_url(), {"action": "confirm"})

    assert confirmed.status_code == 302
    assert confirmed["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == RegisterImport.Status.DONE
    assert job.finished_at is not None
    assert Estate.objects.get().name == "藤翠苑7号小区"
    assert Building.objects.count() == 1
    assert Household.objects.count() == 1
    assert pending_files(settings) == []
    done = client.get(job.get_absolute_url()).content.decode()
    assert (
        "登记表已导入：「小区」：新增 1，更新 0，无变化 0；"
        "「楼栋」：新增 1，更新 0，无变化 0；「户」：新增 1，更新 0，无变化 0。"
    ) in done


def test_a_job_cannot_be_confirmed_twice(client, street_user, community, run_tasks):
    client.force_login(street_user)
    with run_tasks():
        client.post(IMPORT_URL, {"file": xlsx(good_workbook())})
    job = job_of(street_user)
    with run_tasks():
        client.post(job.get_absolute_url(), {"action": "confirm"})

    with run_tasks():
        again = client.post(job.get_absolute_url(), {"action": "confirm"})

    assert again.status_code == 409
    assert "导入预览已失效" in again.content.decode()
    assert Estate.objects.count() == 1


def test_bad_rows_are_listed_and_nothing_can_be_confirmed(
    client, street_user, community, settings, run_tasks
):
    client.force_login(street_user)
    data = workbook_bytes({ESTATES: [estate_row(**{"建成年代": "九十年代"})]})

    with run_tasks():
        client.post(IMPORT_URL, {"file": xlsx(data)})

    job = job_of(street_user)
    assert job.status == RegisterImport.Status.REFUSED
    response = client.get(job.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "文件有 1 处问题，未写入任何数据" in page
    assert '<td>小区</td><td class="num">2</td><td>建成年代</td>' in page
    assert "「九十年代」不是有效的年份" in page
    assert 'value="confirm"' not in page
    assert "修改后重新上传" in page
    assert pending_files(settings) == []
    assert Estate.objects.count() == 0
    with run_tasks():
        refused = client.post(job.get_absolute_url(), {"action": "confirm"})
    assert refused.status_code == 409
    assert Estate.objects.count() == 0


def test_community_staff_cannot_import_rows_of_another_community(
    client, community_user, community, other_community, run_tasks
):
    client.force_login(community_user)

    with run_tasks():
        client.post(IMPORT_URL, {"file": xlsx(good_workbook("群兴社区"))})

    page = client.get(job_of(community_user).get_absolute_url()).content.decode()
    assert "您只能导入所负责社区的数据，不能导入「群兴社区」的小区。" in page
    assert 'value="confirm"' not in page
    assert Estate.objects.count() == 0


def test_community_staff_import_their_own_community(
    client, community_user, community, run_tasks
):
    client.force_login(community_user)
    with run_tasks():
        client.post(IMPORT_URL, {"file": xlsx(good_workbook())})
    job = job_of(community_user)

    with run_tasks():
        client.post(job.get_absolute_url(), {"action": "confirm"})

    assert Estate.objects.get().community == community


def test_someone_elses_job_is_missing(
    client, street_user, community, other_community_user, settings, run_tasks
):
    client.force_login(street_user)
    with run_tasks():
        client.post(IMPORT_URL, {"file": xlsx(good_workbook())})
    job = job_of(street_user)
    client.logout()
    client.force_login(other_community_user)

    page = client.get(job.get_absolute_url())
    progress = client.get(PROGRESS_URL(job))
    with run_tasks():
        confirm = client.post(job.get_absolute_url(), {"action": "confirm"})

    assert (page.status_code, progress.status_code, confirm.status_code) == (
        404,
        404,
        404,
    )
    job.refresh_from_db()
    assert job.status == RegisterImport.Status.CHECKED
    assert Estate.objects.count() == 0
    assert len(pending_files(settings)) == 1


def test_an_unknown_job_is_missing(client, street_user):
    client.force_login(street_user)

    response = client.get(reverse("communities:register_import_job", args=[uuid4()]))

    assert response.status_code == 404


@pytest.mark.parametrize(
    "url", ["/estates/import/../../etc/passwd/", "/estates/import/x/"]
)
def test_forged_job_addresses_are_not_found(client, street_user, url):
    client.force_login(street_user)

    assert client.get(url).status_code == 404


def test_cancel_deletes_the_pending_upload(
    client, street_user, community, settings, run_tasks
):
    client.force_login(street_user)
    with run_tasks():
        client.post(IMPORT_URL, {"file": xlsx(good_workbook())})
    job = job_of(street_user)

    response = client.post(job.get_absolute_url(), {"action": "cancel"})

    assert response.status_code == 302
    assert response["Location"] == IMPORT_URL
    job.refresh_from_db()
    assert job.status == RegisterImport.Status.CANCELLED
    assert pending_files(settings) == []
    assert Estate.objects.count() == 0


def test_a_new_upload_replaces_the_previous_pending_one(
    client, street_user, community, settings, run_tasks
):
    client.force_login(street_user)
    with run_tasks():
        client.post(IMPORT_URL, {"file": xlsx(good_workbook())})
    first = job_of(street_user)

    with run_tasks():
        client.post(IMPORT_URL, {"file": xlsx(good_workbook())})

    second = job_of(street_user)
    first.refresh_from_db()
    assert first.status == RegisterImport.Status.CANCELLED
    assert second.status == RegisterImport.Status.CHECKED
    assert pending_files(settings) == [second.stored_path]


def test_a_second_upload_while_one_runs_gets_a_clear_message(
    client, street_user, community, settings, run_tasks
):
    running = RegisterImport.objects.create(
        created_by=street_user,
        file_name="第一批.xlsx",
        status=RegisterImport.Status.CHECKING,
    )
    client.force_login(street_user)

    with run_tasks():
        response = client.post(IMPORT_URL, {"file": xlsx(good_workbook())})

    page = response.content.decode()
    assert response.status_code == 409
    assert "您已有一个登记表正在检查或导入，请等它完成后再上传新的文件。" in page
    assert running.get_absolute_url() in page
    assert RegisterImport.objects.filter(created_by=street_user).count() == 1
    assert pending_files(settings) == []


def test_the_database_allows_one_running_import_per_user(street_user):
    from django.db import IntegrityError, transaction

    RegisterImport.objects.create(
        created_by=street_user, status=RegisterImport.Status.IMPORTING
    )

    with pytest.raises(IntegrityError, match="register_import_one_running_per_user"):
        with transaction.atomic():
            RegisterImport.objects.create(
                created_by=street_user, status=RegisterImport.Status.QUEUED
            )


def test_other_users_may_import_at_the_same_time(
    client, street_user, community_user, community, run_tasks
):
    RegisterImport.objects.create(
        created_by=street_user, status=RegisterImport.Status.IMPORTING
    )
    client.force_login(community_user)

    with run_tasks():
        response = client.post(IMPORT_URL, {"file": xlsx(good_workbook())})

    assert response.status_code == 302
    assert job_of(community_user).status == RegisterImport.Status.CHECKED


def test_a_running_job_shows_its_progress_without_and_with_javascript(
    client, street_user
):
    job = RegisterImport.objects.create(
        created_by=street_user,
        file_name="白藤登记表.xlsx",
        status=RegisterImport.Status.CHECKING,
        phase=RegisterImport.Phase.READING,
        progress=42,
        rows_read=12345,
    )
    client.force_login(street_user)

    response = client.get(job.get_absolute_url())

    page = response.content.decode()
    assert response.status_code == 200
    assert "正在检查：白藤登记表.xlsx" in page
    assert '<progress id="import-progress" max="100" value="42">42%</progress>' in page
    assert "读取表格：42%（已读取 12,345 行）" in page
    # without JavaScript the page refreshes itself; with it, a static script polls
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert f'data-progress-url="{PROGRESS_URL(job)}"' in page
    assert '<script src="/static/js/register_import.js" defer></script>' in page
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert "no-cache" in response["Cache-Control"]


def test_the_progress_endpoint_answers_json(client, street_user):
    job = RegisterImport.objects.create(
        created_by=street_user,
        file_name="白藤登记表.xlsx",
        status=RegisterImport.Status.IMPORTING,
        phase=RegisterImport.Phase.CHECKING,
        progress=75,
        rows_read=40000,
    )
    client.force_login(street_user)

    running = client.get(PROGRESS_URL(job)).json()
    RegisterImport.objects.filter(pk=job.pk).update(
        status=RegisterImport.Status.DONE, progress=100
    )
    done = client.get(PROGRESS_URL(job)).json()

    assert running == {
        "status": "importing",
        "running": True,
        "progress": 75,
        "rows_read": 40000,
        "text": "核对登记数据：75%（已读取 40,000 行）",
    }
    assert (done["status"], done["running"], done["text"]) == ("done", False, "已导入")


def test_a_job_whose_task_vanished_is_reported_as_interrupted(
    client, street_user, settings
):
    job = RegisterImport.objects.create(
        created_by=street_user,
        file_name="白藤登记表.xlsx",
        status=RegisterImport.Status.IMPORTING,
        updated_at=timezone.now() - timedelta(hours=1),
    )
    job.stored_path.parent.mkdir(parents=True)
    job.stored_path.write_bytes(b"PK")
    client.force_login(street_user)

    page = client.get(job.get_absolute_url()).content.decode()

    job.refresh_from_db()
    assert job.status == RegisterImport.Status.FAILED
    assert "导入中断（后台处理超时或服务重启），未写入任何数据" in page
    assert pending_files(settings) == []


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("登记表.csv", b"a,b\n", "请上传 .xlsx 格式的 Excel 文件"),
        ("登记表.xlsx", b"not a zip", "文件不是 Excel 工作簿（.xlsx）"),
    ],
)
def test_files_that_are_not_workbooks_get_a_clear_message(
    client, street_user, name, data, message, run_tasks
):
    client.force_login(street_user)

    with run_tasks():
        response = client.post(IMPORT_URL, {"file": xlsx(data, name)})
    if response.status_code == 302:  # a job: its check found the problem
        response = client.get(response["Location"])

    assert message in response.content.decode()
    assert response.status_code in (200, 400)


def test_oversize_upload_is_refused(client, street_user, settings):
    settings.REGISTER_IMPORT_MAX_BYTES = 100
    client.force_login(street_user)

    response = client.post(IMPORT_URL, {"file": xlsx(good_workbook())})

    assert response.status_code == 400
    assert "文件太大" in response.content.decode()
    assert RegisterImport.objects.count() == 0


def test_upload_needs_the_csrf_token(street_user, community):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(street_user)

    response = client.post(IMPORT_URL, {"file": xlsx(good_workbook())})

    assert response.status_code == 403
    assert RegisterImport.objects.count() == 0


def test_blank_template_download(client, community_user):
    client.force_login(community_user)

    response = client.get(TEMPLATE_URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = response["Content-Disposition"]
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "小区登记表模板.xlsx"
    assert read_sheet(response.content, ESTATES)[0][:2] == ("所属社区", "小区名称")


def test_export_contains_only_what_the_user_may_see(
    client, community_user, community, other_community
):
    EstateFactory(community=community, name="藤翠苑7号小区")
    EstateFactory(community=other_community, name="逸鸿花园")
    client.force_login(community_user)

    response = client.get(EXPORT_URL)

    assert response.status_code == 200
    names = [row[1] for row in read_sheet(response.content, ESTATES)[1:]]
    assert names == ["藤翠苑7号小区"]
    # 白藤街道小区登记_<scope>_<YYYYMMDD-HHMM>.xlsx (communities.exports)
    assert (
        "filename*=UTF-8''%E7%99%BD%E8%97%A4%E8%A1%97%E9%81%93%E5%B0%8F%E5%8C%BA"
        "%E7%99%BB%E8%AE%B0_%E9%B9%A4%E6%B4%B2%E7%A4%BE%E5%8C%BA_"
        in (response["Content-Disposition"])
    )


def test_export_of_chosen_ids_ignores_invisible_ones(
    client, community_user, community, other_community
):
    mine = EstateFactory(community=community, name="藤翠苑7号小区")
    EstateFactory(community=community, name="幸福园小区")
    theirs = EstateFactory(community=other_community, name="逸鸿花园")
    client.force_login(community_user)

    response = client.get(EXPORT_URL, {"ids": f"{mine.pk},{theirs.pk}"})

    names = [row[1] for row in read_sheet(response.content, ESTATES)[1:]]
    assert names == ["藤翠苑7号小区"]


def test_export_refuses_malformed_ids(client, street_user):
    client.force_login(street_user)

    response = client.get(EXPORT_URL, {"ids": "1,abc"})

    assert response.status_code == 400


@pytest.mark.parametrize("size", [5, pytest.param(200, marks=pytest.mark.slow)])
def test_export_page_queries_do_not_grow_with_rows(
    size, client, street_user, community, django_assert_max_num_queries
):
    for index in range(size):
        building = BuildingFactory(estate=EstateFactory(community=community))
        HouseholdFactory(building=building, owners=[OwnerFactory()])
        HouseholdFactory(building=building, number=f"B{index}")
    client.force_login(street_user)

    # session and user, the row count that decides between now and a
    # background export, four for the register
    with django_assert_max_num_queries(7):
        response = client.get(EXPORT_URL)

    assert len(read_sheet(response.content, HOUSEHOLDS)) == 2 * size + 1


def test_round_trip_through_the_pages(client, street_user, community, run_tasks):
    estate = EstateFactory(community=community, name='=HYPERLINK("x")')
    HouseholdFactory(building=BuildingFactory(estate=estate), owners=[OwnerFactory()])
    client.force_login(street_user)
    exported = client.get(EXPORT_URL).content

    with run_tasks():
        client.post(IMPORT_URL, {"file": xlsx(exported)})

    job = job_of(street_user)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "文件检查通过" in page
    assert list(job.counts.values()) == [
        {"created": 0, "updated": 0, "unchanged": 1},
        {"created": 0, "updated": 0, "unchanged": 1},
        {"created": 0, "updated": 0, "unchanged": 1},
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_import_a_workbook_on_a_phone(
    live_server, phone_page, tmp_path, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from communities.tests.factories import CommunityFactory, UserFactory

    CommunityFactory(name="鹤洲社区")
    UserFactory(username="street")
    path = tmp_path / "登记表.xlsx"
    path.write_bytes(
        workbook_bytes(
            {
                ESTATES: [
                    estate_row(
                        **{
                            "地址": "珠海市斗门区白藤街道白藤二路藤翠苑7号小区东门" * 2,
                            "备注": "居民集资与民生微实事项目共同出资" * 3,
                        }
                    )
                ],
                BUILDINGS: [building_row()],
                HOUSEHOLDS: [household_row()],
            }
        )
    )
    page = phone_page
    page.goto(f"{live_server.url}/admin/login/?next={IMPORT_URL}")
    page.fill("#id_username", "street")
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}{IMPORT_URL}")
    assert_no_horizontal_scroll(page)

    page.set_input_files("input[type=file]", str(path))
    page.click("text=上传并检查")
    page.wait_for_selector("text=文件检查通过")
    assert_no_horizontal_scroll(page)
    page.locator("button", has_text="确认导入").last.click()
    page.wait_for_selector("text=登记表已导入")

    assert Estate.objects.get().name == "藤翠苑7号小区"
