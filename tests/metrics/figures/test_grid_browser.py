"""A manager enters the worked example's figures in a real browser, through the team grid."""

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import FilePayload, Locator, Page, expect

from metrics.figures.models import ChangeSource, MetricChange, MetricEntry
from metrics.figures.services import metrics_import
from metrics.results.closing import cycle_close_request
from metrics.results.exports import scores_csv
from metrics.results.tasks import cycle_close_task
from people.models import Role, User
from plans.periods import Period
from tests.conftest import browser_login
from tests.factories import UserFactory, assign, csv_table, publish
from tests.metrics.figures.test_grid import SALES_PLAN, reports

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-1"
MONTHLY = ["churn.lost", "churn.total", "satisfaction", "new_customers", "feedback.ok", "feedback.total"]


def close_task_run(cycle_id: int, run: int) -> None:
    """The close task, run here and now instead of by a worker."""
    cycle_close_task.apply(args=(cycle_id, run))


def setup_team(examples: Path) -> list[dict[str, str]]:
    call_command("load_plan", str(examples / "customer-manager.json"), stdout=StringIO())
    call_command("import_roster", str(examples / "roster.csv"), stdout=StringIO())
    manager = User.objects.get(username="wang.fang")
    manager.set_password(PASSWORD)
    manager.save()
    return list(csv.DictReader((examples / "metrics.csv").open(encoding="utf-8")))


def cell(page: Page, employee: str, column: str) -> Locator:
    return page.locator(f'tr[data-employee="{employee}"] input[data-column="{column}"]')


def active(page: Page) -> str:
    """The focused cell as ``employee:column``."""
    focused: str = page.evaluate(
        "(e => `${e.closest('tr').dataset.employee}:${e.dataset.column}`)(document.activeElement)"
    )
    return focused


def test_a_manager_fills_the_quarter_through_the_grid_and_the_scores_match_the_examples(
    page: Page, examples: Path
) -> None:
    figures = setup_team(examples)
    browser_login(page, "wang.fang", PASSWORD)
    page.get_by_role("link", name="My team").click()

    for month in ("2026-01", "2026-02", "2026-03"):
        page.goto(f"/figures/{month}/")
        rows = [row for row in figures if row["period"] == month]
        expect(page.locator("#figures-progress")).to_contain_text(f"0 of {4 * len(rows)} filled")
        for row in rows:
            # Type a row as a person would: a cell, then Tab to the next one.
            cell(page, row["employee"], MONTHLY[0]).click()
            for index, column in enumerate(MONTHLY):
                assert active(page) == f"{row['employee']}:{column}"
                page.keyboard.type(row[column])
                if index < len(MONTHLY) - 1:
                    page.keyboard.press("Tab")
        if len(rows) == 2:  # Enter goes down the column, to the next person, without saving
            cell(page, "han.mei", "satisfaction").focus()
            page.keyboard.press("Enter")
            assert active(page) == "li.lei:satisfaction"
        page.get_by_role("button", name="Save all").click()
        expect(page.get_by_role("alert").filter(has_text="Saved:")).to_contain_text(f"{4 * len(rows)} new")
        expect(page.locator("#figures-progress")).to_contain_text(f"{4 * len(rows)} of {4 * len(rows)} filled")
        if month == "2026-01":
            expect(page.locator('tr[data-employee="li.lei"] [data-score]')).to_contain_text("107.66")

    assert set(MetricChange.objects.values_list("source", "user__username").distinct()) == {
        (ChangeSource.GRID, "wang.fang")
    }
    for month in ("2026-01", "2026-02", "2026-03"):
        cycle_close_request(period=Period.parse(month), enqueue=close_task_run)
        assert scores_csv(period=Period.parse(month)) == (examples / f"scores-{month}.csv").read_text(encoding="utf-8")

    # A closed month: said so, and nothing can be typed or saved.
    page.goto("/figures/2026-01/")
    expect(page.get_by_text("January 2026 is closed: its figures are read-only.")).to_be_visible()
    expect(cell(page, "li.lei", "satisfaction")).to_be_disabled()
    expect(page.get_by_role("button", name="Save all")).to_have_count(0)


