"""Reads of cycles: a period's status, and which months are or were closed."""

from django.db.models import Q
from django.utils import timezone

from metrics.cycles.models import Cycle, CycleStatus
from plans.periods import Period


def months_closed() -> dict[str, bool]:
    """Every month that is closed (True), or was closed and has been reopened since (False), in order.

    Such a month keeps the plan version and bonus amounts it was closed with (SPEC.md section 7).
    A closed quarter counts by its months.
    """
    rows = Cycle.objects.filter(~Q(status=CycleStatus.OPEN) | Q(run__gt=1)).values_list("period", "status")
    months: dict[str, bool] = {}
    for period, status in rows:
        for month in map(str, period.months()):
            months[month] = months.get(month, False) or status != CycleStatus.OPEN
    return dict(sorted(months.items()))


def month_first_open() -> str:
    """The month a new assignment most likely starts: the one after the latest closed month.

    With nothing closed yet, the current month.
    """
    closed = list(months_closed())
    if not closed:
        return str(Period.of_date(timezone.localdate()))
    return str(Period.parse(closed[-1]).shift(1))


def cycle_get(*, period: Period) -> Cycle | None:
    return Cycle.objects.filter(period=str(period)).first()


def cycle_status(*, period: Period) -> str:
    cycle = cycle_get(period=period)
    return cycle.status if cycle else CycleStatus.OPEN
