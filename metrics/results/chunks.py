"""Scoring a chunk of a close: a few queries in, the pure core, rows out (the results and their
lines, written in bulk: COPY on PostgreSQL, bulk inserts elsewhere)."""

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from metrics.cycles.models import Cycle
from metrics.figures.models import MetricEntry
from metrics.figures.pgcopy import copy_rows, reserve_ids
from metrics.results.models import Result, ResultLine
from metrics.results.stored import monthly_lines, monthly_results
from plans.periods import Period
from plans.scoring import (
    INCOMPLETE_FLAG,
    Frequency,
    IndicatorScore,
    PeriodResult,
    score_month,
    score_quarter,
    score_year,
)
from plans.selectors import VersionRules, assignments_for_month, assignments_for_quarter, version_rules


@dataclass(frozen=True)
class _Scored:
    employee_id: int
    assignment_id: int
    version: VersionRules
    result: PeriodResult


def chunk_score_month(month: Period, employee_ids: list[int]) -> list[_Scored]:
    assignments = assignments_for_month(month=month, employee_ids=employee_ids)
    rules = version_rules(version_ids={a.version_id for a in assignments.values()})
    values: dict[tuple[int, int], Decimal | None] = {
        (assignment_id, indicator_id): value
        for assignment_id, indicator_id, value in MetricEntry.objects.filter(
            assignment_id__in=[a.pk for a in assignments.values()], period=str(month)
        ).values_list("assignment_id", "indicator_id", "value")
    }
    longest = max((r.rules.streak.months for r in rules.values() if r.rules.streak), default=1)
    earlier_months = [month.shift(-back) for back in range(longest - 1, 0, -1)]  # oldest first
    earlier: dict[tuple[int, str], Decimal] = {}
    if earlier_months:
        earlier = {
            (employee_id, period): score
            for employee_id, period, score, _flags, _version in monthly_results(
                employee_ids=employee_ids, months=earlier_months
            )
        }
    scored = []
    for employee_id, assignment in assignments.items():
        version = rules[assignment.version_id]
        assignment_id = assignment.pk
        actuals = {
            code: values.get((assignment_id, indicator_id)) for code, indicator_id in version.indicator_ids.items()
        }
        result = score_month(
            version.rules,
            actuals,
            bonus_amount=assignment.monthly_bonus,
            earlier_scores=[earlier.get((employee_id, str(m))) for m in earlier_months],
        )
        scored.append(_Scored(employee_id, assignment.pk, version, result))
    return scored


def chunk_score_quarter(quarter: Period, employee_ids: list[int]) -> list[_Scored]:
    assignments = assignments_for_quarter(quarter=quarter, employee_ids=employee_ids)
    months = quarter.months()
    last_month = [
        (employee_id, flags, version_id)
        for employee_id, period, _score, flags, version_id in monthly_results(
            employee_ids=employee_ids, months=[months[-1]]
        )
    ]
    rules = version_rules(
        version_ids={q.assignment.version_id for q in assignments.values()} | {v for _e, _f, v in last_month}
    )
    streak_flags: dict[int, list[str]] = {}
    for employee_id, flags, version_id in last_month:
        streak = rules[version_id].rules.streak
        streak_flags[employee_id] = [streak.flag] if streak and streak.flag in flags else []
    points: dict[tuple[int, str], list[Decimal]] = {}
    assigned_months = {e: {str(m) for m in q.months} for e, q in assignments.items()}
    for employee_id, period, code, value in monthly_lines(employee_ids=employee_ids, months=months):
        if period in assigned_months.get(employee_id, ()):
            points.setdefault((employee_id, code), []).append(value)
    values: dict[tuple[int, int], Decimal | None] = {
        (assignment_id, indicator_id): value
        for assignment_id, indicator_id, value in MetricEntry.objects.filter(
            assignment_id__in=[q.assignment.pk for q in assignments.values()], period=str(quarter)
        ).values_list("assignment_id", "indicator_id", "value")
    }
    scored = []
    for employee_id, quarter_assignment in assignments.items():
        assignment = quarter_assignment.assignment
        version = rules[assignment.version_id]
        result = score_quarter(
            version.rules,
            {
                rule.code: points.get((employee_id, rule.code), [])
                for rule in version.rules.of_frequency(Frequency.MONTHLY)
            },
            {
                rule.code: values.get((assignment.pk, version.indicator_ids[rule.code]))
                for rule in version.rules.of_frequency(Frequency.QUARTERLY)
            },
            bonus_amount=assignment.quarterly_bonus,
            carried_flags=streak_flags.get(employee_id, []),
        )
        scored.append(_Scored(employee_id, assignment.pk, version, result))
    return scored


