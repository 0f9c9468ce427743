"""A period's results page and its downloads: what HR hands to payroll."""

import csv
import io
import tracemalloc
from collections.abc import Iterable, Iterator
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from metrics.bench.management.commands.bench_dashboard import bench_data_create
from metrics.figures.services import metrics_import
from metrics.results import dashboards, exports, payroll
from metrics.results.closing import cycle_close_request, cycle_reopen
from metrics.results.parts import Selection
from metrics.results.tasks import cycle_close_task
from people.models import Department, Role, User
from people.staffing.roster import roster_import
from plans.periods import Period
from tests.factories import assign, csv_table, publish
from tests.metrics.results.test_cycle_pages import client_for, close, page_text, person
from tests.typed import Response

ROSTER = (
    "employee,name,department,manager,plan,start,monthly_bonus,quarterly_bonus\n"
    "li.lei,李雷,客户一部,wang.fang,customer-manager,2026-01,2000,6000\n"
    "han.mei,韩梅梅,客户一部,wang.fang,customer-manager,2026-01,3000,6000\n"
    "lin.feng,林峰,客户二部,zhao.lei,customer-manager,2026-01,1000,6000\n"
    "luo.na,=罗娜,客户二部,zhao.lei,customer-manager,2026-01,1500,6000\n"
)
# li.lei scores 107.66 (A), han.mei 76.91 (B), lin.feng and luo.na 20.99 (C, a warning).
FIGURES = (
    "employee,period,churn.lost,churn.total,satisfaction,new_customers,feedback.ok,feedback.total\n"
    "li.lei,2026-01,2,50,8.6,4,46,48\n"
    "han.mei,2026-01,3,50,8,2,40,48\n"
    "lin.feng,2026-01,10,50,5,0,30,48\n"
    "luo.na,2026-01,10,50,5,0,30,48\n"
)
JANUARY = Period.parse("2026-01")


@pytest.fixture
def company(db: None) -> None:
    """Four people in two departments, January closed: one A, one B, two C with a warning."""
    publish()
    roster_import(table=csv_table(ROSTER))
    metrics_import(table=csv_table(FIGURES))
    close("2026-01")


@pytest.fixture
def hr(db: None) -> Client:
    return client_for(person("hr", Role.HR, "孙丽"))


def chinese(client: Client, url: str) -> Response:
    return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")


def table_rows(response: Response) -> list[str]:
    """The results table's rows as a reader sees them, one string a row."""
    html = response.content.decode()
    body = html[html.index('id="results-table"') :]
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    return [page_text(row.encode()) for row in body.split("</tr>") if "<td" in row]


def export(period: str) -> str:
    out = StringIO()
    call_command("export_scores", period, stdout=out)
    return out.getvalue()


def streamed(response: Response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_hr_reads_everybody_with_department_manager_plan_score_band_bonus_and_flags(company: None, hr: Client) -> None:
    response = chinese(hr, "/cycles/2026-01/results/")

    assert response.status_code == 200
    assert table_rows(response) == [
        "han.mei 韩梅梅 客户一部 wang.fang 客户管理员绩效方案，版本 1 76.91 B 70.00% ¥2,100.00",
        "li.lei 李雷 客户一部 wang.fang 客户管理员绩效方案，版本 1 107.66 A 100.00% ¥2,000.00",
        "lin.feng 林峰 客户二部 zhao.lei 客户管理员绩效方案，版本 1 20.99 C 0.00% ¥0.00 预警",
        "luo.na =罗娜 客户二部 zhao.lei 客户管理员绩效方案，版本 1 20.99 C 0.00% ¥0.00 预警",
    ]
    text = page_text(response.content)
    assert "2026年1月 的结果" in text and "已关闭" in text
    # Totals on top, per band (best first) and per department.
    assert "按等级 等级 人员 奖金 A 1 ¥2,000.00 B 1 ¥2,100.00 C 2 ¥0.00 全部 4 ¥4,100.00" in text
    assert "按部门 部门 人员 奖金 客户一部 2 ¥4,100.00 客户二部 2 ¥0.00" in text
    assert "still open" not in text and "仍未关闭" not in text


def test_the_filters_keep_a_department_a_band_or_a_flag_and_the_totals_follow(company: None, hr: Client) -> None:
    second = Department.objects.get(name="客户二部").pk

    by_department = hr.get(f"/cycles/2026-01/results/?department={second}")
    assert [row.split()[0] for row in table_rows(by_department)] == ["lin.feng", "luo.na"]
    assert "Per band Band People Bonus C 2 ¥0.00 All 2 ¥0.00" in page_text(by_department.content)

    by_band = hr.get("/cycles/2026-01/results/?band=B")
    assert [row.split()[0] for row in table_rows(by_band)] == ["han.mei"]

    by_flag = hr.get("/cycles/2026-01/results/?flag=warning&band=C")
    assert [row.split()[0] for row in table_rows(by_flag)] == ["lin.feng", "luo.na"]
    assert "Warning" in page_text(by_flag.content)

    nothing = hr.get(f"/cycles/2026-01/results/?department={second}&band=A")
    assert "No result matches" in page_text(nothing.content)


def test_a_bad_filter_says_so_and_keeps_the_others(company: None, hr: Client) -> None:
    response = hr.get("/cycles/2026-01/results/?band=Z&flag=warning&sort=nope&page=abc")

    text = page_text(response.content)
    assert response.status_code == 200
    assert "Select a valid choice. Z is not one of the available choices." in text
    assert [row.split()[0] for row in table_rows(response)] == ["lin.feng", "luo.na"]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("employee", ["han.mei", "li.lei", "lin.feng", "luo.na"]),
        ("-employee", ["luo.na", "lin.feng", "li.lei", "han.mei"]),
        ("-score", ["li.lei", "han.mei", "lin.feng", "luo.na"]),  # ties by user name
        ("score", ["lin.feng", "luo.na", "han.mei", "li.lei"]),
        ("-bonus", ["han.mei", "li.lei", "lin.feng", "luo.na"]),
        ("-department", ["lin.feng", "luo.na", "han.mei", "li.lei"]),
        ("name", ["han.mei", "li.lei", "lin.feng", "luo.na"]),  # by pinyin: 韩梅梅 han, 李雷 li, 林峰 lin, 罗娜 luo
    ],
)
def test_the_columns_sort_both_ways(company: None, hr: Client, sort: str, order: list[str]) -> None:
    response = hr.get(f"/cycles/2026-01/results/?sort={sort}")
    assert [row.split()[0] for row in table_rows(response)] == order


