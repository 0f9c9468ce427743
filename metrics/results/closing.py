"""Closing and reopening cycles: the services under `close_cycle`, `reopen_cycle` and the task.

A close (of everybody still open, or of part of the period: ``metrics.results.parts``) is
requested (checked, recorded as a ``CyclePart``, one task enqueued after the commit), then
claimed by the task (open -> closing, a conditional update only one delivery wins), split into
chunks of employees that any number of workers score, and finished by whichever worker
completes the last chunk (closing -> closed once nobody is left open, or back to open after a
part; again a conditional update). Results are unique per (cycle, run, employee), so a
redelivered task or chunk writes nothing twice.
"""

import datetime
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.cycles.models import Cycle, CycleAction, CycleEvent, CyclePart, CycleStatus, PartStatus
from metrics.cycles.selectors import closure
from metrics.figures.selectors import close_scope
from metrics.results.chunks import chunk_results_write, chunk_score_month, chunk_score_quarter, chunk_score_year
from metrics.results.dashboards import dashboard_warm
from metrics.results.models import ChunkStatus, CycleChunk, Result, ResultLine
from metrics.results.parts import CloseRefused, Selection, selection_choose, selection_describe
from metrics.results.signals import cycle_closed, cycle_reopened
from metrics.results.simulation import collector_paused
from people.models import User
from plans.formats import period_text
from plans.periods import Period

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CloseRequest:
    cycle: Cycle
    already_closed: bool = False
    part: CyclePart | None = None  # the close requested, or the same one already under way
    created: CyclePart | None = None  # the close this request asked for, when it is new


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
    selection: Selection | None = None,
    via: str = "",
) -> CloseRequest:
    """Check that ``selection`` of ``period`` can close and have ``enqueue(cycle_id, run)`` called
    after the commit.

    Refused before the period has ended (from the first day after it, ``today`` in the
    company's time zone), forced or not: its figures may still change. Refused, with the list
    of what is missing, while figures are missing, unless forced: then each missing value
    scores 0 and its result is flagged ``incomplete``. One close of a period at a time: another
    selection is refused while one is under way; the same one again (a double click) is harmless.
    ``via`` names the API token that asks, for the audit trail.
    """
    selection = selection or Selection()
    if opens := close_opens(period=period, today=today):
        raise CloseRefused(
            _("%(period)s has not ended yet: it can close from %(day)s.")
            % {"period": period_text(period), "day": opens.isoformat()}
        )
    request: CloseRequest | None = None
    try:
        with transaction.atomic():
            request = _request_locked(period=period, selection=selection, force=force, user=user, via=via)
            if request.already_closed:
                return request
            cycle_id, run = request.cycle.pk, request.cycle.run
            # The audit trail records the request once a worker claims it: a request the broker
            # never took (it was down) leaves no trace of a close that did not happen.
            # A close already under way is enqueued again: the claim makes that harmless.
            transaction.on_commit(lambda: enqueue(cycle_id, run))
    except Exception:
        if request is not None and request.created is not None:
            # The broker did not take the close: withdraw its request, so that nothing waits for it.
            CyclePart.objects.filter(pk=request.created.pk, status=PartStatus.REQUESTED).delete()
        raise
    return request


def _request_locked(*, period: Period, selection: Selection, force: bool, user: User | None, via: str) -> CloseRequest:
    # The first statement writes: on SQLite a second request at once (a double click) then
    # waits for the first one's commit, where a read first would make it fail at once with
    # "database is locked". On PostgreSQL the row lock below queues it the same way.
    Cycle.objects.bulk_create([Cycle(period=str(period))], ignore_conflicts=True)
    cycle = Cycle.objects.select_for_update().get(period=str(period))
    if cycle.status == CycleStatus.CLOSED:
        return CloseRequest(cycle=cycle, already_closed=True)
    part = CyclePart.objects.filter(
        cycle=cycle, run=cycle.run, status__in=[PartStatus.REQUESTED, PartStatus.CLOSING]
    ).first()
    if part is None:
        part = _part_request(cycle, period=period, selection=selection, force=force, user=user, via=via)
        return CloseRequest(cycle=cycle, part=part, created=part)
    if not (selection.same(part) and part.forced == force):
        raise CloseRefused(
            _("A close of %(who)s in %(period)s is under way: wait until it is done, then close the others.")
            % {"who": selection_describe(Selection.of(part)), "period": period_text(period)}
        )
    return CloseRequest(cycle=cycle, part=part)


