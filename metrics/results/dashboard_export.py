"""The dashboard's tables as CSV and XLSX files.

A spreadsheet treats a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula, so a
department or person named ``=HYPERLINK(...)`` could run something on HR's machine: every text
cell that begins with one of them (or with a tab or carriage return, which some programs skip)
gets a leading single quote. Numbers are written as numbers.
"""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook

from metrics.results.dashboards import Dashboard

Cell = str | int | Decimal
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportTable:
    title: str
    header: list[str]
    rows: list[list[Cell]]


def cell_safe(value: Cell) -> Cell:
    """A text cell that a spreadsheet would read as a formula, neutralised with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def dashboard_tables(board: Dashboard) -> list[ExportTable]:
    period = board.period
    return [
        ExportTable(
            _("Bands per period"),
            [_("Period"), _("Band"), _("People"), _("Bonus")],
            [[p.period, b.label, b.count, b.bonus] for p in board.periods for b in p.bands],
        ),
        ExportTable(
            _("Periods"),
            [_("Period"), _("Results"), _("Average score"), _("Bonus total")],
            [[p.period, p.results, p.average, p.bonus] for p in board.periods],
        ),
        ExportTable(
            _("Score distribution %(period)s") % {"period": period},
            [_("Score"), _("People")],
            [[b.label, b.count] for b in board.histogram],
        ),
        ExportTable(
            _("Departments %(period)s") % {"period": period},
            [_("Department"), _("Results"), _("Average score"), _("Bonus total")],
            [[d.name, d.results, d.average, d.bonus] for d in board.departments],
        ),
        ExportTable(
            _("Indicator achievement %(period)s") % {"period": period},
            [_("Indicator"), _("Name"), _("Results"), _("Reached"), _("Rate %")],
            [[i.code, i.name, i.results, i.reached, i.rate] for i in board.indicators],
        ),
        ExportTable(
            _("Completion of open months"),
            [_("Period"), _("Figures present"), _("Figures expected"), _("Rate %")],
            [[c.period, c.present, c.expected, c.rate] for c in board.completion],
        ),
        ExportTable(
            _("Top %(period)s") % {"period": period},
            [_("Employee"), _("Name"), _("Department"), _("Score"), _("Band"), _("Bonus")],
            [[r.employee, r.name, r.department, r.score, r.band, r.bonus] for r in board.top],
        ),
        ExportTable(
            _("Bottom %(period)s") % {"period": period},
            [_("Employee"), _("Name"), _("Department"), _("Score"), _("Band"), _("Bonus")],
            [[r.employee, r.name, r.department, r.score, r.band, r.bonus] for r in board.bottom],
        ),
    ]


def dashboard_csv(tables: list[ExportTable]) -> str:
    """Every table one after the other: its title, its header, its rows, an empty line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for table in tables:
        writer.writerow([cell_safe(table.title)])
        writer.writerow([cell_safe(h) for h in table.header])
        writer.writerows([cell_safe(cell) for cell in row] for row in table.rows)
        writer.writerow([])
    return out.getvalue()


def dashboard_xlsx(tables: list[ExportTable]) -> bytes:
    """One sheet per table."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for index, table in enumerate(tables, start=1):
        # Sheet titles: at most 31 characters and none of : \ / ? * [ ].
        title = "".join(ch for ch in table.title if ch not in ":\\/?*[]")[:28] or str(index)
        sheet = workbook.create_sheet(f"{index} {title}"[:31])
        sheet.append([cell_safe(h) for h in table.header])
        for row in table.rows:
            sheet.append([cell_safe(cell) for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
