"""Reads of stored results: the monthly results and lines that a quarter or a streak is scored
from, and the quarterly ones a year is (the same reads, given quarters)."""

from collections.abc import Iterable
from decimal import Decimal

from metrics.results.models import Result, ResultLine
from plans.models import Indicator
from plans.periods import Period


def monthly_lines(*, employee_ids: Iterable[int], months: Iterable[Period]) -> list[tuple[int, str, str, Decimal]]:
    """(employee id, month, indicator code, points) of the current monthly results."""
    lines = list(
        ResultLine.objects.filter(
            result__employee_id__in=list(employee_ids),
            result__period__in=[str(m) for m in months],
            result__superseded_at__isnull=True,
        ).values_list("result__employee_id", "result__period", "indicator_id", "points")
    )
    # The codes in a query of their own: a handful of indicators, instead of a join per line.
    codes = dict(Indicator.objects.filter(pk__in={line[2] for line in lines}).values_list("pk", "code"))
    return [
        (employee_id, str(period), codes[indicator_id], points) for employee_id, period, indicator_id, points in lines
    ]


def monthly_results(
    *, employee_ids: Iterable[int], months: Iterable[Period]
) -> list[tuple[int, str, Decimal, list[str], int]]:
    """(employee id, month, score, flags, version id) of the current monthly results."""
    rows = Result.objects.filter(
        employee_id__in=list(employee_ids), period__in=[str(m) for m in months], superseded_at__isnull=True
    ).values_list("employee_id", "period", "score", "flags", "version_id")
    return [
        (employee_id, str(period), score, flags, version_id) for employee_id, period, score, flags, version_id in rows
    ]


# --- Figures: the team grid, its template, its history -------------------------------------------
