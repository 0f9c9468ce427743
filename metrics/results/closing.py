"""Closing and reopening cycles: the services under `close_cycle`, `reopen_cycle` and the task.

A close is requested (checked, recorded, one task enqueued after the commit), then claimed by
the task (open -> closing, a conditional update only one delivery wins), split into chunks of
employees that any number of workers score, and finished by whichever worker completes the
last chunk (closing -> closed, again a conditional update). Results are unique per
(cycle, run, employee), so a redelivered task or chunk writes nothing twice.
"""

import datetime
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.cycles.models import Cycle, CycleAction, CycleEvent, CycleStatus
from metrics.figures.models import MetricEntry
from metrics.figures.pgcopy import copy_rows, reserve_ids
from metrics.figures.selectors import MissingFigure, close_scope, figures_missing
from metrics.results.models import ChunkStatus, CycleChunk, Result, ResultLine
from metrics.results.stored import monthly_lines, monthly_results
from people.models import User
from plans.errors import ApplicationError
from plans.periods import Period
from plans.scoring import Frequency, IndicatorScore, PeriodResult, score_month, score_quarter
from plans.selectors import VersionRules, assignments_for_month, assignments_for_quarter, version_rules


class CloseRefused(ApplicationError):
    """A close or reopen refused; ``missing``, what keeps a month from closing."""

    def __init__(self, message: str, missing: list[MissingFigure] | None = None) -> None:
        super().__init__(message)
        self.missing = missing or []


@dataclass(frozen=True)
class CloseRequest:
    cycle: Cycle
    already_closed: bool = False


