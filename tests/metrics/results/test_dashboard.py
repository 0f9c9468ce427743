"""The dashboards: figures aggregated by the database, their filters and exports."""

import csv
import io
import re
import time
from collections import Counter, defaultdict
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks, Settings

from metrics.bench.management.commands.bench_dashboard import bench_data_create
from metrics.figures.services import metrics_import
from metrics.results.closing import cycle_reopen
from metrics.results.dashboard_export import cell_safe
from metrics.results.dashboards import DashboardFilters, dashboard
from metrics.results.models import Result
from people.models import Department, Role, User
from people.staffing.roster import roster_import
from plans.periods import Period
from tests.factories import csv_table
from tests.metrics.results.test_cycle_pages import WU_DI, client_for, close, examples_loaded, page_text, person

PERIODS = ("2026-01", "2026-02", "2026-03", "2026-Q1")


@pytest.fixture
def quarter_closed(db: None, examples: Path) -> None:
    examples_loaded(examples)
    for period in PERIODS:
        close(period)


@pytest.fixture
def hr(db: None) -> Client:
    return client_for(person("hr", Role.HR))


def expected_bands(examples: Path) -> dict[str, list[tuple[str, int, Decimal]]]:
    """Per period, (band, people, bonus) as the example exports give them."""
    expected = {}
    for period in PERIODS:
        rows = list(csv.DictReader((examples / f"scores-{period}.csv").read_text(encoding="utf-8").splitlines()))
        people = Counter(row["band"] for row in rows)
        bonus: dict[str, Decimal] = defaultdict(Decimal)
        for row in rows:
            bonus[row["band"]] += Decimal(row["bonus"])
        expected[period] = sorted((band, people[band], bonus[band]) for band in people)
    return expected


def test_band_counts_and_bonus_totals_per_period_match_the_example_exports(
    quarter_closed: None, examples: Path
) -> None:
    board = dashboard(filters=DashboardFilters())

    assert [p.period for p in board.periods] == list(PERIODS)
    assert {p.period: sorted((b.label, b.count, b.bonus) for b in p.bands) for p in board.periods} == expected_bands(
        examples
    )
    assert [(p.period, p.results, p.bonus) for p in board.periods] == [
        ("2026-01", 1, Decimal("2000.00")),
        ("2026-02", 2, Decimal("4000.00")),
        ("2026-03", 2, Decimal("2000.00")),
        ("2026-Q1", 2, Decimal("10200.00")),
    ]


def test_the_page_shows_bands_trend_distribution_departments_and_indicators(quarter_closed: None, hr: Client) -> None:
    text = page_text(hr.get("/dashboard/").content)

    assert "January 2026 A 1 ¥2,000.00 January 2026 All 1 ¥2,000.00" in text
    assert "Q1 2026 A 1 ¥6,000.00 Q1 2026 B 1 ¥4,200.00 Q1 2026 All 2 ¥10,200.00" in text
    # The monthly trend: the average of each month's scores, rounded half up.
    assert "January 2026 1 107.66 February 2026 2 114.48 March 2026 2 69.23" in text
    # The latest period by default: the quarter. li.lei 107.32, han.mei 71.56.
    assert "Score distribution, Q1 2026" in text
    assert "70–80 1" in text and "100–110 1" in text and "110–120 0" in text
    assert "Departments, Q1 2026 Department Results Average score Bonus total 客户部 2 89.44 ¥10,200.00" in text
    assert "points ≥ weight" in text


def test_indicator_achievement_is_the_share_of_results_reaching_the_indicators_weight(
    quarter_closed: None,
) -> None:
    board = dashboard(filters=DashboardFilters(period="2026-01"))

    # li.lei in January: churn 36/30, new customers 22/20, feedback 15/15 reached; satisfaction 23.89/25 not.
    assert {i.code: (i.results, i.reached, i.rate) for i in board.indicators} == {
        "churn": (1, 1, Decimal("100.0")),
        "new_customers": (1, 1, Decimal("100.0")),
        "feedback": (1, 1, Decimal("100.0")),
        "satisfaction": (1, 0, Decimal("0.0")),
    }


