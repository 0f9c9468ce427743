"""`bench_load`: managers saving the figures grid, admins opening the dashboard, the home page, a
closed month's cycle page and results page, under load; with ``--export``, first that month's
results downloaded as CSV and XLSX (time, and the web worker's memory meanwhile).

A database of its own (dropped at the end) holds a company of ``--employees`` people on the
benchmark plan: managers with about 40 reports each, ten departments, three closed months with
results (so that the dashboard has something to count) and an open month with 80 % of its
figures entered (the grid). gunicorn serves the app with the production settings on a free
loopback port, and Locust, headless, runs ``metrics/bench/locustfile.py`` with a fixed number of users
for a fixed time (and at most ``--max-requests`` requests). The command prints the requests,
failures and the 50th/95th/99th percentiles per endpoint and overall, and the load average.
"""

import csv
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from metrics.bench.data import BENCH_PREFIX, MONTHS, bench_data_create
from metrics.bench.downloads import Download, children, download_measure, peak_rss_mb, rss_mb, signed_in
from metrics.cycles.models import Cycle, CycleStatus
from metrics.results.dashboards import dashboard_warm
from people.models import Department, Role, User
from plans.models import PlanVersion

ROOT = Path(settings.BASE_DIR)
OPEN_MONTH = "2000-04"
REPORTS_PER_MANAGER = 40
PASSWORD = "bench-load-password"
ADMIN = f"{BENCH_PREFIX}-admin"
TARGET_P95_MS = 150  # every request but the logins, together
TARGET_ENDPOINT_P95_MS = 300  # each endpoint on its own
TARGET_WEB_MB = 200  # a web worker's memory after the load
TARGET_EXPORT_SECONDS = 10  # the CSV of every result of a closed month
TARGET_EXPORT_GROWTH_MB = 100  # what the web worker may grow by while it streams it
LOCUSTFILE = ROOT / "metrics" / "bench" / "locustfile.py"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(times: dict[int, int], fraction: float) -> int:
    """The response time (ms) below which ``fraction`` of the requests fall, from Locust's histogram."""
    total = sum(times.values())
    if not total:
        return 0
    seen = 0
    for milliseconds in sorted(times):
        seen += times[milliseconds]
        if seen >= total * fraction:
            return milliseconds
    return max(times)