def company_today() -> datetime.date:
    """Today in the company's time zone (``TIME_ZONE``), whatever zone a request is in."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def close_opens(*, period: Period, today: datetime.date | None = None) -> datetime.date | None:
    """The day ``period`` may close from, while that day is still to come; None once it has ended."""
    today = company_today() if today is None else today
    return None if period.has_ended(today=today) else period.day_after()


def cycle_close_request(
    *,
    period: Period,
    force: bool = False,
    user: User | None = None,
    enqueue: Callable[[int, int], None],
    today: datetime.date | None = None,
) -> CloseRequest:
    """Check that ``period`` can close and have ``enqueue(cycle_id, run)`` called after the commit.

    Refused before the period has ended (from the first day after it, ``today`` in the
    company's time zone), forced or not: its figures may still change. Refused, with the list
    of what is missing, while figures are missing, unless forced: then each missing value
    scores 0 and its result is flagged ``incomplete``.
    """
    if opens := close_opens(period=period, today=today):
        raise CloseRefused(
            _("%(period)s has not ended yet: it can close from %(day)s.") % {"period": period, "day": opens.isoformat()}
        )
    with transaction.atomic():
        # The first statement writes: on SQLite a second request at once (a double click) then
        # waits for the first one's commit, where a read first would make it fail at once with
        # "database is locked". On PostgreSQL the row lock below queues it the same way.
        Cycle.objects.bulk_create([Cycle(period=str(period))], ignore_conflicts=True)
        cycle = Cycle.objects.select_for_update().get(period=str(period))
        if cycle.status == CycleStatus.CLOSED:
            return CloseRequest(cycle=cycle, already_closed=True)
        if cycle.status == CycleStatus.OPEN:
            if period.is_quarter:
                _check_months_closed(period)
            missing = figures_missing(period=period)
            if missing and not force:
                raise CloseRefused(
                    _("%(period)s cannot close: %(count)s values are missing")
                    % {"period": period, "count": len(missing)},
                    missing,
                )
            cycle.forced = force
            cycle.requested_by = user
            cycle.save(update_fields=["forced", "requested_by"])
        # The audit trail records the request once a worker claims it: a request the broker
        # never took (it was down) leaves no trace of a close that did not happen.
        # A close already under way is enqueued again: the claim makes that harmless.
        run = cycle.run
        transaction.on_commit(lambda: enqueue(cycle.pk, run))
    return CloseRequest(cycle=cycle)


def _check_months_closed(quarter: Period) -> None:
    months = [str(m) for m in quarter.months()]
    closed = {
        str(p)
        for p in Cycle.objects.filter(period__in=months, status=CycleStatus.CLOSED).values_list("period", flat=True)
    }
    still_open = [m for m in months if m not in closed]
    if still_open:
        raise CloseRefused(
            _("%(quarter)s cannot close before its months: %(months)s not closed")
            % {"quarter": quarter, "months": ", ".join(still_open)}
        )


def cycle_close_start(*, cycle_id: int, run: int) -> list[int]:
    """Claim the cycle and split its employees into chunks; the ids of the chunks left to score.

    A second delivery of the same close finds the cycle claimed and returns the pending chunks.
    """
    with transaction.atomic():
        claimed = Cycle.objects.filter(pk=cycle_id, run=run, status=CycleStatus.OPEN).update(status=CycleStatus.CLOSING)
        cycle = Cycle.objects.filter(pk=cycle_id).first()
        if cycle is None or cycle.run != run or cycle.status != CycleStatus.CLOSING:
            return []  # closed already, or reopened since this message was sent
        if claimed:
            CycleEvent.objects.create(
                cycle=cycle, action=CycleAction.CLOSE_REQUESTED, run=run, forced=cycle.forced, user=cycle.requested_by
            )
        if claimed or not CycleChunk.objects.filter(cycle=cycle, run=run).exists():
            employee_ids = sorted(close_scope(period=cycle.period))
            size = settings.CLOSE_CHUNK_SIZE
            CycleChunk.objects.bulk_create(
                [
                    CycleChunk(cycle=cycle, run=run, index=index, employee_ids=employee_ids[start : start + size])
                    for index, start in enumerate(range(0, len(employee_ids), size))
                ],
                ignore_conflicts=True,
            )
    pending = list(
        CycleChunk.objects.filter(cycle_id=cycle_id, run=run, status=ChunkStatus.PENDING).values_list("pk", flat=True)
    )
    if not pending:
        cycle_close_finish(cycle_id=cycle_id, run=run)
    return pending


def cycle_close_work(*, cycle_id: int, run: int) -> int:
    """Score pending chunks of the close until none is left to take; how many this call scored."""
    scored = 0
    while cycle_chunk_score(cycle_id=cycle_id, run=run):
        scored += 1
    cycle_close_finish(cycle_id=cycle_id, run=run)
    return scored


def cycle_chunk_score(*, cycle_id: int, run: int, chunk_id: int | None = None) -> bool:
    """Score one pending chunk (``chunk_id``, or any); False when there was none to take.

    The chunk's row is locked for the whole transaction, which also writes its results and
    marks it done: another worker skips it meanwhile, and a worker that dies leaves it pending.
    """
    with transaction.atomic():
        chunks = CycleChunk.objects.filter(cycle_id=cycle_id, run=run, status=ChunkStatus.PENDING)
        if chunk_id is not None:
            chunks = chunks.filter(pk=chunk_id)
        chunk = (
            chunks.select_for_update(skip_locked=True, of=("self",)).order_by("index").select_related("cycle").first()
        )
        if chunk is None or chunk.cycle.status != CycleStatus.CLOSING or chunk.cycle.run != run:
            return False
        if connection.vendor == "postgresql":
            # The chunk's results and its "done" mark commit together, so losing this commit in
            # a database crash loses both: the chunk is pending again and is scored again. That
            # makes waiting for the disk flush at each chunk's commit unnecessary.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        period = chunk.cycle.period
        scorer = _score_month if period.is_month else _score_quarter
        _results_write(chunk.cycle, scorer(period, chunk.employee_ids))
        chunk.status = ChunkStatus.DONE
        chunk.done_at = timezone.now()
        chunk.save(update_fields=["status", "done_at"])
    if chunk_id is not None:
        cycle_close_finish(cycle_id=cycle_id, run=run)
    return True


def cycle_close_finish(*, cycle_id: int, run: int) -> bool:
    """Mark the cycle closed once no chunk is pending; True for the one call that did."""
    with transaction.atomic():
        if CycleChunk.objects.filter(cycle_id=cycle_id, run=run, status=ChunkStatus.PENDING).exists():
            return False
        closed = Cycle.objects.filter(pk=cycle_id, run=run, status=CycleStatus.CLOSING).update(
            status=CycleStatus.CLOSED, closed_at=timezone.now()
        )
        if closed:
            if connection.vendor == "postgresql":
                # A close adds a period's results at once, before autovacuum notices: without
                # fresh statistics the next close's reads of these results (the quarter's months,
                # the streak's earlier months) scan every line, 1.8 s a chunk at 100,000 people
                # instead of 0.1 s (bench_close). ANALYZE samples: well under a second at any size.
                with connection.cursor() as cursor:
                    cursor.execute(f"ANALYZE {Result._meta.db_table}, {ResultLine._meta.db_table}")
            cycle = Cycle.objects.get(pk=cycle_id)
            CycleEvent.objects.create(
                cycle=cycle, action=CycleAction.CLOSED, run=run, forced=cycle.forced, user=cycle.requested_by
            )
    return bool(closed)


def cycle_progress(*, cycle: Cycle) -> tuple[int, int]:
    """(chunks done, chunks in all) of the cycle's current run."""
    chunks = CycleChunk.objects.filter(cycle=cycle, run=cycle.run)
    return chunks.filter(status=ChunkStatus.DONE).count(), chunks.count()


def cycle_wait(
    *, cycle_id: int, timeout: float, poll: float = 0.2, on_progress: Callable[[Cycle], None] | None = None
) -> Cycle:
    """Wait for the workers to close the cycle; the cycle as it is when closed or when time is up."""
    deadline = time.monotonic() + timeout
    while True:
        cycle = Cycle.objects.get(pk=cycle_id)
        if cycle.status == CycleStatus.CLOSED or time.monotonic() >= deadline:
            return cycle
        if on_progress:
            on_progress(cycle)
        time.sleep(poll)


@transaction.atomic
def cycle_reopen(*, period: Period, reason: str, user: User | None = None) -> Cycle:
    """Reopen a closed cycle: its results stay, marked superseded, and the next close is a new run."""
    reason = reason.strip()
    if not reason:
        raise CloseRefused(_("Reopening needs a reason."))
    cycle = Cycle.objects.select_for_update().filter(period=str(period)).first()
    if cycle is None or cycle.status != CycleStatus.CLOSED:
        raise CloseRefused(_("%(period)s is not closed.") % {"period": period})
    if (
        period.is_month
        and Cycle.objects.filter(
            period=str(period.quarter_of()), status__in=[CycleStatus.CLOSED, CycleStatus.CLOSING]
        ).exists()
    ):
        raise CloseRefused(
            _("%(quarter)s is closed: reopen the quarter before its month %(period)s.")
            % {"quarter": period.quarter_of(), "period": period}
        )
    Result.objects.filter(cycle=cycle, run=cycle.run).update(superseded_at=timezone.now())
    CycleEvent.objects.create(cycle=cycle, action=CycleAction.REOPENED, run=cycle.run, reason=reason, user=user)
    cycle.status = CycleStatus.OPEN
    cycle.run += 1
    cycle.forced = False
    cycle.closed_at = None
    cycle.save(update_fields=["status", "run", "forced", "closed_at"])
    return cycle


# --- scoring a chunk: a few queries in, the pure core, rows out ---------------------------------


@dataclass(frozen=True)
class _Scored:
    employee_id: int
    assignment_id: int
    version: VersionRules
    result: PeriodResult


def _score_month(month: Period, employee_ids: list[int]) -> list[_Scored]:
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


def _score_quarter(quarter: Period, employee_ids: list[int]) -> list[_Scored]:
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


def _results_write(cycle: Cycle, scored: list[_Scored]) -> None:
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
