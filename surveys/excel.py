"""A campaign's results as an .xlsx workbook: the figures of the results page
(response rate, the ranked menu overall and per group, ratings, choices) and
the residents' words with the office's replies. Text is written so that no
spreadsheet takes it for a formula (communities.excel.neutralise)."""

import io
import re

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from communities.excel import neutralise

from . import selectors
from .models import Campaign, Reply, Response


def results_filename(campaign: Campaign) -> str:
    """征询结果-<title>-<date>.xlsx, like the register's 小区登记-<date>.xlsx."""
    title = re.sub(r"\W+", "", campaign.title)[:30] or str(campaign.pk)
    return _("征询结果-%(title)s-%(date)s.xlsx") % {
        "title": title,
        "date": f"{timezone.localdate():%Y%m%d}",
    }


def _text(value) -> str:
    return neutralise(str(value or ""))


def _sheet(workbook, title: str, headers: list[str], widths: list[int]):
    sheet = workbook.create_sheet(title)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    row = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        row.append(cell)
    sheet.append(row)
    return sheet


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


def campaign_results_workbook(*, campaign: Campaign) -> bytes:
    """The results of one campaign as .xlsx bytes (a fixed number of queries,
    whatever the number of responses)."""
    results = selectors.campaign_results(campaign=campaign)
    workbook = Workbook(write_only=True)

    summary = _sheet(workbook, _("概况"), [_("项目"), _("数值")], [24, 60])
    rows = [
        (_("征询"), _text(campaign.title)),
        (_("小区"), _text(campaign.estate.name)),
        (_("范围"), _text(campaign.scope_label)),
        (_("阶段"), str(campaign.get_phase_display())),
        (_("方式"), str(campaign.get_channel_display())),
        (_("状态"), str(campaign.get_status_display())),
        (_("开始时间"), _local(campaign.opens_at)),
        (_("结束时间"), _local(campaign.closes_at)),
        (_("范围内户数"), results.households),
        (_("已填写户数"), results.responded),
        (_("其中纸质代填"), results.paper),
        (_("参与率（%）"), results.rate),
        (_("居民意见和照片"), results.words_total),
        (_("其中待答复"), results.words_pending),
    ]
    rows += [
        (_("已填写的%(group)s") % {"group": label}, results.group_sizes.get(key, 0))
        for key, label in results.groups.items()
    ]
    rows.append((_("导出时间"), _local(timezone.now())))
    for label, value in rows:
        summary.append([label, value])

    buildings = _sheet(
        workbook,
        _("各楼栋"),
        [_("楼栋"), _("户数"), _("已填写"), _("其中纸质代填"), _("参与率（%）")],
        [16, 10, 10, 14, 14],
    )
    for row in results.buildings:
        buildings.append(
            [
                _text(row["name"]),
                row["household_total"],
                row["responded"],
                row["paper"],
                row["rate"],
            ]
        )

    group_headers = []
    for label in results.groups.values():
        group_headers += [
            _("%(group)s得分") % {"group": label},
            _("%(group)s名次") % {"group": label},
        ]
    menu = _sheet(
        workbook,
        _("点单排名"),
        [
            _("题号"),
            _("题目"),
            _("计分方式"),
            _("名次"),
            _("项目"),
            _("估算费用（元）"),
            _("得分"),
            _("支持户数"),
            *group_headers,
        ],
        [6, 30, 12, 6, 24, 14, 10, 10] + [12] * len(group_headers),
    )
    kinds = {
        "menu_rank": _("排序得分"),
        "menu_points": _("积分合计"),
        "menu_budget": _("选择户数"),
    }
    for question, ranked in results.menus:
        for place, item in enumerate(ranked, start=1):
            groups = []
            for key in results.groups:
                groups += [item.by_group[key], item.group_ranks[key]]
            menu.append(
                [
                    question.number,
                    _text(question.prompt),
                    kinds[question.kind],
                    place,
                    _text(item.name),
                    item.cost,
                    item.score,
                    item.supporters,
                    *groups,
                ]
            )

    ratings = _sheet(
        workbook,
        _("评分"),
        [_("题号"), _("题目"), _("分数"), _("户数"), _("占比（%）"), _("平均分")],
        [6, 30, 8, 8, 10, 10],
    )
    for question, rows, mean in results.ratings:
        for row in rows:
            ratings.append(
                [
                    question.number,
                    _text(question.prompt),
                    row["rating"],
                    row["count"],
                    row["share"],
                    mean,
                ]
            )

    choices = _sheet(
        workbook,
        _("选择题"),
        [_("题号"), _("题目"), _("选项"), _("次数"), _("占比（%）")],
        [6, 30, 24, 8, 10],
    )
    for question, rows in results.choices:
        for row in rows:
            choices.append(
                [
                    question.number,
                    _text(question.prompt),
                    _text(row["label"]),
                    row["count"],
                    row["share"],
                ]
            )

    numbers = {q.id: q.number for q in results.structure.questions}
    words = _sheet(
        workbook,
        _("意见与答复"),
        [
            _("楼栋"),
            _("单元"),
            _("房号"),
            _("题号"),
            _("意见"),
            _("照片"),
            _("填写方式"),
            _("提交时间"),
            _("答复状态"),
            _("答复与理由"),
        ],
        [12, 6, 8, 6, 50, 6, 12, 18, 16, 50],
    )
    for answer in selectors.campaign_words(campaign=campaign).iterator(chunk_size=500):
        household = answer.response.household
        words.append(
            [
                _text(household.building.name),
                household.unit,
                _text(household.number),
                numbers.get(answer.question_id),
                _text(answer.text),
                _("有") if answer.photo else "",
                str(Response.Channel(answer.response.channel).label),
                _local(answer.response.updated_at),
                str(Reply.Status(answer.reply_status).label)
                if answer.reply_status
                else "",
                _text(answer.reply_text),
            ]
        )

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
