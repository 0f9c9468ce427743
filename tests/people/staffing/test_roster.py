"""The roster import: people, managers, departments and assignments, all or nothing."""

from datetime import date
from decimal import Decimal
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook
from pytest_django import DjangoAssertNumQueries

from metrics.cycles.models import Cycle, CycleStatus
from metrics.figures.models import MetricEntry
from metrics.figures.services import metrics_import
from metrics.results import closing
from metrics.results.models import Result
from people.models import Department, Role, User
from people.staffing.roster import roster_import
from plans.models import Assignment, PlanVersion
from plans.periods import Period
from plans.tabular import Table, TableError, table_read
from tests.factories import csv_table, plan_data, publish

FIGURES = "employee,period,churn.lost,churn.total,satisfaction,new_customers,feedback.ok,feedback.total\n"
HEADER = "employee,name,department,manager,plan,start,monthly_bonus,quarterly_bonus\n"
ROSTER = (
    HEADER
    + "li.lei,李雷,客户部,wang.fang,customer-manager,2026-01,2000,6000\nhan.mei,韩梅梅,客户部,wang.fang,customer-manager,2026-02,2000,6000\n"
)


@pytest.fixture
def plan(db: None) -> PlanVersion:
    return publish()


def test_it_creates_people_their_department_manager_and_assignments(plan: PlanVersion) -> None:
    outcome = roster_import(table=csv_table(ROSTER))
    li = User.objects.get(username="li.lei")
    assert li.department is not None and li.manager is not None
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


def test_importing_it_again_updates_instead_of_duplicating(plan: PlanVersion) -> None:
    roster_import(table=csv_table(ROSTER))
    outcome = roster_import(
        table=csv_table(ROSTER.replace("李雷,客户部", "李雷,大客户部").replace("2000,6000\nhan", "2500,6000\nhan"))
    )
    assert User.objects.count() == 3
    li = User.objects.get(username="li.lei")
    assert li.department is not None
    assert li.department.name == "大客户部"
    assert Assignment.objects.get(employee=li).monthly_bonus == Decimal("2500")
    assert (outcome.people_created, outcome.people_updated, outcome.assignments_updated) == (0, 1, 1)


def test_a_new_version_moves_nobody(plan: PlanVersion) -> None:
    roster_import(table=csv_table(ROSTER))
    version_2 = publish(plan_data(name="客户管理员绩效方案 2027"))
    roster_import(table=csv_table(ROSTER))
    assert set(Assignment.objects.values_list("version", flat=True)) == {plan.pk}
    assert version_2.number == 2


def test_every_bad_row_is_listed_and_nothing_is_saved(plan: PlanVersion) -> None:
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
    assert [message.split(":")[0] for message in error.value.messages] == [
        "Row 3, manager",
        "Row 4, plan",
        "Row 5, start",
        "Row 6, monthly_bonus",
        "Row 7, employee",
    ]
    assert User.objects.count() == 0 and Department.objects.count() == 0


def test_a_missing_column_is_refused(plan: PlanVersion) -> None:
    with pytest.raises(TableError) as error:
        roster_import(table=csv_table("employee,name\nli.lei,李雷\n"))
    assert "Row 1: the column “department” is missing" in error.value.messages


def test_a_new_assignment_cannot_start_in_a_closed_month(plan: PlanVersion) -> None:
    Cycle.objects.create(period="2026-02", status=CycleStatus.CLOSED)
    with pytest.raises(TableError) as error:
        roster_import(table=csv_table(ROSTER))
    assert error.value.messages == [
        "Row 2, start: February 2026 is closed: a new assignment must start in an open month",
        "Row 3, start: February 2026 is closed: a new assignment must start in an open month",
    ]


def roster(*rows: str) -> Table:
    return csv_table(HEADER + "".join(row + "\n" for row in rows))


def close(*periods: str, status: str = CycleStatus.CLOSED, run: int = 1) -> None:
    for period in periods:
        Cycle.objects.update_or_create(period=period, defaults={"status": status, "run": run})


