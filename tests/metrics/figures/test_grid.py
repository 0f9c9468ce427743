"""The team grid: a manager's month of figures on one page, saved through the metrics import."""

import html
import json
from datetime import datetime
from decimal import Decimal
from html.parser import HTMLParser
from typing import TypedDict
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries, Settings

from metrics.cycles.models import Cycle, CycleStatus
from metrics.figures.models import ChangeSource, MetricChange, MetricEntry
from metrics.figures.selectors import figures_deadline
from metrics.figures.services import metrics_import
from people.models import Department, Role, User
from plans.models import Assignment, PlanVersion
from plans.periods import Period
from tests.factories import DepartmentFactory, UserFactory, assign, csv_table, plan_data, publish
from tests.typed import Response

LI_2026_01 = {
    "churn.lost": "2",
    "churn.total": "50",
    "satisfaction": "8.6",
    "new_customers": "4",
    "feedback.ok": "46",
    "feedback.total": "48",
}


@pytest.fixture
def team(db: None) -> PlanVersion:
    version = publish()
    wang = UserFactory.create(username="wang.fang", role=Role.MANAGER, display_name="王芳")
    zhao = UserFactory.create(username="zhao.lei", role=Role.MANAGER, display_name="赵磊")
    assign(UserFactory.create(username="li.lei", display_name="李雷", manager=wang), version, "2026-01")
    assign(UserFactory.create(username="han.mei", display_name="韩梅梅", manager=wang), version, "2026-02")
    assign(UserFactory.create(username="other.person", display_name="别人", manager=zhao), version, "2026-01")
    UserFactory.create(username="no.plan", manager=wang)
    return version


@pytest.fixture
def wang(client: Client, team: PlanVersion) -> Client:
    from people.models import User

    client.force_login(User.objects.get(username="wang.fang"))
    return client


Cells = dict[tuple[str, str], dict[str, str]]


class _GridParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.employee = ""
        self.cells: Cells = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "tr":
            self.employee = attributes.get("data-employee", "")
        elif tag == "input" and "data-column" in attributes:
            self.cells[(self.employee, attributes["data-column"])] = {
                "value": attributes.get("value", ""),
                "loaded": attributes["data-loaded"],
            }


def grid_cells(content: bytes) -> Cells:
    """The grid's typed cells as the page shows them: (employee, column) -> what is typed, what was loaded."""
    parser = _GridParser()
    parser.feed(content.decode())
    return parser.cells


def posted(cells: Cells) -> dict[str, str]:
    """What the page posts, as grid.js sends it: the changed cells only, in one JSON field."""
    changes = [
        {"employee": employee, "column": column, "value": cell["value"].strip(), "loaded": cell["loaded"]}
        for (employee, column), cell in cells.items()
        if cell["value"].strip() != cell["loaded"]
    ]
    return {"changes": json.dumps(changes)}


def loaded(client: Client, period: str) -> Cells:
    """The grid's typed cells as the page was loaded."""
    return grid_cells(client.get(f"/figures/{period}/").content)


def typed_cells(cells: Cells, employee: str, values: dict[str, str]) -> Cells:
    return {**cells, **{(employee, c): {**cells[(employee, c)], "value": v} for c, v in values.items()}}


def typed(cells: Cells, employee: str, values: dict[str, str]) -> dict[str, str]:
    """The post of a page on which ``values`` were typed in ``employee``'s cells."""
    return posted(typed_cells(cells, employee, values))


def stored(employee: str, period: str) -> dict[str, Decimal | None]:
    return {
        e.indicator.code: e.value
        for e in MetricEntry.objects.filter(assignment__employee__username=employee, period=period).select_related(
            "indicator"
        )
    }


def test_a_row_per_report_with_a_plan_and_a_column_per_monthly_figure(wang: Client) -> None:
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


def test_saving_the_grid_stores_the_figures_and_previews_the_score(wang: Client) -> None:
    response = wang.post("/figures/2026-01/", typed(loaded(wang, "2026-01"), "li.lei", LI_2026_01))
    assert response.status_code == 302
    assert stored("li.lei", "2026-01")["churn"] == Decimal("4.0000")
    page = wang.get("/figures/2026-01/")
    text = page.content.decode()
    assert "107.66" in text and "4 of 4 filled" in text
    row = page.context["grid"].rows[0]
    assert (row.score, row.band, row.missing) == (Decimal("107.66"), "A", ())
    assert [c.text for c in row.cells if c.column.name in ("churn", "feedback")] == ["4", "95.8333"]


