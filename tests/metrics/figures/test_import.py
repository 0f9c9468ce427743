"""Importing figures: all or nothing, every bad row by number, idempotent, closed periods refused."""

import datetime
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from metrics.cycles.models import Cycle, CycleStatus
from metrics.figures.models import MetricEntry
from metrics.figures.services import metrics_import
from plans.models import PlanVersion
from plans.tabular import TableError, table_read
from tests.factories import UserFactory, assign, csv_table, plan_data, publish
from tests.plans.test_tabular_xlsx import MAIN, package, zipped

HEADER = "employee,period,churn.lost,churn.total,satisfaction,new_customers,feedback.ok,feedback.total,collaboration\n"


@pytest.fixture
def team(db: None) -> PlanVersion:
    version = publish()
    li = UserFactory.create(username="li.lei")
    han = UserFactory.create(username="han.mei")
    assign(li, version, "2026-01")
    assign(han, version, "2026-02")
    return version


def entries() -> dict[tuple[str, str, str], Decimal | None]:
    return {
        (e.assignment.employee.username, str(e.period), e.indicator.code): e.value
        for e in MetricEntry.objects.select_related("assignment__employee", "indicator")
    }


def test_it_computes_a_formula_from_its_inputs_and_keeps_them(team: PlanVersion) -> None:
    metrics_import(table=csv_table(HEADER + "li.lei,2026-01,2,50,8.6,4,46,48,\n"))
    churn = MetricEntry.objects.get(indicator__code="churn")
    assert churn.value == Decimal("4.0000")
    assert churn.inputs == {"lost": "2", "total": "50"}
    assert entries()[("li.lei", "2026-01", "feedback")] == Decimal("95.8333")
    assert entries()[("li.lei", "2026-01", "satisfaction")] == Decimal("8.6")


def test_importing_the_same_file_twice_leaves_the_same_data(team: PlanVersion) -> None:
    table = csv_table(HEADER + "li.lei,2026-01,2,50,8.6,4,46,48,\nli.lei,2026-Q1,,,,,,,8.5\n")
    first = metrics_import(table=table)
    before = entries()
    second = metrics_import(table=table)
    assert (first.created, first.changed) == (5, 0)
    assert (second.created, second.changed, second.unchanged) == (0, 0, 5)
    assert entries() == before


def test_an_empty_cell_changes_nothing(team: PlanVersion) -> None:
    metrics_import(table=csv_table(HEADER + "li.lei,2026-01,2,50,8.6,4,46,48,\n"))
    outcome = metrics_import(table=csv_table(HEADER + "li.lei,2026-01,,,9.1,,,,\n"))
    assert outcome.changed == 1
    assert entries()[("li.lei", "2026-01", "satisfaction")] == Decimal("9.1")
    assert entries()[("li.lei", "2026-01", "churn")] == Decimal("4.0000")


def test_one_input_updates_the_computed_value_with_the_other_kept(team: PlanVersion) -> None:
    metrics_import(table=csv_table("employee,period,churn.lost\nli.lei,2026-01,2\n"))
    assert entries()[("li.lei", "2026-01", "churn")] is None  # not all inputs yet
    metrics_import(table=csv_table("employee,period,churn.total\nli.lei,2026-01,40\n"))
    assert entries()[("li.lei", "2026-01", "churn")] == Decimal("5.0000")


def test_a_bom_and_windows_line_endings_are_fine(team: PlanVersion) -> None:
    text = "\ufeff" + (HEADER + "li.lei,2026-01,2,50,8.6,4,46,48,\n").replace("\n", "\r\n")
    assert metrics_import(table=csv_table(text)).created == 4


