"""`bench_close`: how fast real Celery workers close a month and a quarter for a large company."""

import datetime
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone

from metrics.bench.data import MONTHS, QUARTER, bench_data_create, close_profile, floor_seconds
from metrics.bench.downloads import peak_rss_mb
from metrics.cycles.models import CycleAction, CycleEvent, CyclePart, CycleStatus
from metrics.results.closing import cycle_close_request, cycle_wait
from metrics.results.models import CycleChunk, Result, ResultLine
from metrics.results.tasks import cycle_close_task
from plans.periods import Period

ROOT = Path(settings.BASE_DIR)


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used: steadier than wall time on a busy machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _phases(cycle_id: int, run: int, started_at: datetime.datetime, ended_at: datetime.datetime) -> str:
    """Where a close's time went, from what it records: the request, the claim (the scope read and
    split into chunks) until the first chunk is done, the chunks, the finish until the closed mark,
    then its statistics and commit and the wait noticing."""
    part = CyclePart.objects.filter(cycle_id=cycle_id, run=run).latest("number")
    claimed = CycleEvent.objects.get(part=part, action=CycleAction.CLOSE_REQUESTED).at
    chunks = CycleChunk.objects.filter(cycle_id=cycle_id, run=run).aggregate(first=Min("done_at"), last=Max("done_at"))
    assert part.closed_at is not None and chunks["first"] is not None and chunks["last"] is not None
    steps = [
        ("request", started_at, part.requested_at),
        ("to the claim", part.requested_at, claimed),
        ("claim to the first chunk done", claimed, chunks["first"]),
        ("the other chunks", chunks["first"], chunks["last"]),
        ("finish", chunks["last"], part.closed_at),
        ("ANALYZE, commit, seen", part.closed_at, ended_at),
    ]
    return ", ".join(f"{name} {(end - start).total_seconds():.2f} s" for name, start, end in steps)


