"""Scoring a chunk of a close: a few queries in, the pure core, rows out (the results and their
lines, written in bulk: COPY on PostgreSQL, bulk inserts elsewhere)."""

import io
import json
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection
from django.utils import timezone

from metrics.cycles.models import Cycle
from metrics.figures.models import MetricEntry
from metrics.figures.pgcopy import copy_text, reserve_ids, rows_insert
from metrics.results.models import Result, ResultLine
from metrics.results.simulation import LineMemo
from metrics.results.stored import DecimalTexts, monthly_lines, monthly_results, pg_rows
from plans.models import Assignment
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
from plans.selectors import VersionRules, assignments_for_quarter, version_rules


class _Scored(NamedTuple):
    employee_id: int
    assignment_id: int
    version: VersionRules
    result: PeriodResult


def chunk_score_month(month: Period, employee_ids: list[int]) -> list[_Scored]:
    """The chunk's people scored for ``month``: their assignments and figures read as plain rows,
    each indicator's line scored once per value (``LineMemo``: the same core, remembered)."""
    assignments = _assignments_in_force(month, employee_ids)
    rules = version_rules(version_ids={version_id for _a, version_id, _b in assignments.values()})
    memos = {version_id: LineMemo() for version_id in rules}
    values = _figures(period=str(month), assignment_ids=[a for a, _v, _b in assignments.values()])
    longest = max((r.rules.streak.months for r in rules.values() if r.rules.streak), default=1)
    earlier_months = [month.shift(-back) for back in range(longest - 1, 0, -1)]  # oldest first
    earlier_texts = [str(m) for m in earlier_months]
    earlier: dict[tuple[int, str], Decimal] = {}
    if earlier_months:
        earlier = {
            (employee_id, period): score
            for employee_id, period, score, _flags, _version in monthly_results(
                employee_ids=employee_ids, months=earlier_months
            )
        }
    scored = []
    for employee_id, (assignment_id, version_id, bonus) in assignments.items():
        version = rules[version_id]
        actuals = {
            code: values.get((assignment_id, indicator_id)) for code, indicator_id in version.indicator_ids.items()
        }
        result = score_month(
            version.rules,
            actuals,
            bonus_amount=bonus,
            earlier_scores=[earlier.get((employee_id, m)) for m in earlier_texts],
            line=memos[version_id],
        )
        scored.append(_Scored(employee_id, assignment_id, version, result))
    return scored


def _assignments_in_force(month: Period, employee_ids: list[int]) -> dict[int, tuple[int, int, Decimal]]:
    """Each employee's assignment in force in ``month`` (the latest start up to it), as
    (assignment id, version id, monthly bonus): what ``assignments_for_month`` gives, without
    making a model instance of each."""
    current: dict[int, tuple[int, int, Decimal]] = {}
    if connection.vendor == "postgresql":
        rows = pg_rows(
            f"SELECT employee_id, id, version_id, monthly_bonus FROM {Assignment._meta.db_table} "
            "WHERE start <= %s AND employee_id = ANY(%s) ORDER BY employee_id, start",
            [str(month), employee_ids],
        )
    else:
        rows = list(
            Assignment.objects.filter(start__lte=str(month), employee_id__in=employee_ids)
            .order_by("employee_id", "start")
            .values_list("employee_id", "pk", "version_id", "monthly_bonus")
        )
    for employee_id, pk, version_id, bonus in rows:
        current[employee_id] = (pk, version_id, bonus)
    return current


