"""The worked example's first quarter, end to end, through the pages only: the manager types the
figures, HR closes the months, the review brings the collaboration ratings, HR closes the quarter,
and the scorecards and the dashboard show exactly ``scores-2026-Q1.csv``."""

import csv
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import Page, expect

from metrics.results.scorecards import FLAG_LABELS
from people.models import Role, User
from plans.formats import money_text, period_text
from plans.models import Indicator
from tests.conftest import browser_login, browser_logout, browser_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-1"
MONTHS = ("2026-01", "2026-02", "2026-03")
QUARTER = "2026-Q1"
RESULT_COLUMNS = ("employee", "period", "score", "band", "payout", "bonus", "flags")
NAMES = {"li.lei": "李雷", "han.mei": "韩梅梅"}


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def nav(page: Page, name: str) -> None:
    """A link of the main navigation (a page's breadcrumb may repeat it)."""
    browser_menu(page, name)


def sign_out(page: Page) -> None:
    browser_logout(page)


def team_setup(examples: Path) -> None:
    call_command("load_plan", str(examples / "customer-manager.json"), stdout=StringIO())
    call_command("import_roster", str(examples / "roster.csv"), stdout=StringIO())
    User.objects.create_user(username="hr", password=PASSWORD, role=Role.HR, display_name="孙丽")
    User.objects.create_user(username="boss", password=PASSWORD, role=Role.ADMIN)
    for username in ("wang.fang", "li.lei", "han.mei"):
        user = User.objects.get(username=username)
        user.set_password(PASSWORD)
        user.save()


def figures_type(page: Page, figures: list[dict[str, str]]) -> None:
    """wang.fang picks each month in the grid, types its figures and saves them."""
    browser_login(page, "wang.fang", PASSWORD)
    nav(page, "My team")
    for month in MONTHS:
        page.get_by_label("Month", exact=True).fill(month)
        page.get_by_role("button", name="Show").click()
        expect(page.get_by_role("heading", name=f"Figures for {period_text(month)}")).to_be_visible()
        rows = [row for row in figures if row["period"] == month]
        typed = 0
        for row in rows:
            for column, value in row.items():
                if column in ("employee", "period") or not value:
                    continue
                page.locator(f'tr[data-employee="{row["employee"]}"] input[data-column="{column}"]').fill(value)
                typed += 1
        page.get_by_role("button", name="Save all").click()
        # Four monthly indicators a person, out of the six inputs typed.
        expect(page.get_by_role("alert").filter(has_text="Saved:")).to_contain_text(f"{4 * len(rows)} new")
        assert typed == 6 * len(rows)
    sign_out(page)


def cycle_close(page: Page, period: str, expected: list[dict[str, str]]) -> None:
    """HR closes a period from its cycle page and waits for the summary."""
    nav(page, "Cycles")
    page.get_by_role("link", name=period_text(period), exact=True).click()
    expect(page.get_by_text("Every figure is in.")).to_be_visible()
    page.get_by_role("button", name=f"Close {period_text(period)}").click()
    expect(page.locator("#cycle-status")).to_have_text("Closed", timeout=30_000)
    expect(page.locator("#summary-results")).to_have_text(str(len(expected)))
    bonus = sum((Decimal(row["bonus"]) for row in expected), Decimal("0.00"))
    expect(page.locator("#summary-bonus")).to_have_text(money_text(bonus))


def review_self_assess(page: Page, username: str) -> None:
    browser_login(page, username, PASSWORD)
    nav(page, "My reviews")
    page.get_by_role("link", name=f"Open the review of {period_text(QUARTER)}").click()
    page.get_by_label("Your self-assessment").fill("I looked after my customers this quarter.")
    page.get_by_role("button", name="Submit my self-assessment").click()
    expect(page.get_by_text("Your self-assessment is submitted to your manager.")).to_be_visible()
    sign_out(page)


def team_reviews_show(page: Page) -> None:
    nav(page, "Team reviews")
    page.get_by_label("Quarter").fill(QUARTER)
    page.get_by_role("button", name="Show").click()


def reviews_do(page: Page, ratings: dict[str, str]) -> None:
    """Opened by the manager, self-assessed, rated, approved by HR: the rating is the quarter's figure."""
    browser_login(page, "wang.fang", PASSWORD)
    for username in ratings:
        team_reviews_show(page)
        page.get_by_role("button", name=f"Open a review for {NAMES[username]}").click()
        expect(page.get_by_text("is open.")).to_be_visible()
    sign_out(page)

    for username in ratings:
        review_self_assess(page, username)

    browser_login(page, "wang.fang", PASSWORD)
    for username, rating in ratings.items():
        team_reviews_show(page)
        page.get_by_role("link", name=f"Open the review of {NAMES[username]}").click()
        page.get_by_label("内部协作评价 (0 to 10)").fill(rating)
        page.get_by_label("Comment for the employee").fill("Thank you for the quarter.")
        page.get_by_role("button", name="Submit the rating to HR").click()
        expect(page.get_by_text("Your rating is submitted to HR for approval.")).to_be_visible()
    sign_out(page)

    browser_login(page, "hr", PASSWORD)
    for username in ratings:
        nav(page, "Reviews")
        page.get_by_role("link", name=NAMES[username], exact=True).click()
        page.get_by_role("button", name="Approve the review").click()
        expect(page.get_by_text("The review is approved")).to_be_visible()


