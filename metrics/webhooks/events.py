"""The events' bodies, built from the signals of the rooms below (connected when Django starts,
``metrics/apps.py``): only when a hook listens, so that nobody pays for the counts otherwise."""

import logging
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.db import transaction

from metrics.cycles.models import Cycle, CyclePart
from metrics.figures.selectors import MissingFigure, close_scope, figures_deadline
from metrics.figures.signals import figures_missing_found
from metrics.results.models import Result
from metrics.results.signals import cycle_closed, cycle_reopened
from metrics.webhooks.models import Event
from metrics.webhooks.services import event_publish, subscribers
from metrics.webhooks.tasks import delivery_enqueue
from people.models import User
from plans.periods import Period

logger = logging.getLogger(__name__)
Receiver = Callable[..., None]


def _never_in_the_way(receiver: Receiver) -> Receiver:
    """A webhook's trouble never stops a close, a reopening or the reminders: the receiver runs in
    a savepoint of their transaction, and an error is logged and leaves no delivery."""

    @wraps(receiver)
    def wrapped(*args: Any, **kwargs: Any) -> None:
        try:
            with transaction.atomic():
                receiver(*args, **kwargs)
        except Exception:
            logger.exception("webhook event of %s not recorded", receiver.__name__)

    return wrapped


def _username(user: User | None) -> str | None:
    return user.username if user is not None else None


def cycle_closed_data(*, cycle: Cycle, part: CyclePart, period_closed: bool) -> dict[str, Any]:
    """cycle.closed: the period, whether it is closed for everybody, the close that just finished
    (whom it was of) and how many people are closed and still open."""
    closed = Result.objects.filter(cycle=cycle, run=cycle.run, superseded_at__isnull=True).count()
    still_open = 0 if period_closed else len(close_scope(period=cycle.period))
    return {
        "period": str(cycle.period),
        "period_closed": period_closed,
        "part": {
            "number": part.number,
            "everyone": part.everyone,
            "departments": list(part.departments),
            "plans": list(part.plans),
            "complete_only": part.complete,
            "forced": part.forced,
            "requested_by": _username(part.requested_by),
            "requested_via": part.requested_via or None,  # the API token that asked, by name
        },
        "people_closed": closed,
        "people_open": still_open,
    }


def figures_missing_data(*, period: Period, missing: Sequence[MissingFigure]) -> dict[str, Any]:
    """figures.missing: the period, its deadline, and per manager how many values of how many people are missing."""
    by_manager: dict[str, tuple[set[str], int]] = {}
    for figure in missing:
        people, count = by_manager.get(figure.manager, (set(), 0))
        people.add(figure.employee)
        by_manager[figure.manager] = (people, count + 1)
    names = dict(User.objects.filter(username__in=[m for m in by_manager if m]).values_list("username", "display_name"))
    return {
        "period": str(period),
        "deadline": figures_deadline(period=period).isoformat() if period.is_month else None,
        "values_missing": len(missing),
        "managers": [
            {
                "manager": manager or None,
                "name": names.get(manager) or manager or None,
                "people": len(people),
                "values_missing": count,
            }
            for manager, (people, count) in sorted(by_manager.items())
        ],
    }


@_never_in_the_way
def _on_cycle_closed(sender: Any, *, cycle: Cycle, part: CyclePart, period_closed: bool, **kwargs: Any) -> None:
    if hooks := subscribers(Event.CYCLE_CLOSED):
        data = cycle_closed_data(cycle=cycle, part=part, period_closed=period_closed)
        event_publish(event=Event.CYCLE_CLOSED, data=data, enqueue=delivery_enqueue, webhooks=hooks)


@_never_in_the_way
def _on_cycle_reopened(sender: Any, *, cycle: Cycle, reason: str, user: User | None, **kwargs: Any) -> None:
    if hooks := subscribers(Event.CYCLE_REOPENED):
        data = {"period": str(cycle.period), "reason": reason, "reopened_by": _username(user), "run": cycle.run}
        event_publish(event=Event.CYCLE_REOPENED, data=data, enqueue=delivery_enqueue, webhooks=hooks)


@_never_in_the_way
def _on_figures_missing(sender: Any, *, period: Period, missing: Sequence[MissingFigure], **kwargs: Any) -> None:
    if hooks := subscribers(Event.FIGURES_MISSING):
        data = figures_missing_data(period=period, missing=missing)
        event_publish(event=Event.FIGURES_MISSING, data=data, enqueue=delivery_enqueue, webhooks=hooks)


def webhooks_connect() -> None:
    """Listen to the rooms below (called once, when Django starts)."""
    cycle_closed.connect(_on_cycle_closed, dispatch_uid="webhooks.cycle_closed")
    cycle_reopened.connect(_on_cycle_reopened, dispatch_uid="webhooks.cycle_reopened")
    figures_missing_found.connect(_on_figures_missing, dispatch_uid="webhooks.figures_missing")