def test_every_bad_row_is_listed_by_number_and_nothing_is_saved(team: PlanVersion) -> None:
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
    messages = error.value.messages
    assert len(messages) == 7
    assert messages[0].startswith("Row 3, employee:") and "nobody" in messages[0]
    assert messages[1].startswith("Row 4, satisfaction:") and "“lots” is not a number" in messages[1]
    assert messages[2].startswith("Row 5, collaboration:") and "11" in messages[2] and "10" in messages[2]
    assert messages[3].startswith("Row 6, period:") and "2026-03 is closed" in messages[3]
    assert messages[4].startswith("Row 7, period:") and "2026-02" in messages[4]
    assert messages[5].startswith("Row 8, churn:") and "han.mei 2026-02 客户流失率" in messages[5]
    assert "divides by zero" in messages[5]
    assert messages[6].startswith("Row 9, period:")
    assert MetricEntry.objects.count() == 0


def test_an_unknown_column_is_refused_on_the_header_row(team: PlanVersion) -> None:
    with pytest.raises(TableError) as error:
        metrics_import(table=csv_table("employee,period,churn.lost,smiles\nli.lei,2026-01,2,5\n"))
    assert error.value.messages == [
        "Row 1: unknown column “smiles”: no plan of these employees has that indicator or input"
    ]


def test_a_monthly_indicator_is_refused_for_a_quarter_and_the_other_way_round(team: PlanVersion) -> None:
    text = "employee,period,satisfaction,collaboration\nli.lei,2026-Q1,9,\nli.lei,2026-01,,7\n"
    with pytest.raises(TableError) as error:
        metrics_import(table=csv_table(text))
    assert error.value.messages[0].startswith("Row 2, satisfaction:")
    assert error.value.messages[1].startswith("Row 3, collaboration:")


def test_a_computed_indicator_takes_its_inputs_not_a_value(team: PlanVersion) -> None:
    with pytest.raises(TableError) as error:
        metrics_import(table=csv_table("employee,period,churn\nli.lei,2026-01,4\n"))
    assert "churn.lost, churn.total" in error.value.messages[0]


def test_a_repeated_employee_and_period_is_refused(team: PlanVersion) -> None:
    with pytest.raises(TableError) as error:
        metrics_import(table=csv_table("employee,period,satisfaction\nli.lei,2026-01,9\nli.lei,2026-01,8\n"))
    assert error.value.messages == ["Row 3, period: li.lei 2026-01 is already on row 2"]


def test_a_dry_run_says_what_would_change_and_saves_nothing(team: PlanVersion) -> None:
    metrics_import(table=csv_table("employee,period,satisfaction\nli.lei,2026-01,9\n"))
    outcome = metrics_import(
        table=csv_table("employee,period,satisfaction,new_customers\nli.lei,2026-01,8.5,3\n"), dry_run=True
    )
    assert (outcome.created, outcome.changed) == (1, 1)
    assert "li.lei 2026-01 satisfaction: 9 → 8.5" in outcome.changes
    assert entries() == {("li.lei", "2026-01", "satisfaction"): Decimal("9")}


def second_plan() -> dict[str, Any]:
    """A plan with other indicators than the seed plan's: one in 万元, one in %."""
    indicator = {"frequency": "monthly", "direction": "higher", "method": "proportional", "weight": 50}
    data = plan_data(
        code="sales",
        name="销售方案",
        goals=[],
        indicators=[
            {**indicator, "code": "revenue", "name": "营收", "unit": "万元", "target": 100},
            {**indicator, "code": "share", "name": "市场份额", "unit": "%", "target": 40},
        ],
        bands=[{"min": 0, "label": "A", "payout": 100}],
    )
    del data["streak"]
    return data


@pytest.fixture
def mixed(team: PlanVersion) -> None:
    """li.lei and han.mei on the seed plan, zhang.san on the sales plan."""
    assign(UserFactory.create(username="zhang.san"), publish(second_plan()), "2026-01")


GRID_HEADER = (
    "employee,period,churn.lost,churn.total,satisfaction,new_customers,feedback.ok,feedback.total,revenue,share\n"
)


