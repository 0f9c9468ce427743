"""Pages that list people stay the same size at 100 and at 10,000 people: a page or a top N.

The company is written once for the module with ``bulk_create`` (no password hashing, no
services), first with 100 employees, then grown to 10,000; every page is fetched at both sizes
and its queries and bytes compared. Everything is rolled back at the end.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Field, Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from metrics.cycles.models import Cycle, CycleAction, CycleEvent, CycleStatus
from metrics.figures.models import MetricEntry
from metrics.followups import selectors as followups
from metrics.results import payroll
from metrics.results.models import Result
from people.models import Department, Role, User
from plans.models import Assignment, Frequency
from reviews.models import Review, ReviewStatus
from tests.factories import publish

# Every test is marked, so that pytest-django sets up the test database the module's fixture
# writes to (it sets up only the databases the collected tests ask for).
pytestmark = pytest.mark.django_db

SMALL, LARGE = 100, 10_000
# What a page may gain between the two sizes: longer numbers ("100 people", "10000 people",
# "Page 1 of 400"). One more row of any of these lists is larger than this.
SLACK_BYTES = 200
REVIEW_STATUSES = (ReviewStatus.DRAFT, ReviewStatus.SELF_ASSESSMENT, ReviewStatus.MANAGER_REVIEW)

# (who, url): each page that lists people, as the role that sees the most of them.
PAGES = [
    ("hr", "/"),
    ("boss", "/"),
    ("hr", "/people/"),
    ("hr", "/people/?manager=boss"),
    ("hr", "/reviews/hr/"),
    ("hr", "/reviews/hr/?period=2026-Q1&status=self_assessment"),
    ("boss", "/reviews/team/?period=2026-Q1"),
    ("hr", "/cycles/"),
    ("hr", "/cycles/2026-01/"),
    ("hr", "/cycles/2026-02/"),
    ("hr", "/cycles/2026-Q1/"),
    ("hr", "/cycles/2026-02/force/"),
    ("hr", "/cycles/2026-01/results/"),
    ("hr", "/cycles/2026-01/results/?band=B&sort=-score"),
    ("hr", "/dashboard/"),
    ("hr", "/cycles/2026-01/follow-ups/"),
    ("hr", "/cycles/2026-01/follow-ups/?flag=warning"),
]
BAD_QUERIES = [
    "page=abc",
    "page=-1",
    "page=0",
    "page=99999",
    "page=1.5",
    "page=%00",
    "period=2026-Q9&status=nope&manager=%C2%B2&department=x&plan=%00&page=2",
    "period=9999-Q4&manager=" + "x" * 300,
]


@dataclass(frozen=True)
class Fetched:
    status: int
    queries: int
    size: int
    text: str  # as a reader sees it
    html: str


def page_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def rows_insert(model: type[Model], columns: tuple[str, ...], rows: Iterable[tuple[object, ...]]) -> None:
    """Rows straight into ``model``'s table; the columns left out get their field's default (now
    for a time set on save). ``bulk_create`` spends most of a minute of Python on 50,000 rows."""
    fields = {f.column: f for f in model._meta.concrete_fields if not f.primary_key}
    rest = [column for column in fields if column not in columns]
    now = timezone.now()

    def default(field: Field[Any, Any]) -> object:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return now
        if field.has_default():
            return field.get_default()
        return None if field.null else ""

    extra = tuple(fields[column].get_db_prep_save(default(fields[column]), connection) for column in rest)
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in (*columns, *rest))
    marks = ", ".join(["%s"] * (len(columns) + len(rest)))
    with connection.cursor() as cursor:
        # django-stubs types parameters as plain Python values; get_db_prep_save can also give the
        # driver's own adapters (PostgreSQL's JSON), which executemany takes as well.
        cursor.executemany(
            f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})",
            [(*row, *extra) for row in rows],  # type: ignore[arg-type]
        )


def prepared(model: type[Model], column: str, value: object) -> object:
    """``value`` as the database takes it for ``model.column`` (a decimal, a time, JSON)."""
    field = next(f for f in model._meta.concrete_fields if f.column == column)
    return field.get_db_prep_save(value, connection)


class Company:
    """A plan, five departments, HR, a manager ``boss`` with half the employees and small teams
    of two for the other half; January closed with everybody's result, February open with one
    figure of four each, a review of 2026-Q1 for everybody. Names are all the same length."""

    def __init__(self) -> None:
        self.version = publish()
        self.monthly = list(self.version.indicators.filter(frequency=Frequency.MONTHLY).order_by("position"))
        self.departments = [Department.objects.create(name=f"部门{n}") for n in range(5)]
        self.hr = User.objects.create(username="hr", display_name="孙丽", role=Role.HR, password="!")
        self.boss = User.objects.create(username="boss", display_name="王芳", role=Role.MANAGER, password="!")
        self.january = Cycle.objects.create(period="2026-01", status=CycleStatus.CLOSED, closed_at=timezone.now())
        CycleEvent.objects.create(cycle=self.january, action=CycleAction.CLOSED, run=1)
        self.employees = 0

    def grow(self, employees: int) -> None:
        """Employees ``self.employees`` to ``employees``, with everything they have."""
        numbers = range(self.employees, employees)
        leads = [n for n in numbers if n % 4 == 1]  # each leads n and n + 2
        user_columns = ("username", "display_name", "role", "password", "department_id", "manager_id")
        rows_insert(User, user_columns, ((f"m{n:05d}", f"经理{n:05d}", Role.MANAGER, "!", None, None) for n in leads))
        ids = dict(User.objects.values_list("username", "pk"))
        rows_insert(
            User,
            user_columns,
            (
                (
                    f"e{n:05d}",
                    f"员工{n:05d}",
                    Role.EMPLOYEE,
                    "!",
                    self.departments[n % 5].pk,
                    self.boss.pk if n % 2 == 0 else ids[f"m{n - n % 4 + 1:05d}"],
                )
                for n in numbers
            ),
        )
        ids = dict(User.objects.values_list("username", "pk"))
        people = [ids[f"e{n:05d}"] for n in numbers]
        rows_insert(
            Assignment,
            ("employee_id", "version_id", "start", "monthly_bonus", "quarterly_bonus"),
            (
                (pk, self.version.pk, "2026-01", prepared(Assignment, "monthly_bonus", Decimal(2000)), 0)
                for pk in people
            ),
        )
        assignments = dict(Assignment.objects.values_list("employee_id", "pk"))
        good = tuple(
            prepared(Result, c, v) for c, v in (("payout", Decimal(70)), ("bonus", Decimal(1400)), ("flags", []))
        )
        poor = tuple(
            prepared(Result, c, v) for c, v in (("payout", Decimal(0)), ("bonus", Decimal(0)), ("flags", ["warning"]))
        )
        rows_insert(
            Result,
            ("cycle_id", "run", "period", "employee_id", "assignment_id", "version_id", "score", "band",
             "payout", "bonus", "flags"),
            (
                (self.january.pk, 1, "2026-01", pk, assignments[pk], self.version.pk,
                 prepared(Result, "score", Decimal(50 + n % 50)), "B" if n % 50 >= 10 else "C",
                 *(good if n % 50 >= 10 else poor))
                for n, pk in zip(numbers, people, strict=True)
            ),
        )  # fmt: skip
        rows_insert(
            MetricEntry,
            ("assignment_id", "indicator_id", "period", "value"),
            ((assignments[pk], self.monthly[0].pk, "2026-02", 1) for pk in people),
        )
        rows_insert(
            Review,
            ("employee_id", "period", "status"),
            ((pk, "2026-Q1", REVIEW_STATUSES[n % len(REVIEW_STATUSES)]) for n, pk in zip(numbers, people, strict=True)),
        )
        self.employees = employees


def fetch(client: Client, url: str) -> Fetched:
    """The page with an empty cache (its session is warm: the client has been on other pages)."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    html = response.content.decode()
    return Fetched(response.status_code, len(queries), len(response.content), page_text(html), html)


