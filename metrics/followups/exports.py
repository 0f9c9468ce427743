"""A period's follow-ups as a CSV (UTF-8 with a BOM, so that Excel on a Chinese Windows reads it)
or an XLSX file: every flagged person of the filters, with HR's current decision."""

import csv
import io
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.followups.selectors import decisions_current, flagged_results
from metrics.results.dashboard_export import Cell, ExportTable, cell_safe, dashboard_xlsx
from metrics.results.dashboards import person_name
from metrics.results.scorecards import flag_labels
from plans.formats import period_text
from plans.periods import Period

TIME_FORMAT = "%Y-%m-%d %H:%M"  # the company's time zone


def _time(value: datetime | None) -> str:
    return timezone.localtime(value).strftime(TIME_FORMAT) if value is not None else ""


def follow_ups_table(*, period: Period, flag: str = "", department_id: int | None = None) -> ExportTable:
    chosen = flagged_results(period=period, flag=flag, department_id=department_id)
    decisions = decisions_current(period=period, employee_ids=chosen.values_list("employee_id", flat=True))
    rows: list[list[Cell]] = []
    for result in chosen.select_related("employee__department", "version__template"):
        employee = result.employee
        decision = decisions.get(employee.pk)
        acknowledged = ""
        if decision is not None and decision.is_warning:
            acknowledged = _time(decision.acknowledged_at) or _("Not acknowledged yet")
        rows.append(
            [
                employee.username,
                person_name(employee),
                employee.department.name if employee.department else "",
                result.version.template.name,
                result.score,
                result.band,
                "; ".join(flag_labels(result.flags)),
                decision.label if decision else _("Not decided yet"),
                decision.note if decision else "",
                decision.by if decision else "",
                _time(decision.at) if decision else "",
                acknowledged,
            ]
        )
    header = [
        _("Employee ID"),
        _("Name"),
        _("Department"),
        _("Plan"),
        _("Score"),
        _("Band"),
        _("Flags"),
        _("Decision"),
        _("Note"),
        _("Decided by"),
        _("Decided at"),
        _("Warning acknowledged"),
    ]
    return ExportTable(_("Follow-ups %(period)s") % {"period": period_text(period)}, header, rows)


def follow_ups_csv(table: ExportTable) -> bytes:
    """The header and the rows, text that a spreadsheet would run as a formula quoted."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell_safe(cell) for cell in table.header])
    writer.writerows([cell_safe(cell) for cell in row] for row in table.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def follow_ups_xlsx(table: ExportTable) -> bytes:
    return dashboard_xlsx([table])
