"""The team grid: a manager's month of figures on one page, saved through the metrics import."""

import html
import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.models import Cycle, CycleStatus, MetricChange, MetricEntry
from metrics.selectors import figures_deadline
from metrics.services import metrics_import
from people.models import Role
from plans.periods import Period
from tests.factories import UserFactory, assign, csv_table, publish

LI_2026_01 = {
    "churn.lost": "2",
    "churn.total": "50",
    "satisfaction": "8.6",
    "new_customers": "4",
    "feedback.ok": "46",
    "feedback.total": "48",
}


@pytest.fixture
def team(db):
    version = publish()
    wang = UserFactory(username="wang.fang", role=Role.MANAGER, display_name="王芳")
    zhao = UserFactory(username="zhao.lei", role=Role.MANAGER, display_name="赵磊")
    assign(UserFactory(username="li.lei", display_name="李雷", manager=wang), version, "2026-01")
    assign(UserFactory(username="han.mei", display_name="韩梅梅", manager=wang), version, "2026-02")
    assign(UserFactory(username="other.person", display_name="别人", manager=zhao), version, "2026-01")
    UserFactory(username="no.plan", manager=wang)
    return version


@pytest.fixture
def wang(client, team):
    from people.models import User

    client.force_login(User.objects.get(username="wang.fang"))
    return client


def grid_inputs(content: bytes) -> dict[str, str]:
    """The grid's cells as a browser would post them: every named input, typed or hidden, and its value."""
    page = content.decode()
    grid = page[page.index('id="figures-grid"') : page.index("</form>", page.index('id="figures-grid"'))]
    fields = {}
    for tag in re.findall(r"<input\b[^>]*>", grid):
        attributes = {key: html.unescape(value) for key, value in re.findall(r'([\w-]+)="([^"]*)"', tag)}
        if attributes.get("name", "")[:2] in ("v:", "o:"):
            fields[attributes["name"]] = attributes.get("value", "")
    return fields


def loaded(client, period: str) -> dict[str, str]:
    """The grid's form as the page was loaded: every typed cell and the value it held."""
    return grid_inputs(client.get(f"/figures/{period}/").content)


def typed(data: dict[str, str], employee: str, values: dict[str, str]) -> dict[str, str]:
    return {**data, **{f"v:{employee}:{column}": value for column, value in values.items()}}


def stored(employee: str, period: str) -> dict[str, Decimal | None]:
    return {
        e.indicator.code: e.value
        for e in MetricEntry.objects.filter(assignment__employee__username=employee, period=period).select_related(
            "indicator"
        )
    }


def test_a_row_per_report_with_a_plan_and_a_column_per_monthly_figure(wang):
    page = wang.get("/figures/2026-02/")
    grid = page.context["grid"]
    assert [row.employee for row in grid.rows] == ["han.mei", "li.lei"]  # not no.plan, not another team's
    assert [c.name for c in grid.columns] == [
        "churn.lost",
        "churn.total",
        "churn",
        "satisfaction",
        "new_customers",
        "feedback.ok",
        "feedback.total",
        "feedback",
    ]
    text = page.content.decode()
    assert "李雷" in text and "韩梅梅" in text and "别人" not in text
    assert "0 of 8 filled" in text
    assert "collaboration" not in text  # quarterly: entered in the review, not here


def test_saving_the_grid_stores_the_figures_and_previews_the_score(wang):
    response = wang.post("/figures/2026-01/", typed(loaded(wang, "2026-01"), "li.lei", LI_2026_01))
    assert response.status_code == 302
    assert stored("li.lei", "2026-01")["churn"] == Decimal("4.0000")
    page = wang.get("/figures/2026-01/")
    text = page.content.decode()
    assert "107.66" in text and "4 of 4 filled" in text
    row = page.context["grid"].rows[0]
    assert (row.score, row.band, row.missing) == (Decimal("107.66"), "A", ())
    assert [c.text for c in row.cells if c.column.name in ("churn", "feedback")] == ["4", "95.8333"]


def test_missing_values_are_shown_as_missing_not_as_zero(wang):
    wang.post("/figures/2026-01/", typed(loaded(wang, "2026-01"), "li.lei", {"satisfaction": "9"}))
    row = wang.get("/figures/2026-01/").context["grid"].rows[0]
    assert row.band == ""
    assert row.missing == ("客户流失率", "新客户签约", "反馈处理及时率")
    text = wang.get("/figures/2026-01/").content.decode()
    assert "Missing: 客户流失率, 新客户签约, 反馈处理及时率" in text
    assert "1 of 4 filled" in text