def _figures(*, period: str, assignment_ids: list[int]) -> dict[tuple[int, int], Decimal | None]:
    """The figures of these assignments in ``period``, by (assignment id, indicator id).

    On PostgreSQL in one plain query, the values as the database's text, each distinct text one
    shared ``Decimal`` (what psycopg2 would make of it, without a new one for each of the
    chunk's 8,000 figures, and the line memo hashes each value once).
    """
    if connection.vendor != "postgresql":
        return {
            (assignment_id, indicator_id): value
            for assignment_id, indicator_id, value in MetricEntry.objects.filter(
                assignment_id__in=assignment_ids, period=period
            ).values_list("assignment_id", "indicator_id", "value")
        }
    rows = pg_rows(
        f"SELECT assignment_id, indicator_id, value::text FROM {MetricEntry._meta.db_table} "
        "WHERE period = %s AND assignment_id = ANY(%s)",
        [period, assignment_ids],
    )
    decimals = DecimalTexts()
    return {
        (assignment_id, indicator_id): None if value is None else decimals(value)
        for assignment_id, indicator_id, value in rows
    }


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
    employee_ids = [item.employee_id for item in scored]
    if connection.vendor == "postgresql":
        # One index probe per employee, whatever the statistics say: the close's own results are
        # not in them yet (ANALYZE runs at its end), and a plan made for "no results" scanned all
        # of them so far for each chunk, a cost growing with the close (bench_close, 2026-12-06).
        done = {
            row[0]
            for row in pg_rows(
                f"SELECT e.id FROM unnest(%s::bigint[]) AS e(id) CROSS JOIN LATERAL (SELECT 1 FROM "
                f"{Result._meta.db_table} r WHERE r.cycle_id = %s AND r.run = %s AND r.employee_id = e.id LIMIT 1) x",
                [employee_ids, cycle.pk, cycle.run],
            )
        }
        _results_copy(cycle, [item for item in scored if item.employee_id not in done])
        return
    done = set(
        Result.objects.filter(cycle=cycle, run=cycle.run, employee_id__in=employee_ids).values_list(
            "employee_id", flat=True
        )
    )
    scored = [item for item in scored if item.employee_id not in done]
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
    # SQLite returns the new results' ids, as PostgreSQL does. The lines, eight a result, go in as
    # plain rows in one batch: as model instances they were most of an in-process close's time.
    rows_insert(
        ResultLine,
        ["result", *_LINE_COLUMNS],
        (
            (result.pk, *_line_values(item, position, line))
            for result, item in zip(results, scored, strict=True)
            for position, line in enumerate(item.result.lines)
        ),
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
    """COPY the results and their lines in PostgreSQL's text format, each row one string.

    A line's text after its result, indicator and position depends on its score alone, and the
    line memo makes the scores of equal values one object: each is formatted once a chunk.
    """
    ids = reserve_ids(Result._meta.db_table, len(scored))
    now = timezone.now().isoformat()
    head = f"{cycle.pk}\t{cycle.run}\t{_text(str(cycle.period))}\t"
    flag_texts: dict[tuple[str, ...], str] = {}
    band_texts: dict[str, str] = {}
    results = io.StringIO()
    lines = io.StringIO()
    tails: dict[int, str] = {}
    for pk, (employee_id, assignment_id, version, result) in zip(ids, scored, strict=True):
        flags = result.flags
        flag_text = flag_texts.get(flags)
        if flag_text is None:
            flag_text = flag_texts[flags] = _text(json.dumps(list(flags)))
        band = band_texts.get(result.band)
        if band is None:
            band = band_texts[result.band] = _text(result.band)
        results.write(
            f"{pk}\t{head}{employee_id}\t{assignment_id}\t{version.version_id}\t{result.score}\t{band}\t"
            f"{result.payout}\t{result.bonus}\t{flag_text}\t{now}\n"
        )
        indicator_ids = version.indicator_ids
        for position, line in enumerate(result.lines):
            tail = tails.get(id(line))  # the lines live in ``scored`` until the end: their ids stay theirs
            if tail is None:
                tail = tails[id(line)] = _line_tail(line)
            lines.write(f"{pk}\t{indicator_ids[line.code]}\t{position}\t{tail}")
    copy_text(
        Result._meta.db_table,
        ["id", "cycle_id", "run", "period", "employee_id", "assignment_id", "version_id", "score", "band", "payout", "bonus", "flags", "created_at"],
        results,
    )  # fmt: skip
    copy_text(ResultLine._meta.db_table, ["result_id", *_LINE_COLUMNS], lines)


def _line_tail(line: IndicatorScore) -> str:
    """A line's columns after (result, indicator, position), as COPY's text format reads them."""
    actual = "\\N" if line.actual is None else line.actual
    target = "\\N" if line.target is None else line.target
    flags = "\t".join("t" if flag else "f" for flag in (line.capped, line.floored, line.stretched, line.missing))
    return f"{line.method.value}\t{actual}\t{target}\t{line.points}\t{flags}\t{line.months}\n"


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: str) -> str:
    """Text as a column of COPY's text format: its backslashes, tabs and line ends escaped."""
    return value.translate(_ESCAPES)