def test_completion_counts_the_figures_present_out_of_those_expected_in_open_months(db: None, examples: Path) -> None:
    examples_loaded(examples, WU_DI)  # wu.di, from January, has no figure at all
    close("2026-01", force=True)

    rows = [(c.period, c.present, c.expected, c.rate) for c in dashboard(filters=DashboardFilters()).completion]

    # February: li.lei and han.mei complete (8 of 8), wu.di none of 4.
    assert rows == [("2026-02", 8, 12, Decimal("66.7")), ("2026-03", 8, 12, Decimal("66.7"))]
    department = Department.objects.get(name="客户二部")
    assert [
        (c.present, c.expected) for c in dashboard(filters=DashboardFilters(department_id=department.pk)).completion
    ] == [
        (0, 4),
        (0, 4),
    ]


def test_the_filters_narrow_every_table(db: None, examples: Path, hr: Client) -> None:
    examples_loaded(examples, WU_DI, "wu.di,2026-01,4,30,6.5,0,16,20,\n")
    close("2026-01")
    department = Department.objects.get(name="客户二部")

    query: dict[str, str | int] = {"period": "2026-01", "department": department.pk}
    text = page_text(hr.get("/dashboard/", query).content)
    assert "Departments, January 2026 Department Results Average score Bonus total 客户二部 1 34.51 ¥0.00" in text
    assert "January 2026 C 1 ¥0.00" in text and "li.lei" not in text

    everybody = page_text(hr.get("/dashboard/", {"period": "2026-01"}).content)
    assert "客户部 1 107.66 ¥2,000.00 客户二部 1 34.51 ¥0.00" in everybody
    assert "Top 1, January 2026" in everybody and "Bottom 1, January 2026" in everybody

    other_plan = page_text(hr.get("/dashboard/", {"plan": "customer-manager"}).content)
    assert "January 2026 All 2 ¥2,000.00" in other_plan


def test_a_filter_value_that_does_not_exist_says_so_and_shows_everything(quarter_closed: None, hr: Client) -> None:
    text = page_text(hr.get("/dashboard/", {"period": "2031-07", "department": "999"}).content)

    assert "Select a valid choice. 2031-07 is not one of the available choices." in text
    assert "Q1 2026 All 2 ¥10,200.00" in text


def test_top_and_bottom_lists_hold_ten_people_each_best_and_worst_first(db: None) -> None:
    bench_data_create(employees=25, prefix="t")
    board = dashboard(filters=DashboardFilters(period="2000-01"))

    scores = sorted(Result.objects.filter(period="2000-01").values_list("score", flat=True))
    assert [r.score for r in board.top] == scores[::-1][:10]
    assert [r.score for r in board.bottom] == scores[:10]