def scorecard_check(page: Page, row: dict[str, str], indicators: list[str]) -> None:
    """The quarter's card: score, band, payout, bonus, flags and every indicator's points."""
    quarter = page.get_by_role("region", name=period_text(QUARTER))
    expect(quarter.locator(".score")).to_have_text(row["score"])
    header = quarter.locator(".card-header")
    expect(header).to_contain_text(f"Band {row['band']}")
    expect(header).to_contain_text(f"Payout {row['payout']}%")
    expect(header).to_contain_text(f"Bonus {money_text(Decimal(row['bonus']))}")
    with translation.override("en"):
        flags = [str(FLAG_LABELS.get(flag, flag)) for flag in row["flags"].split(";") if flag]
    expect(quarter.locator(".badge")).to_have_text(flags)
    points = quarter.evaluate(
        """section => Object.fromEntries(
            [...section.querySelectorAll("tbody tr:not(.reasons)")].map(
                tr => [tr.firstElementChild.textContent.trim(), tr.lastElementChild.textContent.trim()]))"""
    )
    # The page names each indicator (never its code): the plan says which name is which code.
    names = dict(Indicator.objects.values_list("code", "name"))
    assert points == {names[code]: row[code] for code in indicators}
    # Each indicator says why it scored what it did.
    expect(quarter.locator("tr.reasons")).to_have_count(len(indicators))
    for reason in quarter.locator("tr.reasons").all():
        assert reason.inner_text().strip()


def test_the_first_quarter_through_the_pages_gives_the_expected_scores(
    page: Page, examples: Path, celery_worker: object
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    team_setup(examples)
    figures = rows_of(examples / "metrics.csv")
    expected = {period: rows_of(examples / f"scores-{period}.csv") for period in (*MONTHS, QUARTER)}
    header = (examples / f"scores-{QUARTER}.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    indicators = [column for column in header if column not in RESULT_COLUMNS]
    assert indicators == ["churn", "satisfaction", "new_customers", "feedback", "collaboration"]

    figures_type(page, [row for row in figures if row["period"] in MONTHS])

    browser_login(page, "hr", PASSWORD)
    for month in MONTHS:
        cycle_close(page, month, expected[month])
    sign_out(page)

    ratings = {row["employee"]: row["collaboration"] for row in figures if row["period"] == QUARTER}
    assert ratings == {"li.lei": "8.5", "han.mei": "6"}
    reviews_do(page, ratings)  # ends signed in as HR
    cycle_close(page, QUARTER, expected[QUARTER])
    sign_out(page)

    quarter_rows = {row["employee"]: row for row in expected[QUARTER]}
    for username, row in quarter_rows.items():
        browser_login(page, username, PASSWORD)
        nav(page, "My scores")
        scorecard_check(page, row, indicators)
        sign_out(page)

    browser_login(page, "boss", PASSWORD)
    nav(page, "Dashboards")
    page.get_by_label("Period", exact=True).select_option(QUARTER)
    page.get_by_role("button", name="Show").click()
    bands = {
        line.split("\t")[1]: line.split("\t")[2:]
        for line in page.locator("#table-bands tbody tr").all_inner_texts()
        if line.startswith(period_text(QUARTER))
    }
    for band in {row["band"] for row in quarter_rows.values()}:
        members = [row for row in quarter_rows.values() if row["band"] == band]
        total = sum((Decimal(row["bonus"]) for row in members), Decimal("0.00"))
        assert bands[band] == [str(len(members)), money_text(total)]
    total = sum((Decimal(row["bonus"]) for row in quarter_rows.values()), Decimal("0.00"))
    assert total == Decimal("10200.00")
    assert bands["All"] == [str(len(quarter_rows)), "¥10,200.00"]
    assert sum(int(counts[0]) for band, counts in bands.items() if band != "All") == len(quarter_rows)
    ranking = {
        cells[0].split()[-1]: cells[1:]
        for cells in (
            line.split("\t") for line in page.locator("#table-top tbody tr, #table-bottom tbody tr").all_inner_texts()
        )
    }
    departments = {row["employee"]: row["department"] for row in rows_of(examples / "roster.csv")}
    assert ranking == {
        username: [departments[username], row["score"], row["band"], money_text(Decimal(row["bonus"]))]
        for username, row in quarter_rows.items()
    }

    # The admin opens han.mei's scorecard from the ranking, as HR would (two people: one in each list).
    page.locator("#table-bottom").get_by_role("link", name=NAMES["han.mei"]).click()
    scorecard_check(page, quarter_rows["han.mei"], indicators)
    assert errors == []