def person(username: str) -> tuple[str, str, str, str]:
    user = User.objects.select_related("department", "manager").get(username=username)
    return (
        user.display_name,
        user.department.name if user.department else "",
        user.manager.username if user.manager else "",
        user.role,
    )


def assignments(username: str) -> list[tuple[str, str, Decimal, Decimal]]:
    return list(
        Assignment.objects.filter(employee__username=username)
        .order_by("start")
        .values_list("start", "version__template__code", "monthly_bonus", "quarterly_bonus")
    )


# --- an empty cell leaves its field as it is -----------------------------------------------------


def test_an_empty_cell_leaves_that_field_as_it_is_in_every_column(plan: PlanVersion) -> None:
    roster_import(table=csv_table(ROSTER))
    before = (person("li.lei"), assignments("li.lei"))

    outcome = roster_import(table=roster("li.lei,,,,,,,"))

    assert (person("li.lei"), assignments("li.lei")) == before
    assert (outcome.people_updated, outcome.assignments_created, outcome.assignments_updated) == (0, 0, 0)


@pytest.mark.parametrize(
    ("row", "changed"),
    [
        ("li.lei,李雷雷,,,,,,", {"name": "李雷雷"}),
        ("li.lei,,大客户部,,,,,", {"department": "大客户部"}),
        ("li.lei,,,zhao.min,,,,", {"manager": "zhao.min"}),
        ("li.lei,,,,,,2500,", {"monthly": Decimal("2500")}),
        ("li.lei,,,,,,,7000", {"quarterly": Decimal("7000")}),
    ],
)
def test_a_filled_cell_changes_only_its_own_field(
    plan: PlanVersion, row: str, changed: dict[str, str | Decimal]
) -> None:
    roster_import(table=csv_table(ROSTER))

    roster_import(table=roster(row))

    name, department, manager, _role = person("li.lei")
    [(start, code, monthly, quarterly)] = assignments("li.lei")
    expected = {
        "name": "李雷",
        "department": "客户部",
        "manager": "wang.fang",
        "monthly": Decimal("2000"),
        "quarterly": Decimal("6000"),
    } | changed
    assert (name, department, manager, monthly, quarterly) == (
        expected["name"],
        expected["department"],
        expected["manager"],
        expected["monthly"],
        expected["quarterly"],
    )
    assert (start, code) == ("2026-01", "customer-manager")


def test_amounts_without_any_plan_are_refused_naming_the_person(plan: PlanVersion) -> None:
    with pytest.raises(TableError) as error:
        roster_import(table=roster("li.lei,李雷,,,,,2500,"))

    assert error.value.messages == ["Row 2, plan: li.lei has no plan yet: give a plan and its first month"]
    assert not User.objects.exists()


def test_a_new_person_on_a_plan_needs_a_first_month(plan: PlanVersion) -> None:
    with pytest.raises(TableError) as error:
        roster_import(table=roster("li.lei,李雷,,,customer-manager,,2000,6000"))

    assert error.value.messages == ["Row 2, start: a plan needs its first month"]


# --- limits ---------------------------------------------------------------------------------------


def over_long_names_are_refused_and_200_characters_kept() -> None:
    publish()
    longest = "李" * 200
    with pytest.raises(TableError) as error:
        roster_import(
            table=roster(
                f"li.lei,{longest}李,{longest},,,,,",
                f"han.mei,韩梅梅,{'部' * 201},,,,,",
                f"{'a' * 151},,,,,,,",
                f"lucy,,,{'m' * 151},,,,",
            )
        )
    assert error.value.messages == [
        "Row 2, name: at most 200 characters",
        "Row 3, department: at most 200 characters",
        "Row 4, employee: at most 150 characters",
        "Row 5, manager: at most 150 characters",
    ]
    assert not User.objects.exists() and not Department.objects.exists()

    roster_import(table=roster(f"li.lei,{longest},{longest},,,,,"))
    assert person("li.lei")[:2] == (longest, longest)


@pytest.mark.django_db
def test_names_over_200_characters_are_a_row_error_not_a_database_error() -> None:
    over_long_names_are_refused_and_200_characters_kept()