def test_a_table_with_the_columns_of_two_plans_saves_the_rows_of_one(mixed: None) -> None:
    # The grid of a team on two plans posts every column, and only the rows of people whose figures changed.
    outcome = metrics_import(table=csv_table(GRID_HEADER + "li.lei,2026-01,,,9.1,,,,,\n"))
    assert outcome.created == 1
    outcome = metrics_import(table=csv_table(GRID_HEADER + "zhang.san,2026-01,,,,,,,120,\n"))
    assert outcome.created == 1
    assert entries() == {
        ("li.lei", "2026-01", "satisfaction"): Decimal("9.1"),
        ("zhang.san", "2026-01", "revenue"): Decimal("120"),
    }


def test_a_value_in_a_column_of_another_plan_names_the_person_and_the_column(mixed: None) -> None:
    with pytest.raises(TableError) as error:
        metrics_import(table=csv_table(GRID_HEADER + "li.lei,2026-01,,,9.1,,,,120,\nzhang.san,2026-01,,,,,,,120,\n"))
    assert error.value.messages == ["Row 2, revenue: li.lei’s plan has no “revenue”"]
    assert entries() == {}


def test_a_column_of_no_plan_is_refused_only_when_it_holds_a_value(team: PlanVersion) -> None:
    assert metrics_import(table=csv_table("employee,period,satisfaction,smiles\nli.lei,2026-01,9,\n")).created == 1
    with pytest.raises(TableError) as error:
        metrics_import(table=csv_table("employee,period,satisfaction,smiles\nli.lei,2026-01,8,5\n"))
    assert error.value.messages == [
        "Row 1: unknown column “smiles”: no plan of these employees has that indicator or input"
    ]
    assert entries() == {("li.lei", "2026-01", "satisfaction"): Decimal("9")}


def test_someone_not_among_the_callers_people_is_named_on_their_row_not_as_unknown_columns(mixed: None) -> None:
    text = "employee,period,satisfaction,new_customers\nzhang.san,2026-01,9,3\nnobody,2026-01,9,3\n"
    with pytest.raises(TableError) as error:
        metrics_import(table=csv_table(text), employees={"zhang.san"})
    # zhang.san's plan has neither column: the cells say so, and the other rows say who is wrong.
    assert error.value.messages == [
        "Row 1: unknown column “satisfaction”: no plan of these employees has that indicator or input",
        "Row 1: unknown column “new_customers”: no plan of these employees has that indicator or input",
        "Row 3, employee: unknown employee “nobody”",
    ]
    with pytest.raises(TableError) as error:
        metrics_import(table=csv_table(text), employees=set())
    assert error.value.messages == [
        "Row 2, employee: “zhang.san” is not one of your reports",
        "Row 3, employee: unknown employee “nobody”",
    ]
    assert entries() == {}


@pytest.mark.parametrize(
    ("column", "text", "message"),
    [
        ("satisfaction", "8,6", "“8,6” is not a number"),
        ("satisfaction", "1_000", "“1_000” is not a number"),
        ("satisfaction", "9.1234567", "“9.1234567” has more than 6 decimals: give at most 6, nothing is rounded"),
        ("satisfaction", "1000000000", "“1000000000” is too large"),
        ("satisfaction", "NaN", "“NaN” is not a number"),
        ("satisfaction", "85%", "a percentage is accepted only for a value measured in %"),
        ("feedback.ok", "5%", "a percentage is accepted only for a value measured in %"),
        ("churn.lost", "1e16", "“1e16” is too large"),
    ],
)
def test_a_number_that_is_not_one_we_accept_is_refused_in_its_cell(
    team: PlanVersion, column: str, text: str, message: str
) -> None:
    with pytest.raises(TableError) as error:
        metrics_import(table=csv_table(f'employee,period,{column}\nli.lei,2026-01,"{text}"\n'))
    assert len(error.value.messages) == 1
    assert error.value.messages[0].startswith(f"Row 2, {column}: ")
    assert message in error.value.messages[0]
    assert entries() == {}