class Command(BaseCommand):
    help = "Create a large company on PostgreSQL and time real Celery workers closing a month and a quarter."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--employees", type=int, default=100_000)
        parser.add_argument("--indicators", type=int, default=8, help="monthly indicators (plus one quarterly)")
        parser.add_argument("--workers", type=int, default=2, help="worker processes to start")
        parser.add_argument("--keep", action="store_true", help="keep the benchmark's database afterwards")
        parser.add_argument(
            "--profile",
            type=int,
            default=0,
            metavar="N",
            help="first profile (cProfile) one process scoring and writing the first month of N employees, "
            "chunk by chunk as a worker does, rolled back",
        )
        parser.add_argument("--profile-lines", type=int, default=20, help="the profile's lines printed")
        parser.add_argument("--only-profile", action="store_true", help="profile, then stop before the workers")

    def handle(
        self,
        *args: Any,
        employees: int,
        indicators: int,
        workers: int,
        keep: bool,
        profile: int,
        profile_lines: int,
        only_profile: bool,
        **options: Any,
    ) -> None:
        """Everything happens in a fresh database next to the configured one, dropped at the end."""
        if connection.vendor == "sqlite":
            self._embedded(employees=employees, indicators=indicators, keep=keep)
            return
        if connection.vendor != "postgresql":
            raise CommandError("bench_close needs PostgreSQL, or SQLite for the embedded close.")
        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError("bench_close needs a broker for its workers: set CELERY_BROKER_URL.")
        original = connection.settings_dict["NAME"]
        bench_database = f"{original}_bench"
        self._database_recreate(bench_database)
        try:
            self._run(
                employees=employees,
                indicators=indicators,
                workers=workers,
                profile=profile,
                profile_lines=profile_lines,
                only_profile=only_profile,
            )
        finally:
            connection.close()
            connection.settings_dict["NAME"] = original
            if not keep:
                with connection.cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{bench_database}"')
            connection.close()

    def _embedded(self, *, employees: int, indicators: int, keep: bool) -> None:
        """The default setup, nothing configured: SQLite and the tasks run in-process, each period
        closed by ``close_cycle`` as a person would, in a database file of its own."""
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError("The embedded close runs its tasks in-process: unset CELERY_BROKER_URL.")
        original = connection.settings_dict["NAME"]
        path = Path(tempfile.gettempdir()) / f"bench_close_{os.getpid()}.sqlite3"
        connection.close()
        connection.settings_dict["NAME"] = str(path)
        try:
            call_command("migrate", verbosity=0)
            started = time.perf_counter()
            data = bench_data_create(employees=employees, indicators=indicators)
            self.stdout.write(
                f"SQLite, tasks in-process: {data.employees} employees, {data.entries} figures "
                f"in {time.perf_counter() - started:.1f} s"
            )
            for period in (*MONTHS, QUARTER):
                cpu = time.process_time()
                started = time.perf_counter()
                call_command("close_cycle", period, stdout=io.StringIO())
                seconds = time.perf_counter() - started
                results = Result.objects.filter(period=period, superseded_at__isnull=True)
                lines = ResultLine.objects.filter(result__in=results).count()
                self.stdout.write(
                    f"{period}: close_cycle, {results.count()} results, {lines} indicator scores in {seconds:.2f} s "
                    f"(CPU {time.process_time() - cpu:.2f} s); load average {os.getloadavg()[0]:.2f}"
                )
            self.stdout.write(f"peak memory: {peak_rss_mb(os.getpid()):.0f} MB")
        finally:
            connection.close()
            connection.settings_dict["NAME"] = original
            if keep:
                self.stdout.write(f"kept: {path}")
            else:
                path.unlink(missing_ok=True)

    def _database_recreate(self, name: str) -> None:
        """A database of the benchmark's own, migrated, that the workers use too."""
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # a killed run's sessions too
            cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()
        connection.settings_dict["NAME"] = name
        call_command("migrate", verbosity=0)

    def _run(
        self, *, employees: int, indicators: int, workers: int, profile: int, profile_lines: int, only_profile: bool
    ) -> None:
        started = time.perf_counter()
        data = bench_data_create(employees=employees, indicators=indicators)
        self.stdout.write(
            f"data: {data.employees} employees, {data.entries} figures in {time.perf_counter() - started:.1f} s"
        )
        if profile:
            self.stdout.write(close_profile(period=MONTHS[0], employees=profile, lines=profile_lines))
        if only_profile:
            return
        queue = f"bench-{os.getpid()}"
        processes = [self._worker(queue, n) for n in range(workers)]
        try:
            time.sleep(3)  # let the workers connect before the clock starts
            for period in (*MONTHS, QUARTER):
                before = [_cpu_seconds(process.pid) for process in processes]
                self._close(period, queue)
                used = [_cpu_seconds(process.pid) - start for process, start in zip(processes, before, strict=True)]
                # Each worker's share shows whether the chunks were spread over all of them.
                self.stdout.write(
                    f"  workers' CPU time: {sum(used):.2f} s ({' + '.join(f'{seconds:.2f}' for seconds in used)})"
                )
            peaks = [peak_rss_mb(process.pid) for process in processes]
            self.stdout.write(f"worker peak memory: {', '.join(f'{peak:.0f} MB' for peak in peaks)}")
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=60)

    def _worker(self, queue: str, number: int) -> subprocess.Popen[bytes]:
        db = connection.settings_dict
        credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        url = f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        env = {**os.environ, "CELERY_TASK_DEFAULT_QUEUE": queue, "DATABASE_URL": url}
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "--quiet", "worker", "--pool", "solo", "--loglevel", "WARNING",
             "-Q", queue, "--hostname", f"{queue}-{number}@%h", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env,
        )  # fmt: skip

    def _close(self, period: str, queue: str) -> None:
        started, started_at = time.perf_counter(), timezone.now()

        def enqueue(cycle_id: int, run: int) -> None:
            cycle_close_task.apply_async((cycle_id, run), queue=queue)

        request = cycle_close_request(period=Period.parse(period), enqueue=enqueue)
        cycle = cycle_wait(cycle_id=request.cycle.pk, timeout=settings.CLOSE_WAIT_SECONDS, poll=0.05)
        seconds, ended_at = time.perf_counter() - started, timezone.now()
        if cycle.status != CycleStatus.CLOSED:
            raise CommandError(f"{period} did not close in {settings.CLOSE_WAIT_SECONDS} s")
        results = Result.objects.filter(period=period, superseded_at__isnull=True)
        lines = ResultLine.objects.filter(result__in=results).count()
        count = results.count()
        floor = floor_seconds(period=period)
        self.stdout.write(
            f"{period}: {count} results, {lines} indicator scores in {seconds:.2f} s "
            f"({(count + lines) / seconds:,.0f} rows/s); load average {os.getloadavg()[0]:.2f}\n"
            f"  floor, read once + COPY of the same rows: {floor.lines:.2f} s, close/floor {seconds / floor.lines:.1f}x; "
            f"read once + COPY of one row a person with a breakdown: {floor.breakdown:.2f} s, "
            f"close/floor {seconds / floor.breakdown:.1f}x"
        )
        self.stdout.write(f"  phases: {_phases(cycle.pk, cycle.run, started_at, ended_at)}")