@pytest.mark.postgres
@pytest.mark.django_db
def test_names_over_200_characters_are_a_row_error_on_postgresql() -> None:
    over_long_names_are_refused_and_200_characters_kept()


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("li lei", "“li lei” is not a valid user name"),
        ("li/lei", "“li/lei” is not a valid user name"),
    ],
)
def test_user_names_follow_djangos_rule(plan: PlanVersion, cell: str, message: str) -> None:
    with pytest.raises(TableError) as error:
        roster_import(table=roster(f"{cell},李雷,,,,,,"))

    assert error.value.messages == [f"Row 2, employee: {message}"]


def test_user_names_may_be_what_django_allows(plan: PlanVersion) -> None:
    roster_import(table=roster("李雷,李雷,,wang.fang@example.com,,,,", "li_lei+2,,,,,,,"))

    assert person("李雷")[2] == "wang.fang@example.com"
    assert User.objects.filter(username="li_lei+2").exists()


def test_a_user_name_typed_in_full_width_is_the_same_person(plan: PlanVersion) -> None:
    roster_import(table=csv_table(ROSTER))

    roster_import(table=roster("ｌｉ.ｌｅｉ,李雷雷,,ｗａｎｇ.ｆａｎｇ,,,,"))

    assert User.objects.count() == 3
    assert person("li.lei")[:3] == ("李雷雷", "客户部", "wang.fang")


def test_a_large_roster_is_written_in_a_bounded_number_of_queries(
    plan: PlanVersion, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    rows = [f"p{n:04d},员工{n},部门{n % 7},m{n % 10},customer-manager,2026-01,2000,6000" for n in range(300)]

    with django_assert_max_num_queries(40):
        outcome = roster_import(table=roster(*rows))

    assert (outcome.people_created, outcome.assignments_created) == (310, 300)
    assert person("p0123") == ("员工123", "部门4", "m3", Role.EMPLOYEE)
    assert User.objects.get(username="m3").role == Role.MANAGER


@pytest.mark.parametrize(
    ("cell", "amount"),
    [("2,500.50", Decimal("2500.5")), ("２５００．５", Decimal("2500.5")), ("999999999.99", Decimal("999999999.99"))],
)
def test_bonus_amounts_are_read_as_typed_and_kept_exactly(plan: PlanVersion, cell: str, amount: Decimal) -> None:
    roster_import(table=roster(f'li.lei,李雷,,,customer-manager,2026-01,"{cell}",0'))

    assert assignments("li.lei") == [("2026-01", "customer-manager", amount, Decimal(0))]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("1.234", "“1.234” has more than 2 decimals: give at most 2, nothing is rounded"),
        ("1000000000", "“1000000000” is too large: a number must lie between −1,000,000,000 and 1,000,000,000"),
        ("-5", "“-5” is below the minimum of 0"),
        ("8,6", "“8,6” is not a number"),
        ("lots", "“lots” is not a number"),
    ],
)
def test_a_bonus_amount_that_is_not_money_is_refused(plan: PlanVersion, cell: str, message: str) -> None:
    with pytest.raises(TableError) as error:
        roster_import(table=roster(f'li.lei,李雷,,,customer-manager,2026-01,"{cell}",0'))

    assert error.value.messages == [f"Row 2, monthly_bonus: {message}"]
    assert not User.objects.exists()


@pytest.mark.parametrize("cell", ["2026-04-01", "2026-04-01 00:00:00", "2026/4/1", "2026年4月", "2026-4"])
def test_a_date_in_the_start_column_is_read_as_its_month(plan: PlanVersion, cell: str) -> None:
    roster_import(table=roster(f"li.lei,李雷,,,customer-manager,{cell},2000,6000"))

    assert assignments("li.lei")[0][0] == "2026-04"


def test_a_start_outside_the_periods_or_not_a_month_is_refused(plan: PlanVersion) -> None:
    with pytest.raises(TableError) as error:
        roster_import(
            table=roster(
                "li.lei,李雷,,,customer-manager,1999-12,2000,6000",
                "han.mei,韩梅梅,,,customer-manager,2026-Q1,2000,6000",
            )
        )

    assert error.value.messages == [
        "Row 2, start: “1999-12” is outside 2000-01 to 2100-12",
        "Row 3, start: “2026-Q1” is not a month like 2026-01",
    ]