def test_errors_are_shown_in_their_cells_and_nothing_is_saved(wang):
    data = typed(
        loaded(wang, "2026-02"),
        "han.mei",
        {"satisfaction": "lots", "feedback.ok": "9", "feedback.total": "0", "new_customers": "3"},
    )
    page = wang.post("/figures/2026-02/", data)
    assert page.status_code == 200
    rows = {bound.row.employee: bound for bound in page.context["rows"]}
    errors = {item.cell.column.name: item.errors for item in rows["han.mei"].cells if item.errors}
    assert errors == {
        "satisfaction": ["“lots” is not a number"],
        "feedback": ["han.mei 2026-02 feedback: ok / total * 100 divides by zero"],
    }
    assert "Nothing was saved" in page.content.decode()
    assert 'value="lots"' in page.content.decode()  # what was typed stays there to correct
    assert MetricEntry.objects.count() == 0


def test_a_figure_cannot_be_emptied(wang):
    wang.post("/figures/2026-01/", typed(loaded(wang, "2026-01"), "li.lei", {"satisfaction": "9"}))
    page = wang.post("/figures/2026-01/", typed(loaded(wang, "2026-01"), "li.lei", {"satisfaction": ""}))
    assert "A figure cannot be emptied" in page.content.decode()
    assert stored("li.lei", "2026-01")["satisfaction"] == Decimal("9")


def test_a_figure_longer_than_a_cell_is_refused_in_its_cell_and_nothing_is_saved(wang):
    page = wang.post(
        "/figures/2026-01/",
        typed(loaded(wang, "2026-01"), "li.lei", {"satisfaction": "9" * 41, "new_customers": "3"}),
    )

    assert page.status_code == 200
    cells = {item.cell.column.name: item for item in page.context["rows"][0].cells}
    assert cells["satisfaction"].errors == ["A figure has at most 40 characters."]
    assert cells["satisfaction"].value == "9" * 41  # kept, to be corrected
    assert stored("li.lei", "2026-01") == {}


def test_a_page_saved_without_changes_saves_nothing(wang):
    response = wang.post("/figures/2026-01/", loaded(wang, "2026-01"), follow=True)
    assert "Nothing changed." in response.content.decode()
    assert MetricChange.objects.count() == 0


def test_a_second_save_from_the_same_loaded_page_is_told_the_value_changed_meanwhile(wang, client):
    first_tab = loaded(wang, "2026-01")
    second_tab = loaded(wang, "2026-01")
    wang.post("/figures/2026-01/", typed(first_tab, "li.lei", {"satisfaction": "8.6", "churn.lost": "2"}))

    page = wang.post("/figures/2026-01/", typed(second_tab, "li.lei", {"satisfaction": "9.5", "new_customers": "4"}))
    assert page.status_code == 200
    cells = {item.cell.column.name: item for item in page.context["rows"][0].cells}
    assert cells["satisfaction"].errors == [
        "changed meanwhile by wang.fang to 8.6; save again to replace it with yours"
    ]
    assert cells["new_customers"].errors == []
    assert stored("li.lei", "2026-01") == {"satisfaction": Decimal("8.6"), "churn": None}  # nothing of the 2nd save

    # The page now carries the value saved meanwhile as loaded: saving again is deliberate.
    again = grid_inputs(page.content)
    assert again["o:li.lei:satisfaction"] == "8.6" and again["v:li.lei:satisfaction"] == "9.5"
    assert wang.post("/figures/2026-01/", again).status_code == 302
    assert stored("li.lei", "2026-01")["satisfaction"] == Decimal("9.5")
    assert stored("li.lei", "2026-01")["new_customers"] == Decimal("4")


def test_a_cell_changed_by_a_command_meanwhile_is_not_overwritten(wang):
    page_before = loaded(wang, "2026-01")
    metrics_import(table=csv_table("employee,period,churn.total\nli.lei,2026-01,50\n"))
    page = wang.post("/figures/2026-01/", typed(page_before, "li.lei", {"churn.total": "60"}))
    cell = next(item for item in page.context["rows"][0].cells if item.cell.column.name == "churn.total")
    assert cell.errors == ["changed meanwhile by someone else to 50; save again to replace it with yours"]
    assert MetricEntry.objects.get().inputs == {"total": "50"}