def test_an_upload_with_one_bad_row_shows_it_and_saves_nothing(page: Page, examples: Path) -> None:
    setup_team(examples)
    browser_login(page, "wang.fang", PASSWORD)
    page.goto("/figures/2026-04/")
    page.get_by_role("link", name="Upload a file").click()
    text = (
        "employee,period," + ",".join(MONTHLY) + "\n"
        "li.lei,2026-04,1,49,9.0,3,38,40\n"
        "han.mei,2026-04,3,31,lots,0,15,20\n"
    )
    page.get_by_label("Figures file").set_input_files(
        files=[FilePayload(name="figures.csv", mimeType="text/csv", buffer=text.encode())]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#upload-errors")).to_contain_text("Row 3, satisfaction: “lots” is not a number")
    expect(page.get_by_role("button", name="Apply these changes")).to_have_count(0)
    assert MetricEntry.objects.count() == 0

    # The corrected file: a preview, then applied.
    page.get_by_label("Figures file").set_input_files(
        files=[FilePayload(name="figures.csv", mimeType="text/csv", buffer=text.replace("lots", "6.0").encode())]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#upload-summary")).to_contain_text("0 values change, 8 new")
    assert MetricEntry.objects.count() == 0
    page.get_by_role("button", name="Apply these changes").click()
    expect(page.get_by_role("alert").filter(has_text="saved")).to_contain_text("8 new values")
    assert MetricEntry.objects.count() == 8


def manager_with_password(username: str = "big.boss") -> User:
    manager = UserFactory.create(username=username, role=Role.MANAGER)
    manager.set_password(PASSWORD)
    manager.save()
    return manager


def test_a_team_of_more_than_a_page_fills_a_column_with_enter_and_saves_each_page(page: Page) -> None:
    boss = manager_with_password()
    reports(boss, 130, publish())
    browser_login(page, "big.boss", PASSWORD)
    page.goto("/figures/2026-01/")
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()

    # A hundred people's satisfaction: 1,200 fields as the page was. Ten typed down the column
    # with Enter, the other ninety put in at once (a keystroke costs a round trip to Chromium).
    cell(page, "r0000", "satisfaction").click()
    page.keyboard.type("9\n" * 10)
    assert active(page) == "r0010:satisfaction"
    page.evaluate(
        """() => document.querySelectorAll('input[data-column="satisfaction"]').forEach((input, n) => {
            if (n >= 10) { input.value = "9"; input.dispatchEvent(new Event("input")); }
        })"""
    )
    page.get_by_role("button", name="Save all").click()
    expect(page.get_by_role("alert").filter(has_text="Saved:")).to_contain_text("100 new")
    expect(page.locator("#figures-progress")).to_contain_text("100 of 400 filled on this page")

    page.get_by_role("link", name="Next").click()
    cell(page, "r0129", "new_customers").fill("4")
    page.get_by_role("button", name="Save all").click()
    expect(page.get_by_role("alert").filter(has_text="Saved:")).to_contain_text("1 new")
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()  # back on the page saved
    assert MetricEntry.objects.count() == 101


def test_a_team_on_two_plans_saves_the_cells_changed_and_shows_a_conflict_on_its_cell(page: Page) -> None:
    wang = manager_with_password("wang.fang")
    seed, sales = publish(), publish(SALES_PLAN)
    assign(UserFactory.create(username="li.lei", display_name="李雷", manager=wang), seed, "2026-01")
    assign(UserFactory.create(username="zhou.qi", display_name="周七", manager=wang), sales, "2026-01")
    browser_login(page, "wang.fang", PASSWORD)
    page.goto("/figures/2026-01/")
    zhou = page.locator('tr[data-employee="zhou.qi"]')
    expect(zhou.get_by_label("not in this plan")).to_have_count(8)  # the seed plan's columns
    expect(page.locator('tr[data-employee="li.lei"]').get_by_label("not in this plan")).to_have_count(1)

    # Someone saves li.lei's satisfaction while the page is open.
    metrics_import(table=csv_table("employee,period,satisfaction\nli.lei,2026-01,8.6\n"))
    cell(page, "li.lei", "satisfaction").fill("9.5")
    cell(page, "zhou.qi", "revenue").fill("120")
    page.get_by_role("button", name="Save all").click()

    expect(page.get_by_role("alert").filter(has_text="Nothing was saved")).to_be_visible()
    satisfaction = page.locator('tr[data-employee="li.lei"] td.figures-cell').filter(
        has=page.locator('input[data-column="satisfaction"]')
    )
    expect(satisfaction).to_contain_text("changed meanwhile by someone else to 8.6; save again to replace it")
    expect(cell(page, "li.lei", "satisfaction")).to_have_value("9.5")
    expect(cell(page, "zhou.qi", "revenue")).to_have_value("120")  # kept, not saved
    assert not MetricEntry.objects.filter(assignment__employee__username="zhou.qi").exists()

    page.get_by_role("button", name="Save all").click()  # deliberately, over the 8.6
    expect(page.get_by_role("alert").filter(has_text="Saved:")).to_contain_text("1 new, 1 changed")
    assert sorted(MetricChange.objects.values_list("indicator__code", "source")) == [
        ("revenue", ChangeSource.GRID),
        ("satisfaction", ChangeSource.GRID),
        ("satisfaction", ChangeSource.IMPORT),
    ]
