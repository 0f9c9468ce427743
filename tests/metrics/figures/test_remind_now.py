"""HR's "remind now": one email to a late manager, recorded, at most one an hour per manager and period."""

import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone, translation
from pytest_django import Settings

from metrics.cycles.models import Cycle, CycleStatus
from metrics.figures import reminders
from metrics.figures.models import Reminder, ReminderClaim
from metrics.figures.reminders import ReminderRefused, figures_reminders_send, reminder_send
from metrics.figures.services import metrics_import
from people.models import Role, User
from plans.models import Indicator
from plans.periods import Period
from tests.factories import UserFactory, assign, csv_table, publish

FEBRUARY = Period.parse("2026-02")
COMPLETE = "employee,period,churn.lost,churn.total,satisfaction,new_customers,feedback.ok,feedback.total\n"


def team() -> tuple[User, User]:
    """王芳 (wang.fang) manages 李雷, complete in February, and 韩梅梅, who has only a satisfaction;
    赵磊 (zhao.lei) manages 别人, who has nothing. HR is 张伟 (zhang.wei)."""
    version = publish()
    wang = UserFactory.create(username="wang.fang", role=Role.MANAGER, display_name="王芳", email="wang@example.com")
    zhao = UserFactory.create(username="zhao.lei", role=Role.MANAGER, display_name="赵磊", email="zhao@example.com")
    assign(UserFactory.create(username="li.lei", display_name="李雷", manager=wang), version, "2026-01")
    assign(UserFactory.create(username="han.mei", display_name="韩梅梅", manager=wang), version, "2026-02")
    assign(UserFactory.create(username="other.person", display_name="别人", manager=zhao), version, "2026-01")
    metrics_import(table=csv_table(COMPLETE + "li.lei,2026-02,1,52,9.2,3,40,44\n"))
    metrics_import(table=csv_table("employee,period,satisfaction\nhan.mei,2026-02,9.9\n"))
    hr = UserFactory.create(username="zhang.wei", role=Role.HR, display_name="张伟", email="hr@example.com")
    return wang, hr


def an_hour_passes(minutes: int = 61) -> None:
    """Every reminder sent so far went ``minutes`` earlier."""
    earlier = timezone.now() - timedelta(minutes=minutes)
    Reminder.objects.update(sent_at=earlier)
    ReminderClaim.objects.update(at=earlier)


@pytest.mark.django_db
def test_hr_reminds_a_manager_in_one_email_in_chinese_recorded_with_who_and_when(settings: Settings) -> None:
    settings.LANGUAGE_CODE = "zh-hans"  # the site's language; people have none of their own
    wang, hr = team()
    before = timezone.now()

    reminder = reminder_send(period=FEBRUARY, manager=wang, user=hr)

    [email] = mail.outbox
    assert email.to == ["wang@example.com"]
    assert email.subject == "2026年2月数据缺失"
    assert email.body.startswith("王芳，您好：\n\n2026年2月的以下数据仍然缺失，截止日期为 2026年3月5日：\n")
    assert "\n- 韩梅梅: 客户流失率、反馈处理及时率、新客户签约\n" in email.body
    assert "李雷" not in email.body and "别人" not in email.body  # complete; another team
    assert "请在团队数据表（我的团队）中录入。" in email.body
    assert "本提醒由人力资源部的 张伟 发出。" in email.body
    assert (reminder.period, reminder.manager, reminder.sent_by) == (FEBRUARY, wang, hr)
    assert before <= reminder.sent_at <= timezone.now()
    assert (reminder.recipients, reminder.missing) == ("wang@example.com", 3)
    assert Reminder.objects.count() == 1


@pytest.mark.django_db
def test_a_second_reminder_within_the_hour_is_refused_saying_when_and_by_whom(settings: Settings) -> None:
    settings.LANGUAGE_CODE = "zh-hans"
    wang, hr = team()
    other_hr = UserFactory.create(username="li.na", role=Role.HR, display_name="李娜")
    reminder_send(period=FEBRUARY, manager=wang, user=hr)
    sent_at = datetime(2026, 3, 2, 10, 3, tzinfo=ZoneInfo("Asia/Shanghai"))
    Reminder.objects.update(sent_at=sent_at)  # as if it went then, 59 minutes ago
    ReminderClaim.objects.update(at=timezone.now() - timedelta(minutes=59))

    with translation.override("zh-hans"), pytest.raises(ReminderRefused) as refused:  # HR's page is in Chinese
        reminder_send(period=FEBRUARY, manager=wang, user=other_hr)

    assert refused.value.messages == [
        "张伟 已于 2026年3月2日 10:03 就 2026年2月 的数据提醒过 王芳：每小时最多提醒一次，"
        "下一次可在 2026年3月2日 11:03 之后发送。"
    ]
    assert len(mail.outbox) == 1 and Reminder.objects.count() == 1


@pytest.mark.django_db
def test_an_hour_later_the_manager_can_be_reminded_again() -> None:
    wang, hr = team()
    reminder_send(period=FEBRUARY, manager=wang, user=hr)
    an_hour_passes(minutes=60)  # an hour to the second is enough

    second = reminder_send(period=FEBRUARY, manager=wang, user=hr)

    assert len(mail.outbox) == 2
    assert list(Reminder.objects.order_by("sent_at").values_list("pk", flat=True))[-1] == second.pk


@pytest.mark.django_db
def test_the_limit_is_per_manager_and_period() -> None:
    wang, hr = team()
    zhao = User.objects.get(username="zhao.lei")
    reminder_send(period=FEBRUARY, manager=wang, user=hr)
    reminder_send(period=FEBRUARY, manager=zhao, user=hr)  # another manager
    reminder_send(period=Period.parse("2026-01"), manager=wang, user=hr)  # another month (han.mei: nothing in it)
    assert [m.to for m in mail.outbox] == [["wang@example.com"], ["zhao@example.com"], ["wang@example.com"]]
    assert "- 李雷: " not in mail.outbox[0].body and "- 李雷: " in mail.outbox[2].body


