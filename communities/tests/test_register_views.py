from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities.excel import BUILDINGS, ESTATES, HOUSEHOLDS
from communities.models import Building, Estate, Household
from communities.register_views import SESSION_KEY
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


def test_upload_preview_confirm(client, street_user, community, settings):
    client.force_login(street_user)

    # when: the file is uploaded, the page previews it and writes nothing
    preview = client.post(IMPORT_URL, {"file": xlsx(good_workbook())})

    page = preview.content.decode()
    assert preview.status_code == 200
    assert "文件检查通过，尚未写入" in page
    assert "藤翠苑7号小区" in page
    assert "确认导入" in page
    assert Estate.objects.count() == 0
    token = client.session[SESSION_KEY]["token"]
    assert f'value="{token}"' in page
    assert [path.name for path in pending_files(settings)] == [f"{token}.xlsx"]

    # when: the user confirms, the import is applied in one go
    confirmed = client.post(IMPORT_URL, {"token": token})

    assert confirmed.status_code == 302
    assert confirmed["Location"] == ESTATE_LIST
    assert Estate.objects.get().name == "藤翠苑7号小区"
    assert Building.objects.count() == 1
    assert Household.objects.count() == 1
    assert pending_files(settings) == []
    assert SESSION_KEY not in client.session
    shown = [str(message) for message in client.get(ESTATE_LIST).context["messages"]]
    assert shown == [
        "登记表已导入：「小区」：新增 1，更新 0，无变化 0；"
        "「楼栋」：新增 1，更新 0，无变化 0；「户」：新增 1，更新 0，无变化 0。"
    ]


def test_a_token_cannot_be_confirmed_twice(client, street_user, community):
    client.force_login(street_user)
    client.post(IMPORT_URL, {"file": xlsx(good_workbook())})
    token = client.session[SESSION_KEY]["token"]
    client.post(IMPORT_URL, {"token": token})

    again = client.post(IMPORT_URL, {"token": token}, follow=True)

    assert "导入预览已失效" in again.content.decode()
    assert Estate.objects.count() == 1


def test_bad_rows_are_listed_and_nothing_can_be_confirmed(
    client, street_user, community, settings
):
    client.force_login(street_user)
    data = workbook_bytes({ESTATES: [estate_row(**{"建成年代": "不详"})]})

    response = client.post(IMPORT_URL, {"file": xlsx(data)})

    page = response.content.decode()
    assert response.status_code == 200
    assert "文件有 1 处问题，未写入任何数据" in page
    assert '<td>小区</td><td class="num">2</td><td>建成年代</td>' in page
    assert "「不详」不是有效的年份" in page
    assert 'name="token"' not in page
    assert pending_files(settings) == []
    assert Estate.objects.count() == 0


def test_community_staff_cannot_import_rows_of_another_community(
    client, community_user, community, other_community
):
    client.force_login(community_user)

    response = client.post(IMPORT_URL, {"file": xlsx(good_workbook("群兴社区"))})

    page = response.content.decode()
    assert "您只能导入所负责社区的数据，不能导入「群兴社区」的小区。" in page
    assert 'name="token"' not in page
    assert Estate.objects.count() == 0


def test_community_staff_import_their_own_community(client, community_user, community):
    client.force_login(community_user)
    client.post(IMPORT_URL, {"file": xlsx(good_workbook())})

    response = client.post(IMPORT_URL, {"token": client.session[SESSION_KEY]["token"]})

    assert response.status_code == 302
    assert Estate.objects.get().community == community


def test_another_user_cannot_confirm_someone_elses_upload(
    client, street_user, community, other_community_user, settings
):
    client.force_login(street_user)
    client.post(IMPORT_URL, {"file": xlsx(good_workbook())})
    token = client.session[SESSION_KEY]["token"]
    client.logout()
    client.force_login(other_community_user)

    response = client.post(IMPORT_URL, {"token": token}, follow=True)

    assert "导入预览已失效" in response.content.decode()
    assert Estate.objects.count() == 0
    assert len(pending_files(settings)) == 1


