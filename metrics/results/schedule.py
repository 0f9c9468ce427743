"""Months close by themselves: the check Celery beat runs daily and ``run_schedule`` runs now.

A month is due ``CYCLE_AUTO_CLOSE_DAYS`` days after its end. A due month with every figure in
is closed (the same close request as HR's button, by nobody in particular); a due month with
figures missing is not, and each manager with reports missing figures gets a short email
listing who and what. Quarters wait for their quarterly review: HR closes them.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from metrics.cycles.models import Cycle, CycleStatus
from metrics.figures.selectors import MissingFigure, close_scope, figures_missing
from metrics.results.closing import CloseRefused, cycle_close_request
from people.models import Role, User
from plans.models import Assignment
from plans.periods import Period

# How far back the schedule looks: a month forgotten for longer than this is HR's to close by
# hand, rather than a reason to email managers every day forever.
LOOKBACK_MONTHS = 12


@dataclass
class ScheduleOutcome:
    closed: list[str] = field(default_factory=list)  # months whose close was requested
    reminded: dict[str, list[str]] = field(default_factory=dict)  # month -> email addresses
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [_("%(period)s: complete, close requested.") % {"period": p} for p in self.closed]
        out += [
            _("%(period)s: figures missing, reminded %(who)s.") % {"period": p, "who": ", ".join(who) or "-"}
            for p, who in self.reminded.items()
        ]
        return out + self.problems


def month_end(month: Period) -> datetime.date:
    following = month.shift(1)
    return datetime.date(following.year, following.month, 1) - datetime.timedelta(days=1)


def months_due(*, today: datetime.date, days: int) -> list[Period]:
    """Months past their closing day that are still open, oldest first."""
    first = Assignment.objects.order_by("start").values_list("start", flat=True).first()
    if first is None:
        return []
    month = Period.of_month(today.year, today.month)
    # At least one day after its end: a month closes only once it has ended, even with 0 days.
    while month_end(month) + datetime.timedelta(days=max(days, 1)) > today:
        month = month.shift(-1)
    months = [month.shift(-back) for back in range(LOOKBACK_MONTHS)]
    months = [m for m in months if str(m) >= first]
    settled = set(
        Cycle.objects.filter(period__in=[str(m) for m in months])
        .exclude(status=CycleStatus.OPEN)
        .values_list("period", flat=True)
    )
    return sorted(m for m in months if str(m) not in settled)


def schedule_run(
    *, today: datetime.date, enqueue: Callable[[int, int], None], days: int | None = None
) -> ScheduleOutcome:
    """Close the due months that are complete; remind the managers of the others."""
    days = settings.CYCLE_AUTO_CLOSE_DAYS if days is None else days
    outcome = ScheduleOutcome()
    for month in months_due(today=today, days=days):
        if not close_scope(period=month):
            continue  # nobody assessed that month
        missing = figures_missing(period=month)
        if missing:
            outcome.reminded[str(month)] = reminders_send(month=month, missing=missing)
            continue
        try:
            cycle_close_request(period=month, enqueue=enqueue, today=today)
        except CloseRefused as refused:  # figures removed since: remind next time
            outcome.problems.append(f"{month}: {refused.message}")
        except BrokerError as error:
            outcome.problems.append(
                _("%(period)s: the task queue cannot be reached (%(error)s); it stays open.")
                % {"period": month, "error": error}
            )
        else:
            outcome.closed.append(str(month))
    return outcome


def reminders_send(*, month: Period, missing: list[MissingFigure]) -> list[str]:
    """One email per manager listing their reports' missing figures; HR gets those of people
    without a manager. The addresses written to."""
    by_manager: dict[str, list[MissingFigure]] = {}
    for item in missing:
        by_manager.setdefault(item.manager, []).append(item)
    addresses = dict(
        User.objects.filter(username__in=[m for m in by_manager if m])
        .exclude(email="")
        .values_list("username", "email")
    )
    hr = list(User.objects.filter(role=Role.HR, is_active=True).exclude(email="").values_list("email", flat=True))
    sent = []
    for manager, items in sorted(by_manager.items()):
        recipients = [addresses[manager]] if manager in addresses else hr
        if not recipients:
            continue
        lines = [f"- {item}" for item in items]
        body = "\n".join(
            [
                _("These figures for %(period)s are still missing, so the month cannot close by itself:")
                % {"period": month},
                "",
                *lines,
                "",
                _("Please enter them; the month closes on its own once everything is in."),
            ]
        )
        send_mail(
            _("%(period)s: %(count)s figures missing") % {"period": month, "count": len(items)},
            body,
            None,
            recipients,
        )
        sent.extend(recipients)
    return sorted(set(sent))
