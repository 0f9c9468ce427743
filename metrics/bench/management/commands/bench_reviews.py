"""`bench_reviews`: how long HR's opening of a quarter's reviews takes for a whole company.

``--employees`` people on the benchmark plan from 2000-01 (the first month a period may be, far
from any real one); HR opens their 2000-Q1 reviews (``reviews_open_many``), then again (every
review exists: nothing is written). Each is printed with its seconds, chunks and queries.

On SQLite everything happens in a transaction that is rolled back; on PostgreSQL in a database of
the benchmark's own next to the configured one (``<name>_reviews``), dropped at the end.
"""

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from metrics.bench.data import bench_plan_data
from people.models import Role, User
from people.names import name_sort_key
from plans.models import Assignment
from plans.periods import Period
from plans.plan_file import plan_file_parse
from plans.services import plan_publish
from reviews.opening import OPEN_CHUNK_SIZE, reviews_open_many

QUARTER = Period.parse("2000-Q1")
BATCH = 2000


class Rollback(Exception):
    pass


def _company(employees: int) -> User:
    """``employees`` people assigned the benchmark plan from 2000-01, and an HR user."""
    version = plan_publish(definition=plan_file_parse({**bench_plan_data(4), "code": "bench-reviews"})).version
    User.objects.bulk_create(
        [
            User(
                username=f"bench-review-{n:06d}",
                display_name=f"员工{n}",
                name_sort=name_sort_key(f"员工{n}"),
                password="!",
            )
            for n in range(employees)
        ],
        batch_size=BATCH,
    )
    people = User.objects.filter(username__startswith="bench-review-").values_list("pk", flat=True)
    Assignment.objects.bulk_create(
        [Assignment(employee_id=pk, version=version, start="2000-01") for pk in people], batch_size=BATCH
    )
    return User.objects.create(username="bench-review-hr", role=Role.HR, password="!")


class Command(BaseCommand):
    help = "Time HR opening a quarter's reviews for N employees (rolled back, or a database of its own)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--employees", type=int, default=10_000)
        parser.add_argument("--chunk", type=int, default=OPEN_CHUNK_SIZE, help="people a chunk")

    def handle(self, *args: Any, employees: int, chunk: int, **options: Any) -> None:
        if employees < 1 or chunk < 1:
            raise CommandError("--employees and --chunk must be at least 1.")
        if connection.vendor != "postgresql":
            try:
                with transaction.atomic():
                    self._run(employees, chunk)
                    raise Rollback
            except Rollback:
                self.stdout.write("rolled back: the database is as it was.")
            return
        original = connection.settings_dict["NAME"]
        name = f"{original}_reviews"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()
        connection.settings_dict["NAME"] = name
        try:
            call_command("migrate", verbosity=0)
            self._run(employees, chunk)
        finally:
            connection.close()
            connection.settings_dict["NAME"] = original
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.close()

    def _run(self, employees: int, chunk: int) -> None:
        started = time.perf_counter()
        hr = _company(employees)
        self.stdout.write(
            f"{connection.vendor}: {employees:,} employees on a plan, made in {time.perf_counter() - started:.1f} s"
        )
        for label in ("first opening", "again (all exist)"):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                outcome = reviews_open_many(period=QUARTER, user=hr, chunk_size=chunk)
                seconds = time.perf_counter() - started
            self.stdout.write(
                f"{label}: {outcome.opened:,} opened, {outcome.existed:,} existed in {seconds:.2f} s; "
                f"{len(queries)} queries in {outcome.chunks} chunks of {chunk:,} "
                f"({(len(queries) - 1) / max(outcome.chunks, 1):.1f} a chunk, plus 1 to list the people)"
            )
