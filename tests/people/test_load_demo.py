"""`load_demo`: a Chinese demo company, loaded through the services, idempotent, living today.

These tests use the ``celery_worker`` fixture, with a transactional database: closing a month
enqueues its task after the commit and waits for a worker to score it. They load the demo as on
5 December 2026 (``--today``): 2026-Q3 and October closed, November open with figures missing,
December open.
"""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django import Settings

from metrics.cycles.models import Cycle, CycleEvent, CycleStatus
from metrics.cycles.selectors import cycle_status
from metrics.figures.models import MetricEntry
from metrics.figures.selectors import figures_missing
from metrics.results.models import Result
from people.management.commands.load_demo import MISSING, PASSWORD, demo_calendar, demo_url, figures_text
from people.models import Department, Role, User
from plans.formats import money_text
from plans.models import Assignment, PlanTemplate, PlanVersion
from plans.periods import Period

pytestmark = pytest.mark.usefixtures("celery_worker")  # a transactional database and a worker


@pytest.fixture(autouse=True)
def _short_wait(settings: Settings) -> None:
    """The worker closes 30 people in well under a second: never hang a broken run."""
    settings.CLOSE_WAIT_SECONDS = 30


TODAY = datetime.date(2026, 12, 5)


def load_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", "--today", TODAY.isoformat(), *args, stdout=out)
    return out.getvalue()


def test_it_loads_thirty_people_in_two_departments_on_the_plan() -> None:
    load_demo()

    assert PlanTemplate.objects.get(code="customer-manager").name == "客户管理员绩效方案"
    assert set(Department.objects.values_list("name", flat=True)) == {"客户一部", "客户二部"}
    employees = User.objects.filter(role=Role.EMPLOYEE)
    assert employees.count() == 30
    assert Assignment.objects.filter(employee__in=employees, start="2026-07").count() == 30
    assert set(Assignment.objects.values_list("monthly_bonus", "quarterly_bonus")) >= {
        (Decimal("2000.00"), Decimal("6000.00"))
    }
    assert User.objects.filter(
        username="li.lei", display_name="李雷", department__name="客户一部", manager__display_name="王芳"
    ).exists()


def test_every_demo_user_logs_in_with_the_demo_password() -> None:
    load_demo()

    assert User.objects.get(username="hr").role == Role.HR
    admin = User.objects.get(username="admin")
    assert (admin.role, admin.is_staff, admin.is_superuser) == (Role.ADMIN, True, True)
    assert set(User.objects.filter(role=Role.MANAGER).values_list("username", flat=True)) == {"wang.fang", "zhao.lei"}
    assert all(user.check_password(PASSWORD) for user in User.objects.all())
    # HR can remind the managers from the cycle page: each has an address.
    assert dict(User.objects.filter(role=Role.MANAGER).values_list("username", "email")) == {
        "wang.fang": "wang.fang@example.com",
        "zhao.lei": "zhao.lei@example.com",
    }


def test_the_last_full_quarter_is_closed_the_last_month_lacks_figures_and_the_current_is_open() -> None:
    load_demo()

    employees = set(User.objects.filter(role=Role.EMPLOYEE).values_list("username", flat=True))
    for period in ("2026-07", "2026-08", "2026-09", "2026-Q3", "2026-10"):
        assert Cycle.objects.get(period=period).status == CycleStatus.CLOSED, period
        assert set(Result.objects.filter(period=period).values_list("employee__username", flat=True)) == employees
    assert not Result.objects.filter(period__in=["2026-11", "2026-12"]).exists()
    for month in ("2026-11", "2026-12", "2026-Q4"):
        assert cycle_status(period=Period.parse(month)) == CycleStatus.OPEN
    # November: every figure but the few of MISSING (a formula's inputs are one figure).
    missing = {(username, column.split(".")[0]) for username, columns in MISSING.items() for column in columns}
    assert MetricEntry.objects.filter(period="2026-11", value__isnull=False).count() == 30 * 4 - len(missing)
    lacking = {(f.employee, f.indicator) for f in figures_missing(period=Period.parse("2026-11"))}
    assert lacking == missing
    # Both teams lack some: each manager has something to do, HR someone to remind.
    managers = set(
        User.objects.filter(username__in=[u for u, _ in missing]).values_list("manager__username", flat=True)
    )
    assert managers == {"wang.fang", "zhao.lei"}
    # December has just begun: no figures yet.
    assert not MetricEntry.objects.filter(period="2026-12").exists()


