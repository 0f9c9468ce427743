"""A real `celery worker` process, on Redis, closes a cycle."""

import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from metrics.cycles.models import Cycle, CycleStatus
from metrics.results.closing import cycle_close_request, cycle_wait
from metrics.results.models import Result
from metrics.results.tasks import cycle_close_task
from plans.periods import Period
from tests.metrics.results.test_examples import load_examples
from tests.metrics.results.workers import QUEUE, Workers


@pytest.fixture
def workers(transactional_db: None, tmp_path: Path) -> Iterator[Workers]:
    with Workers(tmp_path) as started:
        yield started


@pytest.mark.postgres
@pytest.mark.redis
def test_a_worker_process_closes_a_month(workers: Workers, examples: Path) -> None:
    worker = workers.start(pool="prefork", concurrency=2)
    load_examples(examples)

    def send(cycle_id: int, run: int) -> None:
        cycle_close_task.apply_async((cycle_id, run), queue=QUEUE)

    started = time.monotonic()
    request = cycle_close_request(period=Period.parse("2026-02"), enqueue=send)
    cycle_wait(cycle_id=request.cycle.pk, timeout=60)
    assert Cycle.objects.get(period="2026-02").status == CycleStatus.CLOSED
    assert sorted(Result.objects.values_list("employee__username", "score")) == [
        ("han.mei", Decimal("119.44")),
        ("li.lei", Decimal("109.51")),
    ]
    worker.stop()
    log = worker.log()
    assert "metrics.tasks.cycle_close_task" in log and "succeeded" in log, log[-2000:]
    assert time.monotonic() - started < 60
