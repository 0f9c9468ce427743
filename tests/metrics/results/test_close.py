"""Closing and reopening cycles through the commands and the services under them."""

import datetime
import threading
import time
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import Settings

from metrics.cycles.models import Cycle, CycleAction, CycleEvent, CyclePart, CycleStatus, PartStatus
from metrics.cycles.selectors import cycle_status
from metrics.figures.selectors import MissingFigure, figures_missing
from metrics.figures.services import metrics_import
from metrics.results import closing, parts
from metrics.results.models import ChunkStatus, CycleChunk, Result, ResultLine
from metrics.results.tasks import cycle_close_task
from people.models import User
from plans.formats import period_text
from plans.models import PlanVersion
from plans.periods import Period
from plans.tabular import TableError
from tests.factories import UserFactory, assign, csv_table, publish

# The close is enqueued after the commit and scored by a Celery worker: in a thread on the
# in-memory transport on a fresh machine, on Redis where CELERY_BROKER_URL names it.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker")]

FIGURES = "employee,period,churn.lost,churn.total,satisfaction,new_customers,feedback.ok,feedback.total\n"


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def team(size: int, *, version: PlanVersion | None = None, figures: bool = True) -> list[User]:
    version = version or publish()
    people = [UserFactory.create(username=f"e{n:04d}") for n in range(size)]
    for person in people:
        assign(person, version, "2026-01")
    if figures:
        rows = "".join(f"{p.username},2026-01,2,50,8.6,4,46,48\n" for p in people)
        metrics_import(table=csv_table(FIGURES + rows))
    return people


def test_closing_with_figures_missing_is_refused_with_the_list() -> None:
    team(2, figures=False)
    metrics_import(table=csv_table(FIGURES + "e0000,2026-01,2,50,8.6,4,46,48\ne0001,2026-01,2,50,,4,,\n"))
    with pytest.raises(CommandError) as error:
        run("close_cycle", "2026-01")
    message = str(error.value)
    assert "January 2026 cannot close: 2 values are missing" in message
    assert "e0001" in message and "2026-01 satisfaction" in message and "2026-01 feedback" in message
    assert "--force" in message
    assert cycle_status(period=Period.parse("2026-01")) == CycleStatus.OPEN
    assert not Result.objects.exists()


def test_a_forced_close_scores_missing_values_0_and_flags_the_result_incomplete() -> None:
    team(1, figures=False)
    metrics_import(table=csv_table(FIGURES + "e0000,2026-01,2,50,8.6,4,,\n"))
    run("close_cycle", "2026-01", "--force")
    result = Result.objects.get()
    feedback = result.lines.get(indicator__code="feedback")
    assert (feedback.points, feedback.missing) == (Decimal("0.00"), True)
    assert result.score == Decimal("90.99")  # (36 + 23.89 + 22 + 0) * 100 / 90 = 90.988…
    assert "incomplete" in result.flags
    assert (
        run("export_scores", "2026-01").splitlines()[1].startswith("e0000,2026-01,90.99,A,100.00,2000.00,incomplete,")
    )


def test_closing_a_closed_cycle_changes_nothing_and_says_so() -> None:
    team(1)
    run("close_cycle", "2026-01")
    before = list(Result.objects.values_list("pk", "score"))
    assert run("close_cycle", "2026-01") == "2026-01 is already closed: nothing changed.\n"
    assert list(Result.objects.values_list("pk", "score")) == before


def test_a_closed_month_takes_no_new_figures() -> None:
    team(1)
    run("close_cycle", "2026-01")
    with pytest.raises(TableError) as error:
        metrics_import(table=csv_table(FIGURES + "e0000,2026-01,1,50,8.6,4,46,48\n"))
    assert error.value.messages == ["Row 2, period: 2026-01 is closed: it takes no new or changed figures"]


def test_a_quarter_does_not_close_before_its_months() -> None:
    team(1)
    run("close_cycle", "2026-01")
    with pytest.raises(CommandError) as error:
        run("close_cycle", "2026-Q1")
    assert "Q1 2026 cannot close before its months: February 2026, March 2026 not closed" in str(error.value)


