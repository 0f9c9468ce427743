"""The conditional claims of a close: a delivery takes a close, or a chunk, only while it is still
in the state that delivery expects, so that a message delivered twice (late acks, a worker lost,
a retry) changes nothing the first delivery did.

- the close: open with a close requested -> closing, once; another delivery finds it claimed
  (or closed) and only hands back the chunks still pending;
- a chunk: pending -> done, once; a chunk task delivered again after its chunk is done scores
  nothing and reports that it took nothing (else the close's own loop would take it for ever).
"""

from typing import Any

import pytest
from pytest_django import Settings

from metrics.cycles.models import Cycle, CycleAction, CycleEvent, CyclePart, CycleStatus, PartStatus
from metrics.results.closing import (
    cycle_chunk_score,
    cycle_close_start,
    cycle_close_work,
    cycle_reopen,
)
from metrics.results.models import ChunkStatus, CycleChunk, Result, ResultLine
from metrics.results.parts import Selection
from people.models import User
from plans.periods import Period
from tests.factories import UserFactory, assign, publish
from tests.metrics.results.closes import close_requested, figures_entered

pytestmark = pytest.mark.django_db


@pytest.fixture
def requested(settings: Settings, django_capture_on_commit_callbacks: Any) -> tuple[int, int]:
    """Six people, January's close requested (not yet claimed), chunks of two: (cycle id, run)."""
    settings.CLOSE_CHUNK_SIZE = 2
    version = publish()
    people = [UserFactory.create(username=f"c{n}") for n in range(6)]
    for person in people:
        assign(person, version, "2026-01")
    figures_entered(people, "2026-01")
    return close_requested(django_capture_on_commit_callbacks, "2026-01")


def test_a_second_delivery_of_a_claimed_close_claims_nothing_and_hands_back_the_chunks_left(
    requested: tuple[int, int],
) -> None:
    cycle_id, run = requested
    chunks = cycle_close_start(cycle_id=cycle_id, run=run)
    assert len(chunks) == 3
    assert cycle_chunk_score(cycle_id=cycle_id, run=run, chunk_id=chunks[0])

    again = cycle_close_start(cycle_id=cycle_id, run=run)

    assert again == chunks[1:]
    assert CycleChunk.objects.filter(cycle_id=cycle_id).count() == 3
    assert CyclePart.objects.get(cycle_id=cycle_id).status == PartStatus.CLOSING
    assert CycleEvent.objects.filter(cycle_id=cycle_id, action=CycleAction.CLOSE_REQUESTED).count() == 1
    assert Cycle.objects.get(pk=cycle_id).status == CycleStatus.CLOSING


def test_a_delivery_of_a_close_that_is_done_changes_nothing(requested: tuple[int, int]) -> None:
    cycle_id, run = requested
    cycle_close_start(cycle_id=cycle_id, run=run)
    assert cycle_close_work(cycle_id=cycle_id, run=run) == 3
    counts = (Result.objects.count(), ResultLine.objects.count())

    assert cycle_close_start(cycle_id=cycle_id, run=run) == []

    assert Cycle.objects.get(pk=cycle_id).status == CycleStatus.CLOSED
    assert (Result.objects.count(), ResultLine.objects.count()) == counts == (6, 24)
    assert list(CycleEvent.objects.filter(cycle_id=cycle_id).values_list("action", flat=True).order_by("pk")) == [
        CycleAction.CLOSE_REQUESTED,
        CycleAction.CLOSED,
    ]


def test_a_chunk_task_delivered_again_after_its_chunk_is_done_takes_nothing(requested: tuple[int, int]) -> None:
    cycle_id, run = requested
    first, *rest = cycle_close_start(cycle_id=cycle_id, run=run)
    assert cycle_chunk_score(cycle_id=cycle_id, run=run, chunk_id=first)
    done_at = CycleChunk.objects.get(pk=first).done_at

    assert not cycle_chunk_score(cycle_id=cycle_id, run=run, chunk_id=first)

    assert CycleChunk.objects.get(pk=first).done_at == done_at
    assert Result.objects.count() == 2
    # Once every chunk is done, a worker looking for any chunk finds none (and its loop ends).
    for chunk_id in rest:
        CycleChunk.objects.filter(pk=chunk_id).update(status=ChunkStatus.DONE)
    assert not cycle_chunk_score(cycle_id=cycle_id, run=run)


