"""The scorecard: one's own results, and why each indicator scored what it did."""

from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from people.models import Role, User
from tests.metrics.results.test_cycle_pages import WU_DI, client_for, close, examples_loaded, page_text, person

# wu.di's January in the examples' plan: everything entered but satisfaction.
WU_DI_FIGURES = "wu.di,2026-01,4,30,,0,16,20,\n"


@pytest.fixture
def quarter_closed(db: None, examples: Path) -> None:
    examples_loaded(examples, WU_DI, WU_DI_FIGURES)
    close("2026-01", force=True)
    for period in ("2026-02", "2026-03"):
        close(period, force=True)
    close("2026-Q1", force=True)


def user(username: str) -> User:
    return User.objects.get(username=username)


def section(text: str, period: str, following: str | None) -> str:
    """The part of the page about ``period`` (periods are listed newest first)."""
    start = text.index(f" {period} ")
    return text[start : text.index(f" {following} ", start + 1)] if following else text[start:]


def test_an_employee_reads_their_month_and_quarter_scores_with_their_reasons(quarter_closed: None) -> None:
    text = page_text(client_for(user("li.lei")).get("/scores/").content)

    assert "My scores li.lei" in text
    quarter = section(text, "Q1 2026", "March 2026")
    assert "Score 107.32 · Band A · Payout 100.00% · Bonus ¥6,000.00" in quarter
    assert "Promotion candidate" in quarter
    assert "The mean of its monthly points over 3 months of the quarter." in quarter
    assert "内部协作评价 8.5 — Rating 10.00 8.50 Why: Rated 8.5 out of 10: weight × rating ÷ scale." in quarter

    january = section(text, "January 2026", None)
    assert "Score 107.66 · Band A · Payout 100.00% · Bonus ¥2,000.00" in january
    assert "96.89 points ÷ the weights of the month 90 × 100 = 107.66 points." in january
    assert "客户流失率 4 % 5 % Proportional 30.00 36.00 Why: Target reached: full weight or more." in january
    assert (
        "客户满意度 8.6 9 Proportional 25.00 23.89 Why: Below target: points in proportion to how close it came."
        in january
    )

    february = section(text, "February 2026", "January 2026")
    assert "Capped at 36 points: at most 120% of its weight 30. Stretch target 3 reached: 5 extra points." in february
    assert "41.00" in february
    assert "新客户签约 3 3 Per unit 20.00 20.00 Why: Target reached" in february
    assert "The best tier reached is worth 12.00 points." in february


def test_a_late_starter_has_a_quarter_mean_over_their_two_months_and_a_warning_in_words(
    quarter_closed: None,
) -> None:
    text = page_text(client_for(user("han.mei")).get("/scores/").content)

    assert "over 2 months of the quarter" in section(text, "Q1 2026", "March 2026")
    march = section(text, "March 2026", "February 2026")
    assert "Score 26.23 · Band C" in march and "Warning" in march


def test_a_value_missing_at_a_forced_close_says_it_scored_0(quarter_closed: None) -> None:
    text = page_text(client_for(user("wu.di")).get("/scores/").content)

    assert "No figure was entered: it scores 0 (closed with figures missing)." in text
    assert "Incomplete" in text


def test_an_employee_cannot_open_a_colleagues_scorecard(quarter_closed: None) -> None:
    assert client_for(user("li.lei")).get("/scores/han.mei/").status_code == 404


def test_a_manager_reads_their_reports_scorecards_and_no_other_teams(quarter_closed: None) -> None:
    manager = client_for(user("wang.fang"))

    response = manager.get("/scores/li.lei/")
    assert response.status_code == 200
    assert "Scores of 李雷 li.lei" in page_text(response.content)
    assert "107.66" in page_text(response.content)
    assert manager.get("/scores/wu.di/").status_code == 404
    assert "My team: 韩梅梅 李雷" in page_text(manager.get("/scores/").content)


@pytest.mark.parametrize("role", [Role.HR, Role.ADMIN])
def test_hr_and_admins_read_everybodys_scorecard_and_look_one_up(quarter_closed: None, role: Role) -> None:
    client = client_for(person("staff", role))

    assert "26.23" in page_text(client.get("/scores/han.mei/").content)
    assert client.get("/scores/wu.di/").status_code == 200
    lookup = client.get("/scores/", {"employee": "li.lei"})
    assert (lookup.status_code, lookup["Location"]) == (302, "/scores/li.lei/")


def test_an_unknown_person_is_404(quarter_closed: None) -> None:
    assert client_for(person("staff", Role.HR)).get("/scores/nobody/").status_code == 404


@pytest.mark.parametrize("url", ["/scores/", "/scores/li.lei/"])
def test_an_anonymous_visitor_is_sent_to_sign_in(client: Client, db: None, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_someone_without_results_is_told_so(db: None) -> None:
    text = page_text(client_for(person("new.hire")).get("/scores/").content)

    assert "No scores yet: they appear once a month is closed." in text


def test_the_scorecard_makes_as_many_queries_for_one_period_as_for_four(db: None, examples: Path) -> None:
    examples_loaded(examples)
    client = client_for(user("li.lei"))
    close("2026-01")
    with CaptureQueriesContext(connection) as one:
        client.get("/scores/")
    for period in ("2026-02", "2026-03", "2026-Q1"):
        close(period)
    with CaptureQueriesContext(connection) as four:
        text = page_text(client.get("/scores/").content)

    assert "107.32" in text
    assert len(one) == len(four)


@pytest.mark.parametrize("employee", ["a/b", "../li.lei", "li lei", "<b>", "x" * 151, "%2F", "li.lei?x=1"])
def test_looking_up_something_that_is_no_user_name_says_so_on_the_page(quarter_closed: None, employee: str) -> None:
    response = client_for(person("staff", Role.HR)).get("/scores/", {"employee": employee})

    assert response.status_code == 200
    text = page_text(response.content)
    assert "is not a valid user name" in text or "at most 150 characters" in text


def test_a_looked_up_name_is_read_without_the_spaces_around_it(quarter_closed: None) -> None:
    lookup = client_for(person("staff", Role.HR)).get("/scores/", {"employee": " li.lei "})

    assert (lookup.status_code, lookup["Location"]) == (302, "/scores/li.lei/")
