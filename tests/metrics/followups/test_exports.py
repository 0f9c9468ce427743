"""The follow-ups of a period as CSV (UTF-8 with a BOM, for Excel on a Chinese Windows) and XLSX."""

import csv
import io

from django.utils import timezone
from openpyxl import load_workbook

from metrics.followups.models import Decision
from metrics.followups.services import follow_up_acknowledge
from people.models import User
from tests.metrics.followups.conftest import chinese, decide

LIST = "/cycles/2026-03/follow-ups/"
HEADER = [
    "员工编号",
    "名称",
    "部门",
    "方案",
    "得分",
    "等级",
    "标记",
    "决定",
    "备注",
    "决定人",
    "决定时间",
    "警告确认时间",
]


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_csv_lists_each_flagged_person_with_hr_s_decision_in_chinese(march: dict[str, User]) -> None:
    promotion = decide(march, "li.lei", Decision.PROMOTION, "晋升为高级客户经理")
    warning = decide(march, "han.mei", Decision.FORMAL_WARNING, '=HYPERLINK("http://x")')
    response = chinese(march["hr"]).get(f"{LIST}export.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="follow-ups-2026-03.csv"'
    rows = csv_rows(response.content)
    decided = timezone.localtime(promotion.decided_at).strftime("%Y-%m-%d %H:%M")
    assert rows == [
        HEADER,
        [
            "han.mei",
            "韩梅梅",
            "客户部",
            "客户管理员绩效方案",
            "26.23",
            "C",
            "预警",
            "正式警告",
            '\'=HYPERLINK("http://x")',  # a spreadsheet does not run it
            "孙丽",
            timezone.localtime(warning.decided_at).strftime("%Y-%m-%d %H:%M"),
            "尚未确认",
        ],
        [
            "li.lei",
            "李雷",
            "客户部",
            "客户管理员绩效方案",
            "112.22",
            "A",
            "晋升候选",
            "晋升",
            "晋升为高级客户经理",
            "孙丽",
            decided,
            "",
        ],
    ]


def test_the_export_follows_the_filters_and_says_who_has_not_been_decided_for(march: dict[str, User]) -> None:
    hr = chinese(march["hr"])

    warned = csv_rows(hr.get(f"{LIST}export.csv", {"flag": "warning"}).content)

    assert [row[0] for row in warned] == ["员工编号", "han.mei"]
    assert warned[1][7:] == ["尚未决定", "", "", "", ""]


def test_the_xlsx_holds_the_same_rows_with_numbers_as_numbers(march: dict[str, User]) -> None:
    warning = decide(march, "han.mei", Decision.FORMAL_WARNING, "请改进")
    acknowledged = follow_up_acknowledge(decision=warning, user=march["han.mei"])
    response = chinese(march["hr"]).get(f"{LIST}export.xlsx")

    assert response["Content-Disposition"] == 'attachment; filename="follow-ups-2026-03.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert sheet.title == "1 2026年3月 跟进事项"
    assert rows[0] == HEADER
    assert rows[1][:8] == ["han.mei", "韩梅梅", "客户部", "客户管理员绩效方案", 26.23, "C", "预警", "正式警告"]
    assert acknowledged.acknowledged_at is not None
    assert rows[1][11] == timezone.localtime(acknowledged.acknowledged_at).strftime("%Y-%m-%d %H:%M")
    assert rows[2][:8] == ["li.lei", "李雷", "客户部", "客户管理员绩效方案", 112.22, "A", "晋升候选", "尚未决定"]