def test_a_column_header_sorts_by_it_then_the_other_way_keeping_the_filters(company: None, hr: Client) -> None:
    html = hr.get("/cycles/2026-01/results/?band=C").content.decode()
    assert '<a href="?band=C&amp;sort=score">Score</a>' in html
    html = hr.get("/cycles/2026-01/results/?band=C&sort=score").content.decode()
    assert 'aria-sort="ascending"' in html and '<a href="?band=C&amp;sort=-score">Score ↑</a>' in html


def test_the_results_are_paged_in_their_order(company: None, hr: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(payroll, "RESULTS_PER_PAGE", 3)

    first = hr.get("/cycles/2026-01/results/?sort=-score")
    second = hr.get("/cycles/2026-01/results/?sort=-score&page=2")

    assert [row.split()[0] for row in table_rows(first)] == ["li.lei", "han.mei", "lin.feng"]
    assert [row.split()[0] for row in table_rows(second)] == ["luo.na"]
    assert "Page 1 of 2" in page_text(first.content)
    assert 'href="?sort=-score&amp;page=2"' in first.content.decode()
    # The totals are the whole period's on every page.
    assert "All 4 ¥4,100.00" in page_text(second.content)


def test_the_page_costs_the_same_queries_for_any_number_of_people(company: None, hr: Client) -> None:
    url = "/cycles/2026-01/results/?sort=-bonus"
    hr.get(url)  # the totals go into the cache
    with CaptureQueriesContext(connection) as few:
        hr.get(url)
    cycle_reopen(period=JANUARY, reason="30 more people", user=None)
    version = publish()
    department = Department.objects.get(name="客户二部")
    for n in range(30):
        assign(User.objects.create(username=f"more{n:02d}", department=department), version)
    more = "".join(f"more{n:02d},2026-01,2,50,8.6,4,46,48\n" for n in range(30))
    metrics_import(table=csv_table(FIGURES.splitlines()[0] + "\n" + more))
    close("2026-01")
    hr.get(url)
    with CaptureQueriesContext(connection) as many:
        response = hr.get(url)

    assert len(table_rows(response)) == 34
    assert len(many) == len(few)


def test_only_hr_and_admins_open_the_results_and_their_downloads(company: None) -> None:
    manager = User.objects.get(username="wang.fang")
    for user in (manager, User.objects.get(username="li.lei")):
        for url in ("/cycles/2026-01/results/", "/cycles/2026-01/results.csv", "/cycles/2026-01/results.xlsx"):
            assert client_for(user).get(url).status_code == 403
    assert Client().get("/cycles/2026-01/results/").status_code == 302  # to the login page
    admin = client_for(person("boss", Role.ADMIN))
    assert admin.get("/cycles/2026-01/results/").status_code == 200


def test_the_cycles_list_and_the_cycle_page_link_to_the_results(company: None, hr: Client) -> None:
    assert 'href="/cycles/2026-01/results/"' in hr.get("/cycles/").content.decode()
    assert 'href="/cycles/2026-01/results/"' in hr.get("/cycles/2026-01/").content.decode()
    assert "/cycles/2026-02/results/" not in hr.get("/cycles/").content.decode()  # nothing closed there


def test_a_period_closed_in_part_lists_its_results_and_says_how_many_are_still_open(company: None, hr: Client) -> None:
    cycle_reopen(period=JANUARY, reason="客户二部 closes later")
    request = cycle_close_request(
        period=JANUARY, enqueue=lambda *ids: None, selection=Selection(departments=("客户一部",))
    )
    cycle_close_task.apply(args=(request.cycle.pk, request.cycle.run))

    response = chinese(hr, "/cycles/2026-01/results/")

    assert [row.split()[0] for row in table_rows(response)] == ["han.mei", "li.lei"]
    assert dashboards.people_open(period=JANUARY) == 2
    assert "本期仍有 2 人未关闭" in page_text(response.content)
    assert "部分关闭" in page_text(response.content)


# --- the downloads -------------------------------------------------------------------------------


def test_the_csv_is_export_scores_byte_for_byte_plus_name_and_department_with_a_bom(company: None, hr: Client) -> None:
    response = hr.get("/cycles/2026-01/results.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="scores-2026-01.csv"'
    body = streamed(response)
    assert body.startswith(b"\xef\xbb\xbf")
    who = {"": "name,department", "han.mei": "韩梅梅,客户一部", "li.lei": "李雷,客户一部",
           "lin.feng": "林峰,客户二部", "luo.na": "'=罗娜,客户二部"}  # fmt: skip
    expected = "".join(
        f"{line},{who['' if number == 0 else line.split(',')[0]]}\n"
        for number, line in enumerate(export("2026-01").splitlines())
    )
    assert body[3:] == expected.encode()
    assert expected.splitlines()[1] == (
        "han.mei,2026-01,76.91,B,70.00,2100.00,,24.00,22.22,15.00,8.00,,韩梅梅,客户一部"
    )


def test_the_downloads_keep_the_filters(company: None, hr: Client) -> None:
    second = Department.objects.get(name="客户二部").pk
    rows = list(
        csv.reader(
            io.StringIO(streamed(hr.get(f"/cycles/2026-01/results.csv?department={second}")).decode("utf-8-sig"))
        )
    )
    assert [row[0] for row in rows] == ["employee", "lin.feng", "luo.na"]


def test_the_excel_download_has_every_row_with_numbers_as_numbers(company: None, hr: Client) -> None:
    response = hr.get("/cycles/2026-01/results.xlsx?sort=-score&page=2")

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(streamed(response)), read_only=True).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [*exports.FIXED_COLUMNS, "churn", "satisfaction", "new_customers", "feedback",
                       "collaboration", "name", "department"]  # fmt: skip
    assert rows[2] == ["li.lei", "2026-01", 107.66, "A", 100, 2000, None, 36, 23.89, 22, 15, None, "李雷", "客户一部"]
    assert rows[4][-2:] == ["'=罗娜", "客户二部"]
    assert len(rows) == 5  # every result, not a page of them


def _results_of(count: int, prefix: str) -> None:
    """``count`` people with three closed months of results and their lines, written in bulk."""
    bench_data_create(employees=count, prefix=prefix)


def _peak_while(pieces: Iterable[object]) -> int:
    tracemalloc.start()
    try:
        for _piece in pieces:
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_streaming_the_csv_takes_the_same_memory_for_five_times_the_people(
    db: None, hr: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "EXPORT_BATCH", 50)
    monkeypatch.setattr(exports, "PIECE_CHARS", 4096)
    _results_of(200, "small")
    response: Iterator[bytes] = hr.get("/cycles/2000-03/results.csv").streaming_content  # type: ignore[attr-defined]
    small = _peak_while(response)
    _results_of(800, "large")  # 1,000 in all
    pieces = list(hr.get("/cycles/2000-03/results.csv").streaming_content)  # type: ignore[attr-defined]
    assert sum(piece.count(b"\n") for piece in pieces) == 1001  # the header and everybody
    large = _peak_while(hr.get("/cycles/2000-03/results.csv").streaming_content)  # type: ignore[attr-defined]

    # Holding the rows would take five times as much; a batch at a time takes about the same.
    assert large < small * 1.5, (small, large)


def test_export_scores_still_refuses_a_period_that_is_not_closed(company: None) -> None:
    with pytest.raises(exports.ExportRefused):
        exports.scores_csv(period=Period.parse("2026-02"))
    assert Decimal(export("2026-01").splitlines()[2].split(",")[2]) == Decimal("107.66")


def test_pages_in_department_order_run_across_departments_with_nobodys_last(
    company: None, hr: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(payroll, "RESULTS_PER_PAGE", 3)
    User.objects.filter(username="han.mei").update(department=None)

    pages = {
        sort: [[row.split()[0] for row in table_rows(hr.get(f"/cycles/2026-01/results/?sort={sort}&page={n}"))]
               for n in (1, 2)]
        for sort in ("department", "-department")
    }  # fmt: skip

    assert pages["department"] == [["li.lei", "lin.feng", "luo.na"], ["han.mei"]]
    assert pages["-department"] == [["lin.feng", "luo.na", "li.lei"], ["han.mei"]]
    assert "No department 1 ¥2,100.00" in page_text(hr.get("/cycles/2026-01/results/").content)
