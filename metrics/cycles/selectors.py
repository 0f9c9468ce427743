"""Reads of cycles: a period's status, and which months are or were closed."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from metrics.cycles.models import Cycle, CyclePart, CycleStatus, PartStatus
from plans.periods import Period


def months_closed() -> dict[str, bool]:
    """Every month that is closed (True), or was closed and has been reopened since (False), in order.

    Such a month keeps the plan version and bonus amounts it was closed with (SPEC.md section 7).
    A closed quarter counts by its months, and a period closed in part counts as closed: an
    assignment change there would change the plan of the people closed already.
    """
    part_closed = CyclePart.objects.filter(
        cycle=OuterRef("pk"), run=OuterRef("run"), status__in=[PartStatus.CLOSING, PartStatus.CLOSED]
    )
    rows = (
        Cycle.objects.annotate(part_closed=Exists(part_closed))
        .filter(~Q(status=CycleStatus.OPEN) | Q(run__gt=1) | Q(part_closed=True))
        .values_list("period", "status", "part_closed")
    )
    months: dict[str, bool] = {}
    for period, status, closed_in_part in rows:
        for month in map(str, period.months()):
            months[month] = months.get(month, False) or status != CycleStatus.OPEN or closed_in_part
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


@dataclass(frozen=True)
class Closure:
    """Who of a period is closed, or being closed, in its cycle's current run (SPEC.md section 8).

    ``everyone``: the whole period is (its cycle is closed, or a close of everybody still open is
    under way); otherwise ``employee_ids``, the people the run's closes so far covered.
    """

    status: str  # a CycleStatus value
    everyone: bool = False
    employee_ids: frozenset[int] = frozenset()

    def closes(self, employee_id: int) -> bool:
        return self.everyone or employee_id in self.employee_ids

    @property
    def anyone(self) -> bool:
        """Somebody of the period is closed or being closed."""
        return self.everyone or bool(self.employee_ids)


OPEN = Closure(status=CycleStatus.OPEN)


def closures(*, periods: Iterable[str]) -> dict[str, Closure]:
    """The closure of each of ``periods`` (one with no cycle: nobody closed). A few queries in all."""
    cycles = {str(c.period): c for c in Cycle.objects.filter(period__in=set(periods))}
    parts: dict[int, list[CyclePart]] = {}
    selective = [c.pk for c in cycles.values() if c.status != CycleStatus.CLOSED]
    for part in CyclePart.objects.filter(
        cycle_id__in=selective, status__in=[PartStatus.CLOSING, PartStatus.CLOSED]
    ).only("cycle_id", "run", "status", "departments", "plans", "complete", "employee_ids"):
        parts.setdefault(part.cycle_id, []).append(part)
    found: dict[str, Closure] = {}
    for period, cycle in cycles.items():
        mine = [part for part in parts.get(cycle.pk, []) if part.run == cycle.run]
        found[period] = Closure(
            status=cycle.status,
            everyone=cycle.status == CycleStatus.CLOSED
            or any(part.everyone for part in mine)
            # closing with no close of a selection under way: as a close of everybody
            or (cycle.status == CycleStatus.CLOSING and not any(p.status == PartStatus.CLOSING for p in mine)),
            employee_ids=frozenset(e for part in mine for e in part.employee_ids),
        )
    return {period: found.get(period, OPEN) for period in periods}


def closure(*, period: Period) -> Closure:
    return closures(periods=[str(period)])[str(period)]


def closed_employees(*, period: Period) -> frozenset[int]:
    """The people whom the finished closes of the current run of a period still open scored."""
    cycle = cycle_get(period=period)
    if cycle is None or cycle.status == CycleStatus.CLOSED:
        return frozenset()
    return frozenset(
        employee_id
        for ids in CyclePart.objects.filter(cycle=cycle, run=cycle.run, status=PartStatus.CLOSED).values_list(
            "employee_ids", flat=True
        )
        for employee_id in ids
    )
