"""Reads of the team's grid of a quarter: a manager's reports' reviews in one table, a row each,
with the quarterly ratings and the comment the manager's rating step holds.

A page of reviews costs the same four queries whatever its size: the reviews, their assignments,
the plans' quarterly indicators and the stored ratings.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from metrics.figures.models import MetricEntry
from people.models import User
from people.selectors import by_name
from plans.models import Frequency, Indicator
from plans.numbers import number_text
from plans.periods import Period
from plans.selectors import assignments_for_quarter
from reviews.models import Review, ReviewAction, ReviewStatus
from reviews.selectors import NEXT_STEP
from reviews.workflow import step_follows


@dataclass(frozen=True)
class GridColumn:
    code: str
    name: str
    label: str  # "内部协作评价 (0–10)"


@dataclass(frozen=True)
class GridCell:
    column: GridColumn
    applies: bool  # False: the person's plan has no such indicator
    text: str  # the stored rating as typed back ("" for none)


@dataclass(frozen=True)
class GridRow:
    review_pk: int
    employee: str  # user name: the key of the posted changes, never shown alone
    name: str
    department: str
    status: str
    status_label: str
    next_step: str
    editable: bool  # before the manager has submitted
    cells: list[GridCell]
    comment: str
    missing: list[str]  # the names of what is still to rate ("评语" for the comment)

    @property
    def rated(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class TeamGrid:
    period: Period
    columns: list[GridColumn]
    rows: list[GridRow]

    @property
    def editable(self) -> bool:
        return any(row.editable for row in self.rows)


def team_grid_reviews(*, manager: User, period: Period) -> QuerySet[Review]:
    """The reviews of ``period`` of ``manager``'s reports, by name: whom the grid shows."""
    return (
        Review.objects.filter(employee__manager=manager, period=str(period))
        .select_related("employee__department")
        .order_by(*by_name("employee__"))
    )


def _scale(indicator: Indicator) -> str:
    return number_text(indicator.scale) if indicator.scale is not None else ""


def _column(indicator: Indicator) -> GridColumn:
    label = indicator.name
    if indicator.scale is not None:
        label = _("%(indicator)s (0 to %(scale)s)") % {"indicator": indicator.name, "scale": _scale(indicator)}
    return GridColumn(code=indicator.code, name=indicator.name, label=label)


def _row(review: Review, columns: list[GridColumn], codes: set[str], values: dict[str, Decimal]) -> GridRow:
    employee = review.employee
    cells = [
        GridCell(
            column=column,
            applies=column.code in codes,
            text=number_text(values[column.code]) if column.code in values else "",
        )
        for column in columns
    ]
    missing = [cell.column.name for cell in cells if cell.applies and not cell.text]
    if not review.manager_comment.strip():
        missing.append(_("comment"))
    status = ReviewStatus(review.status)
    return GridRow(
        review_pk=review.pk,
        employee=employee.username,
        name=employee.display_name or employee.username,
        department=employee.department.name if employee.department else "",
        status=status,
        status_label=str(status.label),
        next_step=str(NEXT_STEP[status]),
        editable=step_follows(action=ReviewAction.RATINGS_SAVED, status=status),
        cells=cells,
        comment=review.manager_comment,
        missing=missing,
    )


def team_grid(*, period: Period, reviews: Sequence[Review]) -> TeamGrid:
    """The grid of ``reviews`` (from ``team_grid_reviews``): a column for each quarterly indicator
    of their plans, in the plans' order, and a row for each review."""
    assigned = assignments_for_quarter(quarter=period, employee_ids=[r.employee_id for r in reviews])
    versions = {item.assignment.version_id for item in assigned.values()}
    indicators = list(
        Indicator.objects.filter(version_id__in=versions, frequency=Frequency.QUARTERLY).order_by("position", "pk")
    )
    columns: dict[str, GridColumn] = {}
    by_version: dict[int, set[str]] = {}
    for indicator in indicators:
        columns.setdefault(indicator.code, _column(indicator))
        by_version.setdefault(indicator.version_id, set()).add(indicator.code)
    values: dict[int, dict[str, Decimal]] = {}
    entries = MetricEntry.objects.filter(
        assignment__employee_id__in=[review.employee_id for review in reviews],
        period=str(period),
        indicator__in=indicators,
    ).values_list("assignment__employee_id", "indicator__code", "value")
    for employee_id, code, value in entries:
        if value is not None:
            values.setdefault(employee_id, {})[code] = value
    rows = []
    for review in reviews:
        item = assigned.get(review.employee_id)
        codes = by_version.get(item.assignment.version_id, set()) if item else set()
        rows.append(_row(review, list(columns.values()), codes, values.get(review.employee_id, {})))
    return TeamGrid(period=period, columns=list(columns.values()), rows=rows)
