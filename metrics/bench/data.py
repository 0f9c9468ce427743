"""Data and measurements for `bench_close`: a large company on PostgreSQL, made with COPY.

Not used by the product itself: the benchmark's own helpers, kept apart from the services.
"""

import cProfile
import io
import pstats
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from metrics.cycles.models import Cycle, CycleStatus
from metrics.figures.models import MetricEntry
from metrics.figures.pgcopy import rows_insert
from metrics.results.chunks import chunk_results_write, chunk_score_month
from metrics.results.models import Result, ResultLine
from people.models import Role, User
from people.names import name_sort_key
from plans.models import Assignment, Indicator, PlanVersion
from plans.periods import Period
from plans.plan_file import plan_file_parse
from plans.services import plan_publish

BENCH_PREFIX = "bench"
# The benchmark runs in a database of its own; its periods are far from any real ones all the same:
# the first a period may be (2000), long ended, so that they can close.
MONTHS = ("2000-01", "2000-02", "2000-03")
QUARTER = "2000-Q1"

# The monthly indicators cycle through every method, so the close does every kind of work.
_SHAPES: list[dict[str, Any]] = [
    {"method": "proportional", "direction": "lower", "target": 5, "cap": 1.2, "formula": "lost / total * 100", "inputs": ["lost", "total"], "stretch": {"target": 3, "bonus": 5}},
    {"method": "proportional", "direction": "higher", "target": 9, "cap": 1.1},
    {"method": "per_unit", "direction": "higher", "target": 3, "penalty_per_unit": 5, "bonus_per_unit": 2, "cap": 1.25},
    {"method": "tiers", "direction": "higher", "tiers": [[95, 15], [90, 12], [80, 8]], "formula": "ok / total * 100", "inputs": ["ok", "total"]},
    {"method": "binary", "direction": "higher", "target": 1},
    {"method": "proportional", "direction": "higher", "target": 100, "floor": 0.5},
]  # fmt: skip