def _part_request(
    cycle: Cycle, *, period: Period, selection: Selection, force: bool, user: User | None, via: str
) -> CyclePart:
    chosen = selection_choose(period=period, selection=selection, force=force)
    number = CyclePart.objects.filter(cycle=cycle, run=cycle.run).aggregate(n=Max("number"))["n"] or 0
    return CyclePart.objects.create(
        cycle=cycle,
        run=cycle.run,
        number=number + 1,
        departments=sorted(selection.departments),
        plans=sorted(selection.plans),
        complete=selection.complete,
        forced=force,
        # A close of everybody covers whoever is still open when it is claimed.
        employee_ids=[] if selection.everyone else sorted(chosen.scope),
        requested_by=user,
        requested_via=via,
    )


def cycle_close_start(*, cycle_id: int, run: int) -> list[int]:
    """Claim the requested close and split its employees into chunks; the ids of the chunks left to score.

    A second delivery of the same close finds the cycle claimed and returns the pending chunks,
    and one of a close that is done finds nothing to claim.
    """
    with transaction.atomic():
        requested = CyclePart.objects.filter(cycle=OuterRef("pk"), run=run, status=PartStatus.REQUESTED)
        claimed = (
            Cycle.objects.filter(Exists(requested), pk=cycle_id, run=run, status=CycleStatus.OPEN)
            .order_by()
            .update(status=CycleStatus.CLOSING)
        )
        cycle = Cycle.objects.filter(pk=cycle_id).first()
        if cycle is None or cycle.run != run or cycle.status != CycleStatus.CLOSING:
            return []  # closed already, or reopened since this message was sent
        if claimed:
            _part_claim(cycle)
    pending = list(
        CycleChunk.objects.filter(cycle_id=cycle_id, run=run, status=ChunkStatus.PENDING).values_list("pk", flat=True)
    )
    if not pending:
        cycle_close_finish(cycle_id=cycle_id, run=run)
    return pending


def _part_claim(cycle: Cycle) -> None:
    """The claimed close is under way: its chunks, after those of the run's earlier closes."""
    part = CyclePart.objects.get(cycle=cycle, run=cycle.run, status=PartStatus.REQUESTED)
    part.status = PartStatus.CLOSING
    part.save(update_fields=["status"])
    CycleEvent.objects.create(
        cycle=cycle,
        action=CycleAction.CLOSE_REQUESTED,
        run=cycle.run,
        forced=part.forced,
        user=part.requested_by,
        via=part.requested_via,
        part=part,
    )
    employee_ids = sorted(close_scope(period=cycle.period)) if part.everyone else part.employee_ids
    size = settings.CLOSE_CHUNK_SIZE
    first = CycleChunk.objects.filter(cycle=cycle, run=cycle.run).aggregate(n=Max("index"))["n"]
    first = 0 if first is None else first + 1
    CycleChunk.objects.bulk_create(
        [
            CycleChunk(cycle=cycle, run=cycle.run, index=first + index, employee_ids=employee_ids[start : start + size])
            for index, start in enumerate(range(0, len(employee_ids), size))
        ],
        ignore_conflicts=True,
    )


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
        scorer = (
            chunk_score_month if period.is_month else chunk_score_quarter if period.is_quarter else chunk_score_year
        )
        # The chunk's rows hold no cycles: a pass of the cycle collector would only scan the
        # worker's every object again, a few times a chunk.
        with collector_paused():
            chunk_results_write(chunk.cycle, scorer(period, chunk.employee_ids))
        chunk.status = ChunkStatus.DONE
        chunk.done_at = timezone.now()
        chunk.save(update_fields=["status", "done_at"])
    if chunk_id is not None:
        cycle_close_finish(cycle_id=cycle_id, run=run)
    return True