def test_numbers_are_read_as_people_type_them(mixed: None) -> None:
    text = (
        'employee,period,satisfaction,new_customers,churn.lost,churn.total\nli.lei,2026-01,８．６,1.5E+1,－0,"1,000"\n'
    )
    metrics_import(table=csv_table(text))
    metrics_import(table=csv_table("employee,period,share\nzhang.san,2026-01,45.5%\n"))
    assert entries() == {
        ("li.lei", "2026-01", "satisfaction"): Decimal("8.6"),
        ("li.lei", "2026-01", "new_customers"): Decimal("15"),
        ("li.lei", "2026-01", "churn"): Decimal("0"),
        ("zhang.san", "2026-01", "share"): Decimal("45.5"),
    }
    assert MetricEntry.objects.get(indicator__code="churn").inputs == {"lost": "0", "total": "1000"}


@pytest.mark.parametrize(("lost", "total"), [("999999999", "1"), ("999999999", "0.000001")])
def test_a_formula_whose_result_leaves_the_range_is_refused_naming_employee_period_and_indicator(
    team: PlanVersion, lost: str, total: str
) -> None:
    with pytest.raises(TableError) as error:
        metrics_import(table=csv_table(f"employee,period,churn.lost,churn.total\nli.lei,2026-01,{lost},{total}\n"))
    assert len(error.value.messages) == 1
    assert error.value.messages[0].startswith(
        "Row 2, churn: li.lei 2026-01 客户流失率: the result of lost / total * 100 is refused: "
    )
    assert "is too large" in error.value.messages[0]
    assert MetricEntry.objects.count() == 0


def test_a_formula_result_refused_leaves_the_inputs_stored_before(team: PlanVersion) -> None:
    metrics_import(table=csv_table("employee,period,churn.lost,churn.total\nli.lei,2026-01,20,500\n"))
    with pytest.raises(TableError):
        metrics_import(table=csv_table("employee,period,churn.total\nli.lei,2026-01,0.000001\n"))
    churn = MetricEntry.objects.get(indicator__code="churn")
    assert (churn.value, churn.inputs) == (Decimal("4.0000"), {"lost": "20", "total": "500"})


def test_a_value_outside_the_plans_valid_range_is_refused_in_its_cell(db: None) -> None:
    data = plan_data()
    data["indicators"][0]["inputs"] = [{"name": "lost", "label": "流失客户数", "min": 0}, "total"]
    data["indicators"][1].update({"min": 0, "max": 10})  # satisfaction
    assign(UserFactory.create(username="li.lei"), publish(data), "2026-01")
    text = "employee,period,churn.lost,churn.total,satisfaction\nli.lei,2026-01,2,50,9\nli.lei,2026-02,-1,50,10.5\n"
    with pytest.raises(TableError) as error:
        metrics_import(table=csv_table(text))
    assert error.value.messages == [
        "Row 3, churn.lost: “-1” is below the minimum of 0",
        "Row 3, satisfaction: “10.5” is above the maximum of 10",
    ]
    assert entries() == {}
    metrics_import(table=csv_table(text.replace("-1", "0").replace("10.5", "10")))  # the ends are valid
    assert entries()[("li.lei", "2026-02", "satisfaction")] == Decimal("10")


