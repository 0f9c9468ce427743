"""Reminders: managers whose reports' figures are missing hear about it before the deadline."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone
from pytest_django import Settings

from metrics.cycles.models import Cycle, CycleStatus
from metrics.figures.models import Reminder, ReminderClaim
from metrics.figures.reminders import figures_reminders_send, reminders_mail, reminders_period
from metrics.figures.selectors import figures_missing
from metrics.figures.services import metrics_import
from metrics.results import tasks
from people.models import Role, User
from plans.models import PlanVersion
from plans.periods import Period
from tests.factories import csv_table
from tests.metrics.figures import test_grid

team = test_grid.team  # the grid's fixture

COMPLETE = "churn.lost,churn.total,satisfaction,new_customers,feedback.ok,feedback.total"


def an_hour_passes() -> None:
    """Every reminder sent so far went an hour and a minute earlier."""
    earlier = timezone.now() - timedelta(hours=1, minutes=1)
    Reminder.objects.update(sent_at=earlier)
    ReminderClaim.objects.update(at=earlier)


@pytest.fixture
def emails(team: PlanVersion) -> None:
    User.objects.filter(username="wang.fang").update(email="boss@example.com")
    User.objects.filter(username="zhao.lei").update(email="zhao@example.com")


@pytest.mark.parametrize(
    ("today", "period"),
    [
        (date(2026, 2, 1), None),  # four days before the deadline
        (date(2026, 2, 2), "2026-01"),  # three days before
        (date(2026, 2, 5), "2026-01"),  # the deadline itself
        (date(2026, 2, 6), None),  # too late for a reminder
    ],
)
def test_reminders_are_due_from_some_days_before_the_deadline(
    settings: Settings, today: date, period: str | None
) -> None:
    settings.FIGURES_DEADLINE_DAY, settings.FIGURES_REMINDER_DAYS = 5, 3
    due = reminders_period(today=today)
    assert (str(due) if due else None) == period


def test_a_manager_with_figures_missing_is_told_who_and_what(emails: None) -> None:
    metrics_import(table=csv_table(f"employee,period,{COMPLETE}\nli.lei,2026-02,1,52,9.2,3,40,44\n"))
    metrics_import(table=csv_table("employee,period,satisfaction\nhan.mei,2026-02,9.9\n"))
    sent = figures_reminders_send(period=Period.parse("2026-02"))
    assert sent == ["wang.fang", "zhao.lei"]
    message = next(m for m in mail.outbox if m.to == ["boss@example.com"])
    assert message.subject == "Figures for February 2026 are missing"
    assert "韩梅梅: 客户流失率, 反馈处理及时率, 新客户签约" in message.body
    assert "李雷" not in message.body  # complete
    assert "due by March 5, 2026" in message.body


def test_a_complete_team_and_a_closed_month_get_no_reminder(emails: None) -> None:
    metrics_import(table=csv_table(f"employee,period,{COMPLETE}\nother.person,2026-02,1,52,9.2,3,40,44\n"))
    assert "zhao.lei" not in figures_reminders_send(period=Period.parse("2026-02"))
    mail.outbox.clear()
    Cycle.objects.create(period="2026-01", status=CycleStatus.CLOSED)
    assert figures_reminders_send(period=Period.parse("2026-01")) == []
    assert mail.outbox == []


def test_a_manager_without_an_address_is_skipped(team: PlanVersion) -> None:
    assert figures_reminders_send(period=Period.parse("2026-02")) == []
    assert mail.outbox == []


def test_the_schedule_sends_the_same_email_and_hr_in_place_of_a_manager_without_an_address(emails: None) -> None:
    User.objects.filter(username="zhao.lei").update(email="")
    User.objects.create_user(username="hr", role=Role.HR, email="hr@example.com")
    missing = figures_missing(period=Period.parse("2026-02"))

    daily = reminders_mail(period=Period.parse("2026-02"), missing=missing)
    an_hour_passes()  # within the hour, wang.fang would not be written to again
    scheduled = reminders_mail(period=Period.parse("2026-02"), missing=missing, unmanaged_to_hr=True)

    assert [user.username for user in daily] == ["wang.fang"]  # zhao.lei has no address: skipped
    assert [user.username for user in scheduled] == ["wang.fang", "hr"]  # HR is told of zhao.lei's team
    by_wang, by_schedule_to_wang, to_hr = mail.outbox
    assert (by_wang.subject, by_wang.body) == (by_schedule_to_wang.subject, by_schedule_to_wang.body)
    assert to_hr.subject == "Figures for February 2026 are missing"
    assert "- 别人: " in to_hr.body and "韩梅梅" not in to_hr.body


def test_a_manager_who_chose_no_language_reads_the_sites(emails: None, settings: Settings) -> None:
    settings.LANGUAGE_CODE = "zh-hans"
    assert set(User.objects.filter(username__in=["wang.fang", "zhao.lei"]).values_list("language", flat=True)) == {""}
    figures_reminders_send(period=Period.parse("2026-02"))
    assert "2026年3月5日" in mail.outbox[0].body  # Chinese dates: the body was rendered in zh-hans


def test_each_manager_reads_it_in_their_own_language(emails: None, settings: Settings) -> None:
    settings.LANGUAGE_CODE = "en"
    User.objects.filter(username="wang.fang").update(language="zh-hans")
    figures_reminders_send(period=Period.parse("2026-02"))
    wang = next(m for m in mail.outbox if m.to == ["boss@example.com"])
    zhao = next(m for m in mail.outbox if m.to == ["zhao@example.com"])
    assert (wang.subject, zhao.subject) == ("2026年2月数据缺失", "Figures for February 2026 are missing")
    assert "2026年3月5日" in wang.body and "March 5, 2026" in zhao.body


def test_the_command_sends_them_now(emails: None) -> None:
    out = StringIO()
    call_command("send_reminders", "--month", "2026-02", stdout=out)
    assert "2026-02: reminded 2 managers: wang.fang, zhao.lei" in out.getvalue()
    assert len(mail.outbox) == 2
    with pytest.raises(CommandError, match="is not a month"):
        call_command("send_reminders", "--month", "2026-Q1")


def test_the_scheduled_task_reminds_only_in_the_days_before_the_deadline(
    emails: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda: date(2026, 3, 3))  # the timezone module tasks reads
    tasks.figures_reminders_task.apply()
    assert {m.to[0] for m in mail.outbox} == {"boss@example.com", "zhao@example.com"}
    mail.outbox.clear()
    monkeypatch.setattr(timezone, "localdate", lambda: date(2026, 3, 20))
    tasks.figures_reminders_task.apply()
    assert mail.outbox == []


def test_celery_beat_runs_the_reminders_daily() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["figures-reminders"]
    assert entry["task"] == tasks.figures_reminders_task.name