def test_reopening_keeps_the_old_results_as_superseded_and_the_reason() -> None:
    team(1)
    run("close_cycle", "2026-01")
    run("reopen_cycle", "2026-01", "--reason", "wrong churn figures")
    old = Result.objects.get()
    assert old.superseded_at is not None
    event = Cycle.objects.get(period="2026-01").events.get(action=CycleAction.REOPENED)
    assert event.reason == "wrong churn figures"
    metrics_import(table=csv_table(FIGURES + "e0000,2026-01,1,50,8.6,4,46,48\n"))
    run("close_cycle", "2026-01")
    current = Result.objects.get(superseded_at__isnull=True)
    assert (current.run, current.score) == (
        2,
        Decimal("113.21"),
    )  # churn 2 % earns the stretch: (41+23.89+22+15)*100/90
    assert Result.objects.count() == 2
    assert run("export_scores", "2026-01").splitlines()[1].startswith("e0000,2026-01,113.21,")


def test_reopening_needs_a_reason_and_a_closed_cycle() -> None:
    team(1)
    with pytest.raises(CommandError, match="January 2026 is not closed"):
        run("reopen_cycle", "2026-01", "--reason", "why not")
    run("close_cycle", "2026-01")
    with pytest.raises(CommandError, match="needs a reason"):
        run("reopen_cycle", "2026-01", "--reason", "  ")


def test_exporting_an_open_period_is_refused() -> None:
    with pytest.raises(CommandError, match="February 2026 is not closed"):
        run("export_scores", "2026-02")


def test_a_second_delivery_of_the_close_writes_nothing_twice() -> None:
    team(3)
    run("close_cycle", "2026-01")
    cycle = Cycle.objects.get(period="2026-01")
    counts = (Result.objects.count(), ResultLine.objects.count())
    cycle_close_task.apply(args=(cycle.pk, cycle.run))
    # and a chunk handed back to the queue after its worker died, scored again from scratch
    CycleChunk.objects.filter(cycle=cycle).update(status=ChunkStatus.PENDING)
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.CLOSING)
    CyclePart.objects.filter(cycle=cycle).update(status=PartStatus.CLOSING)
    assert closing.cycle_close_work(cycle_id=cycle.pk, run=cycle.run) == 1
    assert (Result.objects.count(), ResultLine.objects.count()) == counts == (3, 12)
    assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.CLOSED


def test_each_result_keeps_why_each_indicator_scored_what_it_did() -> None:
    team(1)
    run("close_cycle", "2026-01")
    lines = {line.indicator.code: line for line in ResultLine.objects.select_related("indicator").order_by("position")}
    assert list(lines) == ["churn", "satisfaction", "new_customers", "feedback"]
    churn = lines["churn"]
    assert (churn.actual, churn.target, churn.method, churn.points) == (
        Decimal("4"),
        Decimal("5"),
        "proportional",
        Decimal("36.00"),
    )
    assert lines["new_customers"].points == Decimal("22.00")


def _closing_queries(period: str) -> int:
    """The queries of the close's services, run here (no other worker) so that they can be counted."""
    request = closing.cycle_close_request(period=Period.parse(period), enqueue=lambda *args: None)
    ids = {"cycle_id": request.cycle.pk, "run": request.cycle.run}
    with CaptureQueriesContext(connection) as queries:
        closing.cycle_close_start(**ids)
        closing.cycle_close_work(**ids)
    assert Cycle.objects.get(period=period).status == CycleStatus.CLOSED
    return len(queries)


@pytest.fixture
def sqlite_without_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    if connection.vendor == "sqlite":
        # Django caps SQLite at 999 parameters a statement for builds older than 3.32; the
        # bundled one takes 32766, so bulk inserts need not be split into batches here (the
        # connection's features are shared by every later test: monkeypatch puts it back).
        monkeypatch.setattr(connection.features, "max_query_params", 32766)


