"""HR closes, force-closes and reopens cycles from the browser's pages."""

import datetime
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from kombu.exceptions import OperationalError as BrokerError
from pytest_django import DjangoCaptureOnCommitCallbacks, DjangoDbBlocker

from metrics.cycles.models import Cycle, CycleAction, CycleStatus
from metrics.cycles.selectors import cycle_status
from metrics.figures.models import MetricEntry
from metrics.figures.selectors import figures_missing
from metrics.figures.services import metrics_import
from metrics.results import closing
from metrics.results import views as views_results
from metrics.results.closing import cycle_close_request
from metrics.results.models import Result
from metrics.results.parts import Selection
from metrics.results.selectors import missing_overview
from metrics.results.tasks import cycle_close_task
from people.models import Role, User
from people.staffing.roster import roster_import
from plans.formats import period_text
from plans.models import Assignment, Indicator
from plans.periods import Period
from tests.factories import assign, csv_table, plan_data, publish

# wu.di, in zhao.lei's team, has no figure at all: four monthly values are missing for 2026-01.
WU_DI = "wu.di,吴迪,客户二部,zhao.lei,customer-manager,2026-01,2000,6000\n"


def examples_loaded(examples: Path, extra_roster: str = "", extra_metrics: str = "") -> None:
    """The shared examples (li.lei from January, han.mei from February), through the services."""
    publish()
    roster_import(table=csv_table((examples / "roster.csv").read_text(encoding="utf-8") + extra_roster))
    metrics_import(table=csv_table((examples / "metrics.csv").read_text(encoding="utf-8") + extra_metrics))


def close(period: str, force: bool = False) -> None:
    """Close a period here and now, without a worker."""
    request = cycle_close_request(period=Period.parse(period), force=force, enqueue=lambda *ids: None)
    cycle_close_task.apply(args=(request.cycle.pk, request.cycle.run))


def person(username: str, role: Role = Role.EMPLOYEE, name: str = "", manager: User | None = None) -> User:
    return User.objects.create_user(username=username, display_name=name, role=role, manager=manager)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_text(content: bytes) -> str:
    """The page as a reader sees it: no tags, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", content.decode()).split())


@pytest.fixture
def hr(db: None) -> Client:
    return client_for(person("hr", Role.HR, "孙丽"))


@pytest.fixture
def enqueue_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages' close task runs right away in the test's thread (no worker, no broker)."""
    monkeypatch.setattr(views_results, "cycle_close_enqueue", lambda *ids: cycle_close_task.apply(args=ids))


def test_the_cycles_list_shows_each_period_with_its_status_and_results(hr: Client, examples: Path) -> None:
    examples_loaded(examples)
    close("2026-01")

    text = page_text(hr.get("/cycles/").content)

    assert re.search(r"January 2026 Closed \S+.* 1 ", text)
    assert "February 2026 Open — 0" in text
    assert "March 2026 Open — 0" in text
    assert "Q1 2026 Open — 0" in text


def test_the_cycle_page_lists_what_is_missing_by_manager(hr: Client, examples: Path) -> None:
    examples_loaded(examples, WU_DI)

    text = page_text(hr.get("/cycles/2026-01/").content)

    assert "4 values are still missing, by manager" in text
    assert "zhao.lei 4 values missing" in text
    assert "Who and what 吴迪: 客户流失率, 反馈处理及时率, 新客户签约, 客户满意度" in text  # names, not codes
    assert "li.lei" not in text  # complete
    assert "Force close…" in text


