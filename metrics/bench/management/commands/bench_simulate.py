"""`bench_simulate`: how fast a plan is tried (SPEC.md section 9) on a large company's quarter."""

import cProfile
import io
import pstats
import resource
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from metrics.bench.data import QUARTER, bench_data_create, bench_plan_data
from metrics.results.exports import csv_pieces, simulated_rows
from metrics.results.simulation import plan_simulate, simulation_compare
from plans.periods import Period
from plans.plan_file import PlanDefinition, plan_file_parse


class Command(BaseCommand):
    help = "Create a large company on PostgreSQL and time trying a changed plan on its first quarter."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--employees", type=int, default=10_000)
        parser.add_argument("--indicators", type=int, default=8, help="monthly indicators (plus one quarterly)")
        parser.add_argument("--period", default=QUARTER, help=f"the period tried (default {QUARTER})")
        parser.add_argument("--keep", action="store_true", help="keep the benchmark's database afterwards")
        parser.add_argument("--runs", type=int, default=1, help="how many times the plan is tried on the same data")
        parser.add_argument(
            "--profile", type=int, default=0, metavar="N", help="profile the last run and write its N costliest lines"
        )

    def handle(
        self,
        *args: Any,
        employees: int,
        indicators: int,
        period: str,
        keep: bool,
        runs: int,
        profile: int,
        **options: Any,
    ) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("bench_simulate needs PostgreSQL: set DATABASE_URL.")
        original = connection.settings_dict["NAME"]
        bench_database = f"{original}_bench"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{bench_database}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{bench_database}"')
        connection.close()
        connection.settings_dict["NAME"] = bench_database
        try:
            call_command("migrate", verbosity=0)
            self._run(
                employees=employees, indicators=indicators, period=Period.parse(period), runs=runs, profile=profile
            )
        finally:
            connection.close()
            connection.settings_dict["NAME"] = original
            if not keep:
                with connection.cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{bench_database}"')
            connection.close()

    def _run(self, *, employees: int, indicators: int, period: Period, runs: int, profile: int) -> None:
        started = time.perf_counter()
        data = bench_data_create(employees=employees, indicators=indicators)
        self.stdout.write(
            f"data: {data.employees} employees, {data.entries} figures in {time.perf_counter() - started:.1f} s"
        )
        # The draft: stricter bands and a harder second indicator, so that people move.
        plan = bench_plan_data(indicators)
        plan["bands"][1]["min"] = 65
        plan["indicators"][1]["target"] = 9.5
        definition = plan_file_parse(plan)
        for run in range(1, runs + 1):
            profiler = cProfile.Profile() if profile and run == runs else None
            self._try(definition=definition, period=period, profiler=profiler)
            if profiler is not None:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(profile)
                self.stdout.write(out.getvalue())

    def _try(self, *, definition: PlanDefinition, period: Period, profiler: cProfile.Profile | None) -> None:
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            started, cpu = time.perf_counter(), time.process_time()
            if profiler is not None:
                profiler.enable()
            simulation = plan_simulate(definition=definition, period=period)
            if profiler is not None:
                profiler.disable()
            scored, scored_cpu = time.perf_counter() - started, time.process_time() - cpu
            comparison = simulation_compare(simulation=simulation, bands=[b.label for b in definition.bands])
            compared = time.perf_counter() - started - scored
        started = time.perf_counter()
        size = sum(len(piece) for piece in csv_pieces(simulated_rows(simulation, people=True)))
        written = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        bands = ", ".join(f"{band.label or '-'} {band.after}" for band in comparison.overall.bands)
        self.stdout.write(
            f"{period}: {len(simulation.results)} people scored in {scored:.2f} s (CPU {scored_cpu:.2f} s, "
            f"{len(queries)} queries){' under the profiler' if profiler else ''}, compared in {compared:.2f} s "
            f"(bands after: {bands}), "
            f"CSV of {size / 1e6:.1f} MB written in {written:.2f} s; peak memory {peak:.0f} MB"
        )
