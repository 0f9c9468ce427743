"""Importing figures: all or nothing, every bad row by number, idempotent, closed periods refused."""

from decimal import Decimal

import pytest

from metrics.models import Cycle, CycleStatus, MetricEntry
from metrics.services import metrics_import
from plans.tabular import TableError
from tests.factories import UserFactory, assign, csv_table, publish

HEADER = "employee,period,churn.lost,churn.total,satisfaction,new_customers,feedback.ok,feedback.total,collaboration\n"


@pytest.fixture
def team(db):
    version = publish()
    li = UserFactory(username="li.lei")
    han = UserFactory(username="han.mei")
    assign(li, version, "2026-01")
    assign(han, version, "2026-02")
    return version


def entries() -> dict[tuple[str, str, str], Decimal | None]:
    return {
        (e.assignment.employee.username, e.period, e.indicator.code): e.value
        for e in MetricEntry.objects.select_related("assignment__employee", "indicator")
    }


def test_it_computes_a_formula_from_its_inputs_and_keeps_them(team):
    metrics_import(table=csv_table(HEADER + "li.lei,2026-01,2,50,8.6,4,46,48,\n"))
    churn = MetricEntry.objects.get(indicator__code="churn")
    assert churn.value == Decimal("4.0000")
    assert churn.inputs == {"lost": "2", "total": "50"}
    assert entries()[("li.lei", "2026-01", "feedback")] == Decimal("95.8333")
    assert entries()[("li.lei", "2026-01", "satisfaction")] == Decimal("8.6")


def test_importing_the_same_file_twice_leaves_the_same_data(team):
    table = csv_table(HEADER + "li.lei,2026-01,2,50,8.6,4,46,48,\nli.lei,2026-Q1,,,,,,,8.5\n")
    first = metrics_import(table=table)
    before = entries()
    second = metrics_import(table=table)
    assert (first.created, first.changed) == (5, 0)
    assert (second.created, second.changed, second.unchanged) == (0, 0, 5)
    assert entries() == before


def test_an_empty_cell_changes_nothing(team):
    metrics_import(table=csv_table(HEADER + "li.lei,2026-01,2,50,8.6,4,46,48,\n"))
    outcome = metrics_import(table=csv_table(HEADER + "li.lei,2026-01,,,9.1,,,,\n"))
    assert outcome.changed == 1
    assert entries()[("li.lei", "2026-01", "satisfaction")] == Decimal("9.1")
    assert entries()[("li.lei", "2026-01", "churn")] == Decimal("4.0000")


def test_one_input_updates_the_computed_value_with_the_other_kept(team):
    metrics_import(table=csv_table("employee,period,churn.lost\nli.lei,2026-01,2\n"))
    assert entries()[("li.lei", "2026-01", "churn")] is None  # not all inputs yet
    metrics_import(table=csv_table("employee,period,churn.total\nli.lei,2026-01,40\n"))
    assert entries()[("li.lei", "2026-01", "churn")] == Decimal("5.0000")


def test_a_bom_and_windows_line_endings_are_fine(team):
    text = "\ufeff" + (HEADER + "li.lei,2026-01,2,50,8.6,4,46,48,\n").replace("\n", "\r\n")
    assert metrics_import(table=csv_table(text)).created == 4


def test_every_bad_row_is_listed_by_number_and_nothing_is_saved(team):
    Cycle.objects.create(period="2026-03", status=CycleStatus.CLOSED)
    text = HEADER + (
        "li.lei,2026-01,2,50,8.6,4,46,48,\n"  # row 2: fine
        "nobody,2026-01,1,10,9,3,9,10,\n"  # row 3: unknown employee
        "li.lei,2026-02,1,10,lots,3,9,10,\n"  # row 4: not a number
        "li.lei,2026-Q1,,,,,,,11\n"  # row 5: rating above its scale
        "li.lei,2026-03,1,10,9,3,9,10,\n"  # row 6: closed period
        "han.mei,2026-01,1,10,9,3,9,10,\n"  # row 7: before the assignment's start
        "han.mei,2026-02,1,0,9,3,9,10,\n"  # row 8: division by zero
        "li.lei,2026-13,1,10,9,3,9,10,\n"  # row 9: not a period
    )
    with pytest.raises(TableError) as error:
        metrics_import(table=csv_table(text))
    messages = error.value.errors
    assert len(messages) == 7
    assert messages[0].startswith("Row 3, employee:") and "nobody" in messages[0]
    assert messages[1].startswith("Row 4, satisfaction:") and "“lots” is not a number" in messages[1]
    assert messages[2].startswith("Row 5, collaboration:") and "11" in messages[2] and "10" in messages[2]
    assert messages[3].startswith("Row 6, period:") and "2026-03 is closed" in messages[3]
    assert messages[4].startswith("Row 7, period:") and "2026-02" in messages[4]
    assert messages[5].startswith("Row 8, churn:") and "han.mei 2026-02 churn" in messages[5]
    assert "divides by zero" in messages[5]
    assert messages[6].startswith("Row 9, period:")
    assert MetricEntry.objects.count() == 0


def test_an_unknown_column_is_refused_on_the_header_row(team):
    with pytest.raises(TableError) as error:
        metrics_import(table=csv_table("employee,period,churn.lost,smiles\nli.lei,2026-01,2,5\n"))
    assert error.value.errors == [
        "Row 1: unknown column “smiles”: no plan of these employees has that indicator or input"
    ]


def test_a_monthly_indicator_is_refused_for_a_quarter_and_the_other_way_round(team):
    text = "employee,period,satisfaction,collaboration\nli.lei,2026-Q1,9,\nli.lei,2026-01,,7\n"
    with pytest.raises(TableError) as error:
        metrics_import(table=csv_table(text))
    assert error.value.errors[0].startswith("Row 2, satisfaction:")
    assert error.value.errors[1].startswith("Row 3, collaboration:")


def test_a_computed_indicator_takes_its_inputs_not_a_value(team):
    with pytest.raises(TableError) as error:
        metrics_import(table=csv_table("employee,period,churn\nli.lei,2026-01,4\n"))
    assert "churn.lost, churn.total" in error.value.errors[0]


def test_a_repeated_employee_and_period_is_refused(team):
    with pytest.raises(TableError) as error:
        metrics_import(table=csv_table("employee,period,satisfaction\nli.lei,2026-01,9\nli.lei,2026-01,8\n"))
    assert error.value.errors == ["Row 3, period: li.lei 2026-01 is already on row 2"]


def test_a_dry_run_says_what_would_change_and_saves_nothing(team):
    metrics_import(table=csv_table("employee,period,satisfaction\nli.lei,2026-01,9\n"))
    outcome = metrics_import(
        table=csv_table("employee,period,satisfaction,new_customers\nli.lei,2026-01,8.5,3\n"), dry_run=True
    )
    assert (outcome.created, outcome.changed) == (1, 1)
    assert "li.lei 2026-01 satisfaction: 9 → 8.5" in outcome.changes
    assert entries() == {("li.lei", "2026-01", "satisfaction"): Decimal("9")}
