"""What the review pages show, and list pages whose query count does not grow with their rows."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.models import User
from people.staffing.roster import roster_import
from plans.periods import Period
from reviews import services
from reviews.models import Review
from reviews.selectors import review_quarterly_indicators
from tests.factories import csv_table
from tests.reviews.conftest import client_for, page_text

pytestmark = pytest.mark.django_db

Q1 = Period.parse("2026-Q1")
ROSTER_HEADER = "employee,name,department,manager,plan,start,monthly_bonus,quarterly_bonus\n"


def test_an_employee_sees_their_reviews_and_what_comes_next(people: dict[str, User]) -> None:
    services.review_open(employee=people["li.lei"], period=Q1, user=people["wang.fang"])
    services.review_open(employee=people["li.lei"], period=Period.parse("2026-Q2"), user=people["hr"])

    text = page_text(client_for(people["li.lei"]).get("/reviews/").content)

    assert (
        "Q2 2026 Opened The employee writes the self-assessment Open the review of Q2 2026 "
        "Q1 2026 Opened The employee writes the self-assessment Open the review of Q1 2026"
    ) in text
    assert "My reviews" in text and "Feedback requests" in text  # in the navigation


def test_a_manager_sees_their_team_for_the_quarter_and_opens_a_review(people: dict[str, User]) -> None:
    services.review_open(employee=people["li.lei"], period=Q1, user=people["wang.fang"])
    manager = client_for(people["wang.fang"])

    text = page_text(manager.get("/reviews/team/?period=2026-Q1").content)
    assert "Team reviews of Q1 2026" in text
    assert "韩梅梅 han.mei Not opened — Open a review for 韩梅梅" in text
    assert "李雷 li.lei Opened The employee writes the self-assessment Open the review of 李雷" in text
    assert "wu.di" not in text

    response = manager.post("/reviews/open/", {"person": people["han.mei"].pk, "period": "2026-Q1"}, follow=True)
    assert "The review of 韩梅梅 (han.mei) for Q1 2026 is open." in page_text(response.content)
    assert page_text(manager.get("/reviews/team/?period=2026-Q5").content).count("Give a quarter like 2026-Q1.") == 1


def test_hr_lists_reviews_by_status(people: dict[str, User]) -> None:
    for username in ("li.lei", "han.mei", "wu.di"):
        services.review_open(employee=people[username], period=Q1, user=people["hr"])
    services.review_self_assessment_submit(
        review=Review.objects.get(employee__username="wu.di"), text="x", user=people["wu.di"]
    )
    hr = client_for(people["hr"])

    text = page_text(hr.get("/reviews/hr/?period=2026-Q1&status=self_assessment").content)

    assert "Opened 2 Self-assessment submitted 1 Manager’s review submitted 0" in text
    assert "吴迪 wu.di zhao.lei Q1 2026 Self-assessment submitted The manager rates and comments" in text
    assert "li.lei" not in text.split("Next step", 1)[1].split("Open a review")[0]
    response = hr.post("/reviews/open/", {"name": "李雷", "period": "2026-Q1"}, follow=True)
    assert "李雷 (li.lei)’s review of Q1 2026 is already open." in page_text(response.content)


def test_a_colleague_sees_what_waits_for_their_rating(people: dict[str, User]) -> None:
    review = services.review_open(employee=people["li.lei"], period=Q1, user=people["wang.fang"])
    request = services.review_feedback_request(
        review=review,
        colleague=people["chen.jing"],
        indicator=review_quarterly_indicators(review=review)[0],
        user=people["wang.fang"],
    )
    colleague = client_for(people["chen.jing"])

    text = page_text(colleague.get("/reviews/feedback/").content)
    assert "Waiting for your rating 李雷 (li.lei) · Q1 2026 · 内部协作评价 Rate 李雷 (li.lei)" in text
    text = page_text(colleague.get(f"/reviews/feedback/{request.pk}/").content)
    assert "Your rating of 李雷 (li.lei) for Q1 2026" in text
    assert "内部协作评价 (0 to 10)" in text


def test_the_employee_reads_the_rating_only_once_hr_approved_and_never_who_was_asked(people: dict[str, User]) -> None:
    review = services.review_open(employee=people["li.lei"], period=Q1, user=people["wang.fang"])
    services.review_feedback_request(
        review=review,
        colleague=people["chen.jing"],
        indicator=review_quarterly_indicators(review=review)[0],
        user=people["wang.fang"],
    )
    services.review_self_assessment_submit(review=review, text="done", user=people["li.lei"])
    services.review_manager_submit(
        review=review, ratings={"collaboration": Decimal("8.5")}, comment="Steady work.", user=people["wang.fang"]
    )
    li_lei = client_for(people["li.lei"])

    text = page_text(li_lei.get(f"/reviews/{review.pk}/").content)
    assert "内部协作评价 10 after HR’s approval" in text and "Steady work." not in text
    assert "chen.jing" not in text
    services.review_approve(review=review, user=people["hr"])
    text = page_text(li_lei.get(f"/reviews/{review.pk}/").content)
    assert "内部协作评价 10 8.5" in text and "Manager’s comment Steady work." in text
    assert "Acknowledge my review" in text and "Appeal to HR" in text


def test_months_not_closed_show_as_such_and_a_late_starter_as_not_assessed(
    people: dict[str, User], close: Callable[..., None]
) -> None:
    review = services.review_open(employee=people["han.mei"], period=Q1, user=people["hr"])
    close("2026-01", "2026-02")

    text = page_text(client_for(people["hr"]).get(f"/reviews/{review.pk}/").content)

    assert "January 2026 Not assessed — — February 2026 Closed 119.44 A March 2026 Open — —" in text
    assert "客户流失率 — 41.00 — —" in text
    assert "Open: the quarter’s score comes once it is closed." in text


# --- query counts -------------------------------------------------------------------------------


def _grow_team(people: dict[str, User], size: int, prefix: str) -> None:
    """``size`` more reports of wang.fang, each with an open review asking chen.jing and han.mei."""
    rows = "".join(
        f"{prefix}{n:03d},{prefix} {n},客户部,wang.fang,customer-manager,2026-01,2000,6000\n" for n in range(size)
    )
    roster_import(table=csv_table(ROSTER_HEADER + rows))
    for user in User.objects.filter(username__startswith=prefix):
        review = services.review_open(employee=user, period=Q1, user=people["wang.fang"])
        services.review_self_assessment_submit(review=review, text="x", user=user)
        for colleague in ("chen.jing", "han.mei"):
            services.review_feedback_request(
                review=review,
                colleague=people[colleague],
                indicator=review_quarterly_indicators(review=review)[0],
                user=people["wang.fang"],
            )


def _queries(user: User, url: str) -> int:
    client = client_for(user)
    assert client.get(url).status_code == 200  # a warm session, as on any later page
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


LISTS = [
    ("li.lei", "/reviews/"),
    ("wang.fang", "/reviews/team/?period=2026-Q1"),
    ("hr", "/reviews/hr/"),
    ("hr", "/reviews/hr/?period=2026-Q1&status=self_assessment"),
    ("chen.jing", "/reviews/feedback/"),
]


@pytest.mark.parametrize(("who", "url"), LISTS)
def test_list_pages_take_as_many_queries_for_twenty_rows_as_for_two(
    people: dict[str, User], who: str, url: str
) -> None:
    for quarter in ("2026-Q1", "2026-Q2"):
        services.review_open(employee=people["li.lei"], period=Period.parse(quarter), user=people["wang.fang"])
    _grow_team(people, 2, "few")
    few = _queries(people[who], url)
    for quarter in ("2026-Q3", "2026-Q4"):
        services.review_open(employee=people["li.lei"], period=Period.parse(quarter), user=people["wang.fang"])
    _grow_team(people, 18, "many")

    assert _queries(people[who], url) == few, few


def test_the_review_page_takes_as_many_queries_with_three_colleagues_as_with_none(
    people: dict[str, User], close: Callable[..., None]
) -> None:
    close("2026-01", "2026-02")
    review = services.review_open(employee=people["li.lei"], period=Q1, user=people["wang.fang"])
    url = f"/reviews/{review.pk}/"
    none = _queries(people["wang.fang"], url)
    indicator = review_quarterly_indicators(review=review)[0]
    people["li.na"] = User.objects.create_user(username="li.na", department=people["li.lei"].department)
    for username in ("han.mei", "chen.jing", "li.na"):
        request = services.review_feedback_request(
            review=review, colleague=people[username], indicator=indicator, user=people["wang.fang"]
        )
        services.review_feedback_answer(request=request, rating=Decimal(8), comment="ok", user=people[username])

    assert _queries(people["wang.fang"], url) == none == 15


def test_a_refused_opening_goes_back_to_the_page_it_came_from_and_nowhere_else(people: dict[str, User]) -> None:
    services.review_open(employee=people["li.lei"], period=Q1, user=people["wang.fang"])
    manager = client_for(people["wang.fang"])

    response = manager.post(
        "/reviews/open/", {"person": people["li.lei"].pk, "period": "2026-Q1", "back": "/reviews/team/?period=2026-Q1"}
    )
    assert response["Location"] == "/reviews/team/?period=2026-Q1"
    response = manager.post(
        "/reviews/open/", {"person": people["li.lei"].pk, "period": "2026-Q1", "back": "https://evil.example/"}
    )
    assert response["Location"] == "/reviews/team/"
    response = manager.post("/reviews/open/", {"person": people["li.lei"].pk, "period": "Q1"}, follow=True)
    assert "Quarter: Give a quarter like 2026-Q1." in page_text(response.content)