def bench_plan_data(indicators: int) -> dict[str, Any]:
    """A plan with ``indicators`` monthly indicators and one quarterly rating; weights add to 100."""
    quarterly_weight = 10
    weights = [(100 - quarterly_weight) // indicators] * indicators
    weights[0] += 100 - quarterly_weight - sum(weights)
    items = []
    for index in range(indicators):
        shape = dict(_SHAPES[index % len(_SHAPES)])
        if shape["method"] == "tiers":
            top = weights[index]
            # Decimal: 12 * 0.8 in floats is 9.600000000000001, which a plan refuses (SPEC.md section 7)
            shape["tiers"] = [[95, top], [90, top * Decimal("0.8")], [80, top * Decimal("0.5")]]
        items.append(
            {
                "code": f"i{index + 1}",
                "name": f"Indicator {index + 1}",
                "frequency": "monthly",
                "weight": weights[index],
                **shape,
            }
        )
    items.append(
        {
            "code": "collaboration",
            "name": "Collaboration",
            "frequency": "quarterly",
            "weight": quarterly_weight,
            "method": "rating",
            "scale": 10,
        }
    )
    return {
        "code": f"{BENCH_PREFIX}-plan",
        "name": "Benchmark plan",
        "indicators": items,
        "bands": [{"min": 80, "label": "A", "payout": 100}, {"min": 60, "label": "B", "payout": 70}, {"min": 0, "label": "C", "payout": 0, "flag": "warning"}],
        "streak": {"months": 3, "min_score": 90, "flag": "promotion_candidate"},
    }  # fmt: skip


def _actual(rng: random.Random, indicator: Indicator) -> tuple[Decimal | None, str]:
    """A plausible value (or inputs as JSON) for one indicator."""
    if indicator.formula and indicator.inputs == ["lost", "total"]:
        lost, total = rng.randint(0, 4), rng.randint(30, 60)
        return (Decimal(lost * 100) / total).quantize(Decimal("0.0001")), f'{{"lost": "{lost}", "total": "{total}"}}'
    if indicator.formula:
        total = rng.randint(20, 50)
        ok = rng.randint(int(total * 0.8), total)
        return (Decimal(ok * 100) / total).quantize(Decimal("0.0001")), f'{{"ok": "{ok}", "total": "{total}"}}'
    if indicator.method == "binary":
        return Decimal(rng.randint(0, 1)), "{}"
    if indicator.method == "rating":
        return Decimal(rng.randint(50, 100)) / 10, "{}"
    target = indicator.target or Decimal(1)
    return (target * Decimal(rng.randint(60, 130)) / 100).quantize(Decimal("0.01")), "{}"


@dataclass(frozen=True)
class BenchData:
    version: PlanVersion
    employees: int
    entries: int


@transaction.atomic
def bench_data_create(*, employees: int, indicators: int, seed: int = 1) -> BenchData:
    """Employees on a benchmark plan with three months of figures and the quarter's ratings."""
    version = plan_publish(definition=plan_file_parse(bench_plan_data(indicators))).version
    now = timezone.now()
    # rows_insert: COPY on PostgreSQL, one batch of INSERTs on SQLite (the embedded close's bench).
    rows_insert(
        User,
        ["password", "is_superuser", "username", "first_name", "last_name", "email", "is_staff", "is_active", "date_joined", "display_name", "name_sort", "role", "language"],
        (("!", False, f"{BENCH_PREFIX}{n:07d}", "", "", "", False, True, now, f"Bench {n}", name_sort_key(f"Bench {n}"), Role.EMPLOYEE, "") for n in range(employees)),
    )  # fmt: skip
    ids = list(
        User.objects.filter(username__startswith=BENCH_PREFIX).order_by("pk").values_list("pk", flat=True)[:employees]
    )
    rows_insert(
        Assignment,
        ["employee", "version", "start", "monthly_bonus", "quarterly_bonus", "annual_bonus", "created_at", "updated_at"],
        ((pk, version.pk, MONTHS[0], Decimal("2000.00"), Decimal("6000.00"), Decimal("24000.00"), now, now) for pk in ids),
    )  # fmt: skip
    assignment_ids = list(Assignment.objects.filter(version=version).values_list("pk", flat=True))
    rng = random.Random(seed)
    rows = version.indicators.order_by("position")

    def entries() -> Iterator[tuple[object, ...]]:
        for indicator in rows:
            periods = MONTHS if indicator.frequency == "monthly" else (QUARTER,)
            for period in periods:
                for assignment_id in assignment_ids:
                    value, inputs = _actual(rng, indicator)
                    yield (assignment_id, indicator.pk, period, value, inputs, now)

    count = rows_insert(MetricEntry, ["assignment", "indicator", "period", "value", "inputs", "updated_at"], entries())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return BenchData(version=version, employees=len(ids), entries=count)


@contextmanager
def timed() -> Iterator[list[float]]:
    box: list[float] = []
    started = time.perf_counter()
    yield box
    box.append(time.perf_counter() - started)


@dataclass(frozen=True)
class Floors:
    """The least a close could cost, two ways (seconds)."""

    lines: float  # read once, COPY a result and a row per indicator score, into indexed tables
    breakdown: float  # read once, COPY one row a person with its breakdown in one column


def floor_seconds(*, period: str) -> Floors:
    """The least a close of ``period`` could cost: read its inputs once, COPY its rows.

    Reads what the close reads (a month's figures; a quarter's monthly result lines and its
    own figures), then COPYs rows into temporary tables shaped like the real ones, with their
    indexes (foreign keys aside): once as many result and result-line rows as the close wrote
    (what the close does), once one row a person with the lines as a JSON breakdown in a column
    of the result (what it would cost with no line table at all).
    """
    results = Result.objects.filter(period=period, superseded_at__isnull=True)
    result_count = results.count()
    line_count = ResultLine.objects.filter(result__in=results).count()
    per_person = line_count // result_count if result_count else 0
    now = timezone.now().isoformat()
    lines = _floor(period, result_count=result_count, line_count=line_count, breakdown=None, now=now)
    line = '["i1", "proportional", "1.000000", "1.000000", "10.00", false, false, false, false, 0]'
    breakdown = "[" + ", ".join([line] * per_person) + "]"
    one_row = _floor(period, result_count=result_count, line_count=0, breakdown=breakdown, now=now)
    return Floors(lines=lines, breakdown=one_row)


def _floor(period: str, *, result_count: int, line_count: int, breakdown: str | None, now: str) -> float:
    months = list(MONTHS) if period == QUARTER else []
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT assignment_id, indicator_id, value FROM metrics_metricentry WHERE period = %s", [period])
        cursor.fetchall()
        if months:
            cursor.execute(
                "SELECT r.employee_id, r.period, l.indicator_id, l.points FROM metrics_resultline l "
                "JOIN metrics_result r ON r.id = l.result_id WHERE r.period = ANY(%s) AND r.superseded_at IS NULL",
                [months],
            )
            cursor.fetchall()
        # Tables like the real ones, their indexes included: writing a result row means updating them.
        cursor.execute(f"CREATE TEMP TABLE floor_result (LIKE {Result._meta.db_table} INCLUDING ALL) ON COMMIT DROP")
        extra, extra_column = "", ""
        if breakdown is not None:
            cursor.execute("ALTER TABLE floor_result ADD COLUMN breakdown jsonb NOT NULL")
            extra, extra_column = f"\t{breakdown}", ", breakdown"
        result_rows = io.StringIO(
            "".join(
                f"{n}\t1\t1\t{period}\t{n}\t{n}\t1\t100.00\tA\t100.00\t2000.00\t[]\t\\N\t{now}{extra}\n"
                for n in range(result_count)
            )
        )
        cursor.copy_expert(
            "COPY floor_result (id, cycle_id, run, period, employee_id, assignment_id, version_id, score, band,"
            f" payout, bonus, flags, superseded_at, created_at{extra_column}) FROM STDIN",
            result_rows,
        )
        if line_count:
            cursor.execute(
                f"CREATE TEMP TABLE floor_line (LIKE {ResultLine._meta.db_table} INCLUDING ALL) ON COMMIT DROP"
            )
            line_rows = io.StringIO(
                "".join(
                    f"{n}\t{n}\t1\t0\tproportional\t1.000000\t1.000000\t10.00\tf\tf\tf\tf\t0\n"
                    for n in range(line_count)
                )
            )
            cursor.copy_expert(
                "COPY floor_line (id, result_id, indicator_id, position, method, actual, target, points, capped,"
                " floored, stretched, missing, months) FROM STDIN",
                line_rows,
            )
    return time.perf_counter() - started


def close_profile(*, period: str, employees: int, lines: int = 20) -> str:
    """cProfile of one process closing ``period`` for the first ``employees`` people, chunk by
    chunk as a worker does (score, then write), in a transaction rolled back; the text of the
    profile's costliest lines, by own time and by cumulative time."""
    month = Period.parse(period)
    ids = list(
        User.objects.filter(username__startswith=BENCH_PREFIX).order_by("pk").values_list("pk", flat=True)[:employees]
    )
    size = settings.CLOSE_CHUNK_SIZE
    profiler = cProfile.Profile()
    started = time.perf_counter()
    with transaction.atomic():
        cycle = Cycle.objects.create(period=period, status=CycleStatus.CLOSING)
        profiler.enable()
        for start in range(0, len(ids), size):
            chunk_results_write(cycle, chunk_score_month(month, ids[start : start + size]))
        profiler.disable()
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    out = io.StringIO()
    out.write(f"profile: {len(ids)} employees of {period} in {seconds:.2f} s (profiled)\n")
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(lines)
    stats.sort_stats("cumulative").print_stats(lines)
    return out.getvalue()