def chunk_score_year(year: Period, employee_ids: list[int]) -> list[_Scored]:
    """A year (SPEC.md section 10), from the current results of its quarters: each indicator's
    mean over the quarters in which the person has a result, December's streak flag, and
    ``incomplete`` when a counted quarter was."""
    assignments = assignments_for_quarter(quarter=year, employee_ids=employee_ids)
    december = monthly_results(employee_ids=employee_ids, months=[year.last_month()])
    quarters = monthly_results(employee_ids=employee_ids, months=year.quarters())
    rules = version_rules(
        version_ids={q.assignment.version_id for q in assignments.values()} | {row[4] for row in december}
    )
    streak_flags: dict[int, list[str]] = {}
    for employee_id, _period, _score, flags, version_id in december:
        streak = rules[version_id].rules.streak
        streak_flags[employee_id] = [streak.flag] if streak and streak.flag in flags else []
    incomplete = {employee_id for employee_id, _p, _s, flags, _v in quarters if INCOMPLETE_FLAG in flags}
    points: dict[tuple[int, str], list[Decimal]] = {}
    for employee_id, _period, code, value in monthly_lines(employee_ids=employee_ids, months=year.quarters()):
        points.setdefault((employee_id, code), []).append(value)
    scored = []
    for employee_id, year_assignment in assignments.items():
        assignment = year_assignment.assignment
        version = rules[assignment.version_id]
        result = score_year(
            version.rules,
            {rule.code: points.get((employee_id, rule.code), []) for rule in version.rules.indicators},
            bonus_amount=assignment.annual_bonus,
            carried_flags=streak_flags.get(employee_id, []),
            incomplete=employee_id in incomplete,
        )
        scored.append(_Scored(employee_id, assignment.pk, version, result))
    return scored


def chunk_results_write(cycle: Cycle, scored: list[_Scored]) -> None:
    """Write a chunk's results and their lines in bulk; employees with a result already are skipped.

    The chunk's lock makes a second writer impossible, and the unique key makes it harmless.
    On PostgreSQL the rows go in with COPY (ids reserved from the sequence first, so the lines
    can point at their results); elsewhere with bulk inserts.
    """
    done = set(
        Result.objects.filter(
            cycle=cycle, run=cycle.run, employee_id__in=[item.employee_id for item in scored]
        ).values_list("employee_id", flat=True)
    )
    scored = [item for item in scored if item.employee_id not in done]
    if connection.vendor == "postgresql":
        _results_copy(cycle, scored)
        return
    results = Result.objects.bulk_create(
        [
            Result(
                cycle=cycle,
                run=cycle.run,
                period=cycle.period,
                employee_id=item.employee_id,
                assignment_id=item.assignment_id,
                version_id=item.version.version_id,
                score=item.result.score,
                band=item.result.band,
                payout=item.result.payout,
                bonus=item.result.bonus,
                flags=list(item.result.flags),
            )
            for item in scored
        ]
    )
    ResultLine.objects.bulk_create(  # SQLite returns the new results' ids, as PostgreSQL does
        ResultLine(result=result, **dict(zip(_LINE_COLUMNS, _line_values(item, position, line), strict=True)))
        for result, item in zip(results, scored, strict=True)
        for position, line in enumerate(item.result.lines)
    )


_LINE_COLUMNS = (
    "indicator_id",
    "position",
    "method",
    "actual",
    "target",
    "points",
    "capped",
    "floored",
    "stretched",
    "missing",
    "months",
)


def _line_values(item: _Scored, position: int, line: IndicatorScore) -> tuple[Any, ...]:
    """A result line's values, in the order of ``_LINE_COLUMNS``."""
    return (
        item.version.indicator_ids[line.code],
        position,
        line.method.value,
        line.actual,
        line.target,
        line.points,
        line.capped,
        line.floored,
        line.stretched,
        line.missing,
        line.months,
    )


def _results_copy(cycle: Cycle, scored: list[_Scored]) -> None:
    ids = reserve_ids(Result._meta.db_table, len(scored))
    now = timezone.now().isoformat()
    copy_rows(
        Result._meta.db_table,
        ["id", "cycle_id", "run", "period", "employee_id", "assignment_id", "version_id", "score", "band", "payout", "bonus", "flags", "created_at"],
        (
            (pk, cycle.pk, cycle.run, cycle.period, item.employee_id, item.assignment_id, item.version.version_id,
             item.result.score, item.result.band, item.result.payout, item.result.bonus, json.dumps(list(item.result.flags)), now)
            for pk, item in zip(ids, scored, strict=True)
        ),
    )  # fmt: skip
    copy_rows(
        ResultLine._meta.db_table,
        ["result_id", *_LINE_COLUMNS],
        (
            (pk, *_line_values(item, position, line))
            for pk, item in zip(ids, scored, strict=True)
            for position, line in enumerate(item.result.lines)
        ),
        nullable=("actual", "target"),
    )
