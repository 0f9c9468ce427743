"""`load_demo`: a Chinese demo company, loaded through the services, idempotent.

These tests use the ``celery_worker`` fixture, with a transactional database: closing 2026-01
enqueues its task after the commit and waits for a worker to score it.
"""

import csv
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
from people.management.commands.load_demo import PASSWORD, figures_text
from people.models import Department, Role, User
from plans.models import Assignment, PlanTemplate, PlanVersion
from plans.periods import Period

pytestmark = pytest.mark.usefixtures("celery_worker")  # a transactional database and a worker


@pytest.fixture(autouse=True)
def _short_wait(settings: Settings) -> None:
    """The worker closes 30 people in well under a second: never hang a broken run."""
    settings.CLOSE_WAIT_SECONDS = 30


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_it_loads_thirty_people_in_two_departments_on_the_plan() -> None:
    load_demo()

    assert PlanTemplate.objects.get(code="customer-manager").name == "客户管理员绩效方案"
    assert set(Department.objects.values_list("name", flat=True)) == {"客户一部", "客户二部"}
    employees = User.objects.filter(role=Role.EMPLOYEE)
    assert employees.count() == 30
    assert Assignment.objects.filter(employee__in=employees, start="2026-01").count() == 30
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


def test_january_is_closed_with_a_result_for_everybody_and_the_next_months_are_open_and_complete() -> None:
    load_demo()

    assert Cycle.objects.get(period="2026-01").status == CycleStatus.CLOSED
    assert set(Result.objects.filter(period="2026-01").values_list("employee__username", flat=True)) == set(
        User.objects.filter(role=Role.EMPLOYEE).values_list("username", flat=True)
    )
    for month in ("2026-02", "2026-03"):
        assert cycle_status(period=Period.parse(month)) == CycleStatus.OPEN
        assert MetricEntry.objects.filter(period=month, value__isnull=False).count() == 30 * 4
        assert figures_missing(period=Period.parse(month)) == []


def test_it_prints_the_logins_and_the_address() -> None:
    output = load_demo()

    assert "http://127.0.0.1:8000" in output
    for username in ("hr", "wang.fang", "admin"):
        assert f"user name {username}, password {PASSWORD}" in output


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
    assert "2026-01: already closed" in output


def test_the_figures_are_the_same_every_time_and_plausible() -> None:
    files = figures_text()

    assert files == figures_text()
    for month, text in files.items():
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == 30
        for row in rows:
            assert row["period"] == month
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
    result = Result.objects.select_related("employee").get(period="2026-01", employee__username="li.lei")
    client = Client()

    response = client.post("/accounts/login/", {"username": "hr", "password": PASSWORD}, follow=True)

    text = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
    assert "客户管理员绩效方案 customer-manager 1 30" in text
    assert "2026-01 Closed 2026-02 Open 2026-03 Open" in text
    assert f"李雷 li.lei 客户一部 {result.score} {result.band} {result.bonus}" in text
