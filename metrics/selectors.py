"""Reads of figures and results: rows in, plain data out."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from metrics.models import Cycle, CycleStatus, MetricEntry, Result, ResultLine
from people.models import User
from plans.periods import Period
from plans.scoring import Frequency
from plans.selectors import assignments_for_month, assignments_for_quarter, version_rules


@dataclass(frozen=True)
class MissingFigure:
    employee: str
    name: str
    manager: str
    indicator: str
    period: str

    def __str__(self) -> str:
        who = f"{self.employee} ({self.name})" if self.name else self.employee
        return f"{who} {self.period} {self.indicator}"


def cycle_get(*, period: Period) -> Cycle | None:
    return Cycle.objects.filter(period=str(period)).first()


def cycle_status(*, period: Period) -> str:
    cycle = cycle_get(period=period)
    return cycle.status if cycle else CycleStatus.OPEN


def close_scope(*, period: Period) -> dict[int, tuple[int, int]]:
    """Who a close covers: employee id -> (assignment id, version id) for the period."""
    if period.is_month:
        return {e: (a.pk, a.version_id) for e, a in assignments_for_month(month=period).items()}
    return {e: (q.assignment.pk, q.assignment.version_id) for e, q in assignments_for_quarter(quarter=period).items()}


def figures_missing(*, period: Period) -> list[MissingFigure]:
    """Every value a close of ``period`` still lacks, by employee and indicator."""
    scope = close_scope(period=period)
    frequency = Frequency.MONTHLY if period.is_month else Frequency.QUARTERLY
    rules = version_rules(version_ids={version for _a, version in scope.values()})
    present = set(
        MetricEntry.objects.filter(
            assignment_id__in=[a for a, _v in scope.values()], period=str(period), value__isnull=False
        ).values_list("assignment_id", "indicator_id")
    )
    people = {user.pk: user for user in User.objects.filter(pk__in=scope.keys()).select_related("manager").order_by()}
    missing = []
    for employee_id, (assignment_id, version_id) in scope.items():
        person = people[employee_id]
        for code, indicator in rules[version_id].indicators.items():
            if indicator.frequency == frequency and (assignment_id, indicator.pk) not in present:
                missing.append(
                    MissingFigure(
                        employee=person.username,
                        name=person.display_name,
                        manager=person.manager.username if person.manager else "",
                        indicator=code,
                        period=str(period),
                    )
                )
    return sorted(missing, key=lambda m: (m.manager, m.employee, m.indicator))


def results_current(*, period: Period) -> list[Result]:
    """The period's results that count now (not superseded), by employee, with their lines."""
    return list(
        Result.objects.filter(period=str(period), superseded_at__isnull=True)
        .select_related("employee", "version")
        .prefetch_related("lines__indicator")
        .order_by("employee__username")
    )


def monthly_lines(*, employee_ids: Iterable[int], months: Iterable[Period]) -> list[tuple[int, str, str, Decimal]]:
    """(employee id, month, indicator code, points) of the current monthly results."""
    return list(
        ResultLine.objects.filter(
            result__employee_id__in=list(employee_ids),
            result__period__in=[str(m) for m in months],
            result__superseded_at__isnull=True,
        ).values_list("result__employee_id", "result__period", "indicator__code", "points")
    )


def monthly_results(
    *, employee_ids: Iterable[int], months: Iterable[Period]
) -> list[tuple[int, str, Decimal, list[str], int]]:
    """(employee id, month, score, flags, version id) of the current monthly results."""
    return list(
        Result.objects.filter(
            employee_id__in=list(employee_ids), period__in=[str(m) for m in months], superseded_at__isnull=True
        ).values_list("employee_id", "period", "score", "flags", "version_id")
    )