def test_hr_closes_a_complete_month_and_reads_its_summary(
    hr: Client, examples: Path, enqueue_here: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    examples_loaded(examples)

    with django_capture_on_commit_callbacks(execute=True):
        response = hr.post("/cycles/2026-01/close/")

    assert response.status_code == 302 and response["Location"] == "/cycles/2026-01/?watch=1"
    text = page_text(hr.get(response["Location"]).content)
    assert "Closing January 2026: the workers are scoring everybody." in text
    assert "January 2026 Closed" in text
    assert "Results 1 Average score 107.66 Bonus total ¥2,000.00" in text
    assert "A 1 ¥2,000.00" in text
    assert "Close requested run 1 孙丽" in text and "Closed run 1 孙丽" in text


def test_closing_with_figures_missing_is_refused_and_the_month_stays_open(hr: Client, examples: Path) -> None:
    examples_loaded(examples, WU_DI)

    response = hr.post("/cycles/2026-01/close/", follow=True)

    assert "January 2026 cannot close: 4 values are missing" in page_text(response.content)
    assert cycle_status(period=Period.parse("2026-01")) == CycleStatus.OPEN
    assert not Result.objects.exists()


def test_a_forced_close_lists_what_will_score_0_and_asks_for_a_confirmation(
    hr: Client, examples: Path, enqueue_here: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    examples_loaded(examples, WU_DI)

    text = page_text(hr.get("/cycles/2026-01/force/").content)
    assert "These 4 values will score 0 and their results will be flagged incomplete" in text
    assert "吴迪 wu.di : churn , feedback , new_customers , satisfaction" in text

    unconfirmed = hr.post("/cycles/2026-01/force/")
    assert "Tick the box to confirm the forced close." in page_text(unconfirmed.content)
    assert not Cycle.objects.filter(period="2026-01", status=CycleStatus.CLOSED).exists()

    with django_capture_on_commit_callbacks(execute=True):
        hr.post("/cycles/2026-01/force/", {"confirm": "on"})

    result = Result.objects.get(employee__username="wu.di")
    assert (result.score, result.flags) == (Decimal(0), ["incomplete", "warning"])
    text = page_text(hr.get("/cycles/2026-01/").content)
    assert "closed with figures missing" in text
    assert "Close requested forced run 1 孙丽" in text


def test_reopening_needs_a_reason_and_keeps_it_in_the_history(hr: Client, examples: Path) -> None:
    examples_loaded(examples)
    close("2026-01")

    refused = hr.post("/cycles/2026-01/reopen/", {"reason": "  "}, follow=True)
    assert "Say why the cycle is reopened" in page_text(refused.content)
    assert Cycle.objects.get(period="2026-01").status == CycleStatus.CLOSED

    response = hr.post("/cycles/2026-01/reopen/", {"reason": "li.lei's churn was wrong"}, follow=True)

    text = page_text(response.content)
    assert "January 2026 is open again: its results are kept as superseded." in text
    assert "Reopened run 1 孙丽 li.lei&#x27;s churn was wrong" in text
    assert Result.objects.get().superseded_at is not None


def test_reopening_a_month_whose_quarter_is_closed_says_why(hr: Client, examples: Path) -> None:
    examples_loaded(examples)
    for period in ("2026-01", "2026-02", "2026-03", "2026-Q1"):
        close(period)

    response = hr.post("/cycles/2026-02/reopen/", {"reason": "typo"}, follow=True)

    assert "Q1 2026 is closed: reopen the quarter before its month February 2026." in page_text(response.content)


def test_the_progress_endpoint_reports_status_and_chunks(hr: Client, examples: Path) -> None:
    examples_loaded(examples)
    assert hr.get("/cycles/2026-01/progress/").json() == {
        "period": "2026-01",
        "status": "open",
        "finished": True,  # no close under way
        "status_label": "Open",
        "done": 0,
        "total": 0,
        "percent": 0,
    }
    close("2026-01")
    data = json.loads(hr.get("/cycles/2026-01/progress/").content)
    assert (data["status"], data["percent"]) == ("closed", 100)


def test_a_page_being_watched_carries_the_progress_bar_and_its_script(hr: Client, examples: Path) -> None:
    examples_loaded(examples)
    # Saving figures may have made the month's row already (a save locks it against a close).
    Cycle.objects.update_or_create(period="2026-01", defaults={"status": CycleStatus.CLOSING})

    html = hr.get("/cycles/2026-01/").content.decode()

    assert 'data-url="/cycles/2026-01/progress/"' in html
    assert "/static/js/cycles.js" in html
    assert 'role="progressbar"' in html


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_task_queue_is_said_plainly_and_the_month_stays_open(
    examples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    examples_loaded(examples)
    hr = client_for(person("hr", Role.HR))

    def unreachable(*ids: int) -> None:
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(views_results, "cycle_close_enqueue", unreachable)

    response = hr.post("/cycles/2026-01/close/", follow=True)

    text = page_text(response.content)
    assert "The task queue cannot be reached" in text and "January 2026 stays open and nothing was lost" in text
    assert cycle_status(period=Period.parse("2026-01")) == CycleStatus.OPEN
    assert not Result.objects.exists()


def test_closing_a_closed_month_changes_nothing_and_says_so(hr: Client, examples: Path) -> None:
    examples_loaded(examples)
    close("2026-01")

    response = hr.post("/cycles/2026-01/close/", follow=True)

    assert "January 2026 is already closed: nothing changed." in page_text(response.content)
    assert Cycle.objects.get(period="2026-01").events.filter(action=CycleAction.CLOSE_REQUESTED).count() == 1


CYCLE_URLS = [
    ("get", "/cycles/"),
    ("get", "/cycles/2026-01/"),
    ("get", "/cycles/2026-01/progress/"),
    ("post", "/cycles/2026-01/close/"),
    ("get", "/cycles/2026-01/force/"),
    ("post", "/cycles/2026-01/force/"),
    ("post", "/cycles/2026-01/reopen/"),
]


@pytest.mark.parametrize(("method", "url"), CYCLE_URLS)
@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.MANAGER])
def test_only_hr_and_admins_reach_the_cycle_pages(db: None, method: str, url: str, role: Role) -> None:
    client = client_for(person("someone", role))

    assert getattr(client, method)(url).status_code == 403


@pytest.mark.parametrize(("method", "url"), CYCLE_URLS)
def test_an_anonymous_visitor_is_sent_to_sign_in(client: Client, db: None, method: str, url: str) -> None:
    response = getattr(client, method)(url)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_admin_reaches_the_cycle_pages(db: None) -> None:
    assert client_for(person("root", Role.ADMIN)).get("/cycles/").status_code == 200


@pytest.mark.parametrize("url", ["/cycles/2026-13/", "/cycles/soon/", "/cycles/2026-Q5/progress/"])
def test_a_period_that_does_not_exist_is_404(hr: Client, url: str) -> None:
    assert hr.get(url).status_code == 404


def _cycle_page_queries(hr: Client, examples: Path, team_size: int) -> int:
    roster = "".join(f"p{n:03d},P{n},客户二部,zhao.lei,customer-manager,2026-01,2000,6000\n" for n in range(team_size))
    examples_loaded(examples, roster)
    with CaptureQueriesContext(connection) as queries:
        assert hr.get("/cycles/2026-01/").status_code == 200
    return len(queries)


def test_the_cycle_page_makes_as_many_queries_for_2_people_missing_as_for_30(
    examples: Path, django_db_blocker: DjangoDbBlocker, db: None
) -> None:
    small = _cycle_page_queries(client_for(person("hr", Role.HR)), examples, 2)
    User.objects.filter(username__startswith="p").delete()
    large = _cycle_page_queries(client_for(User.objects.get(username="hr")), examples, 30)

    assert small == large


def test_a_quarter_page_says_which_months_must_close_first(hr: Client, examples: Path) -> None:
    examples_loaded(examples)
    close("2026-01")

    text = page_text(hr.get("/cycles/2026-Q1/").content)

    assert "A quarter closes after its months: close February 2026, March 2026 first." in text
    assert "Close Q1 2026" not in text
    for period in ("2026-02", "2026-03"):
        close(period)
    assert "Close Q1 2026" in page_text(hr.get("/cycles/2026-Q1/").content)


# --- a period closes only once it has ended ------------------------------------------------------


@pytest.fixture
def february_10(monkeypatch: pytest.MonkeyPatch) -> None:
    """Today, for closing, is 2026-02-10 in the company's time zone: January has ended, February not."""
    monkeypatch.setattr(closing, "company_today", lambda: datetime.date(2026, 2, 10))


@pytest.mark.usefixtures("february_10")
@pytest.mark.parametrize("extra", ["", WU_DI], ids=["complete", "missing"])
def test_a_month_that_has_not_ended_says_when_it_can_close_and_offers_no_close(
    hr: Client, examples: Path, extra: str
) -> None:
    examples_loaded(examples, extra)

    response = hr.get("/cycles/2026-02/")

    assert "February 2026 has not ended yet: it can close from 2026-03-01." in page_text(response.content)
    assert "/cycles/2026-02/close/" not in response.content.decode()
    assert "/cycles/2026-02/force/" not in response.content.decode()


@pytest.mark.usefixtures("february_10")
def test_a_month_that_has_ended_offers_its_close(hr: Client, examples: Path) -> None:
    examples_loaded(examples)

    response = hr.get("/cycles/2026-01/")

    assert "has not ended" not in page_text(response.content)
    assert 'action="/cycles/2026-01/close/"' in response.content.decode()


@pytest.mark.usefixtures("february_10")
def test_the_force_page_of_a_month_that_has_not_ended_offers_no_confirmation(hr: Client, examples: Path) -> None:
    examples_loaded(examples, WU_DI)

    response = hr.get("/cycles/2026-02/force/")

    assert "February 2026 has not ended yet: it can close from 2026-03-01." in page_text(response.content)
    assert 'name="confirm"' not in response.content.decode()


@pytest.mark.parametrize(("period", "day"), [("2031-06", "2031-07-01"), ("2026-Q1", "2026-04-01")])
@pytest.mark.parametrize("url", ["/cycles/{}/force/", "/cycles/{}/close/"])
def test_hr_closing_a_period_that_has_not_ended_is_refused_and_nothing_changes(
    hr: Client, examples: Path, enqueue_here: None, february_10: None, url: str, period: str, day: str
) -> None:
    examples_loaded(examples)
    close("2026-01")
    before = list(Cycle.objects.values_list("period", "status", "run"))

    response = hr.post(url.format(period), {"confirm": "on"}, follow=True)

    assert f"{period_text(period)} has not ended yet: it can close from {day}." in page_text(response.content)
    assert list(Cycle.objects.values_list("period", "status", "run")) == before
    assert Result.objects.count() == 1


def test_the_pages_counts_of_what_is_missing_are_those_the_close_lists(db: None) -> None:
    """The cycle pages count in the database what ``figures_missing`` lists one by one: both agree
    on people on two plans, a move to another plan, empty values, people without a manager."""
    seed = publish()
    two = [dict(indicator, weight=50) for indicator in plan_data()["indicators"][1:3]]  # satisfaction, new_customers
    desk = publish(plan_data(code="service-desk", name="客服", indicators=two))
    boss, lead = person("boss", Role.MANAGER, "王芳"), person("lead", Role.MANAGER)
    team = [person(f"p{n}", manager=boss if n < 4 else lead if n < 6 else None) for n in range(8)]
    for n, employee in enumerate(team):
        assign(employee, desk if n % 3 == 0 else seed, start="2026-01" if n != 5 else "2026-02")
    assign(team[1], desk, start="2026-02")  # moves to the other plan in February
    indicators = {(i.version_id, i.code): i for i in Indicator.objects.all()}
    for n, employee in enumerate(team):
        assignment = Assignment.objects.filter(employee=employee).order_by("start").first()
        assert assignment is not None
        for code in ("churn", "satisfaction", "collaboration")[: n % 4]:
            if (assignment.version_id, code) in indicators:
                period = "2026-Q1" if code == "collaboration" else "2026-01"
                value = None if n == 2 and code == "churn" else Decimal(1)
                MetricEntry.objects.create(
                    assignment=assignment,
                    indicator=indicators[(assignment.version_id, code)],
                    period=period,
                    value=value,
                )

    for text in ("2026-01", "2026-02", "2026-Q1"):
        listed = figures_missing(period=Period.parse(text))  # what the close scores 0
        counted = missing_overview(period=Period.parse(text), managers=100, people=100)
        assert sorted((m.manager, m.employee, m.indicator) for m in listed) == sorted(
            (g.manager, p.employee, code) for g in counted.groups for p in g.people for code in p.indicators
        ), text
        assert [g.count for g in counted.groups] == sorted(
            (sum(1 for m in listed if m.manager == manager) for manager in {m.manager for m in listed}), reverse=True
        )
        assert counted.count == len(listed) > 0 and counted.more_managers == 0

    # January: boss's p0 lacks 2 (on the plan of two), p1 3, p2 3 (an empty churn), p3 1; lead's p4
    # lacks 4 (p5 starts in February); p6 and p7, without a manager, 1 and 2.
    top = missing_overview(period=Period.parse("2026-01"), managers=1, people=2)
    assert [(g.manager, g.count, [p.employee for p in g.people], g.more_people) for g in top.groups] == [
        ("boss", 9, ["p0", "p1"], 2)
    ]
    assert top.groups[0].people[1].indicators == ["feedback", "new_customers", "satisfaction"]
    assert (top.count, top.more_managers, top.more_count) == (16, 2, 7)


# --- closing part of a period (SPEC.md section 8) -------------------------------------------------


def test_the_cycle_page_counts_who_is_closed_and_who_is_open_by_department_and_plan(
    hr: Client, examples: Path, enqueue_here: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    examples_loaded(examples, WU_DI)

    text = page_text(hr.get("/cycles/2026-01/").content)
    assert "0 closed; 2 still open, of whom 1 have every figure in." in text
    assert "客户部 0 1 0" in text and "客户二部 0 0 1" in text
    assert "Close part of January 2026" in text

    with django_capture_on_commit_callbacks(execute=True):
        response = hr.post("/cycles/2026-01/close/", {"departments": ["客户部"]})
    assert response["Location"] == "/cycles/2026-01/?watch=1"

    text = page_text(hr.get("/cycles/2026-01/").content)
    assert "January 2026 Closed in part" in text
    assert "1 closed; 1 still open, of whom 0 have every figure in." in text
    assert "客户部 1 0 0" in text and "客户二部 0 0 1" in text
    assert "Summary of those closed so far" in text and "Results 1 " in text
    assert "Closed in part (departments 客户部) run 1 孙丽" in text
    assert "Reopen January 2026" in text  # what is closed can be taken back
    assert set(Result.objects.values_list("employee__username", flat=True)) == {"li.lei"}


def test_the_cycle_page_closes_whoever_is_complete(
    hr: Client, examples: Path, enqueue_here: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    examples_loaded(examples, WU_DI)
    with django_capture_on_commit_callbacks(execute=True):
        hr.post("/cycles/2026-01/close/", {"complete": "on"})
    assert set(Result.objects.values_list("employee__username", flat=True)) == {"li.lei"}
    response = hr.post("/cycles/2026-01/close/", {"complete": "on"}, follow=True)
    assert "Nobody of whoever has every figure in is left to close in January 2026." in page_text(response.content)


def test_a_close_of_a_department_in_chinese(
    hr: Client, examples: Path, enqueue_here: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    examples_loaded(examples, WU_DI)
    hr.cookies["django_language"] = "zh-hans"
    with django_capture_on_commit_callbacks(execute=True):
        hr.post("/cycles/2026-01/close/", {"departments": ["客户部"]})
    text = page_text(hr.get("/cycles/2026-01/").content)
    assert "部分关闭" in text and "按部门" in text and "按方案" in text
    assert "Closed" not in text and "departments" not in text


def test_the_progress_of_a_close_of_part_is_finished_once_the_period_is_open_again(hr: Client, examples: Path) -> None:
    examples_loaded(examples, WU_DI)
    request = cycle_close_request(
        period=Period.parse("2026-01"), enqueue=lambda *ids: None, selection=Selection(complete=True)
    )
    assert json.loads(hr.get("/cycles/2026-01/progress/").content)["finished"] is False
    assert "A close of whoever has every figure in is under way." in page_text(hr.get("/cycles/2026-01/").content)
    cycle_close_task.apply(args=(request.cycle.pk, request.cycle.run))
    data = json.loads(hr.get("/cycles/2026-01/progress/").content)
    assert (data["status"], data["finished"]) == ("open", True)


def test_a_department_with_nobody_open_is_not_offered_and_a_stale_post_is_refused(
    hr: Client, examples: Path, enqueue_here: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    examples_loaded(examples, WU_DI)
    with django_capture_on_commit_callbacks(execute=True):
        hr.post("/cycles/2026-01/close/", {"departments": ["客户部"]})
    page = hr.get("/cycles/2026-01/").content.decode()
    assert 'value="客户二部"' in page and 'value="客户部"' not in page
    response = hr.post("/cycles/2026-01/close/", {"departments": ["客户部"]}, follow=True)
    assert "Select a valid choice. 客户部 is not one of the available choices." in page_text(response.content)
    assert Result.objects.count() == 1


def test_the_cycles_list_says_a_month_is_closed_in_part(
    hr: Client, examples: Path, enqueue_here: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    examples_loaded(examples, WU_DI)
    with django_capture_on_commit_callbacks(execute=True):
        hr.post("/cycles/2026-01/close/", {"departments": ["客户部"]})
    assert "January 2026 Closed in part" in page_text(hr.get("/cycles/").content)