@pytest.mark.parametrize("token", ["../../../etc/passwd", "a" * 42 + "/", "", "x" * 43])
def test_forged_tokens_are_refused(client, street_user, community, token):
    client.force_login(street_user)
    client.post(IMPORT_URL, {"file": xlsx(good_workbook())})

    response = client.post(IMPORT_URL, {"token": token}, follow=True)

    assert "导入预览已失效" in response.content.decode()
    assert Estate.objects.count() == 0


def test_cancel_deletes_the_pending_upload(client, street_user, community, settings):
    client.force_login(street_user)
    client.post(IMPORT_URL, {"file": xlsx(good_workbook())})
    token = client.session[SESSION_KEY]["token"]

    response = client.post(IMPORT_URL, {"token": token, "cancel": "1"})

    assert response.status_code == 302
    assert pending_files(settings) == []
    assert Estate.objects.count() == 0


def test_a_new_upload_replaces_the_previous_pending_one(
    client, street_user, community, settings
):
    client.force_login(street_user)
    client.post(IMPORT_URL, {"file": xlsx(good_workbook())})

    client.post(IMPORT_URL, {"file": xlsx(good_workbook())})

    token = client.session[SESSION_KEY]["token"]
    assert [path.name for path in pending_files(settings)] == [f"{token}.xlsx"]


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("登记表.csv", b"a,b\n", "请上传 .xlsx 格式的 Excel 文件"),
        ("登记表.xlsx", b"not a zip", "文件不是 Excel 工作簿（.xlsx）"),
    ],
)
def test_files_that_are_not_workbooks_get_a_clear_message(
    client, street_user, name, data, message
):
    client.force_login(street_user)

    response = client.post(IMPORT_URL, {"file": xlsx(data, name)})

    assert message in response.content.decode()
    assert response.status_code in (200, 400)


def test_oversize_upload_is_refused(client, street_user, settings):
    settings.REGISTER_IMPORT_MAX_BYTES = 100
    client.force_login(street_user)

    response = client.post(IMPORT_URL, {"file": xlsx(good_workbook())})

    assert response.status_code == 400
    assert "文件太大" in response.content.decode()


def test_upload_needs_the_csrf_token(street_user, community):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(street_user)

    response = client.post(IMPORT_URL, {"file": xlsx(good_workbook())})

    assert response.status_code == 403
    assert Estate.objects.count() == 0


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
    assert (
        "filename*=UTF-8''%E5%B0%8F%E5%8C%BA%E7%99%BB%E8%AE%B0-"
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

    with django_assert_max_num_queries(7):
        response = client.get(EXPORT_URL)

    assert len(read_sheet(response.content, HOUSEHOLDS)) == 2 * size + 1


def test_round_trip_through_the_pages(client, street_user, community, settings):
    estate = EstateFactory(community=community, name='=HYPERLINK("x")')
    HouseholdFactory(building=BuildingFactory(estate=estate), owners=[OwnerFactory()])
    client.force_login(street_user)
    exported = client.get(EXPORT_URL).content

    preview = client.post(IMPORT_URL, {"file": xlsx(exported)})

    page = preview.content.decode()
    assert "文件检查通过" in page
    counts = preview.context["report"].counts
    assert [(c.created, c.updated, c.unchanged) for c in counts.values()] == [
        (0, 0, 1),
        (0, 0, 1),
        (0, 0, 1),
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_import_a_workbook_on_a_phone(live_server, phone_page, tmp_path):
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
    page.click("text=上传并预览")
    page.wait_for_selector("text=文件检查通过")
    assert_no_horizontal_scroll(page)
    page.click("text=确认导入")
    page.wait_for_url(f"{live_server.url}{ESTATE_LIST}")

    assert Estate.objects.get().name == "藤翠苑7号小区"
