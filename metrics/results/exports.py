"""The scores export of SPEC.md section 4: the one writer of its rows, for ``export_scores`` and
the results page's downloads (CSV and XLSX).

Rows are read a batch at a time (``iterator``: a server-side cursor on PostgreSQL) with the
batch's indicator points in one more query, and written as they come: a period of 100,000
people goes out in constant memory (``bench_load --export``).
"""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import islice

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from metrics.cycles.models import CycleStatus
from metrics.cycles.selectors import cycle_status
from metrics.results.dashboard_export import Cell, cell_safe
from metrics.results.models import Result, ResultLine
from metrics.results.simulation import Simulation
from plans.errors import ApplicationError
from plans.formats import period_text
from plans.models import Indicator
from plans.periods import Period

FIXED_COLUMNS = ["employee", "period", "score", "band", "payout", "bonus", "flags"]
# The results page's downloads add who each person is, after the columns of SPEC.md, so that a
# file read by its first columns reads the same as export_scores'.
PEOPLE_COLUMNS = ["name", "department"]
EXPORT_BATCH = 2000  # results read at a time, with their lines
PIECE_CHARS = 64 * 1024  # what a streamed download sends at a time
MONEY_FORMAT = "0.00"


class ExportRefused(ApplicationError):
    pass


def results_of(*, period: Period) -> QuerySet[Result]:
    """The period's results that count now (not superseded), whatever its cycle's status."""
    return Result.objects.filter(period=str(period), superseded_at__isnull=True)


def score_codes(indicators: Iterable[tuple[int, str]]) -> list[str]:
    """The indicator columns: each plan's order, several plans: each new code after the ones before."""
    codes: dict[str, None] = {}
    for _pk, code in indicators:
        codes.setdefault(code)
    return list(codes)


def scores_rows(results: QuerySet[Result], *, people: bool = False) -> Iterator[Sequence[Cell]]:
    """The header, then one row a result by employee: ``employee,period,score,band,payout,bonus,
    flags,<indicator>...`` (and ``name,department`` with ``people``).

    Numbers are Decimals with their two places; an indicator that does not apply to the period,
    or to the employee's plan, is empty. Text cells that a spreadsheet would run as a formula get
    a quote, as in the dashboard's exports.
    """
    version_ids = set(results.order_by().values_list("version_id", flat=True).distinct())
    indicators = list(
        Indicator.objects.filter(version_id__in=version_ids)
        .order_by("version__template_id", "version__number", "position")
        .values_list("pk", "code")
    )
    codes, code_of = score_codes(indicators), dict(indicators)
    yield FIXED_COLUMNS + codes + (PEOPLE_COLUMNS if people else [])
    fields = ["pk", "employee__username", "period", "score", "band", "payout", "bonus", "flags"]
    if people:
        fields += ["employee__display_name", "employee__department__name"]
    rows = results.order_by("employee__username").values_list(*fields).iterator(chunk_size=EXPORT_BATCH)
    while batch := list(islice(rows, EXPORT_BATCH)):
        points: dict[int, dict[str, Decimal]] = {}
        for result_id, indicator_id, value in ResultLine.objects.filter(
            result_id__in=[row[0] for row in batch]
        ).values_list("result_id", "indicator_id", "points"):
            points.setdefault(result_id, {})[code_of[indicator_id]] = value
        for pk, employee, period, score, band, payout, bonus, flags, *who in batch:
            yield _score_row(employee, period, score, band, payout, bonus, flags, points.get(pk, {}), codes, who)


def _score_row(
    employee: str,
    period: object,
    score: Decimal,
    band: str,
    payout: Decimal,
    bonus: Decimal,
    flags: Iterable[str],
    points: dict[str, Decimal],
    codes: Sequence[str],
    extra: Sequence[str | Decimal],
) -> list[Cell]:
    """One row of the scores export, whether a close stored it or a simulation computed it."""
    return [
        cell_safe(employee),
        str(period),
        score,
        cell_safe(band),
        payout,
        bonus,
        cell_safe(";".join(sorted(flags))),
        *(points.get(code, "") for code in codes),
        *(value if isinstance(value, Decimal) else cell_safe(value or "") for value in extra),
    ]


# A simulation's download adds, after the people, what the published version's close stored.
STORED_COLUMNS = ["published_score", "published_band", "published_bonus"]


def simulated_rows(simulation: Simulation, *, people: bool = False) -> Iterator[Sequence[Cell]]:
    """A simulation (SPEC.md section 9) as the scores export: the same columns, the file's
    indicators; with ``people``, who each person is and the published version's stored result
    (empty where the period is not closed for them)."""
    codes = list(simulation.codes)
    yield FIXED_COLUMNS + codes + (PEOPLE_COLUMNS + STORED_COLUMNS if people else [])
    for item in simulation.results:
        result, stored = item.result, item.stored
        extra: list[str | Decimal] = []
        if people:
            extra = [item.person.name, item.person.department]
            extra += [stored.score, stored.band, stored.bonus] if stored else ["", "", ""]
        yield _score_row(
            item.person.username,
            simulation.period,
            result.score,
            result.band,
            result.payout,
            result.bonus,
            result.flags,
            {line.code: line.points for line in result.lines},
            codes,
            extra,
        )


def _csv_cell(value: Cell) -> str | int:
    return f"{value:.2f}" if isinstance(value, Decimal) else value


def csv_pieces(rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    """``rows`` as CSV (numbers with exactly two decimals), in pieces of about ``PIECE_CHARS``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
        if out.tell() >= PIECE_CHARS:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    if out.tell():
        yield out.getvalue()


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Cell) -> object:
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = MONEY_FORMAT
        return cell
    return value


def xlsx_pieces(rows: Iterable[Sequence[Cell]], *, title: str) -> Iterator[bytes]:
    """``rows`` as an Excel workbook of one sheet (numbers as numbers, shown with two decimals).

    openpyxl's write-only workbook keeps the rows in a temporary file, not in memory, and the
    finished workbook is sent from another, a piece at a time.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("".join(ch for ch in title if ch not in ":\\/?*[]")[:31] or "1")
    for row in rows:
        sheet.append([_xlsx_cell(sheet, cell) for cell in row])
    with tempfile.TemporaryFile() as file:
        workbook.save(file)
        file.seek(0)
        while piece := file.read(PIECE_CHARS):
            yield piece


def scores_csv(*, period: Period) -> str:
    """The scores CSV of what a period's closes wrote so far, as ``export_scores`` writes it
    (SPEC.md section 8: all of it once the period is closed)."""
    status = cycle_status(period=period)
    if status == CycleStatus.CLOSING:
        raise ExportRefused(
            _("%(period)s is being closed: export its scores once that close is done.")
            % {"period": period_text(period)}
        )
    results = results_of(period=period)
    if status != CycleStatus.CLOSED and not results.exists():
        raise ExportRefused(
            _("%(period)s is not closed: it has no scores to export yet.") % {"period": period_text(period)}
        )
    return "".join(csv_pieces(scores_rows(results)))