def test_missing_values_are_shown_as_missing_not_as_zero(wang: Client) -> None:
    wang.post("/figures/2026-01/", typed(loaded(wang, "2026-01"), "li.lei", {"satisfaction": "9"}))
    row = wang.get("/figures/2026-01/").context["grid"].rows[0]
    assert row.band == ""
    assert row.missing == ("客户流失率", "新客户签约", "反馈处理及时率")
    text = wang.get("/figures/2026-01/").content.decode()
    assert "Missing: 客户流失率, 新客户签约, 反馈处理及时率" in text
    assert "1 of 4 filled" in text


def test_errors_are_shown_in_their_cells_and_nothing_is_saved(wang: Client) -> None:
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
        "feedback": ["han.mei 2026-02 反馈处理及时率: ok / total * 100 divides by zero"],
    }
    assert "Nothing was saved" in page.content.decode()
    assert 'value="lots"' in page.content.decode()  # what was typed stays there to correct
    assert MetricEntry.objects.count() == 0


def test_a_figure_cannot_be_emptied(wang: Client) -> None:
    wang.post("/figures/2026-01/", typed(loaded(wang, "2026-01"), "li.lei", {"satisfaction": "9"}))
    page = wang.post("/figures/2026-01/", typed(loaded(wang, "2026-01"), "li.lei", {"satisfaction": ""}))
    assert "A figure cannot be emptied" in page.content.decode()
    assert stored("li.lei", "2026-01")["satisfaction"] == Decimal("9")


def test_a_figure_longer_than_a_cell_is_refused_in_its_cell_and_nothing_is_saved(wang: Client) -> None:
    page = wang.post(
        "/figures/2026-01/",
        typed(loaded(wang, "2026-01"), "li.lei", {"satisfaction": "9" * 41, "new_customers": "3"}),
    )

    assert page.status_code == 200
    cells = {item.cell.column.name: item for item in page.context["rows"][0].cells}
    assert cells["satisfaction"].errors == ["A figure has at most 40 characters."]
    assert cells["satisfaction"].value == "9" * 41  # kept, to be corrected
    assert stored("li.lei", "2026-01") == {}


def test_a_page_saved_without_changes_saves_nothing(wang: Client) -> None:
    response = wang.post("/figures/2026-01/", posted(loaded(wang, "2026-01")), follow=True)
    assert "Nothing changed." in response.content.decode()
    assert MetricChange.objects.count() == 0


def test_a_second_save_from_the_same_loaded_page_is_told_the_value_changed_meanwhile(
    wang: Client, client: Client
) -> None:
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
    again = grid_cells(page.content)
    assert again[("li.lei", "satisfaction")] == {"value": "9.5", "loaded": "8.6"}
    assert wang.post("/figures/2026-01/", posted(again)).status_code == 302
    assert stored("li.lei", "2026-01")["satisfaction"] == Decimal("9.5")
    assert stored("li.lei", "2026-01")["new_customers"] == Decimal("4")


def test_a_cell_changed_by_a_command_meanwhile_is_not_overwritten(wang: Client) -> None:
    page_before = loaded(wang, "2026-01")
    metrics_import(table=csv_table("employee,period,churn.total\nli.lei,2026-01,50\n"))
    page = wang.post("/figures/2026-01/", typed(page_before, "li.lei", {"churn.total": "60"}))
    cell = next(item for item in page.context["rows"][0].cells if item.cell.column.name == "churn.total")
    assert cell.errors == ["changed meanwhile by someone else to 50; save again to replace it with yours"]
    assert MetricEntry.objects.get().inputs == {"total": "50"}


def test_two_people_typing_the_same_value_do_not_conflict(wang: Client) -> None:
    first, second = loaded(wang, "2026-01"), loaded(wang, "2026-01")
    wang.post("/figures/2026-01/", typed(first, "li.lei", {"satisfaction": "9"}))
    assert wang.post("/figures/2026-01/", typed(second, "li.lei", {"satisfaction": "9.0"})).status_code == 302


def test_another_teams_employee_in_a_post_is_not_found(wang: Client) -> None:
    change = {"employee": "other.person", "column": "satisfaction", "value": "1", "loaded": ""}
    assert wang.post("/figures/2026-01/", {"changes": json.dumps([change])}).status_code == 404
    assert MetricEntry.objects.count() == 0


