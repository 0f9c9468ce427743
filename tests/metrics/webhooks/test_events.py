"""The events: a close (of everybody or of part of a period), a reopening and missing figures
become deliveries to the hooks that listen, after the commit; nothing else does, and a hook's
trouble never stops the close."""

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from pytest_django import DjangoCaptureOnCommitCallbacks

from metrics.cycles.models import Cycle, CycleStatus
from metrics.figures.reminders import figures_reminders_send
from metrics.results import closing
from metrics.results.parts import Selection
from metrics.results.schedule import schedule_run
from metrics.results.tasks import cycle_close_task
from metrics.webhooks import events
from metrics.webhooks.models import DeliveryStatus, Event, WebhookDelivery
from metrics.webhooks.services import webhook_update
from people.models import User
from plans.periods import Period
from tests.metrics.results.test_cycle_pages import WU_DI, close, examples_loaded
from tests.metrics.webhooks.conftest import Receiver, hook_for

pytestmark = pytest.mark.usefixtures("tasks_here")
JANUARY = Period.parse("2026-01")


@pytest.fixture
def january(db: None, examples: Path) -> None:
    examples_loaded(examples, extra_roster=WU_DI)  # wu.di (zhao.lei's team, 客户二部) lacks four values


def bodies(receiver: Receiver, count: int) -> list[dict[str, Any]]:
    return [r.data for r in receiver.wait_for(count)]


def test_a_close_in_part_then_of_the_rest_each_send_cycle_closed_with_the_counts(
    january: None,
    receiver: Receiver,
    hr_user: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    hook_for(receiver, hr_user, [Event.CYCLE_CLOSED])
    with django_capture_on_commit_callbacks(execute=True):
        request = closing.cycle_close_request(
            period=JANUARY, selection=Selection(departments=("客户部",)), user=hr_user, enqueue=lambda *ids: None
        )
        cycle_close_task.apply(args=(request.cycle.pk, request.cycle.run))
    with django_capture_on_commit_callbacks(execute=True):
        close("2026-01", force=True)

    part, rest = bodies(receiver, 2)
    assert part["type"] == rest["type"] == "cycle.closed"
    assert part["data"] == {
        "period": "2026-01",
        "period_closed": False,
        "part": {
            "number": 1,
            "everyone": False,
            "departments": ["客户部"],
            "plans": [],
            "complete_only": False,
            "forced": False,
            "requested_by": "hr",
            "requested_via": None,
        },
        "people_closed": 1,
        "people_open": 1,
    }
    assert rest["data"]["period_closed"] is True and rest["data"]["part"]["forced"] is True
    assert rest["data"]["people_closed"] == 2 and rest["data"]["people_open"] == 0
    assert part["id"] != rest["id"]
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).count() == 2


def test_a_reopening_sends_cycle_reopened_with_its_reason(
    january: None,
    receiver: Receiver,
    hr_user: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    hook_for(receiver, hr_user, [Event.CYCLE_REOPENED])
    close("2026-01", force=True)  # nobody listens to closes: nothing sent
    with django_capture_on_commit_callbacks(execute=True):
        closing.cycle_reopen(period=JANUARY, reason="吴迪的数据补录", user=hr_user)

    (reopened,) = bodies(receiver, 1)
    assert reopened["type"] == "cycle.reopened"
    assert reopened["data"] == {"period": "2026-01", "reason": "吴迪的数据补录", "reopened_by": "hr", "run": 2}


def test_the_daily_reminders_and_the_schedule_send_figures_missing_per_manager(
    january: None,
    receiver: Receiver,
    hr_user: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    hook_for(receiver, hr_user, [Event.FIGURES_MISSING])
    with django_capture_on_commit_callbacks(execute=True):
        figures_reminders_send(period=JANUARY)
        schedule_run(today=datetime.date(2026, 2, 10), enqueue=lambda *ids: None)

    daily, scheduled = bodies(receiver, 2)
    assert daily["type"] == "figures.missing"
    assert daily["data"] == {
        "period": "2026-01",
        "deadline": "2026-02-05T23:59:59.999999+08:00",
        "values_missing": 4,
        "managers": [{"manager": "zhao.lei", "name": "zhao.lei", "people": 1, "values_missing": 4}],
    }
    assert scheduled["data"] == daily["data"] and scheduled["id"] != daily["id"]


def test_disabled_and_unsubscribed_hooks_receive_nothing(
    january: None,
    receiver: Receiver,
    hr_user: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    hook_for(receiver, hr_user, [Event.CYCLE_REOPENED], name="only reopenings")
    off = hook_for(receiver, hr_user, [Event.CYCLE_CLOSED], name="off")
    webhook_update(webhook=off, name=off.name, url=off.url, events=off.events, active=False)
    with django_capture_on_commit_callbacks(execute=True):
        close("2026-01", force=True)

    assert not WebhookDelivery.objects.exists() and receiver.received == []


def test_an_event_of_a_rolled_back_change_is_never_sent(
    january: None,
    receiver: Receiver,
    hr_user: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    hook_for(receiver, hr_user, [Event.CYCLE_REOPENED])
    close("2026-01", force=True)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        closing.cycle_reopen(period=JANUARY, reason="试一下", user=hr_user)
        raise RuntimeError("the caller fails after the reopening")

    assert callbacks == [] and not WebhookDelivery.objects.exists() and receiver.received == []
    assert Cycle.objects.get(period="2026-01").status == CycleStatus.CLOSED


def test_a_webhook_s_failure_never_stops_a_close(
    january: None, receiver: Receiver, hr_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook_for(receiver, hr_user, [Event.CYCLE_CLOSED])

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("a bug in a webhook")

    monkeypatch.setattr(events, "event_publish", broken)
    close("2026-01", force=True)

    assert Cycle.objects.get(period="2026-01").status == CycleStatus.CLOSED
    assert not WebhookDelivery.objects.exists()