@pytest.mark.parametrize(
    ("today", "quarter", "last", "closed"),
    [
        ("2026-12-05", "2026-Q3", "2026-11", ["2026-07", "2026-08", "2026-09", "2026-Q3", "2026-10"]),
        ("2026-11-30", "2026-Q3", "2026-10", ["2026-07", "2026-08", "2026-09", "2026-Q3"]),
        # The month before is the last of a quarter: that quarter stays open, the one before closes.
        ("2026-10-01", "2026-Q2", "2026-09", ["2026-04", "2026-05", "2026-06", "2026-Q2", "2026-07", "2026-08"]),
        ("2027-01-31", "2026-Q3", "2026-12", ["2026-07", "2026-08", "2026-09", "2026-Q3", "2026-10", "2026-11"]),
        ("2026-02-14", "2025-Q4", "2026-01", ["2025-10", "2025-11", "2025-12", "2025-Q4"]),
    ],
)
def test_the_calendar_follows_the_day(today: str, quarter: str, last: str, closed: list[str]) -> None:
    calendar = demo_calendar(datetime.date.fromisoformat(today))

    assert (str(calendar.quarter), str(calendar.last), str(calendar.current)) == (quarter, last, today[:7])
    assert [str(period) for period in calendar.closed] == closed
    assert str(calendar.start) == closed[0]
    assert calendar.months[-1] == calendar.current
    assert calendar == demo_calendar(datetime.date.fromisoformat(today))


def test_running_it_twice_changes_nothing() -> None:
    load_demo()

    def state() -> dict[str, object]:
        return {
            "people": sorted(User.objects.values_list("username", "password", "role", "department_id", "manager_id")),
            "departments": Department.objects.count(),
            "versions": PlanVersion.objects.count(),
            "assignments": sorted(Assignment.objects.values_list("pk", "updated_at")),
            "figures": sorted(MetricEntry.objects.values_list("pk", "value", "updated_at")),
            "results": Result.objects.count(),
            "cycles": sorted(Cycle.objects.values_list("period", "status", "run")),
            "events": CycleEvent.objects.count(),
        }

    before = state()
    output = load_demo()

    assert state() == before
    assert "2026-Q3: already closed" in output
    assert "Figures of 2026-11: already entered, kept." in output


def test_a_later_day_adds_the_new_months_and_closes_what_has_ended_keeping_what_was_changed() -> None:
    load_demo()
    changed = MetricEntry.objects.get(
        period="2026-11", assignment__employee__username="li.lei", indicator__code="satisfaction"
    )
    changed.value = Decimal("7.7")
    changed.save()

    out = io.StringIO()
    call_command("load_demo", "--today", "2027-01-04", stdout=out)

    changed.refresh_from_db()
    assert changed.value == Decimal("7.7")
    assert Cycle.objects.get(period="2026-11").status == CycleStatus.CLOSED  # its gaps were filled, then closed
    assert MetricEntry.objects.filter(period="2026-12", value__isnull=False).count() == 30 * 4 - 7
    assert cycle_status(period=Period.parse("2027-01")) == CycleStatus.OPEN


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("", "http://127.0.0.1:8000"),
        ("8001", "http://127.0.0.1:8001"),
        (":8001", "http://127.0.0.1:8001"),
        ("0.0.0.0:8001", "http://127.0.0.1:8001"),
        ("demo.example.com:80", "http://demo.example.com"),
        ("https://demo.example.com/", "https://demo.example.com"),
    ],
)
def test_the_printed_address_is_the_one_runserver_is_given(
    host: str, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOST", raising=False)
    assert demo_url(host) == url
    monkeypatch.setenv("HOST", "10.0.0.5:9000")
    assert demo_url(host) == (url if host else "http://10.0.0.5:9000")


def test_the_figures_are_the_same_every_time_and_plausible() -> None:
    calendar = demo_calendar(TODAY)
    files = figures_text(calendar)

    assert files == figures_text(demo_calendar(TODAY))
    assert [str(month) for month in files] == ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    # A month's figures do not depend on the day the demo is loaded.
    assert (
        figures_text(demo_calendar(datetime.date(2027, 1, 10)))[Period.parse("2026-08")]
        == files[Period.parse("2026-08")]
    )
    for month, text in files.items():
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == 30
        for row in rows:
            assert row["period"] == str(month)
            if month == calendar.last and row["employee"] in MISSING:
                assert all(row[column] == "" for column in MISSING[row["employee"]])
                continue
            assert 0 <= int(row["churn.lost"]) <= 4
            assert 30 <= int(row["churn.total"]) <= 60
            assert Decimal("6.5") <= Decimal(row["satisfaction"]) <= 10
            assert Decimal(row["satisfaction"]).as_tuple().exponent == -1
            assert 0 <= int(row["new_customers"]) <= 6
            total = int(row["feedback.total"])
            assert 20 <= total <= 50
            assert Decimal("0.8") * total <= int(row["feedback.ok"]) <= total


def test_hr_logs_in_and_sees_the_demo_on_the_home_page() -> None:
    load_demo()
    result = Result.objects.select_related("employee").get(period="2026-10", employee__username="li.lei")
    client = Client()

    response = client.post("/accounts/login/", {"username": "hr", "password": PASSWORD}, follow=True)

    text = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
    assert "客户管理员绩效方案 customer-manager 1 30" in text
    assert "Q3 2026 Closed" in text and "October 2026 Closed" in text and "November 2026 Open" in text
    assert f"李雷 li.lei 客户一部 {result.score} {result.band} {money_text(result.bonus)}" in text