def test_another_teams_history_is_not_found(wang: Client) -> None:
    assert wang.get("/figures/2026-01/other.person/history/").status_code == 404
    assert wang.get("/figures/2026-01/li.lei/history/").status_code == 200


def test_hr_sees_everybody_and_can_narrow_to_one_manager(client: Client, team: PlanVersion) -> None:
    from people.models import User

    client.force_login(UserFactory.create(username="hr", role=Role.HR))
    everybody = client.get("/figures/2026-02/").context["grid"]
    # By pinyin: 别人 bie, 韩梅梅 han, 李雷 li.
    assert [row.employee for row in everybody.rows] == ["other.person", "han.mei", "li.lei"]
    zhao = User.objects.get(username="zhao.lei")
    narrowed = client.get(f"/figures/2026-02/?manager={zhao.pk}").context["grid"]
    assert [row.employee for row in narrowed.rows] == ["other.person"]
    assert client.get("/figures/2026-02/other.person/history/").status_code == 200


def test_employees_may_not_open_the_grid(client: Client, team: PlanVersion) -> None:
    from people.models import User

    client.force_login(User.objects.get(username="li.lei"))
    assert client.get("/figures/2026-01/").status_code == 403
    assert client.post("/figures/2026-01/", {"v:li.lei:satisfaction": "10"}).status_code == 403
    assert client.get("/figures/upload/").status_code == 403


def test_a_month_that_is_not_one_is_not_found(wang: Client) -> None:
    assert wang.get("/figures/2026-13/").status_code == 404
    assert wang.get("/figures/2026-Q5/").status_code == 404
    # A quarter's figures are its reviews' ratings: the team's grid of the quarter's reviews.
    assert wang.get("/figures/2026-Q1/")["Location"] == "/reviews/team/2026-Q1/"


def test_the_month_picker_goes_to_the_month(wang: Client) -> None:
    response = wang.get("/figures/?period=2026-03")
    assert response.status_code == 302 and response["Location"] == "/figures/2026-03/"


def test_a_closed_month_is_read_only(wang: Client) -> None:
    data = typed(loaded(wang, "2026-01"), "li.lei", {"satisfaction": "9"})
    Cycle.objects.create(period="2026-01", status=CycleStatus.CLOSED)
    page = wang.get("/figures/2026-01/").content.decode()
    assert "January 2026 is closed: its figures are read-only." in page
    assert "disabled" in page and "Save all" not in page
    response = wang.post("/figures/2026-01/", data, follow=True)
    assert "January 2026 is closed: its figures cannot change." in response.content.decode()
    assert MetricEntry.objects.count() == 0


def test_the_deadline_is_a_day_of_the_following_month_in_local_time(settings: Settings) -> None:
    settings.FIGURES_DEADLINE_DAY = 5
    deadline = figures_deadline(period=Period.parse("2026-01"))
    assert deadline == datetime(2026, 2, 5, 23, 59, 59, 999999, tzinfo=ZoneInfo(settings.TIME_ZONE))
    settings.FIGURES_DEADLINE_DAY = 31
    assert figures_deadline(period=Period.parse("2026-01")).day == 28  # February has no 31st


def test_the_grid_shows_its_deadline(wang: Client, settings: Settings) -> None:
    settings.FIGURES_DEADLINE_DAY = 7
    assert "Due by Feb. 7, 2026" in wang.get("/figures/2026-01/").content.decode()


def test_the_grid_takes_as_many_queries_for_fifty_reports_as_for_five(client: Client, db: None) -> None:
    version = publish()
    manager = UserFactory.create(username="big.boss", role=Role.MANAGER)
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


# --- Every team shape saves: one field of changed cells, not a field per cell --------------------

SALES_PLAN = plan_data(
    code="sales",
    name="销售绩效方案",
    goals=[{"code": "revenue", "name": "营收"}],
    indicators=[
        {
            "code": "revenue",
            "name": "营收",
            "goal": "revenue",
            "frequency": "monthly",
            "weight": 100,
            "direction": "higher",
            "target": 100,
            "method": "proportional",
            "cap": 1.2,
        }
    ],
)