class Command(BaseCommand):
    help = "Load-test the figures grid and the dashboard with Locust against gunicorn on PostgreSQL."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--employees", type=int, default=100_000)
        parser.add_argument("--users", type=int, default=20, help="simulated users (a tenth of them admins)")
        parser.add_argument("--seconds", type=int, default=60, help="how long the load lasts")
        parser.add_argument("--max-requests", type=int, default=20_000, help="stop after this many requests")
        parser.add_argument("--web-workers", type=int, default=4, help="gunicorn worker processes")
        parser.add_argument(
            "--admins", type=int, default=None, help="how many of the users are admins (default: a tenth, at least 1)"
        )
        parser.add_argument(
            "--think", default="0.5,1.5", help="seconds each user waits between requests: MIN,MAX (default 0.5,1.5)"
        )
        parser.add_argument(
            "--spawn-rate", type=float, default=2, help="users started per second: logins hash a password (~1 s of CPU)"
        )
        parser.add_argument(
            "--export",
            action="store_true",
            help="first download a closed month's results as CSV and XLSX from the quiet server: time and web worker memory",
        )
        parser.add_argument("--keep", action="store_true", help="keep the benchmark's database afterwards")
        parser.add_argument("--reuse", action="store_true", help="use the database a run with --keep left")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("bench_load needs PostgreSQL: set DATABASE_URL.")
        if options["employees"] < 2 * REPORTS_PER_MANAGER or options["users"] < 2 or options["seconds"] < 1:
            raise CommandError(f"Give at least {2 * REPORTS_PER_MANAGER} employees, 2 users and 1 second.")
        original = connection.settings_dict["NAME"]
        database = f"{original}_load"
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            reuse = options["reuse"] and cursor.fetchone() is not None
            if not reuse:
                cursor.execute(f'DROP DATABASE IF EXISTS "{database}"')
                cursor.execute(f'CREATE DATABASE "{database}"')
        connection.close()
        connection.settings_dict["NAME"] = database
        try:
            call_command("migrate", verbosity=0)
            self._run(**{**options, "reuse": reuse})
        finally:
            connection.close()
            connection.settings_dict["NAME"] = original
            if not options["keep"]:
                with connection.cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{database}"')
            connection.close()

    # --- the company -----------------------------------------------------------------------------

    def _run(
        self,
        *,
        reuse: bool,
        employees: int,
        users: int,
        admins: int | None,
        think: str,
        spawn_rate: float,
        seconds: int,
        max_requests: int,
        web_workers: int,
        export: bool,
        **_: Any,
    ) -> None:
        started = time.perf_counter()
        if reuse:
            managers = self._managers()
            self.stdout.write(f"data: reusing the kept database ({len(managers)} managers)")
        else:
            data = bench_data_create(employees=employees, indicators=8)
            managers = self._company_shape(data.version, employees=data.employees)
            self.stdout.write(
                f"data: {data.employees} employees ({len(managers)} managers of ~{REPORTS_PER_MANAGER}), "
                f"3 closed months with results, {OPEN_MONTH} open; {time.perf_counter() - started:.0f} s"
            )
        # The closed months stand for closes, so the dashboard is counted as a close leaves it:
        # ready for the first admin where the cache is shared (CACHE_URL).
        warmed = time.perf_counter()
        dashboard_warm()
        self.stdout.write(f"dashboard counted as after a close: {time.perf_counter() - warmed:.1f} s")
        connection.close()  # gunicorn's workers are about to share the server
        admins = max(1, round(users / 10)) if admins is None else admins
        if not 0 <= admins < users:
            raise CommandError("--admins must leave at least one manager.")
        self._collectstatic()
        with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
            if export:
                self._downloads(Path(folder))
            port = _free_port()
            server = self._gunicorn(port, web_workers, Path(folder) / "gunicorn.log")
            try:
                self._wait_until_up(port, server, Path(folder) / "gunicorn.log")
                before = os.getloadavg()
                stats = self._locust(
                    port=port,
                    users=users,
                    admins=admins,
                    seconds=seconds,
                    max_requests=max_requests,
                    managers=managers[: users - admins],
                    think=think,
                    spawn_rate=spawn_rate,
                    folder=Path(folder),
                )
                after = os.getloadavg()
                memory = [(rss_mb(pid), peak_rss_mb(pid)) for pid in children(server.pid)]
            finally:
                server.terminate()
                server.wait(timeout=30)
        self._report(stats, users=users, admins=admins, seconds=seconds, web_workers=web_workers)
        self._memory_report(memory)
        self.stdout.write(
            f"load average (1, 5, 15 min): before {before[0]:.2f} {before[1]:.2f} {before[2]:.2f}, "
            f"after {after[0]:.2f} {after[1]:.2f} {after[2]:.2f} on {os.cpu_count()} CPUs"
        )

    @transaction.atomic
    def _company_shape(self, version: PlanVersion, *, employees: int) -> list[str]:
        """Departments, managers of ~40 with a password, an admin, closed months, an open month."""
        _teams_form(employees=employees)
        User.objects.create_user(username=ADMIN, password=PASSWORD, role=Role.ADMIN, display_name="Bench admin")
        _months_fill(version)
        return self._managers()

    def _managers(self) -> list[str]:
        return list(
            User.objects.filter(role=Role.MANAGER, username__startswith=BENCH_PREFIX)
            .order_by("pk")
            .values_list("username", flat=True)
        )

    # --- the processes ---------------------------------------------------------------------------

    def _collectstatic(self) -> None:
        """The production settings serve hashed files from STATIC_ROOT: collect them once.

        Compressing everything takes about a minute, so an up-to-date manifest is reused.
        """
        manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
        sources = [ROOT / "static", ROOT / "node_modules" / "bootstrap", ROOT / "node_modules" / "chart.js"]
        newest = max((p.stat().st_mtime for folder in sources for p in folder.rglob("*") if p.is_file()), default=0)
        if manifest.exists() and manifest.stat().st_mtime > newest:
            self.stdout.write(f"static files: {manifest} is up to date")
            return
        self.stdout.write("static files: collecting (hashed, compressed) into STATIC_ROOT…")
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=self._environment(),
            check=True,
        )

    def _environment(self) -> dict[str, str]:
        """The production settings, over plain HTTP on loopback, against the benchmark's database."""
        db = connection.settings_dict
        credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DATABASE_URL": f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "STATIC_ROOT": str(settings.STATIC_ROOT),
            # No TLS on loopback: cookies without Secure, no redirect to https.
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "GUNICORN_ACCESS_LOG": "",
            "LOG_LEVEL": "ERROR",
        }

    def _gunicorn(self, port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
        with log.open("wb") as output:
            return subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "config.wsgi", "--config", "config/gunicorn.conf.py",
                 "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
                cwd=ROOT, env=self._environment(), stdout=output, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def _wait_until_up(self, port: int, server: subprocess.Popen[bytes], log: Path) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise CommandError(f"gunicorn did not answer in 60 s:\n{log.read_text()[-3000:]}")

    def _locust(
        self,
        *,
        port: int,
        users: int,
        admins: int,
        seconds: int,
        max_requests: int,
        managers: list[str],
        think: str,
        spawn_rate: float,
        folder: Path,
    ) -> dict[str, Any]:
        environment = {
            **os.environ,
            "BENCH_LOAD_MONTH": OPEN_MONTH,
            "BENCH_LOAD_CLOSED": MONTHS[-1],
            "BENCH_LOAD_DEPARTMENTS": ",".join(
                str(pk) for pk in Department.objects.filter(name__startswith="Bench ").values_list("pk", flat=True)
            ),
            "BENCH_LOAD_MANAGERS": ",".join(managers),
            "BENCH_LOAD_ADMIN": ADMIN,
            "BENCH_LOAD_ADMINS": str(admins),
            "BENCH_LOAD_PASSWORD": PASSWORD,
            "BENCH_LOAD_MAX_REQUESTS": str(max_requests),
            "BENCH_LOAD_THINK": think,
        }
        self.stdout.write(
            f"locust: {users} users ({users - admins} managers, {admins} admins) for {seconds} s "
            f"or {max_requests} requests, {think} s between requests, {spawn_rate:g} started a second, against gunicorn on 127.0.0.1:{port}"
        )
        result = subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", f"http://127.0.0.1:{port}",
             "--users", str(users), "--spawn-rate", str(spawn_rate), "--run-time", f"{seconds}s", "--stop-timeout", "10",
             "--only-summary", "--skip-log", "--json-file", str(folder / "stats"), "--csv", str(folder / "stats"),
             "Manager", *(["Admin"] if admins else [])],
            cwd=ROOT, env=environment, capture_output=True, text=True, timeout=seconds + 120,
        )  # fmt: skip
        json_path = folder / "stats.json"
        if not json_path.exists():
            raise CommandError(f"locust failed ({result.returncode}):\n{result.stderr[-3000:]}")
        failures = folder / "stats_failures.csv"
        return {
            "endpoints": json.loads(json_path.read_text()),
            "failures": list(csv.DictReader(failures.open())) if failures.exists() else [],
        }

    def _downloads(self, folder: Path) -> None:
        """A closed month's results as CSV and as XLSX, downloaded by the admin from a gunicorn of one
        worker while nothing else runs. One department's CSV first, so that the worker has loaded
        its code and settled before the memory is measured."""
        port, log = _free_port(), folder / "gunicorn-export.log"
        server = self._gunicorn(port, 1, log)
        try:
            self._wait_until_up(port, server, log)
            base = f"http://127.0.0.1:{port}"
            opener = signed_in(base, ADMIN, PASSWORD)
            department = Department.objects.filter(name="Bench 1").values_list("pk", flat=True).first()
            paths = [f"/cycles/{MONTHS[-1]}/results.csv?department={department}"]
            paths += [f"/cycles/{MONTHS[-1]}/results.{extension}" for extension in ("csv", "xlsx")]
            for path in paths:
                self._download_report(download_measure(opener, base, path, server=server.pid))
        finally:
            server.terminate()
            server.wait(timeout=30)

    def _download_report(self, download: Download) -> None:
        rows = f"{download.lines - 1} rows, " if ".csv" in download.path else ""
        line = (
            f"download {download.path}: HTTP {download.status}, {rows}{download.size / 1e6:.1f} MB in "
            f"{download.seconds:.2f} s (first byte after {download.first_byte:.2f} s); the web worker "
            f"{download.worker_before_mb:.0f} MB -> at most {download.worker_peak_mb:.0f} MB, grew {download.growth_mb:.1f} MB"
        )
        if download.path.endswith("results.csv"):
            fast = "within" if download.seconds < TARGET_EXPORT_SECONDS else "ABOVE"
            small = "within" if download.growth_mb < TARGET_EXPORT_GROWTH_MB else "ABOVE"
            line += f": {fast} the {TARGET_EXPORT_SECONDS} s target, {small} the {TARGET_EXPORT_GROWTH_MB} MB one"
        self.stdout.write(line)

    def _memory_report(self, memory: list[tuple[float, float]]) -> None:
        """Each gunicorn worker's memory once the load is over: now (VmRSS) and at most (VmHWM)."""
        if not memory:
            return
        peak = max(most for _now, most in memory)
        within = "within" if peak <= TARGET_WEB_MB else "ABOVE"
        workers = ", ".join(f"{now:.0f} (at most {most:.0f})" for now, most in memory)
        self.stdout.write(f"web workers' memory after the load, MB: {workers}; {within} the {TARGET_WEB_MB} MB target")

    # --- the figures -----------------------------------------------------------------------------

    def _report(self, stats: dict[str, Any], *, users: int, admins: int, seconds: int, web_workers: int) -> None:
        endpoints = sorted(stats["endpoints"], key=lambda e: e["name"])
        rows: list[tuple[str, dict[int, int], int, int, float]] = []
        combined: dict[int, int] = {}
        work: dict[int, int] = {}  # everything but the one login per user
        elapsed = 0.0
        for endpoint in endpoints:
            times = {int(float(k)): v for k, v in endpoint["response_times"].items()}
            total_ms = endpoint["total_response_time"]
            rows.append((endpoint["name"], times, endpoint["num_requests"], endpoint["num_failures"], total_ms))
            elapsed = max(elapsed, endpoint["last_request_timestamp"] - endpoint["start_time"])
            for bucket, count in times.items():
                combined[bucket] = combined.get(bucket, 0) + count
                if "login" not in endpoint["name"]:
                    work[bucket] = work.get(bucket, 0) + count
        total = sum(r[2] for r in rows)
        if not total:
            raise CommandError("Locust made no request.")
        rows.append(("overall", combined, total, sum(r[3] for r in rows), sum(r[4] for r in rows)))
        rows.append(("overall without the logins", work, sum(work.values()), 0, 0.0))
        self.stdout.write(
            f"\n{'endpoint':32} {'requests':>8} {'failures':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}"
        )
        for name, times, requests, failed, _total in rows:
            failures = "" if name.startswith("overall without") else str(failed)
            self.stdout.write(
                f"{name:32} {requests:>8} {failures:>8} {_percentile(times, 0.5):>7} {_percentile(times, 0.95):>7} "
                f"{_percentile(times, 0.99):>7} {max(times, default=0):>7}"
            )
        for failure in stats["failures"][:10]:
            self.stdout.write(
                f"failure: {failure['Method']} {failure['Name']}: {failure['Error']} × {failure['Occurrences']}"
            )
        pages = [row for row in rows[:-2] if "login" not in row[0]]  # a login hashes a password on purpose
        slowest = max(pages, key=lambda row: _percentile(row[1], 0.95))
        slowest_p95 = _percentile(slowest[1], 0.95)
        within = "within" if slowest_p95 <= TARGET_ENDPOINT_P95_MS else "ABOVE"
        self.stdout.write(
            f"slowest endpoint {slowest[0]}: p95 {slowest_p95} ms, {within} the {TARGET_ENDPOINT_P95_MS} ms target"
        )
        p95 = _percentile(work, 0.95)
        verdict = "within" if p95 <= TARGET_P95_MS else "ABOVE"
        self.stdout.write(
            f"\n{total} requests in {elapsed:.0f} s ({total / max(elapsed, 1):.1f}/s), {users} users "
            f"({users - admins} managers, {admins} admins), gunicorn {web_workers} workers, "
            f"cache {os.environ.get('CACHE_URL') or 'in each process (CACHE_URL unset)'}; "
            f"p95 {p95} ms: {verdict} the {TARGET_P95_MS} ms target"
        )