@pytest.mark.usefixtures("sqlite_without_batches")
def test_a_close_takes_the_same_queries_for_10_and_for_200_employees(settings: Settings) -> None:
    settings.CLOSE_CHUNK_SIZE = 1000
    version = publish()
    first = team(10, version=version)
    ten = _closing_queries("2026-01")
    more = [UserFactory.create(username=f"n{n:04d}") for n in range(190)]
    for person in more:
        assign(person, version, "2026-02")
    rows = "".join(f"{p.username},2026-02,2,50,8.6,4,46,48\n" for p in first + more)
    metrics_import(table=csv_table(FIGURES + rows))
    two_hundred = _closing_queries("2026-02")
    assert Result.objects.filter(period="2026-02").count() == 200
    assert two_hundred == ten


@pytest.mark.usefixtures("sqlite_without_batches")
def test_each_extra_chunk_costs_a_fixed_handful_of_queries(settings: Settings) -> None:
    version = publish()
    people = team(200, version=version)
    settings.CLOSE_CHUNK_SIZE = 1000
    one_chunk = _closing_queries("2026-01")
    rows = "".join(f"{p.username},2026-02,2,50,8.6,4,46,48\n" for p in people)
    metrics_import(table=csv_table(FIGURES + rows))
    settings.CLOSE_CHUNK_SIZE = 50
    four_chunks = _closing_queries("2026-02")
    assert CycleChunk.objects.filter(cycle__period="2026-02").count() == 4
    assert Result.objects.filter(period="2026-02").count() == 200
    assert (four_chunks - one_chunk) / 3 <= 16, (one_chunk, four_chunks)


# --- a period closes only once it has ended, and only within 2000-01 to 2100-12 -----------------


@pytest.fixture
def december_1_2026(monkeypatch: pytest.MonkeyPatch) -> datetime.date:
    """Today, for the close, is 2026-12-01 in the company's time zone, whatever the clock says."""
    today = datetime.date(2026, 12, 1)
    monkeypatch.setattr(closing, "company_today", lambda: today)
    return today


@pytest.mark.usefixtures("december_1_2026")
@pytest.mark.parametrize("period", ["2031-06", "2026-12", "2026-Q4"])
def test_a_period_that_has_not_ended_is_refused_even_forced_and_nothing_changes(period: str) -> None:
    people = team(1, figures=False)
    before = list(people[0].assignments.values_list("pk", "start", "monthly_bonus"))

    with pytest.raises(CommandError) as error:
        run("close_cycle", period, "--force")

    day = str(Period.parse(period).day_after())
    assert str(error.value) == f"{period_text(period)} has not ended yet: it can close from {day}."
    assert not Cycle.objects.filter(period=period).exists()
    assert not Result.objects.exists() and not CycleEvent.objects.exists()
    assert list(people[0].assignments.values_list("pk", "start", "monthly_bonus")) == before


@pytest.mark.usefixtures("december_1_2026")
def test_the_month_just_ended_closes() -> None:
    people = team(1, figures=False)
    rows = "".join(f"{p.username},2026-11,2,50,8.6,4,46,48\n" for p in people)
    metrics_import(table=csv_table(FIGURES + rows))

    assert run("close_cycle", "2026-11") == "2026-11 is closed: 1 results.\n"


@pytest.mark.parametrize(
    ("utc", "can_close"),
    [
        (datetime.datetime(2026, 1, 31, 15, 59, tzinfo=datetime.UTC), False),  # 23:59 in Shanghai
        (datetime.datetime(2026, 1, 31, 16, 0, tzinfo=datetime.UTC), True),  # 00:00 on February 1
    ],
)
def test_a_month_can_close_from_midnight_after_it_in_the_company_time_zone(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, utc: datetime.datetime, can_close: bool
) -> None:
    settings.TIME_ZONE = "Asia/Shanghai"
    monkeypatch.setattr(timezone, "now", lambda: utc)  # the timezone module closing reads

    assert (closing.close_opens(period=Period.parse("2026-01")) is None) is can_close


@pytest.mark.parametrize("period", ["9999-12", "0000-01", "1999-12", "2101-Q1"])
def test_a_period_outside_the_range_is_refused_naming_the_range(period: str) -> None:
    with pytest.raises(CommandError) as error:
        run("close_cycle", period, "--force")

    assert str(error.value) == f"“{period}” is outside the periods this product handles: 2000-01 to 2100-12."
    assert not Cycle.objects.exists()