def reports(
    manager: User, count: int, version: PlanVersion, *, prefix: str = "r", department: Department | None = None
) -> None:
    """``count`` reports of ``manager`` on ``version`` from 2026-01, made in bulk."""
    people = User.objects.bulk_create(
        User(username=f"{prefix}{n:04d}", display_name=f"员工{n}", manager=manager, department=department)
        for n in range(count)
    )
    Assignment.objects.bulk_create(
        Assignment(
            employee=person,
            version=version,
            start="2026-01",
            monthly_bonus=Decimal("2000"),
            quarterly_bonus=Decimal("6000"),
        )
        for person in User.objects.filter(pk__in=[p.pk for p in people])
    )


def change(employee: str, column: str, value: str, loaded: str = "") -> dict[str, str]:
    return {"employee": employee, "column": column, "value": value, "loaded": loaded}


def save(
    client: Client, changes: list[dict[str, str]], url: str = "/figures/2026-01/", follow: bool = False
) -> Response:
    return client.post(url, {"changes": json.dumps(changes)}, follow=follow)


def test_a_team_of_500_saves_a_change_for_every_person_in_one_post(client: Client, db: None) -> None:
    boss = UserFactory.create(username="big.boss", role=Role.MANAGER)
    reports(boss, 500, publish())
    client.force_login(boss)

    response = save(client, [change(f"r{n:04d}", "satisfaction", "9") for n in range(500)], follow=True)

    assert "Saved: 500 new, 0 changed." in response.content.decode()
    assert MetricEntry.objects.filter(period="2026-01", value=Decimal("9")).count() == 500
    assert set(MetricChange.objects.values_list("source", flat=True)) == {ChangeSource.GRID}


def test_a_team_of_500_saves_every_typed_cell_of_everybody(client: Client, db: None) -> None:
    boss = UserFactory.create(username="big.boss", role=Role.MANAGER)
    reports(boss, 500, publish())
    client.force_login(boss)
    values = {**LI_2026_01}
    changes = [change(f"r{n:04d}", column, value) for n in range(500) for column, value in values.items()]
    assert len(changes) == 3000  # as fields of the old page, 6,000: six times Django's limit

    response = save(client, changes, follow=True)

    assert "Saved: 2000 new, 0 changed." in response.content.decode()
    assert MetricEntry.objects.filter(indicator__code="churn", value=Decimal("4")).count() == 500


def test_a_large_team_is_shown_a_hundred_people_a_page(client: Client, db: None) -> None:
    boss = UserFactory.create(username="big.boss", role=Role.MANAGER)
    reports(boss, 250, publish())
    client.force_login(boss)

    first = client.get("/figures/2026-01/")
    assert [row.employee for row in first.context["grid"].rows] == [f"r{n:04d}" for n in range(100)]
    text = first.content.decode()
    assert "Page 1 of 3" in text and "0 of 400 filled on this page" in text
    assert 'href="?page=2"' in text
    last = client.get("/figures/2026-01/?page=3").context["grid"]
    assert [row.employee for row in last.rows] == [f"r{n:04d}" for n in range(200, 250)]

    # A save from the third page goes back to it.
    response = save(client, [change("r0249", "satisfaction", "9")], url="/figures/2026-01/?page=3")
    assert response.status_code == 302 and response["Location"] == "/figures/2026-01/?page=3"