def _teams_form(*, employees: int) -> None:
    """Ten departments, and the bench's people in teams of ~40, each manager with the bench's password."""
    departments = Department.objects.bulk_create([Department(name=f"Bench {n}") for n in range(1, 11)])
    count = max(1, employees // (REPORTS_PER_MANAGER + 1))
    password = make_password(PASSWORD)  # hashed once: the same for every manager
    with connection.cursor() as cursor:
        # The first ``count`` people manage; everybody else reports to manager (n mod count).
        cursor.execute(
            """
            WITH ranked AS (
                SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM people_user WHERE username LIKE %s
            )
            UPDATE people_user u SET
                department_id = (%s::bigint[])[(r.n %% 10) + 1],
                role = CASE WHEN r.n < %s THEN %s ELSE u.role END,
                password = CASE WHEN r.n < %s THEN %s ELSE u.password END,
                manager_id = CASE WHEN r.n >= %s THEN m.id END
            FROM ranked r JOIN ranked m ON m.n = r.n %% %s
            WHERE u.id = r.id
            """,
            [f"{BENCH_PREFIX}%", [d.pk for d in departments], count, Role.MANAGER, count, password, count, count],
        )


def _months_fill(version: PlanVersion) -> None:
    """The closed months with their results and lines, as a close leaves them, and the open month's figures."""
    now = timezone.now()
    Cycle.objects.bulk_create([Cycle(period=m, status=CycleStatus.CLOSED, closed_at=now) for m in MONTHS])
    with connection.cursor() as cursor:
        # Results as a close would leave them (random scores, the plan's bands A ≥ 80, B ≥ 60, C),
        # written by the server: a close itself is bench_close's business.
        cursor.execute(
            """
            INSERT INTO metrics_result (cycle_id, run, period, employee_id, assignment_id, version_id, score,
                                        band, payout, bonus, flags, superseded_at, created_at)
            SELECT c.id, 1, c.period, a.employee_id, a.id, a.version_id, s.score,
                   CASE WHEN s.score >= 80 THEN 'A' WHEN s.score >= 60 THEN 'B' ELSE 'C' END, s.payout,
                   a.monthly_bonus * s.payout / 100,
                   CASE WHEN s.score < 60 THEN '["warning"]'::jsonb ELSE '[]'::jsonb END, NULL, now()
            FROM metrics_cycle c CROSS JOIN plans_assignment a
            CROSS JOIN LATERAL (
                SELECT v.score, CASE WHEN v.score >= 80 THEN 100 WHEN v.score >= 60 THEN 70 ELSE 0 END AS payout
                FROM (SELECT round((20 + random() * 100 + 0 * a.id)::numeric, 2) AS score) v
            ) s
            WHERE c.period = ANY(%s) AND a.version_id = %s
            """,
            [list(MONTHS), version.pk],
        )
        cursor.execute(
            """
            INSERT INTO metrics_resultline (result_id, indicator_id, position, method, actual, target, points,
                                            capped, floored, stretched, missing, months)
            SELECT r.id, i.id, i.position, i.method, e.value, i.target,
                   round((random() * i.weight * 1.2)::numeric, 2), false, false, false, false, 0
            FROM metrics_result r
            JOIN plans_indicator i ON i.version_id = r.version_id AND i.frequency = 'monthly'
            LEFT JOIN metrics_metricentry e
                   ON e.assignment_id = r.assignment_id AND e.indicator_id = i.id AND e.period = r.period
            WHERE r.period = ANY(%s)
            """,
            [list(MONTHS)],
        )
        # The open month: last month's figures again for four cells in five, the rest still due.
        cursor.execute(
            """
            INSERT INTO metrics_metricentry (assignment_id, indicator_id, period, value, inputs, updated_at)
            SELECT e.assignment_id, e.indicator_id, %s, e.value, e.inputs, now()
            FROM metrics_metricentry e JOIN plans_indicator i ON i.id = e.indicator_id
            WHERE e.period = %s AND i.frequency = 'monthly' AND random() < 0.8
            """,
            [OPEN_MONTH, MONTHS[-1]],
        )
        cursor.execute("ANALYZE")