@pytest.fixture
def ranged(db: None) -> None:
    """The sales plan with valid ranges: share 0-100 (%), and a formula whose input lost is at least 0."""
    data = second_plan()
    data["indicators"][0]["weight"] = 40
    data["indicators"][1].update({"min": 0, "max": 100})
    data["indicators"].append(
        {
            "code": "returns",
            "name": "退货率",
            "unit": "%",
            "frequency": "monthly",
            "direction": "lower",
            "method": "proportional",
            "weight": 10,
            "target": 5,
            "formula": "lost / total * 100",
            "inputs": [{"name": "lost", "label": "退货数", "min": 0}, "total"],
            "max": 100,
        }
    )
    assign(UserFactory.create(username="zhang.san"), publish(data), "2026-01")


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ("share\n120%", "Row 2, share: “120%” is above the maximum of 100"),
        ("share\n-1", "Row 2, share: “-1” is below the minimum of 0"),
        ("returns.lost,returns.total\n-1,10", "Row 2, returns.lost: “-1” is below the minimum of 0"),
        (
            "returns.lost,returns.total\n30,10",
            "Row 2, returns: zhang.san 2026-01 退货率: the result of lost / total * 100 is refused: "
            "“300” is above the maximum of 100",
        ),
    ],
)
def test_a_value_outside_the_indicators_or_inputs_range_is_refused(ranged: None, cells: str, message: str) -> None:
    header, values = cells.split("\n")
    with pytest.raises(TableError) as error:
        metrics_import(table=csv_table(f"employee,period,{header}\nzhang.san,2026-01,{values}\n"))
    assert error.value.messages == [message]
    assert entries() == {}


def test_values_inside_the_range_are_taken(ranged: None) -> None:
    metrics_import(table=csv_table("employee,period,share,returns.lost,returns.total\nzhang.san,2026-01,100%,0,10\n"))
    assert entries() == {("zhang.san", "2026-01", "share"): Decimal("100"), ("zhang.san", "2026-01", "returns"): 0}


def test_a_period_being_closed_takes_no_figures(team: PlanVersion) -> None:
    Cycle.objects.create(period="2026-01", status=CycleStatus.CLOSING)
    with pytest.raises(TableError) as error:
        metrics_import(table=csv_table("employee,period,satisfaction\nli.lei,2026-01,9\n"))
    assert error.value.messages == ["Row 2, period: 2026-01 is being closed: it takes no new or changed figures"]
    assert entries() == {}


def test_a_month_that_excel_turned_into_a_date_is_read_as_its_month(team: PlanVersion) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["employee", "period", "satisfaction"])
    sheet.append(["li.lei", datetime.date(2026, 2, 1), 8.6])
    sheet["B2"].number_format = 'yyyy"年"m"月"'
    out = io.BytesIO()
    book.save(out)
    metrics_import(table=table_read(out.getvalue()))
    assert entries()[("li.lei", "2026-02", "satisfaction")] == Decimal("8.6")
    for text in ("2026/2/1", "2026年2月"):
        metrics_import(table=csv_table(f"employee,period,new_customers\nli.lei,{text},5\n"))
    assert entries()[("li.lei", "2026-02", "new_customers")] == 5


def test_a_month_in_the_format_a_chinese_excel_names_by_its_id_alone_is_read_as_its_month(team: PlanVersion) -> None:
    # Style 1 is the built-in format 57, yyyy"年"m"月" on a Chinese Excel, written without its code.
    styles = (
        f'<styleSheet xmlns="{MAIN}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="57"/></cellXfs></styleSheet>'
    )
    header = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>employee</t></is></c><c r="B1" t="inlineStr"><is><t>period</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>satisfaction</t></is></c></row>'
    )
    rows = '<row r="2"><c r="A2" t="inlineStr"><is><t>li.lei</t></is></c><c r="B2" s="1"><v>46054</v></c><c r="C2"><v>8.6</v></c></row>'
    metrics_import(table=table_read(zipped(package(rows, header=header, styles=styles))))
    assert entries()[("li.lei", "2026-02", "satisfaction")] == Decimal("8.6")


def test_a_period_outside_the_years_we_keep_is_refused_saying_so(team: PlanVersion) -> None:
    with pytest.raises(TableError) as error:
        metrics_import(table=csv_table("employee,period,satisfaction\nli.lei,9999-12,8\n"))
    assert error.value.messages == ["Row 2, period: “9999-12” is outside the periods from 2000-01 to 2100-12"]
