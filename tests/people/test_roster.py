"""The roster import: people, managers, departments and assignments, all or nothing."""

from decimal import Decimal

import pytest

from metrics.models import Cycle, CycleStatus
from people.models import Department, Role, User
from people.services import roster_import
from plans.models import Assignment
from plans.tabular import TableError
from tests.factories import csv_table, plan_data, publish

HEADER = "employee,name,department,manager,plan,start,monthly_bonus,quarterly_bonus\n"
ROSTER = (
    HEADER
    + "li.lei,李雷,客户部,wang.fang,customer-manager,2026-01,2000,6000\nhan.mei,韩梅梅,客户部,wang.fang,customer-manager,2026-02,2000,6000\n"
)


@pytest.fixture
def plan(db):
    return publish()


def test_it_creates_people_their_department_manager_and_assignments(plan):
    outcome = roster_import(table=csv_table(ROSTER))
    li = User.objects.get(username="li.lei")
    assert (li.display_name, li.department.name, li.manager.username, li.role) == (
        "李雷",
        "客户部",
        "wang.fang",
        Role.EMPLOYEE,
    )
    assert User.objects.get(username="wang.fang").role == Role.MANAGER
    assert Department.objects.count() == 1
    assignment = Assignment.objects.get(employee__username="han.mei")
    assert (assignment.version, assignment.start, assignment.quarterly_bonus) == (plan, "2026-02", Decimal("6000"))
    assert (outcome.people_created, outcome.assignments_created) == (3, 2)


def test_importing_it_again_updates_instead_of_duplicating(plan):
    roster_import(table=csv_table(ROSTER))
    outcome = roster_import(
        table=csv_table(ROSTER.replace("李雷,客户部", "李雷,大客户部").replace("2000,6000\nhan", "2500,6000\nhan"))
    )
    assert User.objects.count() == 3
    li = User.objects.get(username="li.lei")
    assert li.department.name == "大客户部"
    assert Assignment.objects.get(employee=li).monthly_bonus == Decimal("2500")
    assert (outcome.people_created, outcome.people_updated, outcome.assignments_updated) == (0, 1, 1)


def test_a_new_version_moves_nobody(plan):
    roster_import(table=csv_table(ROSTER))
    version_2 = publish(plan_data(name="客户管理员绩效方案 2027"))
    roster_import(table=csv_table(ROSTER))
    assert set(Assignment.objects.values_list("version", flat=True)) == {plan.pk}
    assert version_2.number == 2


def test_every_bad_row_is_listed_and_nothing_is_saved(plan):
    text = HEADER + (
        "li.lei,李雷,客户部,wang.fang,customer-manager,2026-01,2000,6000\n"
        "han.mei,韩梅梅,客户部,han.mei,customer-manager,2026-02,2000,6000\n"
        "lucy,露西,客户部,wang.fang,no-such-plan,2026-02,2000,6000\n"
        "lily,莉莉,客户部,wang.fang,customer-manager,2026-14,2000,6000\n"
        "tom,汤姆,客户部,wang.fang,customer-manager,2026-02,lots,6000\n"
        "li.lei,李雷,客户部,wang.fang,customer-manager,2026-01,2000,6000\n"
    )
    with pytest.raises(TableError) as error:
        roster_import(table=csv_table(text))
    assert [message.split(":")[0] for message in error.value.errors] == [
        "Row 3, manager",
        "Row 4, plan",
        "Row 5, start",
        "Row 6, monthly_bonus",
        "Row 7, employee",
    ]
    assert User.objects.count() == 0 and Department.objects.count() == 0


def test_a_missing_column_is_refused(plan):
    with pytest.raises(TableError) as error:
        roster_import(table=csv_table("employee,name\nli.lei,李雷\n"))
    assert "Row 1: the column “department” is missing" in error.value.errors


def test_a_new_assignment_cannot_start_in_a_closed_month(plan):
    Cycle.objects.create(period="2026-02", status=CycleStatus.CLOSED)
    with pytest.raises(TableError) as error:
        roster_import(table=csv_table(ROSTER))
    assert error.value.errors == [
        "Row 2, start: 2026-02 is closed: a new assignment must start in an open month",
        "Row 3, start: 2026-02 is closed: a new assignment must start in an open month",
    ]
