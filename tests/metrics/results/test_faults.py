"""Faults during a close, with real `celery worker` processes on Redis and PostgreSQL.

A worker killed in the middle of a chunk, the same close delivered twice, a database connection
dropped in the middle of a chunk, Redis down when HR closes: each time the cycle ends closed with
one result per employee, the same results as an undisturbed close, or stays open with nothing lost.
"""

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from django.db import connection
from django.test import Client

from metrics.bench.data import BENCH_PREFIX, MONTHS, bench_data_create
from metrics.cycles.models import Cycle, CycleAction, CycleEvent, CycleStatus
from metrics.figures.models import MetricEntry
from metrics.results.closing import cycle_close_request, cycle_reopen, cycle_wait
from metrics.results.models import ChunkStatus, CycleChunk, Result, ResultLine
from metrics.results.parts import Selection
from metrics.results.tasks import cycle_close_task
from people.models import Department, Role, User
from plans.periods import Period
from tests.metrics.results.test_cycle_pages import examples_loaded, page_text
from tests.metrics.results.workers import (
    APPLICATION,
    QUEUE,
    ROOT,
    OwnRedis,
    Worker,
    Workers,
    backend_client_port,
    chunk_row_locks,
    chunks_done,
    manage,
    process_env,
    queue_purge,
    results_locked,
    wait_for,
    worker_backends_waiting,
    worker_backends_writing_results,
    worker_locks,
)

MONTH = MONTHS[0]  # the benchmark data's first month: every figure is in
# Nothing listens there: a broker that is down.
DEAD_BROKER = "redis://127.0.0.1:6399/0"


@pytest.fixture
def workers(transactional_db: None, tmp_path: Path) -> Iterator[Workers]:
    with Workers(tmp_path) as started:
        yield started


def close_request(period: str = MONTH, selection: Selection | None = None) -> Cycle:
    """HR's close, its task sent to the test's worker processes."""

    def send(cycle_id: int, run: int) -> None:
        cycle_close_task.apply_async((cycle_id, run), queue=QUEUE)

    return cycle_close_request(period=Period.parse(period), enqueue=send, selection=selection).cycle


def results_of(cycle: Cycle, run: int) -> dict[int, tuple[Any, ...]]:
    """Everything a close wrote for each employee: the result and its lines."""
    lines: dict[int, list[tuple[Any, ...]]] = {}
    for employee_id, *line in (
        ResultLine.objects.filter(result__cycle=cycle, result__run=run)
        .order_by("result__employee_id", "position")
        .values_list("result__employee_id", "position", "indicator_id", "method", "actual", "target", "points",
                     "capped", "floored", "stretched", "missing", "months")
    ):  # fmt: skip
        lines.setdefault(employee_id, []).append(tuple(line))
    return {
        employee_id: (score, band, payout, bonus, flags, assignment_id, version_id, tuple(lines.get(employee_id, ())))
        for employee_id, score, band, payout, bonus, flags, assignment_id, version_id in Result.objects.filter(
            cycle=cycle, run=run
        ).values_list("employee_id", "score", "band", "payout", "bonus", "flags", "assignment_id", "version_id")
    }


def assert_one_current_result_each(cycle: Cycle, employees: int) -> None:
    current = Result.objects.filter(cycle=cycle, superseded_at__isnull=True)
    assert current.count() == employees
    assert current.values("employee_id").distinct().count() == employees
    assert current.filter(run=cycle.run).count() == employees


def uninterrupted_results(cycle: Cycle) -> dict[int, tuple[Any, ...]]:
    """Reopen the cycle and close it again with nobody disturbing the workers: what it should be."""
    reopened = cycle_reopen(period=cycle.period, reason="the same close, undisturbed")
    close_request(str(cycle.period))
    closed = cycle_wait(cycle_id=cycle.pk, timeout=60)
    assert closed.status == CycleStatus.CLOSED
    return results_of(closed, reopened.run)


def dead_backends_gone() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [APPLICATION])
        row = cursor.fetchone()
        assert row is not None
        backends: int = row[0]
        return backends == 0