def test_two_people_typing_the_same_value_do_not_conflict(wang):
    first, second = loaded(wang, "2026-01"), loaded(wang, "2026-01")
    wang.post("/figures/2026-01/", typed(first, "li.lei", {"satisfaction": "9"}))
    assert wang.post("/figures/2026-01/", typed(second, "li.lei", {"satisfaction": "9.0"})).status_code == 302


def test_another_teams_employee_in_a_post_is_not_found(wang):
    data = {**loaded(wang, "2026-01"), "v:other.person:satisfaction": "1", "o:other.person:satisfaction": ""}
    assert wang.post("/figures/2026-01/", data).status_code == 404
    assert MetricEntry.objects.count() == 0


def test_another_teams_history_is_not_found(wang):
    assert wang.get("/figures/2026-01/other.person/history/").status_code == 404
    assert wang.get("/figures/2026-01/li.lei/history/").status_code == 200


def test_hr_sees_everybody_and_can_narrow_to_one_manager(client, team):
    from people.models import User

    client.force_login(UserFactory(username="hr", role=Role.HR))
    everybody = client.get("/figures/2026-02/").context["grid"]
    assert [row.employee for row in everybody.rows] == ["han.mei", "li.lei", "other.person"]
    zhao = User.objects.get(username="zhao.lei")
    narrowed = client.get(f"/figures/2026-02/?manager={zhao.pk}").context["grid"]
    assert [row.employee for row in narrowed.rows] == ["other.person"]
    assert client.get("/figures/2026-02/other.person/history/").status_code == 200


def test_employees_may_not_open_the_grid(client, team):
    from people.models import User

    client.force_login(User.objects.get(username="li.lei"))
    assert client.get("/figures/2026-01/").status_code == 403
    assert client.post("/figures/2026-01/", {"v:li.lei:satisfaction": "10"}).status_code == 403
    assert client.get("/figures/upload/").status_code == 403


def test_a_month_that_is_not_one_is_not_found(wang):
    assert wang.get("/figures/2026-13/").status_code == 404
    assert wang.get("/figures/2026-Q1/").status_code == 404


def test_the_month_picker_goes_to_the_month(wang):
    response = wang.get("/figures/?period=2026-03")
    assert response.status_code == 302 and response["Location"] == "/figures/2026-03/"


def test_a_closed_month_is_read_only(wang):
    data = typed(loaded(wang, "2026-01"), "li.lei", {"satisfaction": "9"})
    Cycle.objects.create(period="2026-01", status=CycleStatus.CLOSED)
    page = wang.get("/figures/2026-01/").content.decode()
    assert "2026-01 is closed: its figures are read-only." in page
    assert "disabled" in page and "Save all" not in page
    response = wang.post("/figures/2026-01/", data, follow=True)
    assert "2026-01 is closed: its figures cannot change." in response.content.decode()
    assert MetricEntry.objects.count() == 0


def test_the_deadline_is_a_day_of_the_following_month_in_local_time(settings):
    settings.FIGURES_DEADLINE_DAY = 5
    deadline = figures_deadline(period=Period.parse("2026-01"))
    assert deadline == datetime(2026, 2, 5, 23, 59, 59, 999999, tzinfo=ZoneInfo(settings.TIME_ZONE))
    settings.FIGURES_DEADLINE_DAY = 31
    assert figures_deadline(period=Period.parse("2026-01")).day == 28  # February has no 31st


def test_the_grid_shows_its_deadline(wang, settings):
    settings.FIGURES_DEADLINE_DAY = 7
    assert "Due by Feb. 7, 2026" in wang.get("/figures/2026-01/").content.decode()


def test_the_grid_takes_as_many_queries_for_fifty_reports_as_for_five(client, db):
    version = publish()
    manager = UserFactory(username="big.boss", role=Role.MANAGER)
    client.force_login(manager)

    def count(reports: int) -> int:
        for n in range(reports):
            person, created = UserFactory._meta.model.objects.get_or_create(username=f"r{n:03d}", manager=manager)
            if created:
                assign(person, version, "2026-01")
        metrics_import(
            table=csv_table("employee,period,satisfaction\n" + "".join(f"r{n:03d},2026-01,9\n" for n in range(reports)))
        )
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/figures/2026-01/")
        assert len(page.context["grid"].rows) == reports
        return len(queries)

    assert count(5) == count(50)
