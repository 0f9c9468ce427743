"""The home page: what a signed-in user sees first."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks

from config.home import plans_overview
from metrics.figures.services import metrics_import
from metrics.results.closing import cycle_close_request
from metrics.results.tasks import cycle_close_task
from people.models import Role, User
from people.staffing.assignments import assignment_set
from people.staffing.roster import roster_import
from plans.periods import Period
from tests.factories import csv_table, publish
from tests.metrics.results.test_cycle_pages import close, examples_loaded

# wu.di, in the other department, has a poor January: churn 13.33 % scores 0, satisfaction
# 6.5/9 → 18.06, no new customer → 20 - 3*5 = 5, 80 % of feedback in time → 8;
# (0 + 18.06 + 5 + 8) * 100 / 90 = 34.51: band C, no bonus, a warning.
EXTRA_ROSTER = "wu.di,吴迪,客户二部,zhao.lei,customer-manager,2026-01,2000,6000\n"
EXTRA_METRICS = "wu.di,2026-01,4,30,6.5,0,16,20,\n"


def page_text(content: bytes) -> str:
    """The page as a reader sees it: no tags, whitespace collapsed."""
    html = content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def close_task_run(cycle_id: int, run: int) -> None:
    """The close task, run here and now instead of by a worker."""
    cycle_close_task.apply(args=(cycle_id, run))


@pytest.fixture
def january_closed(
    db: None, examples: Path, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    """The shared examples (li.lei, han.mei from February) plus wu.di, with 2026-01 closed."""
    publish()
    roster_import(table=csv_table((examples / "roster.csv").read_text(encoding="utf-8") + EXTRA_ROSTER))
    metrics_import(table=csv_table((examples / "metrics.csv").read_text(encoding="utf-8") + EXTRA_METRICS))
    with django_capture_on_commit_callbacks(execute=True):  # the close task, run here and now
        cycle_close_request(period=Period.parse("2026-01"), enqueue=close_task_run)


def person(username: str, role: Role = Role.EMPLOYEE, name: str = "") -> User:
    return User.objects.create_user(username=username, display_name=name, role=role)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_sends_an_anonymous_visitor_to_the_login_page(client: Client, db: None) -> None:
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_the_login_page_has_labelled_fields_and_no_cdn(client: Client, db: None) -> None:
    response = client.get("/accounts/login/")

    html = response.content.decode()
    assert re.search(r'<label\s+for="id_username"', html)
    assert re.search(r'<label\s+for="id_password"', html)
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html
    assert "/static/vendor/bootstrap/js/bootstrap.bundle.min.js" in html
    assert "cdn" not in html.lower()


def test_a_user_can_log_in_and_lands_on_the_home_page(client: Client, db: None) -> None:
    user = person("hr", Role.HR, "孙丽")
    user.set_password("demo12345")
    user.save()

    response = client.post("/accounts/login/", {"username": "hr", "password": "demo12345"}, follow=True)

    text = page_text(response.content)
    assert response.redirect_chain == [("/", 302)]
    assert "孙丽 HR" in text
    assert "Log out" in text


def test_hr_sees_the_plan_the_cycles_and_the_closed_months_scores(january_closed: None) -> None:
    hr = person("hr", Role.HR)

    text = page_text(client_for(hr).get("/").content)

    assert "客户管理员绩效方案 customer-manager 1 3" in text  # version 1, three people on it
    assert "January 2026 Closed February 2026 Open March 2026 Open Q1 2026 Open" in text
    assert "Scores for January 2026" in text
    assert "A 1 B 0 C 1" in text
    # SPEC.md's worked example, and wu.di computed above; han.mei starts in February.
    assert "李雷 li.lei 客户部 107.66 A ¥2,000.00" in text
    assert "吴迪 wu.di 客户二部 34.51 C ¥0.00 Warning" in text
    assert "han.mei" not in text


def test_a_manager_sees_only_their_own_reports_scores(january_closed: None) -> None:
    wang_fang = User.objects.get(username="wang.fang")

    text = page_text(client_for(wang_fang).get("/").content)

    assert "李雷 li.lei 客户部 107.66 A ¥2,000.00" in text
    assert "wu.di" not in text
    assert "A 1 B 0 C 0" in text


def test_an_employee_sees_only_their_own_score(january_closed: None) -> None:
    wu_di = User.objects.get(username="wu.di")

    text = page_text(client_for(wu_di).get("/").content)

    assert "吴迪 wu.di 客户二部 34.51 C ¥0.00 Warning" in text
    assert "li.lei" not in text


def test_it_says_so_while_no_period_is_closed(db: None) -> None:
    publish()
    hr = person("hr", Role.HR)

    text = page_text(client_for(hr).get("/").content)

    assert "客户管理员绩效方案 customer-manager 1 0" in text
    assert "No period is closed yet" in text


def test_the_page_follows_the_language_chosen(january_closed: None) -> None:
    client = client_for(person("hr", Role.HR))

    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"}, follow=True)

    assert '<html lang="zh-hans">' in response.content.decode()
    assert '<option value="en" lang="en">English</option>' in response.content.decode()


def test_the_home_page_makes_a_fixed_number_of_queries(
    january_closed: None, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    client = client_for(person("hr", Role.HR))
    client.get("/")  # the session is warm, as on any later page

    # the request's savepoint and its release, session, user, the plans (their people per plan
    # are cached under the roster's generation), the cycles (2) and the stamp of their cached
    # result counts, the stamp of everybody's cached band counts (which give the page's count),
    # the page of results, its plans' flag labels (bands and streaks), the formal warnings the user
    # is to acknowledge: none of them per person
    with django_assert_num_queries(13):
        client.get("/")


def test_the_people_per_plan_follow_an_assignment_made_on_the_pages(
    db: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    """The count is cached under the roster's generation, which an assignment of the pages bumps."""
    version = publish()
    assert [row.people for row in plans_overview()] == [0]
    with django_capture_on_commit_callbacks(execute=True):
        assignment_set(
            employees=[person("a"), person("b")],
            version=version,
            start="2026-01",
            monthly_bonus=Decimal(2000),
            quarterly_bonus=Decimal(6000),
        )
    assert [row.people for row in plans_overview()] == [2]


def test_each_name_on_the_home_page_links_to_a_scorecard_its_reader_may_open(db: None, examples: Path) -> None:
    examples_loaded(examples)
    close("2026-01")
    hr = client_for(person("hr", Role.HR))

    html = hr.get("/").content.decode()
    assert 'href="/scores/li.lei/"' in html
    assert hr.get("/scores/li.lei/").status_code == 200
