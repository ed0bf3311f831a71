"""The import pages in real Chromium (issue 6, points 16 and 17): at 1366 px
every column of the preview is visible, the community shows as matched and the
confirm button follows the preview; the progress bar moves without a reload
and the page turns into the preview when the check is done."""

import pytest

from communities.excel import BUILDINGS, ESTATES, HOUSEHOLDS
from communities.models import RegisterImport
from communities.tests.excel_samples import (
    building_row,
    estate_row,
    household_row,
    workbook_bytes,
)
from communities.tests.factories import CommunityFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = "/tmp/register-import-preview-1366.png"


@pytest.fixture
def laptop_page(browser):
    """The office's usual laptop screen: 1366 × 768."""
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN"
    )
    page = context.new_page()
    yield page
    context.close()


def log_in(page, live_server, next_path):
    page.goto(f"{live_server.url}/admin/login/?next={next_path}")
    page.fill("#id_username", "street")
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_path}")


def realistic_workbook() -> bytes:
    """Every column filled with what a clerk writes, long values included."""
    estates = [
        estate_row(
            **{
                "所属社区": " 鹤洲 ",
                "小区名称": f"藤翠苑{index}号小区（白藤街道老旧小区改造试点）",
                "地址": "珠海市斗门区白藤街道白藤二路藤翠苑东门",
                "占地面积（㎡）": "15,674.50 M2",
                "建筑面积（㎡）": "124,631.25 M2",
                "维修资金（元）": "约1,234,567.89元",
                "物业管理情况": "物业服务企业",
                "备注": "居民集资与民生微实事项目共同出资，二〇二四年摸排",
            }
        )
        for index in range(1, 12)
    ]
    households = [
        household_row(
            **{
                "所属社区": "鹤洲",
                "小区名称": "藤翠苑1号小区（白藤街道老旧小区改造试点）",
                "楼栋名称": "10栋",
                "房号": f"{1000 + index}",
                "楼层": "10F",
                "专有部分面积（㎡）": "123.45M2",
                "面积依据": "合同约定面积",
                "业主": "欧阳建国、司马晓燕",
                "联系电话": "+86 139-2345-6789",
            }
        )
        for index in range(12)
    ]
    return workbook_bytes(
        {
            ESTATES: estates,
            BUILDINGS: [
                building_row(
                    **{
                        "所属社区": "鹤洲",
                        "小区名称": "藤翠苑1号小区（白藤街道老旧小区改造试点）",
                        "楼栋名称": "10栋",
                    }
                )
            ],
            HOUSEHOLDS: households,
        }
    )


def test_the_preview_shows_every_column_at_1366_px(
    live_server, laptop_page, tmp_path, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    CommunityFactory(name="鹤洲社区")
    UserFactory(username="street")
    path = tmp_path / "登记表.xlsx"
    path.write_bytes(realistic_workbook())
    page = laptop_page
    log_in(page, live_server, "/estates/import/")

    page.set_input_files("input[type=file]", str(path))
    page.click("text=上传并检查")
    page.wait_for_selector("text=文件检查通过")
    page.screenshot(path=SCREENSHOT, full_page=True)

    headings = page.locator("main h3").all_inner_texts()
    assert [heading[:4] for heading in headings] == ["「小区」", "「楼栋」", "「户」共"]
    tables = page.locator("table.import-table")
    assert tables.count() == 3
    for index in range(3):
        table = tables.nth(index)
        overflow = table.evaluate(
            "t => t.scrollWidth - t.closest('.table-wrap').clientWidth"
        )
        assert overflow <= 0, f"table {index} scrolls sideways by {overflow}px"
        last_header = table.locator("thead th").last.bounding_box()
        assert last_header["x"] + last_header["width"] <= 1366
    # the community as matched in the register
    first_cells = page.locator("table.import-table").first.locator("tbody tr td")
    assert first_cells.nth(1).inner_text() == "鹤洲社区"
    # a confirm button at the top and one after the last table
    confirm = page.get_by_role("button", name="确认导入")
    assert confirm.count() == 2
    last_table_bottom = tables.last.bounding_box()
    button_top = confirm.last.bounding_box()
    assert button_top["y"] > last_table_bottom["y"] + last_table_bottom["height"]

    confirm.last.click()
    page.wait_for_selector("text=登记表已导入")


def test_the_progress_bar_moves_and_the_page_shows_the_result(live_server, laptop_page):
    user = UserFactory(username="street")
    job = RegisterImport.objects.create(
        created_by=user,
        file_name="白藤登记表.xlsx",
        status=RegisterImport.Status.CHECKING,
        phase=RegisterImport.Phase.READING,
        progress=10,
    )
    page = laptop_page
    log_in(page, live_server, job.get_absolute_url())
    assert page.locator("progress").get_attribute("value") == "10"
    page.evaluate("() => { window.stillTheSamePage = true; }")

    # when: the task moves on, the bar follows without reloading the page
    RegisterImport.objects.filter(pk=job.pk).update(
        phase=RegisterImport.Phase.CHECKING, progress=75, rows_read=3000
    )
    page.wait_for_function("() => document.querySelector('progress').value === 75")

    assert page.evaluate("() => window.stillTheSamePage") is True
    assert page.locator("[data-progress-text]").inner_text() == (
        "核对登记数据：75%（已读取 3,000 行）"
    )

    # when: the check is done, the page shows the preview
    RegisterImport.objects.filter(pk=job.pk).update(
        status=RegisterImport.Status.CHECKED,
        progress=100,
        counts={ESTATES: {"created": 2, "updated": 0, "unchanged": 0}},
    )
    page.wait_for_selector("text=文件检查通过")
    assert page.get_by_role("button", name="确认导入").count() == 2
