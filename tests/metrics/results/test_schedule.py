"""Months close by themselves after their closing day, or their managers are reminded."""

import datetime
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from config.celery_app import app
from metrics.cycles.models import CycleStatus
from metrics.cycles.selectors import cycle_status
from metrics.management.commands import run_schedule
from metrics.results import schedule, tasks
from metrics.results.models import Result
from metrics.results.schedule import month_end, schedule_run
from metrics.results.tasks import cycle_close_task, cycles_schedule_task
from people.models import Role, User
from plans.periods import Period
from tests.metrics.results.test_cycle_pages import WU_DI, examples_loaded, person

FEBRUARY_8 = datetime.date(2026, 2, 8)  # January 31 + 7 days: January is due


class Enqueued(list[tuple[int, int]]):
    """Records the closes requested, and runs them here when asked."""

    def __call__(self, cycle_id: int, run: int) -> None:
        self.append((cycle_id, run))
        cycle_close_task.apply(args=(cycle_id, run))


def run_schedule_at(
    today: datetime.date, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> tuple[schedule.ScheduleOutcome, list[tuple[int, int]]]:
    enqueued = Enqueued()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = schedule_run(today=today, enqueue=enqueued)
    return outcome, enqueued


def status(period: str) -> str:
    return cycle_status(period=Period.parse(period))


def test_a_month_ends_on_its_last_day() -> None:
    assert month_end(Period.parse("2026-02")) == datetime.date(2026, 2, 28)
    assert month_end(Period.parse("2024-02")) == datetime.date(2024, 2, 29)
    assert month_end(Period.parse("2026-12")) == datetime.date(2026, 12, 31)


def test_a_complete_month_closes_by_itself_seven_days_after_its_end(
    db: None, examples: Path, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    examples_loaded(examples)

    outcome, enqueued = run_schedule_at(FEBRUARY_8, django_capture_on_commit_callbacks)

    assert outcome.closed == ["2026-01"] and len(enqueued) == 1
    assert status("2026-01") == CycleStatus.CLOSED
    assert str(Result.objects.get(period="2026-01").score) == "107.66"
    assert not mail.outbox


def test_nothing_happens_before_the_closing_day(
    db: None, examples: Path, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    examples_loaded(examples)

    outcome, enqueued = run_schedule_at(datetime.date(2026, 2, 6), django_capture_on_commit_callbacks)

    assert (outcome.closed, outcome.reminded, enqueued) == ([], {}, [])
    assert status("2026-01") == CycleStatus.OPEN


def test_the_number_of_days_is_a_setting(
    db: None, examples: Path, settings: Settings, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    examples_loaded(examples)
    settings.CYCLE_AUTO_CLOSE_DAYS = 3

    outcome, _enqueued = run_schedule_at(datetime.date(2026, 2, 3), django_capture_on_commit_callbacks)

    assert outcome.closed == ["2026-01"]


def test_a_month_with_figures_missing_stays_open_and_its_manager_is_emailed_who_and_what(
    db: None, examples: Path, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    examples_loaded(examples, WU_DI)
    User.objects.filter(username__in=["zhao.lei", "wang.fang"]).update(email="manager@example.com")
    User.objects.filter(username="zhao.lei").update(email="zhao.lei@example.com")

    outcome, enqueued = run_schedule_at(FEBRUARY_8, django_capture_on_commit_callbacks)

    assert outcome.reminded == {"2026-01": ["zhao.lei@example.com"]} and enqueued == []
    assert status("2026-01") == CycleStatus.OPEN
    [email] = mail.outbox
    assert email.to == ["zhao.lei@example.com"]
    # The daily reminders' email, worded as they word it: each person once, with the names of
    # the indicators they lack (no longer "2026-01: 4 figures missing", a line a figure).
    assert email.subject == "Figures for January 2026 are missing"
    assert email.body.startswith("Hello zhao.lei,\n\nThese figures for January 2026 are still missing; they are due by")
    assert "- 吴迪: 客户流失率, 反馈处理及时率, 新客户签约, 客户满意度\n" in email.body
    assert "li.lei" not in email.body


def test_figures_missing_for_someone_without_a_manager_go_to_hr(
    db: None, examples: Path, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    examples_loaded(examples, "solo,独行,客户二部,,customer-manager,2026-01,2000,6000\n")
    User.objects.create_user(username="hr", role=Role.HR, email="hr@example.com")

    outcome, _enqueued = run_schedule_at(FEBRUARY_8, django_capture_on_commit_callbacks)

    assert outcome.reminded == {"2026-01": ["hr@example.com"]}
    [email] = mail.outbox
    assert email.subject == "Figures for January 2026 are missing"
    assert "- 独行: 客户流失率, 反馈处理及时率, 新客户签约, 客户满意度\n" in email.body


def test_each_person_of_hr_gets_the_reminder_in_an_email_of_their_own(
    db: None, examples: Path, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    examples_loaded(examples, "solo,独行,客户二部,,customer-manager,2026-01,2000,6000\n")
    User.objects.create_user(username="hr", role=Role.HR, email="hr@example.com", display_name="孙丽")
    User.objects.create_user(username="hr.two", role=Role.HR, email="hr.two@example.com")

    outcome, _enqueued = run_schedule_at(FEBRUARY_8, django_capture_on_commit_callbacks)

    # Greeted by name, as a manager is (no longer one email to all of HR).
    assert outcome.reminded == {"2026-01": ["hr.two@example.com", "hr@example.com"]}
    assert [(email.to, email.body.splitlines()[0]) for email in mail.outbox] == [
        (["hr@example.com"], "Hello 孙丽,"),
        (["hr.two@example.com"], "Hello hr.two,"),
    ]


def test_closed_months_are_left_alone_and_the_next_one_closes_when_due(
    db: None, examples: Path, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    examples_loaded(examples)
    run_schedule_at(FEBRUARY_8, django_capture_on_commit_callbacks)

    outcome, enqueued = run_schedule_at(datetime.date(2026, 3, 9), django_capture_on_commit_callbacks)

    assert outcome.closed == ["2026-02"] and len(enqueued) == 1
    assert Result.objects.filter(period="2026-01").count() == 1  # January was not closed again
    assert Result.objects.filter(period="2026-02").count() == 2


def test_months_nobody_is_assessed_in_are_skipped(
    db: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    person("lonely")

    outcome, _enqueued = run_schedule_at(FEBRUARY_8, django_capture_on_commit_callbacks)

    assert outcome.lines() == []


def test_the_command_runs_the_same_check_for_a_given_day(
    db: None,
    examples: Path,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    examples_loaded(examples)
    monkeypatch.setattr(run_schedule, "cycle_close_enqueue", Enqueued())
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_schedule", "--today", "2026-02-08", stdout=out)

    assert out.getvalue() == "2026-01: complete, close requested.\n"
    assert status("2026-01") == CycleStatus.CLOSED


def test_the_command_says_when_there_is_nothing_to_do(db: None, examples: Path) -> None:
    examples_loaded(examples)
    out = StringIO()

    call_command("run_schedule", "--today", "2026-01-20", stdout=out)

    assert out.getvalue() == "Nothing to do on 2026-01-20: no open month is 7 days past its end.\n"


def test_the_command_refuses_a_day_that_is_not_a_date(db: None) -> None:
    with pytest.raises(CommandError, match=r"“2026-02-30” is not a date like 2026-02-08\."):
        call_command("run_schedule", "--today", "2026-02-30")


def test_celery_beat_runs_the_schedule_task_daily(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["cycles-schedule"]
    app.loader.import_default_modules()
    assert entry["task"] == cycles_schedule_task.name
    assert cycles_schedule_task.name in app.tasks

    calls = []
    monkeypatch.setattr(tasks, "schedule_run", lambda **kwargs: calls.append(kwargs))
    cycles_schedule_task.apply()
    assert calls and isinstance(calls[0]["today"], datetime.date)


@pytest.mark.parametrize(
    ("entry", "local_time"),
    [("cycles-schedule", datetime.time(7, 0)), ("figures-reminders", datetime.time(9, 0))],
)
def test_beat_runs_each_daily_task_once_a_day_at_its_hour_in_the_company_time_zone(
    entry: str, local_time: datetime.time
) -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    assert settings.TIME_ZONE == "Asia/Shanghai" and app.conf.timezone == settings.TIME_ZONE
    schedule = settings.CELERY_BEAT_SCHEDULE[entry]["schedule"]
    assert isinstance(schedule, crontab)
    app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE[entry]["task"] in app.tasks

    # Last run at 20:00 in Shanghai (12:00 UTC): the next is tomorrow at its hour there, not in UTC.
    last = datetime.datetime(2026, 2, 7, 12, 0, tzinfo=datetime.UTC)
    start, delta, _now = schedule.remaining_delta(last)
    following = (start + delta).astimezone(shanghai)
    assert following == datetime.datetime.combine(datetime.date(2026, 2, 8), local_time, tzinfo=shanghai)
    # ... and the day after, 24 hours later.
    start, delta, _now = schedule.remaining_delta(following)
    assert (start + delta).astimezone(shanghai) - following == datetime.timedelta(days=1)


def test_beat_sweeps_the_webhook_deliveries_every_five_minutes() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["webhooks-sweep"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks and isinstance(entry["schedule"], crontab)
    start, delta, _now = entry["schedule"].remaining_delta(datetime.datetime(2026, 2, 7, 12, 1, tzinfo=datetime.UTC))
    assert (start + delta).astimezone(datetime.UTC) == datetime.datetime(2026, 2, 7, 12, 5, tzinfo=datetime.UTC)


def test_with_0_days_a_month_closes_on_the_day_after_its_end_not_on_its_last_day(
    db: None, examples: Path, settings: Settings, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    examples_loaded(examples)
    settings.CYCLE_AUTO_CLOSE_DAYS = 0

    on_its_last_day, _enqueued = run_schedule_at(datetime.date(2026, 1, 31), django_capture_on_commit_callbacks)
    assert on_its_last_day.lines() == [] and status("2026-01") == CycleStatus.OPEN

    the_day_after, _enqueued = run_schedule_at(datetime.date(2026, 2, 1), django_capture_on_commit_callbacks)
    assert the_day_after.closed == ["2026-01"] and status("2026-01") == CycleStatus.CLOSED


def test_the_command_refuses_a_day_in_the_future_and_closes_nothing(
    db: None, examples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    examples_loaded(examples)
    monkeypatch.setattr(run_schedule, "company_today", lambda: datetime.date(2026, 12, 1))
    monkeypatch.setattr(run_schedule, "cycle_close_enqueue", Enqueued())

    with pytest.raises(
        CommandError, match=r"^2031-07-08 is in the future: the schedule runs for today or a past day\.$"
    ):
        call_command("run_schedule", "--today", "2031-07-08")

    assert status("2026-01") == CycleStatus.OPEN