# --- a double click: two close requests at once --------------------------------------------------


def test_two_close_requests_at_once_both_answer_and_the_month_closes_once(monkeypatch: pytest.MonkeyPatch) -> None:
    team(1)
    inside = threading.Event()
    checked = figures_missing  # the one a close request calls

    def slow_check(**kwargs: Any) -> list[MissingFigure]:
        if threading.current_thread().name == "first":
            inside.set()
            time.sleep(0.5)  # the second click arrives while the first request holds its transaction
        return checked(**kwargs)

    monkeypatch.setattr(parts, "figures_missing", slow_check)
    enqueued: list[tuple[int, int]] = []
    errors: list[Exception] = []

    def click() -> None:
        try:
            closing.cycle_close_request(period=Period.parse("2026-01"), enqueue=lambda *ids: enqueued.append(ids))
        except Exception as error:  # the test reports whatever a click got
            errors.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=click, name="first")
    first.start()
    assert inside.wait(10)
    second = threading.Thread(target=click, name="second")
    second.start()
    first.join(30)
    second.join(30)

    assert errors == []
    cycle = Cycle.objects.get(period="2026-01")
    assert enqueued == [(cycle.pk, 1), (cycle.pk, 1)]  # the claim lets one of them close it
    cycle_close_task.apply(args=enqueued[0])
    cycle_close_task.apply(args=enqueued[1])
    assert Result.objects.count() == 1 and cycle_status(period=Period.parse("2026-01")) == CycleStatus.CLOSED


# --- export_scores -------------------------------------------------------------------------------


def test_exporting_into_a_missing_folder_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    team(1)
    run("close_cycle", "2026-01")
    target = tmp_path / "missing" / "scores.csv"

    with pytest.raises(CommandError) as error:
        run("export_scores", "2026-01", "--output", str(target))

    assert str(error.value) == f"Cannot write {target}: the folder {target.parent} does not exist."
    assert not target.parent.exists()


def test_exporting_onto_a_folder_is_one_line(tmp_path: Path) -> None:
    team(1)
    run("close_cycle", "2026-01")

    with pytest.raises(CommandError) as error:
        run("export_scores", "2026-01", "--output", str(tmp_path))

    assert str(error.value).startswith(f"Cannot write {tmp_path}: ") and "\n" not in str(error.value)


def test_exporting_to_a_file_writes_the_scores(tmp_path: Path) -> None:
    team(1)
    run("close_cycle", "2026-01")
    target = tmp_path / "scores.csv"

    run("export_scores", "2026-01", "--output", str(target))

    assert target.read_text(encoding="utf-8") == run("export_scores", "2026-01")


def test_the_export_quotes_a_band_or_flag_a_spreadsheet_would_run_and_leaves_numbers_alone() -> None:
    team(1)
    run("close_cycle", "2026-01")
    Result.objects.update(band="=HYPERLINK(1)", flags=["-1+1", "@me"], score=Decimal("-3.5"))

    row = run("export_scores", "2026-01").splitlines()[1].split(",")

    assert row[:7] == ["e0000", "2026-01", "-3.50", "'=HYPERLINK(1)", "100.00", "2000.00", "'-1+1;@me"]


@pytest.mark.postgres
def test_a_close_leaves_fresh_statistics_for_what_the_next_close_reads() -> None:
    """The quarter reads the months' results by employee and period and their lines by result: the
    month's close counts those columns, and the tables' sizes, before it ends (without them, a plan
    made for empty tables scans every line for each chunk of the quarter). Seven people, 28 lines:
    sizes no other test leaves in the statistics, which outlive the rows a test deletes."""
    team(7)
    run("close_cycle", "2026-01")
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, attname FROM pg_stats WHERE tablename LIKE 'metrics_result%%'")
        counted = set(cursor.fetchall())
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN ('metrics_result', 'metrics_resultline')"
        )
        sizes = dict(cursor.fetchall())
    assert {("metrics_result", column) for column in ("employee_id", "period", "superseded_at")} <= counted
    assert ("metrics_resultline", "result_id") in counted
    assert sizes == {"metrics_result": 7, "metrics_resultline": 28}
