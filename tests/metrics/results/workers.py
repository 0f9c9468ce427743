"""Real `celery worker` processes for tests, on the test database and a queue of their own.

Each worker logs to a file (a pipe nobody reads would block a chatty worker), and its database
connections carry an application name, so that a test can find them in ``pg_stat_activity``.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import psycopg2
from django.conf import settings
from django.db import connection

from metrics.results.models import ChunkStatus, CycleChunk

ROOT = Path(__file__).resolve().parents[3]
# Their own queue, so that the worker thread other tests use takes none of these tasks.
QUEUE = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-process"
# What the workers' database connections call themselves in pg_stat_activity.
APPLICATION = f"test-worker-{os.getpid()}"


def database_url(application: str = APPLICATION) -> str:
    """The test database (not the one in DATABASE_URL: pytest-django made its own)."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}{password}@{host}/{db['NAME']}?application_name={application}"


def process_env(**extra: str) -> dict[str, str]:
    """The environment of a worker or a management command run against the test database.

    Without pytest-xdist's variables: the test settings would add the xdist worker's name to the
    queue once more, and the process's tasks would go to a queue nobody consumes.
    """
    return {
        **{name: value for name, value in os.environ.items() if not name.startswith("PYTEST_XDIST")},
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
        **extra,
    }


def queue_purge() -> None:
    """Forget the messages a previous test left on the workers' queue."""
    from config.celery_app import app

    with app.connection_for_write() as broker:
        # kombu's stubs type the channel as the abstract StdChannel, which has no queue_purge.
        broker.default_channel.queue_purge(QUEUE)  # type: ignore[attr-defined]


def manage(*args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    """``manage.py`` in a process of its own, as an operator would run it."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=process_env(**env), capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


class Worker:
    def __init__(self, process: subprocess.Popen[str], log: Path, handle: IO[str], hostname: str) -> None:
        self.process = process
        self.log_path = log
        self._handle = handle
        self.hostname = hostname  # the node name its remote control answers to

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def ready(self, timeout: float = 30) -> None:
        """Wait for the worker to consume from its queue."""
        deadline = time.monotonic() + timeout
        while "ready." not in self.log():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the worker did not start:\n{self.log()[-3000:]}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no ack, nothing cleaned up (one process with ``--pool solo``)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 30) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._handle.close()


class Workers:
    """Starts workers on demand; every one of them is gone when the block ends, whatever happened."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[Worker] = []

    def start(self, *, pool: str = "solo", concurrency: int = 1, **env: Any) -> Worker:
        number = len(self.started) + 1
        hostname = f"test-{os.getpid()}-{number}@{socket.gethostname()}"
        log = self.folder / f"worker-{number}.log"
        handle = log.open("w", encoding="utf-8")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", pool, "--concurrency", str(concurrency),
             "--loglevel", "INFO", "-Q", QUEUE, "--hostname", hostname, "--without-heartbeat",
             "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=process_env(**{key: str(value) for key, value in env.items()}),
            stdout=handle, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        worker = Worker(process, log, handle, hostname)
        self.started.append(worker)
        worker.ready()
        return worker

    def __enter__(self) -> "Workers":
        queue_purge()
        return self

    def __exit__(self, *exc: object) -> None:
        for worker in self.started:
            worker.stop()
        queue_purge()


def chunks_done(cycle_id: int) -> tuple[int, int]:
    chunks = CycleChunk.objects.filter(cycle_id=cycle_id)
    return chunks.filter(status=ChunkStatus.DONE).count(), chunks.count()


def wait_for(condition: Any, *, timeout: float, what: str, poll: float = 0.02) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(poll)


@contextmanager
def results_locked() -> Iterator[None]:
    """Hold a lock that stops any chunk at its first write, with its transaction open.

    SHARE mode lets everybody read ``metrics_result`` but blocks the COPY (or INSERT) of a
    chunk's results until the block ends: a worker is then caught in the middle of a chunk, its
    chunk row locked and nothing of it written. On a connection of its own, outside the test's.
    """
    db = connection.settings_dict
    held = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
    )  # fmt: skip
    try:
        with held.cursor() as cursor:
            cursor.execute("LOCK TABLE metrics_result IN SHARE MODE")
            yield
    finally:
        held.rollback()
        held.close()


def worker_backends_waiting() -> list[int]:
    """The workers' database backends waiting for a lock, as PostgreSQL sees them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND wait_event_type = 'Lock'", [APPLICATION]
        )
        return [row[0] for row in cursor.fetchall()]


def worker_backends_writing_results() -> list[int]:
    """The workers' backends stopped at their first write of results (by ``results_locked``).

    Only those waiting for the lock on ``metrics_result`` itself: a backend waiting for another
    one's row (a chunk that somebody else holds) is not among them.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.pid FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid"
            " WHERE a.application_name = %s AND NOT l.granted AND l.locktype = 'relation'"
            " AND l.relation = 'metrics_result'::regclass",
            [APPLICATION],
        )
        return sorted(row[0] for row in cursor.fetchall())


def worker_locks() -> list[tuple[int, str, str, str]]:
    """The row and transaction locks the worker backends hold, and every lock they wait for, as
    pg_locks says: (pid, lock type, relation or transaction, granted or waiting); printed when a
    test finds the workers in the wrong place."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.pid, l.locktype, coalesce(l.relation::regclass::text, l.transactionid::text, ''),"
            " CASE WHEN l.granted THEN 'granted' ELSE 'waiting' END"
            " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.application_name = %s"
            " AND (l.locktype IN ('tuple', 'transactionid') OR NOT l.granted) ORDER BY l.pid, l.granted",
            [APPLICATION],
        )
        return [tuple(row) for row in cursor.fetchall()]


def chunk_row_locks() -> dict[int, list[int]]:
    """Each locked chunk row (``CycleChunk`` id) and the backends that hold its lock (pgrowlocks)."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pgrowlocks")
        cursor.execute(
            f"SELECT c.id, l.pids FROM {CycleChunk._meta.db_table} c"
            f" JOIN pgrowlocks('{CycleChunk._meta.db_table}') l ON l.locked_row = c.ctid ORDER BY c.id"
        )
        return {chunk_id: list(pids) for chunk_id, pids in cursor.fetchall()}


def backend_client_port(pid: int) -> int:
    """The local TCP port of the client behind a database backend (to find which process it is)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT client_port FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
        assert row is not None and row[0] is not None, f"backend {pid} has no TCP client"
        port: int = row[0]
        return port


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class OwnRedis:
    """A Redis server of the test's own on a free port, that the test stops and starts again.

    It keeps nothing on disk (``--save ''``, no append-only file): stopped, it forgets every
    message, as a Redis that crashes between two snapshots does.
    """

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_path = folder / f"redis-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--logfile", str(self.log_path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for(self.answers, timeout=10, what=f"redis-server on port {self.port}")

    def answers(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            return False
        return True

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)  # gone at once, nothing saved
            self.process.wait(timeout=10)
        self.process = None
