"""`bench_api`: the API's two numbers (issue 14), through the whole Django stack in-process.

- ``POST /api/v1/figures/`` of ``--rows`` rows (10,000, the most a request takes), new figures
  then changed ones, with a token;
- every result of a period of ``--employees`` people (100,000) read through the cursor pages of
  ``GET /api/v1/periods/{period}/results/``, 1,000 a page.

Everything is written in a transaction that is rolled back: the database is left as it was found.
People and the plan are made in 2000, the first year a period may be, so they meet no real period.
"""

import json
import random
import time
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test import Client, override_settings

from metrics.api.models import Scope
from metrics.api.tokens import api_token_create
from metrics.cycles.models import Cycle, CycleStatus
from metrics.results.models import Result
from people.management.commands.load_demo import PLAN_FILE
from people.models import User
from plans.models import Assignment
from plans.plan_file import plan_file_loads
from plans.services import plan_publish


class Rollback(Exception):
    pass


def figure_rows(rows: int, satisfaction: str) -> list[dict[str, Any]]:
    return [
        {
            "employee": f"bench-api-{n:06d}",
            "period": "2000-01",
            "churn.lost": n % 5,
            "churn.total": 50,
            "satisfaction": satisfaction,
            "new_customers": n % 6,
            "feedback.ok": 46,
            "feedback.total": 48,
        }
        for n in range(rows)
    ]


def _analyze(*tables: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(tables)}")


class Command(BaseCommand):
    help = "Time the API: sending 10,000 rows of figures, reading 100,000 results by cursor pages (rolled back)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=10_000)
        parser.add_argument("--employees", type=int, default=100_000)

    def handle(self, *args: Any, rows: int, employees: int, **options: Any) -> None:
        try:
            with transaction.atomic(), override_settings(API_RATE_LIMIT=1_000_000, ALLOWED_HOSTS=["*"]):
                self._measure(rows=rows, employees=max(employees, rows))
                raise Rollback
        except Rollback:
            pass

    def _measure(self, *, rows: int, employees: int) -> None:
        definition = replace(plan_file_loads(PLAN_FILE.read_bytes()), code="bench-api")
        version = plan_publish(definition=definition).version
        people = User.objects.bulk_create(
            [User(username=f"bench-api-{n:06d}", display_name=f"bench {n}", password="!") for n in range(employees)],
            batch_size=5000,
        )
        assignments = Assignment.objects.bulk_create(
            [Assignment(employee=person, version=version, start="2000-01") for person in people], batch_size=5000
        )
        # People are there long before figures about them come, and autovacuum has seen them.
        _analyze(User._meta.db_table, Assignment._meta.db_table)
        secret = api_token_create(name="bench-api", scopes=Scope.values).secret
        client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        for label, satisfaction in (("new figures", "8.6"), ("changed figures", "9.1")):
            body = json.dumps({"rows": figure_rows(rows, satisfaction)})
            started = time.perf_counter()
            response = client.post("/api/v1/figures/", body, content_type="application/json")
            seconds = time.perf_counter() - started
            answer = response.json()
            self.stdout.write(
                f"POST /api/v1/figures/ of {rows:,} rows ({label}, {len(body) / 1024:.0f} KB) on {connection.vendor}: "
                f"{seconds:.2f} s, HTTP {response.status_code}, {answer.get('created')} new, {answer.get('changed')} changed"
            )
        self._results(client, version_id=version.pk, assignments=assignments)

    def _results(self, client: Client, *, version_id: int, assignments: list[Assignment]) -> None:
        cycle = Cycle.objects.create(period="2000-02", status=CycleStatus.CLOSED)
        rng = random.Random(1)
        Result.objects.bulk_create(
            [
                Result(
                    cycle=cycle,
                    run=1,
                    period="2000-02",
                    employee_id=assignment.employee_id,
                    assignment=assignment,
                    version_id=version_id,
                    score=Decimal(rng.randint(4000, 12000)) / 100,
                    band="B",
                    payout=Decimal("80.00"),
                    bonus=Decimal("1600.00"),
                    flags=[],
                )
                for assignment in assignments
            ],
            batch_size=5000,
        )
        # What a real close does last (metrics/results/closing.py): the planner has not seen these
        # rows, made in this transaction, and otherwise sorts the period's results for each page.
        _analyze(Result._meta.db_table)
        url: str | None = "/api/v1/periods/2000-02/results/?page_size=1000"
        read = pages = 0
        started = time.perf_counter()
        while url:
            response = client.get(url)
            page = response.json()
            read += len(page["results"])
            pages += 1
            url = page["next"]
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"GET /api/v1/periods/2000-02/results/: {read:,} results in {pages} cursor pages of 1,000 "
            f"on {connection.vendor}: {seconds:.2f} s ({seconds / pages * 1000:.0f} ms a page)"
        )