def test_an_excel_roster_with_a_date_cell_in_start(plan: PlanVersion) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["li.lei", "李雷", "客户部", "wang.fang", "customer-manager", date(2026, 4, 1), 2000, 6000])
    data = BytesIO()
    workbook.save(data)

    roster_import(table=table_read(data.getvalue()))

    assert assignments("li.lei") == [("2026-04", "customer-manager", Decimal("2000"), Decimal("6000"))]


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-16"])
def test_a_roster_with_chinese_names_round_trips_in_the_encodings_excel_saves(plan: PlanVersion, encoding: str) -> None:
    text = HEADER + "li.lei,李雷,客户部·华东,王芳,customer-manager,2026-01,2000,6000\n𠮷野家,𠮷野 家,,,,,,\n"
    # gb18030: what Excel on a Chinese Windows saves as "CSV (逗号分隔)", rare characters (𠮷) included
    roster_import(table=table_read(text.encode(encoding)))

    assert person("li.lei") == ("李雷", "客户部·华东", "王芳", Role.EMPLOYEE)
    assert person("王芳")[3] == Role.MANAGER
    assert person("𠮷野家")[0] == "𠮷野 家"
    exported = "".join(
        f"{u.username},{u.display_name},{u.department.name if u.department else ''}\n"
        for u in User.objects.select_related("department").order_by("username")
    )
    assert exported == "li.lei,李雷,客户部·华东\n王芳,,\n𠮷野家,𠮷野 家,\n"


# --- manager loops -------------------------------------------------------------------------------


def test_a_manager_loop_within_the_file_is_refused_naming_its_rows(plan: PlanVersion) -> None:
    with pytest.raises(TableError) as error:
        roster_import(table=roster("li.lei,李雷,,han.mei,,,,", "han.mei,韩梅梅,,li.lei,,,,", "lucy,露西,,li.lei,,,,"))

    assert error.value.messages == [
        "Row 2, manager: the managers go round in a loop: li.lei (row 2) → han.mei (row 3) → li.lei (row 2)"
    ]
    assert not User.objects.exists()


def test_a_manager_loop_through_people_already_saved_is_refused(plan: PlanVersion) -> None:
    roster_import(table=roster("wang.fang,王芳,,zhao.min,,,,", "zhao.min,赵敏,,li.lei,,,,", "li.lei,李雷,,,,,,"))
    before = {u.username: u.manager_id for u in User.objects.all()}

    with pytest.raises(TableError) as error:
        roster_import(table=roster("li.lei,,,wang.fang,,,,"))

    assert error.value.messages == [
        "Row 2, manager: the managers go round in a loop: li.lei (row 2) → wang.fang → zhao.min → li.lei (row 2)"
    ]
    assert {u.username: u.manager_id for u in User.objects.all()} == before


def test_an_empty_manager_cell_keeps_the_saved_manager_when_looking_for_loops(plan: PlanVersion) -> None:
    roster_import(table=roster("li.lei,李雷,,han.mei,,,,"))

    with pytest.raises(TableError) as error:
        roster_import(table=roster("li.lei,李雷,,,,,,", "han.mei,,,li.lei,,,,"))

    assert error.value.messages == [
        "Row 3, manager: the managers go round in a loop: han.mei (row 3) → li.lei (row 2) → han.mei (row 3)"
    ]


def test_a_long_chain_without_a_loop_is_accepted(plan: PlanVersion) -> None:
    rows = [f"p{n},,,p{n + 1},,,," for n in range(30)]

    roster_import(table=roster(*rows))

    manager = User.objects.get(username="p0").manager
    assert manager is not None
    assert manager.username == "p1"
    assert User.objects.get(username="p30").role == Role.MANAGER


def test_moving_a_manager_under_their_former_report_breaks_no_loop_when_the_report_moves_too(plan: PlanVersion) -> None:
    roster_import(table=roster("li.lei,,,wang.fang,,,,"))

    roster_import(table=roster("wang.fang,,,li.lei,,,,", "li.lei,,,zhao.min,,,,"))

    assert (person("wang.fang")[2], person("li.lei")[2]) == ("li.lei", "zhao.min")