def test_a_managers_grid_loads_in_as_many_queries_for_5_reports_as_for_150(
    client: Client, db: None, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    version = publish()
    boss = UserFactory.create(username="big.boss", role=Role.MANAGER)
    client.force_login(boss)
    reports(boss, 5, version, prefix="a")
    with CaptureQueriesContext(connection) as small:
        assert client.get("/figures/2026-01/").status_code == 200
    reports(boss, 145, version, prefix="b")
    with django_assert_max_num_queries(len(small)):
        assert len(client.get("/figures/2026-01/").context["grid"].rows) == 100


def test_a_save_reads_in_as_many_queries_for_5_people_as_for_150(client: Client, db: None) -> None:
    version = publish()
    boss = UserFactory.create(username="big.boss", role=Role.MANAGER)
    client.force_login(boss)
    counts = []
    for size, prefix in ((5, "a"), (150, "b")):
        reports(boss, size, version, prefix=prefix)
        with CaptureQueriesContext(connection) as queries:
            assert (
                save(client, [change(f"{prefix}{n:04d}", "satisfaction", "9") for n in range(size)]).status_code == 302
            )
        counts.append(len(queries))
    # The same reads; the writes are bulk inserts, in batches of some hundred rows on SQLite (the
    # first save also makes the month's cycle row).
    assert counts[1] <= counts[0] + 2


@pytest.fixture
def mixed(db: None) -> User:
    """wang.fang's team on two plans: li.lei on the seed plan, zhou.qi on the sales plan."""
    seed, sales = publish(), publish(SALES_PLAN)
    wang = UserFactory.create(username="wang.fang", role=Role.MANAGER)
    assign(UserFactory.create(username="li.lei", display_name="李雷", manager=wang), seed, "2026-01")
    assign(UserFactory.create(username="zhou.qi", display_name="周七", manager=wang), sales, "2026-01")
    return wang


def test_a_team_on_two_plans_shows_each_persons_columns_and_not_the_others(client: Client, mixed: User) -> None:
    client.force_login(mixed)
    page = client.get("/figures/2026-01/")
    columns = [c.name for c in page.context["grid"].columns]
    assert "satisfaction" in columns and "revenue" in columns
    rows = {bound.row.employee: bound for bound in page.context["rows"]}
    li = {item.cell.column.name: item for item in rows["li.lei"].cells}
    zhou = {item.cell.column.name: item for item in rows["zhou.qi"].cells}
    assert li["satisfaction"].typed and not li["revenue"].typed and not li["revenue"].cell.applies
    assert zhou["revenue"].typed and not zhou["satisfaction"].typed and not zhou["churn.lost"].cell.applies
    assert set(grid_cells(page.content)) == {("li.lei", c) for c in LI_2026_01} | {("zhou.qi", "revenue")}
    assert page.content.decode().count('aria-label="not in this plan"') == 1 + len(LI_2026_01) + 2  # computed too


def test_a_team_on_two_plans_saves_a_change_for_a_person_on_one_plan(client: Client, mixed: User) -> None:
    client.force_login(mixed)
    assert (
        client.post("/figures/2026-01/", typed(loaded(client, "2026-01"), "zhou.qi", {"revenue": "120"})).status_code
        == 302
    )
    assert stored("zhou.qi", "2026-01") == {"revenue": Decimal("120")}
    assert (
        client.post("/figures/2026-01/", typed(loaded(client, "2026-01"), "li.lei", {"satisfaction": "9"})).status_code
        == 302
    )
    assert stored("li.lei", "2026-01") == {"satisfaction": Decimal("9")}

    cells = typed_cells(loaded(client, "2026-01"), "li.lei", {"satisfaction": "8"})
    both = typed(cells, "zhou.qi", {"revenue": "90"})
    response = client.post("/figures/2026-01/", both, follow=True)
    assert "Saved: 0 new, 2 changed." in response.content.decode()
    assert stored("li.lei", "2026-01") == {"satisfaction": Decimal("8")}
    assert stored("zhou.qi", "2026-01") == {"revenue": Decimal("90")}


def test_a_column_of_another_plan_is_refused_naming_the_person(client: Client, mixed: User) -> None:
    client.force_login(mixed)
    page = save(client, [change("zhou.qi", "satisfaction", "9"), change("li.lei", "satisfaction", "9")])
    assert page.status_code == 200
    rows = {bound.row.employee: bound for bound in page.context["rows"]}
    assert rows["zhou.qi"].errors == ["“satisfaction” is not a figure to type for zhou.qi."]
    assert "Nothing was saved" in page.content.decode()
    assert MetricEntry.objects.count() == 0


@pytest.mark.parametrize(
    "column", ["churn", "collaboration", "nothing", ""], ids=["computed", "quarterly", "unknown", "empty"]
)
def test_a_cell_that_is_not_typed_on_the_grid_is_refused(wang: Client, column: str) -> None:
    page = save(wang, [change("li.lei", column, "3")])
    assert page.status_code == 200
    assert page.context["rows"][0].errors == [f"“{column}” is not a figure to type for li.lei."]
    assert MetricEntry.objects.count() == 0


def test_a_person_without_a_plan_in_the_month_is_refused_by_name(wang: Client) -> None:
    page = save(wang, [change("no.plan", "satisfaction", "3")])
    assert page.status_code == 200
    assert "no.plan has no plan in January 2026." in page.content.decode()
    assert MetricEntry.objects.count() == 0


def test_an_unknown_employee_in_a_post_is_not_found(wang: Client) -> None:
    assert save(wang, [change("nobody.at.all", "satisfaction", "3")]).status_code == 404
    assert MetricEntry.objects.count() == 0


GOOD = change("li.lei", "satisfaction", "9")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (None, "The grid sent no changes"),
        ("", "The grid's changes could not be read"),
        ("not json", "The grid's changes could not be read"),
        ("[" * 100_000, "The grid's changes could not be read"),
        ("[" + "9" * 5000 + "]", "The grid's changes could not be read"),
        (json.dumps({"employee": "li.lei"}), "The grid's changes must be a list of cells."),
        (json.dumps([GOOD, 1]), "Change 2 must have exactly an employee, a column, a value and a loaded value."),
        (json.dumps([{**GOOD, "extra": "x"}]), "Change 1 must have exactly"),
        (json.dumps([{"employee": "li.lei", "column": "satisfaction", "value": "9"}]), "Change 1 must have exactly"),
        (json.dumps([{**GOOD, "value": 9}]), "Change 1: “value” must be text of at most 200 characters."),
        ('[{"employee": "li.lei", "column": "satisfaction", "value": NaN, "loaded": ""}]', "“value” must be text"),
        (json.dumps([{**GOOD, "loaded": None}]), "Change 1: “loaded” must be text"),
        (json.dumps([{**GOOD, "employee": ["li.lei"]}]), "Change 1: “employee” must be text"),
        (json.dumps([{**GOOD, "employee": "li.lei\x00"}]), "Change 1: “employee” must be text"),
        (json.dumps([{**GOOD, "column": "satisfaction\ud800"}]), "Change 1: “column” must be text"),
        (json.dumps([{**GOOD, "value": "9" * 201}]), "Change 1: “value” must be text of at most 200 characters."),
        (json.dumps([GOOD, GOOD]), "Change 2: li.lei satisfaction is given twice."),
        (json.dumps([GOOD] * 5001), "A save takes at most 5000 cells; this one has 5001: save them in parts."),
    ],
)
def test_a_save_that_is_no_list_of_changed_cells_is_refused_with_a_message(
    wang: Client, changes: str | None, message: str
) -> None:
    data = {} if changes is None else {"changes": changes}
    page = wang.post("/figures/2026-01/", data)
    assert page.status_code == 400
    text = html.unescape(page.content.decode())
    assert message in text and "Nothing was saved" in text
    assert MetricEntry.objects.count() == 0


