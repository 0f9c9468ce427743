"""The scores export of SPEC.md section 4."""

import csv
import io
from decimal import Decimal

from django.utils.translation import gettext as _

from metrics.cycles.models import CycleStatus
from metrics.cycles.selectors import cycle_status
from metrics.figures.selectors import close_scope
from metrics.results.dashboard_export import cell_safe
from metrics.results.stored import results_current
from plans.errors import ApplicationError
from plans.models import Indicator
from plans.periods import Period

FIXED_COLUMNS = ["employee", "period", "score", "band", "payout", "bonus", "flags"]


class ExportRefused(ApplicationError):
    pass


def _two(value: Decimal) -> str:
    return f"{value:.2f}"


def scores_csv(*, period: Period) -> str:
    """``employee,period,score,band,payout,bonus,flags,<indicator>...`` of the results a period's
    closes wrote so far (SPEC.md section 8: all of them once it is closed).

    Indicator columns follow the plan's order (several plans: each new code after the ones
    before); an indicator that does not apply to the period, or to the employee's plan, is empty.
    """
    status = cycle_status(period=period)
    if status == CycleStatus.CLOSING:
        raise ExportRefused(
            _("%(period)s is being closed: export its scores once that close is done.") % {"period": period}
        )
    results = results_current(period=period)
    if not results and status != CycleStatus.CLOSED:
        raise ExportRefused(_("%(period)s is not closed: it has no scores to export yet.") % {"period": period})
    codes: list[str] = []
    for code in (
        Indicator.objects.filter(version_id__in={r.version_id for r in results})
        .order_by("version__template_id", "version__number", "position")
        .values_list("code", flat=True)
    ):
        if code not in codes:
            codes.append(code)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIXED_COLUMNS + codes)
    for result in results:
        points = {line.indicator.code: _two(line.points) for line in result.lines.all()}
        writer.writerow(
            [
                # Text cells that a spreadsheet would run as a formula get a quote, as in the
                # dashboard's exports; numbers are written as they are.
                cell_safe(result.employee.username),
                result.period,
                _two(result.score),
                cell_safe(result.band),
                _two(result.payout),
                _two(result.bonus),
                cell_safe(";".join(sorted(result.flags))),
                *(points.get(code, "") for code in codes),
            ]
        )
    return out.getvalue()


def scores_open(*, period: Period) -> int:
    """How many people of ``period`` no close has scored yet: those an export leaves out."""
    return 0 if cycle_status(period=period) == CycleStatus.CLOSED else len(close_scope(period=period))
