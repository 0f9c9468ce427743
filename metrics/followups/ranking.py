"""A year's ranking (issue 15, part 5): the year's scores of a plan and department, best first,
with the streaks each person reached in the year's months and HR's follow-up decisions of the
year (of its months, its quarters and the year itself). Read in a fixed number of queries for
any number of people; exported as CSV (with a BOM, for Excel) and XLSX.

Ties share a rank (1, 2, 2, 4), as a league table does.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet, Window
from django.db.models.functions import Rank
from django.utils.translation import gettext as _

from metrics.cycles.models import CycleStatus
from metrics.cycles.selectors import cycle_status
from metrics.followups.models import FollowUpDecision
from metrics.followups.selectors import DecisionView, decision_view
from metrics.results.dashboard_export import Cell, ExportTable
from metrics.results.dashboards import people_open, person_name
from metrics.results.models import Result
from metrics.results.scorecards import flag_labels
from people.selectors import by_name
from plans.flags import flag_text
from plans.formats import period_text
from plans.models import PlanTemplate
from plans.periods import Period
from plans.selectors import flag_labels as plan_flag_labels

ROWS_PER_PAGE = 50


@dataclass(frozen=True)
class StreakReached:
    month: str  # 2026-03
    label: str  # 2026年3月
    flag: str  # in words


@dataclass(frozen=True)
class StreakRun:
    """Months in a row in which a result reached its streak: one line of the page."""

    first: str  # the first month's label
    last: str  # the last month's label (the same month for one)
    months: int
    flag: str


def streak_runs(streaks: Sequence[StreakReached]) -> tuple[StreakRun, ...]:
    """The months of ``streaks`` (in time order) gathered into runs of consecutive months."""
    runs: list[list[StreakReached]] = []
    for streak in streaks:
        if runs and Period.parse(runs[-1][-1].month).shift(1) == Period.parse(streak.month):
            runs[-1].append(streak)
        else:
            runs.append([streak])
    return tuple(StreakRun(run[0].label, run[-1].label, len(run), run[0].flag) for run in runs)


@dataclass(frozen=True)
class RankingRow:
    rank: int
    employee: str  # user name, for the scorecard's link
    name: str
    department: str
    plan: str
    score: Decimal
    band: str
    payout: Decimal
    bonus: Decimal
    flags: tuple[str, ...]  # labels
    quarters: tuple[Decimal | None, ...]  # the score of each quarter, None without one
    streaks: tuple[StreakReached, ...]  # the months of the year whose result reached its streak
    decisions: tuple[tuple[str, DecisionView], ...]  # (the period's label, HR's current decision), in time order

    @property
    def streak_runs(self) -> tuple[StreakRun, ...]:
        return streak_runs(self.streaks)


@dataclass(frozen=True)
class Ranking:
    year: str
    year_label: str
    closed: bool  # the year's cycle is closed (else: what is closed so far, or nothing)
    still_open: int  # people of the filters no close of the year has scored yet
    plans: list[tuple[str, str]]  # (code, name) of the plans with a result this year
    rows: list[RankingRow]  # this page's
    page: "Page[Result]"


def _year_results(*, year: Period, plan: str = "", department_id: int | None = None) -> QuerySet[Result]:
    """The year's current results of the filters, best first, each annotated with its rank."""
    results = Result.objects.filter(period=str(year), superseded_at__isnull=True)
    if plan:
        results = results.filter(version__template__code=plan)
    if department_id is not None:
        results = results.filter(employee__department_id=department_id)
    return results.annotate(rank=Window(Rank(), order_by=F("score").desc())).order_by("-score", *by_name("employee__"))


def ranking_plans(*, year: Period) -> list[tuple[str, str]]:
    """(code, name) of the plans with a result in the year, by name."""
    versions = Result.objects.filter(period=str(year), superseded_at__isnull=True).values("version__template")
    return list(PlanTemplate.objects.filter(pk__in=versions).order_by("name").values_list("code", "name"))


def _streaks(year: Period, employee_ids: Sequence[int]) -> dict[int, list[StreakReached]]:
    """The months of ``year`` in which each person's result reached its plan's streak (one query)."""
    found: dict[int, list[StreakReached]] = {}
    rows = (
        Result.objects.filter(
            employee_id__in=employee_ids, period__in=[str(m) for m in year.months()], superseded_at__isnull=True
        )
        .exclude(flags=[])
        .exclude(version__streak_flag="")
        .order_by("period")
        .values_list("employee_id", "period", "flags", "version__streak_flag", "version__streak_flag_label")
    )
    for employee_id, month, flags, streak_flag, streak_label in rows:
        if streak_flag in flags:
            found.setdefault(employee_id, []).append(
                StreakReached(
                    month=str(month),
                    label=period_text(month),
                    flag=flag_text(streak_flag, {streak_flag: streak_label}),
                )
            )
    return found