def cycle_close_finish(*, cycle_id: int, run: int) -> bool:
    """Finish the close under way once no chunk is pending; True for the one call that did.

    The period is closed once nobody assigned is left open; a close of part of it leaves the
    period open for the next close.
    """
    with transaction.atomic():
        if CycleChunk.objects.filter(cycle_id=cycle_id, run=run, status=ChunkStatus.PENDING).exists():
            return False
        part = (
            CyclePart.objects.select_for_update()
            .filter(cycle_id=cycle_id, run=run, status=PartStatus.CLOSING, cycle__status=CycleStatus.CLOSING)
            .select_related("cycle")
            .first()
        )
        if part is None:
            return False
        cycle = part.cycle
        part.status = PartStatus.CLOSED
        part.closed_at = timezone.now()
        part.save(update_fields=["status", "closed_at"])
        # A close of everybody covered whoever was open when it began; after part of the period,
        # whoever is left keeps it open.
        everyone = part.everyone or not close_scope(period=cycle.period)
        status = CycleStatus.CLOSED if everyone else CycleStatus.OPEN
        Cycle.objects.filter(pk=cycle_id, run=run, status=CycleStatus.CLOSING).update(
            status=status, closed_at=part.closed_at if everyone else None
        )
        if connection.vendor == "postgresql":
            # A close adds a period's results at once, before autovacuum notices: without
            # fresh statistics the next close's reads of these results (the quarter's months,
            # the streak's earlier months) scan every line, 1.8 s a chunk at 100,000 people
            # instead of 0.1 s (bench_close). ANALYZE samples, and only the columns those reads
            # filter and join on (the table's size is counted whatever the columns): 0.3 s at
            # 300,000 results and 2.4 million lines, where every column took 0.8 s.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"ANALYZE {Result._meta.db_table} (id, cycle_id, run, employee_id, period, superseded_at), "
                    f"{ResultLine._meta.db_table} (result_id)"
                )
        CycleEvent.objects.create(
            cycle=cycle,
            action=CycleAction.CLOSED if everyone else CycleAction.PART_CLOSED,
            run=run,
            forced=part.forced,
            user=part.requested_by,
            via=part.requested_via,
            part=part,
        )
        cycle.status, cycle.closed_at = status, part.closed_at if everyone else None
        cycle_closed.send(sender=Cycle, cycle=cycle, part=part, period_closed=everyone)
        transaction.on_commit(_dashboard_warm)
    return True


def _dashboard_warm() -> None:
    """The dashboard counted for its first view once the close is committed; a failure here costs
    that view its speed, never the close."""
    try:
        dashboard_warm()
    except Exception:
        logger.warning("The dashboard could not be counted after the close.", exc_info=True)


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


def cycle_part_wait(*, part_id: int, timeout: float, poll: float = 0.2) -> CyclePart:
    """Wait for the workers to finish one close (of a part or of everybody); the close as it is then."""
    deadline = time.monotonic() + timeout
    while True:
        part = CyclePart.objects.get(pk=part_id)
        if part.status == PartStatus.CLOSED or time.monotonic() >= deadline:
            return part
        time.sleep(poll)


@transaction.atomic
def cycle_reopen(*, period: Period, reason: str, user: User | None = None) -> Cycle:
    """Reopen every closed result of a period, closed in whole or in part: the results stay,
    marked superseded, and the next close is a new run."""
    reason = reason.strip()
    if not reason:
        raise CloseRefused(_("Reopening needs a reason."))
    cycle = Cycle.objects.select_for_update().filter(period=str(period)).first()
    parts = CyclePart.objects.filter(cycle=cycle, run=cycle.run) if cycle else CyclePart.objects.none()
    if cycle is None or not (cycle.status == CycleStatus.CLOSED or parts.filter(status=PartStatus.CLOSED).exists()):
        raise CloseRefused(_("%(period)s is not closed.") % {"period": period_text(period)})
    if cycle.status == CycleStatus.CLOSING or parts.filter(status=PartStatus.REQUESTED).exists():
        raise CloseRefused(
            _("%(period)s is being closed: reopen it once that close is done.") % {"period": period_text(period)}
        )
    if period.is_month and closure(period=period.quarter_of()).anyone:
        raise CloseRefused(
            _("%(quarter)s is closed: reopen the quarter before its month %(period)s.")
            % {"quarter": period_text(period.quarter_of()), "period": period_text(period)}
        )
    if period.is_quarter and closure(period=period.year_of()).anyone:
        raise CloseRefused(
            _("%(year)s is closed: reopen the year before its quarter %(period)s.")
            % {"year": period_text(period.year_of()), "period": period_text(period)}
        )
    Result.objects.filter(cycle=cycle, run=cycle.run).update(superseded_at=timezone.now())
    CycleEvent.objects.create(cycle=cycle, action=CycleAction.REOPENED, run=cycle.run, reason=reason, user=user)
    cycle.status = CycleStatus.OPEN
    cycle.run += 1
    cycle.closed_at = None
    cycle.save(update_fields=["status", "run", "closed_at"])
    cycle_reopened.send(sender=Cycle, cycle=cycle, reason=reason, user=user)
    return cycle