@pytest.mark.parametrize("employees", [10, 100])
def test_the_dashboard_makes_the_same_number_of_queries_for_10_and_100_employees(
    db: None, hr: Client, employees: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    bench_data_create(employees=employees, prefix="q")

    # Sessions, user, the cache stamps (the latest cycle event, twice), the filter form's
    # choices, one query per table, and two a month for the completion of the open month:
    # the same for any number of employees.
    with django_assert_num_queries(QUERIES):
        response = hr.get("/dashboard/", {"plan": "q-dashboard"})
    assert response.status_code == 200


QUERIES = 23  # with the check whether the period shown is closed in part, and the distribution guidelines it breaks


def test_the_query_count_does_not_depend_on_the_number_of_employees(db: None) -> None:
    counts = []
    for employees, prefix in ((10, "a"), (100, "b")):
        bench_data_create(employees=employees, prefix=prefix)
        with CaptureQueriesContext(connection) as queries:
            dashboard(filters=DashboardFilters(plan=f"{prefix}-dashboard"))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_page_draws_its_charts_with_chart_js_from_the_project_not_a_cdn(quarter_closed: None, hr: Client) -> None:
    html = hr.get("/dashboard/").content.decode()

    assert '<script src="/static/vendor/chart.js/chart.umd.min.js"></script>' in html
    assert '<script src="/static/js/dashboard.js"></script>' in html
    assert 'id="dashboard-data"' in html and "http" not in html.split('id="dashboard-data"')[1].split("</script>")[0]


@pytest.mark.parametrize("value", ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tx"])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_gets_a_quote(value: str) -> None:
    assert cell_safe(value) == "'" + value


def test_numbers_and_plain_text_are_left_as_they_are() -> None:
    assert cell_safe(Decimal("-3.50")) == Decimal("-3.50")
    assert cell_safe("客户部") == "客户部"


@pytest.fixture
def hostile_names(db: None, examples: Path) -> None:
    """A department and a person whose names a spreadsheet would run as formulas."""
    examples_loaded(examples)
    User.objects.filter(username="li.lei").update(display_name="@SUM(1+1)")
    Department.objects.filter(name="客户部").update(name='=HYPERLINK("http://evil.example","x")')
    close("2026-01")


def test_the_csv_export_holds_every_table_with_formulas_neutralised(hostile_names: None, hr: Client) -> None:
    response = hr.get("/dashboard/export.csv", {"period": "2026-01"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="dashboard-2026-01.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["Bands per period"] in rows and ["2026-01", "A", "1", "2000.00"] in rows
    assert ['\'=HYPERLINK("http://evil.example","x")', "1", "107.66", "2000.00"] in rows
    assert ["li.lei", "'@SUM(1+1)", '\'=HYPERLINK("http://evil.example","x")', "107.66", "A", "2000.00"] in rows
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_the_xlsx_export_has_a_sheet_a_table_with_formulas_neutralised(hostile_names: None, hr: Client) -> None:
    response = hr.get("/dashboard/export.xlsx", {"period": "2026-01"})

    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[0] == "1 Bands per period"
    bands = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    assert bands == [["Period", "Band", "People", "Bonus"], ["2026-01", "A", 1, 2000]]
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert '\'=HYPERLINK("http://evil.example","x")' in [cell.value for cell in cells]
    assert "'@SUM(1+1)" in [cell.value for cell in cells]


DASHBOARD_URLS = ["/dashboard/", "/dashboard/export.csv", "/dashboard/export.xlsx"]


@pytest.mark.parametrize("url", DASHBOARD_URLS)
@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.MANAGER])
def test_only_hr_and_admins_reach_the_dashboards(db: None, url: str, role: Role) -> None:
    assert client_for(person("someone", role)).get(url).status_code == 403


@pytest.mark.parametrize("url", DASHBOARD_URLS)
@pytest.mark.parametrize("role", [Role.HR, Role.ADMIN])
def test_hr_and_admins_reach_the_dashboards(db: None, url: str, role: Role) -> None:
    assert client_for(person("staff", role)).get(url).status_code == 200


@pytest.mark.parametrize("url", DASHBOARD_URLS)
def test_an_anonymous_visitor_is_sent_to_sign_in(client: Client, db: None, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_benchmark_times_the_dashboard_and_leaves_the_database_as_it_was(db: None) -> None:
    out = StringIO()

    call_command("bench_dashboard", "--employees", "30", "--runs", "2", stdout=out)

    assert "30 employees" in out.getvalue()
    assert re.search(
        r"dashboard \(plan bench-dashboard\): median [\d.]+ ms counted, [\d.]+ ms from the cache", out.getvalue()
    )
    assert "rolled back" in out.getvalue()
    assert not User.objects.filter(username__startswith="bench-").exists()
    assert dashboard(filters=DashboardFilters()).periods == []  # nothing of it in the site's cache either


def test_a_second_view_reads_the_closed_periods_from_the_cache_and_shows_the_same(
    quarter_closed: None, hr: Client
) -> None:
    with CaptureQueriesContext(connection) as first:
        first_text = page_text(hr.get("/dashboard/").content)
    with CaptureQueriesContext(connection) as second:
        second_text = page_text(hr.get("/dashboard/").content)

    assert second_text == first_text
    assert "Q1 2026 All 2 ¥10,200.00" in second_text
    # Left to run: the session and user, the two cache stamps, and the live completion of open months.
    assert len(second) < len(first) - 5


def test_with_a_shared_cache_the_close_counts_the_dashboard_for_its_first_view(
    db: None,
    examples: Path,
    hr: Client,
    settings: Settings,
    tmp_path: Path,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # A cache the pages share with the workers (CACHE_URL on Redis in production; a directory here).
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)}
    }
    examples_loaded(examples)
    close("2026-01")
    with CaptureQueriesContext(connection) as counted:  # the dashboard of a close not yet warmed
        counted_text = page_text(hr.get("/dashboard/").content)
    with django_capture_on_commit_callbacks(execute=True):
        close("2026-02")  # its finish, once committed, counts the dashboard

    with CaptureQueriesContext(connection) as first:
        text = page_text(hr.get("/dashboard/").content)

    assert "February 2026 All 2 " in text and "February 2026 All" not in counted_text
    assert len(first) < len(counted) - 5  # the first view after the close read its figures from the cache
    cached_text = text
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert page_text(hr.get("/dashboard/").content) == cached_text  # the same as counted afresh


def test_a_period_reopened_and_closed_again_shows_its_new_results_at_once(db: None, examples: Path, hr: Client) -> None:
    examples_loaded(examples)
    close("2026-01")
    assert "Top 1, January 2026 Employee Department Score Band Bonus 李雷 li.lei 客户部 107.66" in page_text(
        hr.get("/dashboard/").content
    )

    cycle_reopen(period=Period.parse("2026-01"), reason="new customers were counted twice")
    metrics_import(table=csv_table("employee,period,new_customers\nli.lei,2026-01,1\n"))
    close("2026-01")

    text = page_text(hr.get("/dashboard/").content)
    assert "李雷 li.lei 客户部 107.66" not in text
    assert "January 2026 All 1 " in text


def test_people_moved_by_a_roster_import_show_in_their_new_department_at_once(
    quarter_closed: None, hr: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    assert "客户部 2 " in page_text(hr.get("/dashboard/").content)

    with django_capture_on_commit_callbacks(execute=True):
        roster_import(table=csv_table("employee,name,department,manager,plan,start,monthly_bonus,quarterly_bonus\n"
                                      "han.mei,韩梅梅,大客户部,wang.fang,,,,\n"))  # fmt: skip

    text = page_text(hr.get("/dashboard/").content)
    assert "大客户部 1 " in text and "客户部 1 " in text


def test_completion_is_counted_at_most_once_a_minute_and_the_page_says_when(
    db: None, examples: Path, hr: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    examples_loaded(examples, WU_DI)
    close("2026-01", force=True)
    first = page_text(hr.get("/dashboard/").content)
    assert "February 2026 8 12 66.7%" in first
    assert re.search(r"Counted at \d\d:\d\d, at most once a minute\.", first)

    metrics_import(table=csv_table("employee,period,satisfaction\nwu.di,2026-02,9\n"))
    assert "February 2026 8 12 66.7%" in page_text(hr.get("/dashboard/").content)  # within the minute

    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)  # the cache's clock
    assert "February 2026 9 12 75.0%" in page_text(hr.get("/dashboard/").content)


UNREACHABLE_REDIS = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


def test_the_dashboard_counts_without_its_cache_when_redis_is_down(
    quarter_closed: None, hr: Client, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.CACHES = UNREACHABLE_REDIS  # nothing listens on port 1: connection refused

    response = hr.get("/dashboard/")

    assert response.status_code == 200
    assert "Q1 2026 All 2 ¥10,200.00" in page_text(response.content)
    assert "The cache cannot be read: counting the dashboard without it." in caplog.text


def test_a_roster_import_is_saved_when_redis_is_down(
    quarter_closed: None,
    settings: Settings,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.CACHES = UNREACHABLE_REDIS

    with django_capture_on_commit_callbacks(execute=True):
        roster_import(table=csv_table("employee,name,department,manager,plan,start,monthly_bonus,quarterly_bonus\n"
                                      "han.mei,韩梅梅,大客户部,wang.fang,,,,\n"))  # fmt: skip

    department = User.objects.get(username="han.mei").department
    assert department is not None
    assert department.name == "大客户部"
    assert "dashboards may show the old roster for an hour" in caplog.text