def test_a_save_of_only_unchanged_cells_saves_nothing(wang: Client) -> None:
    save(wang, [GOOD])
    response = save(wang, [change("li.lei", "satisfaction", "9.00", loaded="9")], follow=True)
    assert "Nothing changed." in response.content.decode()
    assert MetricChange.objects.count() == 1


# --- HR's grid: filtered by department and manager, paged -------------------------------------------


class Company(TypedDict):
    sales: Department
    service: Department
    wang: User
    zhao: User


@pytest.fixture
def company(db: None) -> Company:
    """Two departments: 120 people under wang.fang in sales, 30 under zhao.lei in service."""
    version = publish()
    sales, service = DepartmentFactory.create(name="销售部"), DepartmentFactory.create(name="客服部")
    wang = UserFactory.create(username="wang.fang", role=Role.MANAGER, display_name="王芳")
    zhao = UserFactory.create(username="zhao.lei", role=Role.MANAGER, display_name="赵磊")
    reports(wang, 120, version, prefix="s", department=sales)
    reports(zhao, 30, version, prefix="t", department=service)
    return {"sales": sales, "service": service, "wang": wang, "zhao": zhao}


@pytest.fixture
def hr(client: Client, company: Company) -> Client:
    client.force_login(UserFactory.create(username="hr", role=Role.HR))
    return client


