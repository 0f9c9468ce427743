"""Months close by themselves: the check Celery beat runs daily and ``run_schedule`` runs now.

A month is due ``CYCLE_AUTO_CLOSE_DAYS`` days after its end. A due month with every figure in
is closed (the same close request as HR's button, by nobody in particular); a due month with
figures missing is not, and each manager with reports missing figures gets the reminder email
listing who and what (``metrics.figures.reminders``; HR gets those of the people without a
manager, or whose manager has no address). Quarters wait for their quarterly review: HR closes them.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from metrics.cycles.models import Cycle, CycleStatus
from metrics.figures.reminders import reminders_mail
from metrics.figures.selectors import close_scope, figures_missing
from metrics.figures.signals import figures_missing_found
from metrics.results.closing import cycle_close_request
from metrics.results.parts import CloseRefused
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
    return sorted(m for m in months if m not in settled)


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
            figures_missing_found.send(sender=None, period=month, missing=missing)
            written = reminders_mail(period=month, missing=missing, unmanaged_to_hr=True)
            outcome.reminded[str(month)] = sorted({user.email for user in written})
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