def test_a_late_message_for_a_month_with_no_close_requested_claims_nothing(requested: tuple[int, int]) -> None:
    """February's cycle is open with no close requested (a request the broker refused leaves it so),
    while January's close waits: a message for February claims neither February nor January's close."""
    cycle_id, _run = requested
    february = Cycle.objects.create(period="2026-02")

    assert cycle_close_start(cycle_id=february.pk, run=february.run) == []

    assert Cycle.objects.get(pk=february.pk).status == CycleStatus.OPEN
    assert not CycleChunk.objects.filter(cycle=february).exists()
    assert Cycle.objects.get(pk=cycle_id).status == CycleStatus.OPEN
    assert CyclePart.objects.get(cycle_id=cycle_id).status == PartStatus.REQUESTED


def test_a_message_of_a_close_of_part_of_a_month_delivered_again_after_it_finished_claims_nothing(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A close of those whose figures are complete leaves the month open for the others; its
    message delivered again finds no close requested and changes nothing."""
    version = publish()
    people = [UserFactory.create(username=f"p{n}") for n in range(4)]
    for person in people:
        assign(person, version, "2026-01")
    figures_entered(people[:2], "2026-01")
    cycle_id, run = close_requested(django_capture_on_commit_callbacks, "2026-01", selection=Selection(complete=True))
    cycle_close_start(cycle_id=cycle_id, run=run)
    cycle_close_work(cycle_id=cycle_id, run=run)
    cycle = Cycle.objects.get(pk=cycle_id)
    assert (cycle.status, cycle.closed_at) == (CycleStatus.OPEN, None)  # not closed: two people are left
    assert CyclePart.objects.get(cycle_id=cycle_id).status == PartStatus.CLOSED

    assert cycle_close_start(cycle_id=cycle_id, run=run) == []

    assert Cycle.objects.get(pk=cycle_id).status == CycleStatus.OPEN
    assert list(CyclePart.objects.filter(cycle_id=cycle_id).values_list("status", flat=True)) == [PartStatus.CLOSED]
    assert sorted(Result.objects.values_list("employee__username", flat=True)) == ["p0", "p1"]


def test_a_message_of_the_run_before_a_reopening_claims_nothing_of_the_new_close(
    requested: tuple[int, int], django_capture_on_commit_callbacks: Any
) -> None:
    cycle_id, old_run = requested
    cycle_close_start(cycle_id=cycle_id, run=old_run)
    cycle_close_work(cycle_id=cycle_id, run=old_run)
    cycle_reopen(period=Period.parse("2026-01"), reason="wrong targets")
    _, run = close_requested(django_capture_on_commit_callbacks, "2026-01")
    assert run == old_run + 1

    assert cycle_close_start(cycle_id=cycle_id, run=old_run) == []

    assert Cycle.objects.get(pk=cycle_id).status == CycleStatus.OPEN
    assert CyclePart.objects.get(cycle_id=cycle_id, run=run).status == PartStatus.REQUESTED
    # The new run's own message closes it.
    assert len(cycle_close_start(cycle_id=cycle_id, run=run)) == 3
    assert cycle_close_work(cycle_id=cycle_id, run=run) == 3
    assert Cycle.objects.get(pk=cycle_id).status == CycleStatus.CLOSED


def test_a_message_for_a_cycle_that_does_not_exist_claims_nothing() -> None:
    assert cycle_close_start(cycle_id=987654, run=1) == []
    assert not Cycle.objects.exists()


def test_two_months_closing_at_once_each_claim_their_own_close_and_hand_out_only_their_own_chunks(
    requested: tuple[int, int], django_capture_on_commit_callbacks: Any
) -> None:
    january, run = requested
    people = User.objects.filter(username__startswith="c")
    figures_entered(people, "2026-02")
    february, february_run = close_requested(django_capture_on_commit_callbacks, "2026-02")

    january_chunks = cycle_close_start(cycle_id=january, run=run)
    assert CyclePart.objects.get(cycle_id=january).status == PartStatus.CLOSING
    assert CyclePart.objects.get(cycle_id=february).status == PartStatus.REQUESTED
    february_chunks = cycle_close_start(cycle_id=february, run=february_run)

    assert sorted(february_chunks) == sorted(CycleChunk.objects.filter(cycle_id=february).values_list("pk", flat=True))
    assert len(february_chunks) == 3 and not set(february_chunks) & set(january_chunks)
    assert CyclePart.objects.get(cycle_id=february).status == PartStatus.CLOSING
    # A worker working through February's close (the later request) takes February's chunks only,
    # and its end closes February, not the close requested first; then January's own work.
    assert cycle_close_work(cycle_id=february, run=february_run) == 3
    assert set(CycleChunk.objects.filter(cycle_id=january).values_list("status", flat=True)) == {ChunkStatus.PENDING}
    assert Cycle.objects.get(pk=february).status == CycleStatus.CLOSED
    assert Cycle.objects.get(pk=january).status == CycleStatus.CLOSING
    assert CyclePart.objects.get(cycle_id=january).status == PartStatus.CLOSING
    assert cycle_close_work(cycle_id=january, run=run) == 3
    assert set(Cycle.objects.values_list("status", flat=True)) == {CycleStatus.CLOSED}


def test_a_close_of_a_month_with_nobody_assigned_finishes_at_its_claim(django_capture_on_commit_callbacks: Any) -> None:
    """Nobody to score, no chunk to wait for: the claim itself closes the month."""
    cycle_id, run = close_requested(django_capture_on_commit_callbacks, "2026-01")

    assert cycle_close_start(cycle_id=cycle_id, run=run) == []

    assert Cycle.objects.get(pk=cycle_id).status == CycleStatus.CLOSED
    assert not CycleChunk.objects.filter(cycle_id=cycle_id).exists()


def test_the_history_records_who_asked_how_and_for_which_close_at_its_claim_and_its_end(
    django_capture_on_commit_callbacks: Any,
) -> None:
    version = publish()
    hr = UserFactory.create(username="hr")
    for n in range(2):
        assign(UserFactory.create(username=f"h{n}"), version, "2026-01")
    cycle_id, run = close_requested(
        django_capture_on_commit_callbacks,
        "2026-01",
        force=True,  # nobody's figures are in: each value scores 0
        user=hr,
        via="payroll-api",
    )
    part = CyclePart.objects.get(cycle_id=cycle_id, run=run)
    cycle_close_start(cycle_id=cycle_id, run=run)
    cycle_close_work(cycle_id=cycle_id, run=run)

    events = CycleEvent.objects.filter(cycle_id=cycle_id).order_by("pk")
    assert [(e.action, e.run, e.forced, e.user, e.via, e.part) for e in events] == [
        (CycleAction.CLOSE_REQUESTED, run, True, hr, "payroll-api", part),
        (CycleAction.CLOSED, run, True, hr, "payroll-api", part),
    ]


def test_the_last_chunk_task_finishes_the_close_and_each_chunk_keeps_when_it_was_done(
    requested: tuple[int, int],
) -> None:
    """Chunk tasks on several workers: whichever scores the last chunk closes the month."""
    cycle_id, run = requested
    *first, last = cycle_close_start(cycle_id=cycle_id, run=run)
    for chunk_id in first:
        assert cycle_chunk_score(cycle_id=cycle_id, run=run, chunk_id=chunk_id)
    assert Cycle.objects.get(pk=cycle_id).status == CycleStatus.CLOSING

    assert cycle_chunk_score(cycle_id=cycle_id, run=run, chunk_id=last)

    cycle, part = Cycle.objects.get(pk=cycle_id), CyclePart.objects.get(cycle_id=cycle_id)
    assert (cycle.status, part.status) == (CycleStatus.CLOSED, PartStatus.CLOSED)
    assert cycle.closed_at is not None and cycle.closed_at == part.closed_at  # what the cycle pages show
    assert None not in set(CycleChunk.objects.filter(cycle_id=cycle_id).values_list("done_at", flat=True))


def test_each_line_is_written_with_the_marks_it_was_scored_with(requested: tuple[int, int]) -> None:
    """Every figure entered: no line is missing; the seed plan's figures here cap nothing either."""
    cycle_id, run = requested
    cycle_close_start(cycle_id=cycle_id, run=run)
    cycle_close_work(cycle_id=cycle_id, run=run)
    marks = set(ResultLine.objects.values_list("capped", "floored", "stretched", "missing"))
    assert marks == {(False, False, False, False)}