@pytest.mark.django_db
def test_the_daily_reminders_are_recorded_with_no_user_and_count_against_the_hour() -> None:
    wang, hr = team()

    assert figures_reminders_send(period=FEBRUARY) == ["wang.fang", "zhao.lei"]
    automatic = Reminder.objects.get(manager=wang)
    assert automatic.sent_by is None and automatic.missing == 3
    assert "asked for this reminder" not in mail.outbox[0].body

    with pytest.raises(ReminderRefused, match=r"王芳 was already reminded of February 2026 automatically at "):
        reminder_send(period=FEBRUARY, manager=wang, user=hr)
    assert figures_reminders_send(period=FEBRUARY) == []  # nor do the automatic ones repeat within the hour
    assert len(mail.outbox) == 2 and Reminder.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("closed", "February 2026 is not open: its figures can no longer be entered"),
        ("complete", "Nothing of February 2026 is missing in 王芳's team: no reminder is needed."),
        ("no address", "王芳 has no email address: they cannot be reminded."),
    ],
)
def test_a_reminder_with_nothing_to_say_or_nobody_to_tell_is_refused(case: str, message: str) -> None:
    wang, hr = team()
    if case == "closed":
        Cycle.objects.filter(period="2026-02").update(status=CycleStatus.CLOSED)  # its figures made it
    elif case == "complete":
        metrics_import(table=csv_table(COMPLETE + "han.mei,2026-02,1,52,9.2,3,40,44\n"))
    else:
        User.objects.filter(pk=wang.pk).update(email="")
        wang.refresh_from_db()

    with pytest.raises(ReminderRefused, match=message):
        reminder_send(period=FEBRUARY, manager=wang, user=hr)
    assert mail.outbox == [] and not Reminder.objects.exists() and not ReminderClaim.objects.exists()


@pytest.mark.django_db
def test_an_email_that_cannot_be_sent_leaves_no_record_and_no_claim(monkeypatch: pytest.MonkeyPatch) -> None:
    wang, hr = team()

    def refused(*args: object) -> int:
        raise ConnectionRefusedError("the mail server is down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refused)
    with pytest.raises(ConnectionRefusedError):
        reminder_send(period=FEBRUARY, manager=wang, user=hr)
    assert not Reminder.objects.exists() and not ReminderClaim.objects.exists()


@pytest.mark.django_db
def test_the_reminder_is_its_own_transaction() -> None:
    # Its first statement claims the manager's turn: inside a longer transaction, on SQLite, a
    # second click could not wait for the first (the view is not atomic for this reason).
    wang, hr = team()
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        reminder_send(period=FEBRUARY, manager=wang, user=hr)
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("before", ["never reminded", "reminded an hour ago"])
def test_two_hr_clicking_at_once_send_one_email_and_the_second_is_told_by_whom(
    monkeypatch: pytest.MonkeyPatch, before: str
) -> None:
    """Two threads, a connection each (SQLite or PostgreSQL): the first holds its claim while the
    second asks; the second waits for it, then finds the turn taken."""
    wang, hr = team()
    other_hr = UserFactory.create(username="li.na", role=Role.HR, display_name="李娜")
    if before == "reminded an hour ago":
        reminder_send(period=FEBRUARY, manager=wang, user=other_hr)
        an_hour_passes()
        mail.outbox.clear()
    claim = reminders._claim
    claimed = threading.Event()

    def slow_claim(**kwargs: object) -> bool:
        taken = claim(**kwargs)  # type: ignore[arg-type]
        if threading.current_thread().name == "first":
            claimed.set()
            time.sleep(0.5)  # the second click arrives while the first holds its claim
        return taken

    monkeypatch.setattr(reminders, "_claim", slow_claim)
    outcomes: dict[str, object] = {}

    def click(user: User) -> None:
        try:
            outcomes[threading.current_thread().name] = reminder_send(period=FEBRUARY, manager=wang, user=user)
        except Exception as error:  # the test reports whatever a click got
            outcomes[threading.current_thread().name] = error
        finally:
            connection.close()

    first = threading.Thread(target=click, args=(hr,), name="first")
    first.start()
    assert claimed.wait(10)
    second = threading.Thread(target=click, args=(other_hr,), name="second")
    second.start()
    first.join(30)
    second.join(30)

    assert isinstance(outcomes["first"], Reminder) and outcomes["first"].sent_by == hr
    assert isinstance(outcomes["second"], ReminderRefused)
    assert "王芳 was already reminded of February 2026 by 张伟 at " in outcomes["second"].message
    assert len(mail.outbox) == 1
    assert Reminder.objects.filter(sent_by=hr).count() == 1 and ReminderClaim.objects.count() == 1


@pytest.mark.django_db
def test_a_quarters_reminder_lists_the_ratings_and_sends_the_manager_to_the_reviews(settings: Settings) -> None:
    settings.LANGUAGE_CODE = "zh-hans"
    wang, hr = team()
    rating = Indicator.objects.get(code="collaboration").name

    reminder_send(period=Period.parse("2026-Q1"), manager=wang, user=hr)

    [email] = mail.outbox
    assert email.subject == "2026年第1季度数据缺失"
    assert "2026年第1季度的以下数据仍然缺失：\n" in email.body and "截止日期" not in email.body  # a quarter has none
    assert f"\n- 韩梅梅: {rating}\n- 李雷: {rating}\n" in email.body
    assert "请在季度评估（团队绩效评估）中录入。" in email.body
