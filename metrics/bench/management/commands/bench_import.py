"""`bench_import`: how long reading and importing a figures file takes, and what reading costs in memory.

Three measures, each printed:

- the file reader on the workbook that once took 17.5 s and 1.4 GB: a sheet that declares itself
  A1:XFD1048576 and holds ``--rows`` rows (time and peak memory, by tracemalloc);
- the same rows as a GB18030 CSV, as Excel on a Chinese Windows saves it;
- ``metrics_import`` of that file for ``--rows`` people, first creating their figures, then
  changing them (the check and the write apart), in a transaction that is rolled back: the
  database is left as it was found. People and the plan are made in 2000, the first year a period
  may be, so that they meet no real period.
"""

import io
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import openpyxl
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction

from metrics.figures.services import metrics_import
from people.management.commands.load_demo import FIGURE_COLUMNS, PLAN_FILE
from people.models import User
from plans.models import Assignment
from plans.plan_file import plan_file_loads
from plans.services import plan_publish
from plans.tabular import Table, table_read

HEADER = FIGURE_COLUMNS  # the seed plan's monthly figures, as the demo enters them


class Rollback(Exception):
    pass


def lying_workbook(rows: int) -> bytes:
    """``rows`` people's figures in a sheet that claims 16,384 columns by a million rows."""
    book = openpyxl.Workbook()
    book.active.append(["x"])
    plain = io.BytesIO()
    book.save(plain)
    cells = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{name}</t></is></c>' for i, name in enumerate(HEADER))
    body = "".join(
        f'<row r="{n + 2}"><c r="A{n + 2}" t="inlineStr"><is><t>bench-{n:06d}</t></is></c>'
        f'<c r="B{n + 2}" t="inlineStr"><is><t>2000-01</t></is></c>'
        f'<c r="C{n + 2}"><v>{n % 5}</v></c><c r="D{n + 2}"><v>50</v></c><c r="E{n + 2}"><v>8.6</v></c>'
        f'<c r="F{n + 2}"><v>{n % 6}</v></c><c r="G{n + 2}"><v>46</v></c><c r="H{n + 2}"><v>48</v></c></row>'
        for n in range(rows)
    )
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:XFD1048576"/><sheetData><row r="1">{cells}</row>{body}</sheetData></worksheet>'
    )
    source, out = zipfile.ZipFile(io.BytesIO(plain.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, sheet if item.filename == "xl/worksheets/sheet1.xml" else source.read(item.filename))
    return out.getvalue()


def gb18030_csv(rows: int, *, satisfaction: str = "8.6") -> bytes:
    lines = [",".join(HEADER)] + [f"bench-{n:06d},2000-01,{n % 5},50,{satisfaction},{n % 6},46,48" for n in range(rows)]
    return ("\r\n".join(lines) + "\r\n").encode("gb18030")


def measured(read: Callable[[], Table]) -> tuple[Table, float, float]:
    """The table, the seconds it took, and the peak memory of a second read (tracemalloc slows it)."""
    started = time.perf_counter()
    table = read()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    try:
        read()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return table, seconds, peak / 1024 / 1024


class Command(BaseCommand):
    help = "Time reading and importing a figures file (rolled back)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=10_000)

    def handle(self, *args: Any, rows: int, **options: Any) -> None:
        workbook = lying_workbook(rows)
        table, seconds, peak = measured(lambda: table_read(workbook))
        self.stdout.write(
            f"XLSX claiming A1:XFD1048576, {len(workbook) / 1024:.0f} KB, {len(table.rows):,} rows: "
            f"read in {seconds:.2f} s, peak {peak:.1f} MB"
        )
        text = gb18030_csv(rows)
        table, seconds, peak = measured(lambda: table_read(text))
        self.stdout.write(
            f"GB18030 CSV, {len(text) / 1024:.0f} KB, {len(table.rows):,} rows: read in {seconds:.2f} s, peak {peak:.1f} MB"
        )
        try:
            with transaction.atomic():
                self._import(rows)
                raise Rollback
        except Rollback:
            pass

    def _import(self, rows: int) -> None:
        definition = replace(plan_file_loads(PLAN_FILE.read_bytes()), code="bench-import")
        version = plan_publish(definition=definition).version
        people = User.objects.bulk_create(
            [User(username=f"bench-{n:06d}", display_name=f"bench {n}", password="!") for n in range(rows)],
            batch_size=2000,
        )
        Assignment.objects.bulk_create(
            [Assignment(employee=person, version=version, start="2000-01") for person in people], batch_size=2000
        )
        for label, satisfaction in (("new figures", "8.6"), ("changed figures", "9.1")):
            table = table_read(gb18030_csv(rows, satisfaction=satisfaction))
            started = time.perf_counter()
            queries = len(connection.queries)
            outcome = metrics_import(table=table)
            self.stdout.write(
                f"metrics_import of {rows:,} rows ({label}: {outcome.created:,} new, {outcome.changed:,} changed) "
                f"on {connection.vendor}: {time.perf_counter() - started:.2f} s"
                + (f", {len(connection.queries) - queries} queries" if connection.queries_logged else "")
            )
