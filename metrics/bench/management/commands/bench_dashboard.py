"""`bench_dashboard`: how long the dashboard's reads take at a given number of employees.

The data (a plan of its own, people, three closed months of results and an open month of
figures, all in 2000, the first year a period may be, so that they meet no real period) is written with ``bulk_create`` in one
transaction that is rolled back at the end: the database is left as it was found.
"""

import json
import random
import statistics
import time
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from metrics.cycles.models import Cycle, CycleStatus
from metrics.figures.models import MetricEntry
from metrics.results.dashboards import DashboardFilters, dashboard
from metrics.results.models import Result, ResultLine
from people.models import Department, User
from people.names import name_sort_key
from plans.models import Assignment, Indicator, PlanVersion
from plans.plan_file import plan_file_parse
from plans.scoring import Frequency, band_for, bonus_for
from plans.selectors import VersionRules, version_rules
from plans.services import plan_publish

PLAN_CODE = "bench-dashboard"
CLOSED_MONTHS = ("2000-01", "2000-02", "2000-03")
OPEN_MONTH = "2000-04"
BATCH = 2000
DUMMY_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bench-dashboard"}}


class Rollback(Exception):
    pass


def bench_data_create(*, employees: int, prefix: str = "bench", seed: int = 2090) -> PlanVersion:
    """A plan, ``employees`` people in five departments, their results and an open month's figures."""
    rng = random.Random(seed)
    path = apps.get_app_config("plans").path + "/templates_library/customer-manager.zh-hans.json"
    with open(path, encoding="utf-8") as file:
        data = json.load(file)
    data["code"] = f"{prefix}-dashboard"
    version = plan_publish(definition=plan_file_parse(data)).version
    rules = version_rules(version_ids=[version.pk])[version.pk]
    monthly = [i for i in rules.indicators.values() if i.frequency == Frequency.MONTHLY]
    people, assignments = _people_assigned(employees=employees, prefix=prefix, version=version)
    for month in CLOSED_MONTHS:
        _month_results_create(month, people, assignments, rules, monthly, rng)
    MetricEntry.objects.bulk_create(
        [
            MetricEntry(assignment=assignment, indicator=indicator, period=OPEN_MONTH, value=Decimal(1))
            for assignment in assignments
            for indicator in monthly
            if rng.random() < 0.9
        ],
        batch_size=BATCH,
    )
    return version


def _people_assigned(*, employees: int, prefix: str, version: PlanVersion) -> tuple[list[User], list[Assignment]]:
    """``employees`` people in five departments, each assigned ``version`` from the first closed month."""
    departments = [Department.objects.get_or_create(name=f"{prefix} {n}")[0] for n in range(1, 6)]
    people = User.objects.bulk_create(
        [
            User(
                username=f"{prefix}-{n:06d}",
                display_name=f"{prefix} {n}",
                name_sort=name_sort_key(f"{prefix} {n}"),
                password="!",
                department=departments[n % 5],
            )
            for n in range(employees)
        ],
        batch_size=BATCH,
    )
    if people[0].pk is None:  # a database that does not return ids from bulk inserts
        people = list(User.objects.filter(username__startswith=f"{prefix}-").order_by("username"))
    assignments = Assignment.objects.bulk_create(
        [
            Assignment(
                employee=p, version=version, start=CLOSED_MONTHS[0], monthly_bonus=Decimal(2000), quarterly_bonus=6000
            )
            for p in people
        ],
        batch_size=BATCH,
    )
    return people, assignments


def _month_results_create(
    month: str,
    people: list[User],
    assignments: list[Assignment],
    rules: VersionRules,
    monthly: list[Indicator],
    rng: random.Random,
) -> None:
    """A closed month: its cycle, a result of random score for each person, and its lines."""
    cycle, _created = Cycle.objects.get_or_create(
        period=month, defaults={"status": CycleStatus.CLOSED, "closed_at": timezone.now()}
    )
    results = []
    for person, assignment in zip(people, assignments, strict=True):
        score = Decimal(rng.uniform(20, 125)).quantize(Decimal("0.01"))
        band = band_for(rules.rules.bands, score)
        payout = band.payout if band else Decimal(0)
        results.append(
            Result(
                cycle=cycle,
                run=1,
                period=month,
                employee=person,
                assignment=assignment,
                version=assignment.version,
                score=score,
                band=band.label if band else "",
                payout=payout,
                bonus=bonus_for(Decimal(2000), payout),
                flags=[band.flag] if band and band.flag else [],
            )
        )
    results = Result.objects.bulk_create(results, batch_size=BATCH)
    if results[0].pk is None:
        results = list(Result.objects.filter(cycle=cycle, employee__in=people).order_by("employee__username"))
    ResultLine.objects.bulk_create(
        [
            ResultLine(
                result=result,
                indicator=indicator,
                position=position,
                method=indicator.method,
                actual=None,
                target=indicator.target,
                points=Decimal(rng.uniform(0, float(indicator.weight) * 1.2)).quantize(Decimal("0.01")),
            )
            for result in results
            for position, indicator in enumerate(monthly)
        ],
        batch_size=BATCH,
    )


class Command(BaseCommand):
    help = "Time the dashboard's reads at N employees (the data is written, timed and rolled back)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--employees", type=int, default=10000)
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args: Any, employees: int, runs: int, **options: Any) -> None:
        if employees < 1 or runs < 1:
            raise CommandError("--employees and --runs must be at least 1.")
        try:
            with transaction.atomic():
                started = time.perf_counter()
                bench_data_create(employees=employees)
                # Fresh statistics, as autovacuum (or SQLite's optimizer) would have on a real
                # database: without them PostgreSQL plans the new rows' joins several times slower.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
                self.stdout.write(
                    f"{connection.vendor}: {employees} employees, {len(CLOSED_MONTHS)} months of results "
                    f"written in {time.perf_counter() - started:.2f} s"
                )
                # The benchmark's month by name: a database with real results has later ones.
                month = CLOSED_MONTHS[-1]
                for label, filters in (
                    (f"plan {PLAN_CODE}", DashboardFilters(period=month, plan=PLAN_CODE)),
                    (
                        "plan and department",
                        DashboardFilters(period=month, plan=PLAN_CODE, department_id=self._department()),
                    ),
                    ("everything", DashboardFilters(period=month)),
                ):
                    counted = self._times(filters, runs, DUMMY_CACHE)
                    cached = self._times(filters, runs + 1, LOCAL_CACHE)[1:]  # the first fills the cache
                    self.stdout.write(
                        f"dashboard ({label}): median {statistics.median(counted) * 1000:.1f} ms counted, "
                        f"{statistics.median(cached) * 1000:.1f} ms from the cache, over {runs} runs"
                    )
                raise Rollback
        except Rollback:
            self.stdout.write("rolled back: the database is as it was.")

    def _times(self, filters: DashboardFilters, runs: int, caches: dict[str, Any]) -> list[float]:
        """Seconds of each of ``runs`` dashboards, with a cache of the benchmark's own: the
        data is rolled back at the end, and must not linger in the site's cache."""
        times = []
        with override_settings(CACHES=caches):
            for _run in range(runs):
                started = time.perf_counter()
                dashboard(filters=filters)
                times.append(time.perf_counter() - started)
        return times

    def _department(self) -> int:
        return Department.objects.get(name="bench 1").pk