# --- closed months keep their plan and amounts ----------------------------------------------------


def test_new_amounts_for_an_assignment_covering_closed_months_apply_from_the_first_open_month(
    plan: PlanVersion,
) -> None:
    roster_import(table=csv_table(ROSTER))
    close("2026-01", "2026-02", "2026-03")

    outcome = roster_import(table=roster("li.lei,李雷,客户部,wang.fang,customer-manager,2026-01,2500,6000"))

    assert outcome.notes == ["li.lei: new bonus amounts apply from April 2026; January 2026..March 2026 are closed"]
    assert assignments("li.lei") == [
        ("2026-01", "customer-manager", Decimal("2000"), Decimal("6000")),
        ("2026-04", "customer-manager", Decimal("2500"), Decimal("6000")),
    ]
    assert (outcome.assignments_created, outcome.assignments_updated) == (1, 0)


def test_importing_the_same_change_again_changes_nothing_more(plan: PlanVersion) -> None:
    roster_import(table=csv_table(ROSTER))
    close("2026-01", "2026-02", "2026-03")
    changed = roster("li.lei,李雷,客户部,wang.fang,customer-manager,2026-01,2500,6000")
    roster_import(table=changed)

    outcome = roster_import(table=changed)

    assert (outcome.notes, outcome.assignments_created, outcome.assignments_updated) == ([], 0, 0)
    assert len(assignments("li.lei")) == 2


def test_an_empty_start_changes_the_latest_assignment_from_the_first_open_month(plan: PlanVersion) -> None:
    roster_import(table=csv_table(ROSTER))
    close("2026-01")

    outcome = roster_import(table=roster("li.lei,,,,,,,7000"))

    assert outcome.notes == ["li.lei: new bonus amounts apply from February 2026; January 2026 is closed"]
    assert assignments("li.lei")[-1] == ("2026-02", "customer-manager", Decimal("2000"), Decimal("7000"))


def test_a_new_plan_for_closed_months_applies_from_the_first_open_month(plan: PlanVersion) -> None:
    publish(plan_data(code="service-desk", name="客服绩效方案"))
    roster_import(table=csv_table(ROSTER))
    close("2026-01", "2026-02")

    outcome = roster_import(table=roster("li.lei,,,,service-desk,2026-01,3000,"))

    assert outcome.notes == [
        "li.lei: the new plan and bonus amounts apply from March 2026; January 2026..February 2026 are closed"
    ]
    assert assignments("li.lei") == [
        ("2026-01", "customer-manager", Decimal("2000"), Decimal("6000")),
        ("2026-03", "service-desk", Decimal("3000"), Decimal("6000")),
    ]


def test_a_reopened_month_still_keeps_the_amounts_it_was_closed_with(plan: PlanVersion) -> None:
    roster_import(table=csv_table(ROSTER))
    close("2026-01", status=CycleStatus.OPEN, run=2)  # closed once, then reopened

    outcome = roster_import(table=roster("li.lei,,,,,,2500,"))

    assert outcome.notes == ["li.lei: new bonus amounts apply from February 2026; January 2026 has been closed"]
    assert assignments("li.lei")[0] == ("2026-01", "customer-manager", Decimal("2000"), Decimal("6000"))


def test_a_change_from_an_open_month_changes_that_assignment_in_place(plan: PlanVersion) -> None:
    roster_import(table=csv_table(ROSTER))
    close("2026-01")

    outcome = roster_import(table=roster("han.mei,,,,,2026-02,2600,"))

    assert outcome.notes == []
    assert assignments("han.mei") == [("2026-02", "customer-manager", Decimal("2600"), Decimal("6000"))]