def rows_of(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return [row.employee for row in response.context["grid"].rows]


def test_hrs_grid_of_the_company_is_paged(hr: Client) -> None:
    assert rows_of(hr, "/figures/2026-01/") == [f"s{n:04d}" for n in range(100)]
    assert rows_of(hr, "/figures/2026-01/?page=2") == [f"s{n:04d}" for n in range(100, 120)] + [
        f"t{n:04d}" for n in range(30)
    ]
    assert "Page 2 of 2" in hr.get("/figures/2026-01/?page=2").content.decode()


def test_hr_filters_the_grid_by_department_and_by_manager(hr: Client, company: Company) -> None:
    service, wang, zhao = company["service"].pk, company["wang"].pk, company["zhao"].pk
    assert rows_of(hr, f"/figures/2026-01/?department={service}") == [f"t{n:04d}" for n in range(30)]
    assert rows_of(hr, f"/figures/2026-01/?manager={zhao}") == [f"t{n:04d}" for n in range(30)]
    assert rows_of(hr, f"/figures/2026-01/?manager={wang}&department={service}") == []
    assert rows_of(hr, f"/figures/2026-01/?manager={wang}&page=2") == [f"s{n:04d}" for n in range(100, 120)]
    page = hr.get(f"/figures/2026-01/?manager={wang}&page=2").content.decode()
    # The months, the templates and the pages keep the filter.
    assert f'href="/figures/2026-02/?manager={wang}"' in page
    assert f'href="/figures/2026-01/template.csv?manager={wang}"' in page
    assert f'href="?manager={wang}&amp;page=1"' in page


def test_the_month_picker_keeps_hrs_filters(hr: Client, company: Company) -> None:
    service = company["service"].pk
    response = hr.get(f"/figures/?period=2026-03&department={service}&manager=abc")
    assert response.status_code == 302 and response["Location"] == f"/figures/2026-03/?department={service}"


@pytest.mark.parametrize(
    "query",
    [
        "manager=²",
        "manager=abc",
        "manager=-1",
        "manager=99999999999999999999999",
        "manager=1e3",
        "department=²",
        "department=<script>",
        "department=0",
        "department=",
        "page=-1",
        "page=0",
        "page=abc",
        "page=1e9",
        "page=²",
        "manager=&department=&page=",
    ],
)
def test_hrs_query_parameters_that_are_no_choice_are_ignored(hr: Client, query: str) -> None:
    response = hr.get(f"/figures/2026-01/?{query}")
    assert response.status_code == 200
    assert len(response.context["grid"].rows) == 100  # a whole page of everybody: the filter is not applied
    for path in ("/figures/", "/figures/2026-01/template.csv", "/figures/2026-01/template.xlsx"):
        assert hr.get(f"{path}?{query}").status_code in (200, 302)


def test_a_page_beyond_the_last_is_the_last(hr: Client) -> None:
    assert rows_of(hr, "/figures/2026-01/?page=99999") == rows_of(hr, "/figures/2026-01/?page=2")
    assert rows_of(hr, "/figures/2026-01/?page=99999999999999999999999999") == rows_of(hr, "/figures/2026-01/?page=2")


def test_a_filter_that_is_no_choice_is_said_so_beside_its_field(hr: Client) -> None:
    text = hr.get("/figures/2026-01/?manager=abc").content.decode()
    assert "Select a valid choice. That choice is not one of the available choices." in text


def test_a_managers_query_parameters_change_nothing(client: Client, company: Company) -> None:
    client.force_login(company["zhao"])
    wang = company["wang"].pk
    for query in (f"manager={wang}", "department=1", "manager=²", "page=-1"):
        assert rows_of(client, f"/figures/2026-01/?{query}") == [f"t{n:04d}" for n in range(30)]


def test_hrs_grid_takes_as_many_queries_for_a_company_of_150_as_of_450(
    hr: Client, company: Company, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert hr.get(f"/figures/2026-01/?department={company['sales'].pk}").status_code == 200
            assert hr.get("/figures/2026-01/?page=2").status_code == 200
        return len(queries)

    small = count()
    reports(company["wang"], 300, publish(), prefix="u", department=company["sales"])
    with django_assert_max_num_queries(small):
        count()


# --- Months out of the range of periods ------------------------------------------------------


@pytest.mark.parametrize("month", ["9999-12", "0000-01", "1999-12", "2101-01"])
def test_a_month_out_of_range_is_not_found(wang: Client, month: str) -> None:
    assert wang.get(f"/figures/{month}/").status_code == 404
    assert save(wang, [GOOD], url=f"/figures/{month}/").status_code == 404
    assert wang.get(f"/figures/{month}/template.csv").status_code == 404


def test_the_first_and_last_months_of_the_range_have_no_link_beyond(wang: Client) -> None:
    first = wang.get("/figures/2000-01/").content.decode()
    assert "/figures/2000-02/" in first and "/figures/1999-12/" not in first
    last = wang.get("/figures/2100-12/").content.decode()
    assert "/figures/2100-11/" in last and "/figures/2101-01/" not in last