@pytest.mark.postgres
@pytest.mark.redis
def test_a_worker_killed_in_the_middle_of_a_close_then_restarted_closes_it_with_the_same_results(
    workers: Workers,
) -> None:
    employees, chunk = 1200, 40  # 30 chunks
    bench_data_create(employees=employees, indicators=6)
    first = workers.start(CLOSE_CHUNK_SIZE=chunk)
    cycle = close_request()
    wait_for(lambda: chunks_done(cycle.pk)[0] >= 3, timeout=30, what="a few chunks scored")
    with results_locked():
        # The worker is now stuck in its next chunk, the chunk's row locked, nothing of it written.
        wait_for(worker_backends_waiting, timeout=15, what="the worker in the middle of a chunk")
        first.kill()
    # Its database session ends as soon as PostgreSQL sees the client gone (here, at the COPY):
    # the chunk's transaction is rolled back and its row unlocked.
    wait_for(dead_backends_gone, timeout=15, what="the dead worker's database session to end")
    done, total = chunks_done(cycle.pk)
    assert 3 <= done < total == employees // chunk
    assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.CLOSING

    # What the operator does: start a worker again and run `close_cycle` again. The close under
    # way is enqueued once more and resumes from the chunks left; the claim makes the extra
    # delivery harmless. (Redis would also hand the dead worker's unacknowledged task back, but
    # only after the visibility timeout, an hour in production: see the next test.)
    operator = subprocess.Popen(
        [sys.executable, "manage.py", "close_cycle", MONTH],
        cwd=ROOT, env=process_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        workers.start(CLOSE_CHUNK_SIZE=chunk)
        out, err = operator.communicate(timeout=60)
    finally:
        operator.kill()
    assert operator.returncode == 0, err
    assert f"{MONTH} is closed: {employees} results." in out

    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.CLOSED
    assert_one_current_result_each(cycle, employees)
    assert ResultLine.objects.filter(result__cycle=cycle).count() == employees * 6
    assert CycleEvent.objects.filter(cycle=cycle, action=CycleAction.CLOSED).count() == 1
    interrupted = results_of(cycle, cycle.run)
    assert interrupted == uninterrupted_results(cycle)


@pytest.mark.postgres
@pytest.mark.redis
def test_a_worker_killed_in_the_middle_of_a_close_of_a_department_closes_that_part_exactly_once(
    workers: Workers,
) -> None:
    employees, chunk = 600, 30
    bench_data_create(employees=employees, indicators=4)
    east = Department.objects.create(name="东区")
    ids = list(User.objects.filter(username__startswith=BENCH_PREFIX).order_by("pk").values_list("pk", flat=True))
    User.objects.filter(pk__in=ids[: employees // 2]).update(department=east)
    first = workers.start(CLOSE_CHUNK_SIZE=chunk)
    cycle = close_request(selection=Selection(departments=("东区",)))
    wait_for(lambda: chunks_done(cycle.pk)[0] >= 2, timeout=30, what="a few chunks scored")
    with results_locked():
        wait_for(worker_backends_waiting, timeout=15, what="the worker in the middle of a chunk")
        first.kill()
    wait_for(dead_backends_gone, timeout=15, what="the dead worker's database session to end")
    done, total = chunks_done(cycle.pk)
    assert 2 <= done < total == employees // 2 // chunk

    # The operator asks for the same close again: it resumes; another selection would be refused.
    operator = subprocess.Popen(
        [sys.executable, "manage.py", "close_cycle", MONTH, "--department", "东区"],
        cwd=ROOT, env=process_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        workers.start(CLOSE_CHUNK_SIZE=chunk)
        out, err = operator.communicate(timeout=60)
    finally:
        operator.kill()
    assert operator.returncode == 0, err
    assert f"{MONTH} is closed in part: {employees // 2} closed, {employees // 2} still open." in out
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN
    closed = Result.objects.filter(cycle=cycle)
    assert closed.count() == closed.values("employee_id").distinct().count() == employees // 2
    assert set(closed.values_list("employee__department__name", flat=True)) == {"东区"}

    # The rest closes after: everybody once, and the same results as one undisturbed close.
    close_request()
    assert cycle_wait(cycle_id=cycle.pk, timeout=60).status == CycleStatus.CLOSED
    assert_one_current_result_each(cycle, employees)
    assert list(CycleEvent.objects.filter(cycle=cycle).values_list("action", flat=True).order_by("pk")) == [
        CycleAction.CLOSE_REQUESTED,
        CycleAction.PART_CLOSED,
        CycleAction.CLOSE_REQUESTED,
        CycleAction.CLOSED,
    ]
    cycle.refresh_from_db()
    assert results_of(cycle, cycle.run) == uninterrupted_results(cycle)


@pytest.mark.postgres
@pytest.mark.redis
def test_redis_hands_a_dead_workers_close_back_after_the_visibility_timeout(workers: Workers) -> None:
    employees, chunk, timeout = 300, 30, 5
    bench_data_create(employees=employees, indicators=4)
    first = workers.start(CLOSE_CHUNK_SIZE=chunk, CELERY_VISIBILITY_TIMEOUT=timeout)
    sent: list[str] = []
    delivered = time.monotonic()
    cycle = cycle_close_request(
        period=Period.parse(MONTH),
        enqueue=lambda cycle_id, run: sent.append(cycle_close_task.apply_async((cycle_id, run), queue=QUEUE).id),
    ).cycle
    wait_for(lambda: chunks_done(cycle.pk)[0] >= 1, timeout=30, what="a chunk scored")
    with results_locked():
        wait_for(worker_backends_waiting, timeout=15, what="the worker in the middle of a chunk")
        first.kill()
    wait_for(dead_backends_gone, timeout=15, what="the dead worker's database session to end")
    # Only the dead worker's unacknowledged close task is left to finish the close: the chunk
    # tasks it had queued are purged, and nobody runs `close_cycle` again.
    queue_purge()
    assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.CLOSING
    # A worker starting looks for messages unacknowledged for longer than the timeout.
    time.sleep(max(0.0, delivered + timeout + 0.5 - time.monotonic()))
    second = workers.start(CLOSE_CHUNK_SIZE=chunk, CELERY_VISIBILITY_TIMEOUT=timeout)

    closed = cycle_wait(cycle_id=cycle.pk, timeout=30)
    assert closed.status == CycleStatus.CLOSED
    assert_one_current_result_each(closed, employees)
    assert f"metrics.tasks.cycle_close_task[{sent[0]}] received" in first.log()
    assert f"metrics.tasks.cycle_close_task[{sent[0]}] received" in second.log()  # the same message


def close_task_process(worker: Worker) -> int:
    """The pid of the pool process that runs the worker's close task (remote control's ``active``)."""
    from config.celery_app import app

    active = app.control.inspect(destination=[worker.hostname], timeout=5).active() or {}
    pids = [task["worker_pid"] for task in active.get(worker.hostname, []) if task["name"] == cycle_close_task.name]
    assert len(pids) == 1, active
    pid: int = pids[0]
    return pid


def chunk_held_by(process: int) -> int:
    """The chunk whose row the given worker process holds locked (its database backend's lock)."""
    ports = {connection.laddr.port for connection in psutil.Process(process).net_connections(kind="tcp")}
    held = [
        chunk for chunk, pids in chunk_row_locks().items() if any(backend_client_port(pid) in ports for pid in pids)
    ]
    assert len(held) == 1, held
    return held[0]


@pytest.mark.postgres
@pytest.mark.redis
def test_a_prefork_child_killed_in_the_middle_of_a_chunk_has_its_close_put_back_and_finished_by_another(
    workers: Workers,
) -> None:
    """The production pool: a child process dies (SIGKILL) holding a chunk; the worker puts its
    close task back on the queue (late acks, reject on worker lost) and another child finishes it.

    Nothing else could: the chunk tasks still queued are purged first, so the close task put back
    is the only way to the killed child's chunk. Acknowledged early or as failed, the close
    stays "closing" for ever.
    """
    employees, chunk = 300, 30
    bench_data_create(employees=employees, indicators=4)
    worker = workers.start(pool="prefork", concurrency=2, CLOSE_CHUNK_SIZE=chunk)
    with results_locked():
        cycle = close_request()
        # One child runs the close task, the other a chunk task: both inside a chunk, stopped.
        wait_for(lambda: len(worker_backends_writing_results()) == 2, timeout=20, what="both children in a chunk")
        queue_purge()
        child = close_task_process(worker)
        killed_chunk = chunk_held_by(child)
        os.kill(child, signal.SIGKILL)
        wait_for(lambda: not psutil.pid_exists(child), timeout=10, what="the child to die")

    closed = cycle_wait(cycle_id=cycle.pk, timeout=60)
    assert closed.status == CycleStatus.CLOSED, f"{closed.status}, chunks done: {chunks_done(cycle.pk)}"
    assert CycleChunk.objects.get(pk=killed_chunk).status == ChunkStatus.DONE
    assert_one_current_result_each(closed, employees)
    assert ResultLine.objects.count() == employees * 4
    assert CycleEvent.objects.filter(cycle=cycle, action=CycleAction.CLOSED).count() == 1
    log = worker.log()
    assert f"pid:{child} exited with 'signal 9 (SIGKILL)'" in log, log[-3000:]
    received = re.findall(r"Task metrics\.tasks\.cycle_close_task\[([0-9a-f-]+)\] received", log)
    assert len(received) == 2 and received[0] == received[1], received  # the same message, put back


# metrics.results.closing.cycle_chunk_score takes its chunk with select_for_update(skip_locked=True) joined
# to the cycle (select_related), and without of=("self",) PostgreSQL locks the cycle's row too:
# while one worker scores a chunk, every other finds no chunk to take, and a close shared by
# several workers can stall in "closing" with chunks pending and no message left to take them.
@pytest.mark.postgres
@pytest.mark.redis
def test_two_workers_score_chunks_of_the_same_close_at_the_same_time(workers: Workers) -> None:
    """Two workers each hold a chunk of their own at the same moment: neither queues behind the other.

    Both are stopped at their first write of results, inside their chunk's transaction; pgrowlocks
    says which chunk rows are locked and by whom. A worker that waited for the other's chunk row
    (no SKIP LOCKED) would be waiting for that row, not for the results table.
    """
    employees, chunk = 200, 20
    bench_data_create(employees=employees, indicators=4)
    workers.start(CLOSE_CHUNK_SIZE=chunk)
    workers.start(CLOSE_CHUNK_SIZE=chunk)
    with results_locked():
        cycle = close_request()
        try:
            wait_for(
                lambda: len(worker_backends_writing_results()) == 2,
                timeout=10,
                what="both workers inside a chunk of their own, at their first write",
            )
        except AssertionError as error:
            raise AssertionError(f"{error}; the workers' locks (pid, type, on, state): {worker_locks()}") from None
        writing = worker_backends_writing_results()
        held = chunk_row_locks()
        # Two chunk rows locked, one by each worker: different chunks at the same moment.
        assert len(held) == 2, held
        assert sorted(pid for pids in held.values() for pid in pids) == writing, (held, writing)
        assert CycleChunk.objects.filter(pk__in=held, cycle=cycle, status=ChunkStatus.PENDING).count() == 2
    closed = cycle_wait(cycle_id=cycle.pk, timeout=30)
    assert closed.status == CycleStatus.CLOSED
    assert_one_current_result_each(closed, employees)


@pytest.mark.postgres
@pytest.mark.redis
def test_the_same_close_delivered_twice_to_two_workers_writes_one_set_of_results(workers: Workers) -> None:
    employees = 400
    bench_data_create(employees=employees, indicators=4)
    first = workers.start(CLOSE_CHUNK_SIZE=20)
    second = workers.start(CLOSE_CHUNK_SIZE=20)

    def twice(cycle_id: int, run: int) -> None:
        for _ in range(2):
            cycle_close_task.apply_async((cycle_id, run), queue=QUEUE)

    request = cycle_close_request(period=Period.parse(MONTH), enqueue=twice)
    cycle = cycle_wait(cycle_id=request.cycle.pk, timeout=30)

    assert cycle.status == CycleStatus.CLOSED, chunks_done(cycle.pk)
    assert_one_current_result_each(cycle, employees)
    assert Result.objects.count() == employees
    assert ResultLine.objects.count() == employees * 4
    assert ResultLine.objects.values("result_id", "position").distinct().count() == employees * 4
    assert CycleChunk.objects.filter(cycle=cycle).count() == employees // 20
    events = list(CycleEvent.objects.filter(cycle=cycle).values_list("action", flat=True))
    assert sorted(events) == sorted([CycleAction.CLOSE_REQUESTED, CycleAction.CLOSED])
    for worker in (first, second):  # both deliveries were taken, one by each worker
        assert "Task metrics.tasks.cycle_close_task[" in worker.log()


@pytest.mark.postgres
@pytest.mark.redis
def test_a_database_connection_dropped_in_the_middle_of_a_chunk_is_retried_and_the_close_completes(
    workers: Workers,
) -> None:
    employees = 300
    bench_data_create(employees=employees, indicators=4)
    worker = workers.start(CLOSE_CHUNK_SIZE=50)
    with results_locked():
        cycle = close_request()
        wait_for(worker_backends_waiting, timeout=30, what="the worker in the middle of a chunk")
        # The chunk tasks the close task sent are dropped: only the close task's own retry can
        # finish the close (without it, the failed task is acknowledged and the close stays closing).
        queue_purge()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = %s AND wait_event_type = 'Lock'",
                [APPLICATION],
            )
            assert cursor.fetchone()[0] is True

    closed = cycle_wait(cycle_id=cycle.pk, timeout=60)

    assert closed.status == CycleStatus.CLOSED, f"{closed.status}, chunks done: {chunks_done(cycle.pk)}"
    assert_one_current_result_each(closed, employees)
    assert ResultLine.objects.count() == employees * 4
    assert CycleEvent.objects.filter(cycle=cycle, action=CycleAction.CLOSED).count() == 1
    log = worker.log()
    assert "OperationalError" in log and "Retry in" in log, log[-3000:]


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.postgres
@pytest.mark.redis
def test_redis_killed_in_the_middle_of_a_close_and_started_again_the_close_finishes_once(
    own_redis: OwnRedis, workers: Workers
) -> None:
    """Redis dies (SIGKILL, nothing saved) while a prefork worker is inside the close's chunks,
    and comes back empty: the close task already running scores what is left and finishes the
    close, once; the worker reconnects and takes the next close."""
    employees, chunk = 300, 30
    bench_data_create(employees=employees, indicators=4)
    worker = workers.start(pool="prefork", concurrency=2, CLOSE_CHUNK_SIZE=chunk, CELERY_BROKER_URL=own_redis.url)
    operator = subprocess.Popen(
        [sys.executable, "manage.py", "close_cycle", MONTH],
        cwd=ROOT, env=process_env(CELERY_BROKER_URL=own_redis.url), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        with results_locked():
            wait_for(lambda: len(worker_backends_writing_results()) == 2, timeout=30, what="both children in a chunk")
            own_redis.stop()
            wait_for(lambda: "Connection to broker lost" in worker.log(), timeout=20, what="the worker to see it")
        # Redis is still down: the close goes on without it.
        wait_for(lambda: chunks_done(Cycle.objects.get(period=MONTH).pk)[0] >= 3, timeout=30, what="chunks scored")
        own_redis.start()
        out, err = operator.communicate(timeout=90)
    finally:
        operator.kill()
    assert operator.returncode == 0, err
    assert f"{MONTH} is closed: {employees} results." in out

    cycle = Cycle.objects.get(period=MONTH)
    assert cycle.status == CycleStatus.CLOSED
    assert_one_current_result_each(cycle, employees)
    assert ResultLine.objects.count() == employees * 4
    assert CycleChunk.objects.filter(cycle=cycle).count() == employees // chunk
    assert list(CycleEvent.objects.filter(cycle=cycle).values_list("action", flat=True).order_by("pk")) == [
        CycleAction.CLOSE_REQUESTED,
        CycleAction.CLOSED,
    ]
    # The worker is back on the new Redis: the next month closes through it.
    outcome = manage("close_cycle", MONTHS[1], CELERY_BROKER_URL=own_redis.url, timeout=90)
    assert outcome.returncode == 0, (outcome.stderr, worker.log()[-3000:])
    assert f"{MONTHS[1]} is closed: {employees} results." in outcome.stdout
    assert Result.objects.filter(period=MONTH).count() == employees  # January untouched


@pytest.mark.postgres
@pytest.mark.redis
def test_with_redis_down_close_cycle_fails_plainly_and_loses_nothing_then_closes_once_it_is_back(
    workers: Workers,
) -> None:
    employees = 50
    bench_data_create(employees=employees, indicators=4)
    figures = list(MetricEntry.objects.order_by("pk").values_list("pk", "value", "updated_at"))

    started = time.monotonic()
    outcome = manage("close_cycle", MONTH, CELERY_BROKER_URL=DEAD_BROKER, timeout=30)

    assert time.monotonic() - started < 20
    assert outcome.returncode == 1
    assert "The task queue cannot be reached (Error 111 connecting to 127.0.0.1:6399" in outcome.stderr
    assert f"{MONTH} stays open and nothing was lost. Try again when it is back." in outcome.stderr
    assert "Traceback" not in outcome.stderr
    cycle = Cycle.objects.get(period=MONTH)
    assert cycle.status == CycleStatus.OPEN
    assert not Result.objects.exists()
    assert not CycleChunk.objects.exists()
    assert not CycleEvent.objects.exists()
    assert list(MetricEntry.objects.order_by("pk").values_list("pk", "value", "updated_at")) == figures

    workers.start()
    outcome = manage("close_cycle", MONTH)

    assert outcome.returncode == 0, outcome.stderr
    assert f"{MONTH} is closed: {employees} results." in outcome.stdout
    assert_one_current_result_each(Cycle.objects.get(period=MONTH), employees)


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process sends its tasks to a broker that is down (not run eagerly)."""
    from config.celery_app import app

    def connections_forget() -> None:
        # The pools are kombu's, one per broker URL, shared: forget them here, close none.
        # (private attributes, which celery-types does not declare)
        app._pool = None  # type: ignore[attr-defined]
        app.amqp._producer_pool = None  # type: ignore[attr-defined]

    saved = app.conf.broker_url, app.conf.task_always_eager
    connections_forget()
    # Celery reads the broker's URL from the environment before its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", DEAD_BROKER)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    # celery-types makes broker_url a read-only property; Celery's settings take it like any key.
    app.conf.broker_url, app.conf.task_always_eager = DEAD_BROKER, False  # type: ignore[misc]
    try:
        yield
    finally:
        monkeypatch.undo()
        app.conf.broker_url, app.conf.task_always_eager = saved  # type: ignore[misc]
        connections_forget()


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_the_close_button_says_so_and_the_month_stays_open(broker_down: None, examples: Path) -> None:
    examples_loaded(examples)
    figures = list(MetricEntry.objects.order_by("pk").values_list("pk", "value", "updated_at"))
    hr = Client()
    hr.force_login(User.objects.create_user(username="hr", role=Role.HR))

    started = time.monotonic()
    response = hr.post("/cycles/2026-01/close/", follow=True)

    assert time.monotonic() - started < 20
    text = page_text(response.content)
    assert "The task queue cannot be reached (Error 111 connecting to 127.0.0.1:6399" in text
    assert "January 2026 stays open and nothing was lost. Try again when it is back." in text
    assert Cycle.objects.get(period="2026-01").status == CycleStatus.OPEN
    assert not Result.objects.exists() and not CycleChunk.objects.exists() and not CycleEvent.objects.exists()
    assert list(MetricEntry.objects.order_by("pk").values_list("pk", "value", "updated_at")) == figures