def test_figures_of_open_months_follow_the_new_amounts(plan: PlanVersion) -> None:
    roster_import(table=csv_table(ROSTER))
    metrics_import(table=csv_table("employee,period,satisfaction\nli.lei,2026-01,8.6\nli.lei,2026-02,9.1\n"))
    close("2026-01")

    roster_import(table=roster("li.lei,,,,,,2500,"))

    entries = MetricEntry.objects.filter(assignment__employee__username="li.lei")
    assert sorted((str(p), s, v) for p, s, v in entries.values_list("period", "assignment__start", "value")) == [
        ("2026-01", "2026-01", Decimal("8.6")),
        ("2026-02", "2026-02", Decimal("9.1")),
    ]


def test_a_new_plan_is_refused_over_figures_already_entered_on_the_old_one(plan: PlanVersion) -> None:
    publish(plan_data(code="service-desk", name="客服绩效方案"))
    roster_import(table=csv_table(ROSTER))
    metrics_import(table=csv_table("employee,period,satisfaction\nli.lei,2026-02,9.1\n"))
    close("2026-01")

    with pytest.raises(TableError) as error:
        roster_import(table=roster("li.lei,,,,service-desk,,,"))

    assert error.value.messages == [
        "Row 2, plan: li.lei already has figures on plan “customer-manager” for February 2026: start the new plan after them"
    ]
    assert len(assignments("li.lei")) == 1


def test_a_new_person_cannot_start_in_a_reopened_month(plan: PlanVersion) -> None:
    close("2026-01", status=CycleStatus.OPEN, run=2)

    with pytest.raises(TableError) as error:
        roster_import(table=roster("li.lei,李雷,,,customer-manager,2026-01,2000,6000"))

    assert error.value.messages == [
        "Row 2, start: January 2026 was closed and reopened: a new assignment must start after the closed months"
    ]


def test_the_command_says_when_a_change_applies_later(plan: PlanVersion, tmp_path: Path) -> None:
    roster_import(table=csv_table(ROSTER))
    close("2026-01", "2026-02", "2026-03")
    path = tmp_path / "roster.csv"
    path.write_text(HEADER + "li.lei,,,,,2026-01,2500,\n", encoding="utf-8")
    out = StringIO()

    call_command("import_roster", str(path), stdout=out)

    assert out.getvalue().splitlines() == [
        "People: 0 new, 0 updated. Assignments: 1 new, 0 updated.",
        "li.lei: new bonus amounts apply from April 2026; January 2026..March 2026 are closed",
    ]


def test_the_command_refuses_a_loop_with_one_line_each_and_exits_non_zero(plan: PlanVersion, tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(HEADER + "li.lei,,,han.mei,,,,\nhan.mei,,,li.lei,,,,\n", encoding="utf-8")

    with pytest.raises(CommandError) as error:
        call_command("import_roster", str(path))

    assert str(error.value).splitlines()[1:] == [
        "Row 2, manager: the managers go round in a loop: li.lei (row 2) → han.mei (row 3) → li.lei (row 2)"
    ]
    assert not User.objects.exists()


def close_now(period: str) -> None:
    """The close's services run here, as a worker runs them."""
    request = closing.cycle_close_request(period=Period.parse(period), force=True, enqueue=lambda *args: None)
    ids = {"cycle_id": request.cycle.pk, "run": request.cycle.run}
    closing.cycle_close_start(**ids)
    closing.cycle_close_work(**ids)


def test_a_month_closed_again_after_a_reopen_pays_the_amounts_it_was_first_closed_with(plan: PlanVersion) -> None:
    roster_import(table=roster("li.lei,李雷,,,customer-manager,2026-01,2000,6000"))
    metrics_import(table=csv_table(FIGURES + "li.lei,2026-01,2,50,8.6,4,46,48\nli.lei,2026-02,2,50,8.6,4,46,48\n"))
    close_now("2026-01")
    first = Result.objects.get(period="2026-01")

    roster_import(table=roster("li.lei,,,,,2026-01,4000,"))
    closing.cycle_reopen(period=Period.parse("2026-01"), reason="a figure was wrong")
    close_now("2026-01")
    close_now("2026-02")

    again = Result.objects.get(period="2026-01", superseded_at__isnull=True)
    february = Result.objects.get(period="2026-02")
    assert (again.run, again.bonus, again.assignment_id) == (2, first.bonus, first.assignment_id)
    assert first.bonus > 0 and february.bonus == first.bonus * 2