@dataclass(frozen=True)
class Measured:
    small: dict[tuple[str, str], Fetched]
    large: dict[tuple[str, str], Fetched]
    bad: dict[tuple[str, str, str], Fetched]
    totals: dict[str, int]


@pytest.fixture(scope="module")
def measured(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Measured:
    # The results page as 25 a page, like the other lists: 100 people are four pages of it, so
    # that both sizes have the same links (First, Next, Last).
    with django_db_blocker.unblock(), transaction.atomic(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(payroll, "RESULTS_PER_PAGE", 25)
        patch.setattr(followups, "ROWS_PER_PAGE", 10)  # the 20 people flagged of 100 are two pages
        assert "test" in str(connection.settings_dict["NAME"]), "only ever the test database"
        company = Company()
        clients = {}
        for user in (company.hr, company.boss):
            clients[user.username] = Client()
            clients[user.username].force_login(user)
        company.grow(SMALL)
        small = {(who, url): fetch(clients[who], url) for who, url in PAGES}
        bad = {
            (who, url, query): fetch(clients[who], f"{url.split('?')[0]}?{query}")
            for who, url in PAGES
            for query in BAD_QUERIES
        }
        company.grow(LARGE)
        large = {(who, url): fetch(clients[who], url) for who, url in PAGES}
        totals = {
            "users": User.objects.count(),
            "boss": User.objects.filter(manager=company.boss).count(),
            "self_assessment": Review.objects.filter(status=ReviewStatus.SELF_ASSESSMENT).count(),
            "managers": User.objects.filter(role=Role.MANAGER).count(),
        }
        transaction.set_rollback(True)
    cache.clear()
    return Measured(small, large, bad, totals)


@pytest.mark.parametrize(("who", "url"), PAGES)
def test_the_page_makes_as_many_queries_and_bytes_at_10000_people_as_at_100(
    measured: Measured, who: str, url: str
) -> None:
    small, large = measured.small[(who, url)], measured.large[(who, url)]

    assert small.status == large.status == 200
    assert large.queries == small.queries
    assert large.size - small.size < SLACK_BYTES, (small.size, large.size)


def test_hr_home_shows_a_page_of_the_closed_months_scores_out_of_everybody(measured: Measured) -> None:
    page = measured.large[("hr", "/")]

    assert f"Scores for January 2026 A 0 B 8000 C 2000 {LARGE} people" in page.text
    assert "员工00000 e00000 部门0 50.00 C ¥0.00 Warning" in page.text
    assert page.text.count("e0") == 25
    assert f"Page 1 of {LARGE // 25} Next Last" in page.text
    assert 'rel="next" href="?page=2"' in page.html


def test_a_managers_home_counts_only_their_team(measured: Measured) -> None:
    page = measured.large[("boss", "/")]

    assert f"A 0 B 4000 C 1000 {LARGE // 2} people" in page.text
    assert f"Page 1 of {LARGE // 2 // 25}" in page.text and 'href="?page=2"' in page.html
    assert "e00001" not in page.text  # in another team


def test_the_people_list_counts_everybody_and_links_the_next_page(measured: Measured) -> None:
    page = measured.large[("hr", "/people/")]
    team = measured.large[("hr", "/people/?manager=boss")]

    assert f"{measured.totals['users']} people" in page.text
    assert 'rel="next" href="?page=2"' in page.html
    assert f"{measured.totals['boss']} people" in team.text
    assert 'rel="next" href="?manager=boss&amp;page=2"' in team.html


def test_hr_reviews_are_a_page_with_the_count_of_each_status(measured: Measured) -> None:
    every = measured.large[("hr", "/reviews/hr/")]
    chosen = measured.large[("hr", "/reviews/hr/?period=2026-Q1&status=self_assessment")]

    assert f"{LARGE} reviews" in every.text and 'href="?page=2"' in every.html
    assert f"Self-assessment submitted {measured.totals['self_assessment']}" in chosen.text
    assert f"{measured.totals['self_assessment']} reviews" in chosen.text
    assert 'rel="next" href="?period=2026-Q1&amp;status=self_assessment&amp;page=2"' in chosen.html


def test_a_managers_team_reviews_are_a_page_out_of_the_whole_team(measured: Measured) -> None:
    page = measured.large[("boss", "/reviews/team/?period=2026-Q1")]

    assert f"{measured.totals['boss']} people assessed" in page.text
    assert page.text.count("Open the review of") == 25
    assert 'rel="next" href="?period=2026-Q1&amp;page=2"' in page.html


def test_the_cycles_list_counts_results_without_listing_anyone(measured: Measured) -> None:
    page = measured.large[("hr", "/cycles/")]

    assert re.search(rf"January 2026 Closed .* {LARGE} February 2026 Open — 0 Q1 2026 Open — 0", page.text)


def test_a_closed_months_page_sums_everybody_up(measured: Measured) -> None:
    page = measured.large[("hr", "/cycles/2026-01/")]

    assert f"Results {LARGE}" in page.text and "B 8000 ¥11,200,000.00 C 2000 ¥0.00" in page.text


def test_a_closed_months_results_are_a_page_with_the_totals_of_everybody(measured: Measured) -> None:
    page = measured.large[("hr", "/cycles/2026-01/results/")]
    good = measured.large[("hr", "/cycles/2026-01/results/?band=B&sort=-score")]

    assert f"Per band Band People Bonus B 8000 ¥11,200,000.00 C 2000 ¥0.00 All {LARGE} ¥11,200,000.00" in page.text
    assert "Per department Department People Bonus 部门0 2000 ¥2,240,000.00" in page.text
    assert page.text.count(" e0") == 25 and f"Page 1 of {LARGE // 25}" in page.text
    assert "e00000 员工00000 部门0 王芳" in page.text
    assert "All 8000 ¥11,200,000.00" in good.text and "Page 1 of 320" in good.text
    assert 'rel="next" href="?band=B&amp;sort=-score&amp;page=2"' in good.html
    assert good.text.split("Flags ")[1].startswith("e00049 员工00049 部门4")  # the best score (99), then by name


def test_an_open_months_page_names_the_teams_missing_most_and_counts_the_rest(measured: Measured) -> None:
    page = measured.large[("hr", "/cycles/2026-02/")]

    assert f"{LARGE * 3} values are still missing, by manager" in page.text
    assert f"王芳 {LARGE // 2 * 3} values missing No email address: cannot be reminded" in page.text
    assert f"…and {LARGE // 2 - 10} more people." in page.text
    more_teams = measured.totals["managers"] - 1 - 19  # boss and the 19 teams listed after
    assert f"…and {more_teams} more teams, missing {more_teams * 6} values." in page.text


def test_a_forced_close_names_the_same_teams_and_counts_every_value_it_scores_0(measured: Measured) -> None:
    page = measured.large[("hr", "/cycles/2026-02/force/")]

    assert f"These {LARGE * 3} values will score 0" in page.text
    assert f"王芳 boss {LARGE // 2 * 3} values missing" in page.text
    assert f"…and {LARGE // 2 - 10} more people." in page.text and "more teams, missing" in page.text


def test_a_quarters_page_counts_the_ratings_missing(measured: Measured) -> None:
    page = measured.large[("hr", "/cycles/2026-Q1/")]

    assert f"{LARGE} values are still missing, by manager" in page.text
    assert "A quarter closes after its months: close February 2026, March 2026 first." in page.text


@pytest.mark.parametrize("query", BAD_QUERIES)
@pytest.mark.parametrize(("who", "url"), PAGES)
def test_a_bad_query_parameter_is_never_a_server_error(measured: Measured, who: str, url: str, query: str) -> None:
    page = measured.bad[(who, url, query)]

    assert page.status == 200, page.text[:300]
    assert "Performance plans" in page.text