def _decisions(year: Period, employee_ids: Sequence[int]) -> dict[int, list[tuple[str, DecisionView]]]:
    """HR's current follow-up decisions of each person for the year's months, quarters and the year (one query)."""
    periods = [*year.months(), *year.quarters(), year]
    order = {str(p): (p.last_month(), p.is_quarter or p.is_year, p.is_year) for p in periods}
    found: dict[int, list[tuple[str, DecisionView]]] = {}
    rows = FollowUpDecision.objects.filter(
        employee_id__in=employee_ids, period__in=[str(p) for p in periods], superseded_at__isnull=True
    ).select_related("decided_by")
    for row in sorted(rows, key=lambda r: order[str(r.period)]):
        found.setdefault(row.employee_id, []).append((period_text(row.period), decision_view(row)))
    return found


def _quarters(year: Period, employee_ids: Sequence[int]) -> dict[int, dict[str, Decimal]]:
    scores: dict[int, dict[str, Decimal]] = {}
    for employee_id, quarter, score in Result.objects.filter(
        employee_id__in=employee_ids, period__in=[str(q) for q in year.quarters()], superseded_at__isnull=True
    ).values_list("employee_id", "period", "score"):
        scores.setdefault(employee_id, {})[str(quarter)] = score
    return scores


def _rows(year: Period, results: Iterable[Result]) -> list[RankingRow]:
    results = list(results)
    ids = [r.employee_id for r in results]
    streaks, decisions, quarters = _streaks(year, ids), _decisions(year, ids), _quarters(year, ids)
    labels = plan_flag_labels(version_ids={r.version_id for r in results})
    return [
        RankingRow(
            rank=result.rank,  # type: ignore[attr-defined]
            employee=result.employee.username,
            name=person_name(result.employee),
            department=result.employee.department.name if result.employee.department else "",
            plan=result.version.template.name,
            score=result.score,
            band=result.band,
            payout=result.payout,
            bonus=result.bonus,
            flags=flag_labels(result.flags, labels[result.version_id]),
            quarters=tuple(quarters.get(result.employee_id, {}).get(str(q)) for q in year.quarters()),
            streaks=tuple(streaks.get(result.employee_id, ())),
            decisions=tuple(decisions.get(result.employee_id, ())),
        )
        for result in results
    ]


def year_ranking(
    *, year: Period, plan: str = "", department_id: int | None = None, page: str | int | None = None
) -> Ranking:
    """A page of the year's ranking of a plan (code; "": every plan) and a department (None: every one)."""
    results = _year_results(year=year, plan=plan, department_id=department_id).select_related(
        "employee__department", "version__template"
    )
    shown = Paginator(results, ROWS_PER_PAGE).get_page(page)
    return Ranking(
        year=str(year),
        year_label=period_text(year),
        closed=cycle_status(period=year) == CycleStatus.CLOSED,
        still_open=people_open(period=year, department_id=department_id, plan=plan),
        plans=ranking_plans(year=year),
        rows=_rows(year, shown.object_list),
        page=shown,
    )


EXPORT_BATCH = 2000


def year_ranking_table(*, year: Period, plan: str = "", department_id: int | None = None) -> ExportTable:
    """Every row of the ranking the filters keep, as the CSV and XLSX downloads write it."""
    results = _year_results(year=year, plan=plan, department_id=department_id).select_related(
        "employee__department", "version__template"
    )
    rows: list[list[Cell]] = []
    for offset in range(0, results.count(), EXPORT_BATCH):
        for row in _rows(year, results[offset : offset + EXPORT_BATCH]):
            rows.append(
                [
                    row.rank,
                    row.employee,
                    row.name,
                    row.department,
                    row.plan,
                    row.score,
                    row.band,
                    row.payout,
                    row.bonus,
                    "; ".join(row.flags),
                    *(score if score is not None else "" for score in row.quarters),
                    len(row.streaks),
                    "; ".join(streak.label for streak in row.streaks),
                    "; ".join(f"{label}: {decision.label}" for label, decision in row.decisions),
                ]
            )
    header = [
        _("Rank"),
        _("Employee ID"),
        _("Name"),
        _("Department"),
        _("Plan"),
        _("Score"),
        _("Band"),
        _("Payout %"),
        _("Bonus"),
        _("Flags"),
        *(str(quarter) for quarter in year.quarters()),
        _("Streaks reached"),
        _("Months of the streaks"),
        _("Follow-up decisions"),
    ]
    return ExportTable(_("Ranking %(year)s") % {"year": period_text(year)}, header, rows)
