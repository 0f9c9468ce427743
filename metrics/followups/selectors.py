"""Reads of the follow-ups: whom a period flagged, what HR decided for them, what an employee is to
acknowledge. Each read returns frozen rows, so that no template starts a query.

A period's people are those with a current result (not superseded), whatever the cycle's status:
a period closed for some people only lists them, and the others once they are closed.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from metrics.followups.models import Decision, FollowUpDecision
from metrics.results.dashboards import person_name
from metrics.results.models import Result
from metrics.results.period_flags import FlagCount, flagged_current, period_flag_counts
from metrics.results.release import periods_held
from metrics.results.scorecards import flag_labels
from people.models import User
from people.selectors import by_name
from plans.formats import period_text
from plans.models import PlanTemplate
from plans.periods import Period
from plans.selectors import flag_labels as plan_flag_labels

ROWS_PER_PAGE = 50
PLAN_CHOICE = "plan:"  # a plan's own decision in the form: "plan:<its name>"


def decision_label(decision: str, name: str = "") -> str:
    """A decision in words: a plan's own by its name, the others by their label."""
    if decision == Decision.PLAN:
        return name
    return str(Decision(decision).label)


@dataclass(frozen=True)
class DecisionView:
    pk: int
    period: str  # 2026-03, for links
    period_label: str
    label: str
    is_warning: bool
    note: str
    by: str
    at: datetime
    superseded_at: datetime | None
    acknowledged_at: datetime | None

    @property
    def awaits_acknowledgement(self) -> bool:
        return self.is_warning and self.superseded_at is None and self.acknowledged_at is None


def decision_view(decision: FollowUpDecision) -> DecisionView:
    return DecisionView(
        pk=decision.pk,
        period=str(decision.period),
        period_label=period_text(decision.period),
        label=decision_label(decision.decision, decision.name),
        is_warning=decision.decision == Decision.FORMAL_WARNING,
        note=decision.note,
        by=person_name(decision.decided_by) or _("Someone no longer here"),
        at=decision.decided_at,
        superseded_at=decision.superseded_at,
        acknowledged_at=decision.acknowledged_at,
    )


def decisions_current(*, period: Period, employee_ids: Iterable[int]) -> dict[int, DecisionView]:
    """The current decision of each of these people for the period, by employee id (one query)."""
    rows = FollowUpDecision.objects.filter(
        period=period, employee_id__in=employee_ids, superseded_at__isnull=True
    ).select_related("decided_by")
    return {row.employee_id: decision_view(row) for row in rows}


# --- the follow-ups page of a period -------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpRow:
    employee: str  # user name
    name: str
    department: str
    plan: str
    score: Decimal
    band: str
    flags: tuple[str, ...]  # labels
    decision: DecisionView | None


@dataclass(frozen=True)
class PeriodFlags:
    """Whom a period flags, whatever the filters."""

    flags: list[FlagCount]  # every flag of the period's plans, the streak's first, with its people
    flagged: int  # people with any flag
    undecided: int  # of them, with no current decision


@dataclass(frozen=True)
class FollowUpList:
    period: str
    period_label: str
    summary: PeriodFlags
    rows: list[FollowUpRow]  # this page's, by user name
    page: "Page[Result]"  # for the page links; its paginator counts the filtered people


def flagged_results(*, period: Period, flag: str = "", department_id: int | None = None) -> QuerySet[Result]:
    """The period's current results with a flag (``flag``, when given), by name."""
    results = flagged_current(period=period)
    if flag:
        # A flag is a code of a-z, 0-9, "_" and "-": in the stored JSON list it is exactly the
        # quoted text, which SQLite and PostgreSQL both find (JSON containment is PostgreSQL's only).
        results = results.filter(flags__icontains=f'"{flag}"')
    if department_id:
        results = results.filter(employee__department_id=department_id)
    return results.order_by(*by_name("employee__"))


def period_flags(*, period: Period) -> PeriodFlags:
    """Every flag of the period with its people (``period_flag_counts``), and how many of the
    flagged people still wait for a decision."""
    counted = period_flag_counts(period=period)
    decided = FollowUpDecision.objects.filter(period=period, superseded_at__isnull=True).values_list(
        "employee_id", flat=True
    )
    return PeriodFlags(flags=counted.flags, flagged=len(counted.flagged), undecided=len(counted.flagged - set(decided)))


def follow_up_list(
    *,
    period: Period,
    summary: PeriodFlags,
    flag: str = "",
    department_id: int | None = None,
    page: str | int | None = None,
) -> FollowUpList:
    """A page of the people the period flagged (``summary``: ``period_flags``), with HR's current
    decision for each (a fixed number of queries for any number of people)."""
    chosen = flagged_results(period=period, flag=flag, department_id=department_id)
    shown = Paginator(chosen.select_related("employee__department", "version__template"), ROWS_PER_PAGE).get_page(page)
    results = list(shown.object_list)
    decisions = decisions_current(period=period, employee_ids=[r.employee_id for r in results])
    labels = plan_flag_labels(version_ids={r.version_id for r in results})
    return FollowUpList(
        period=str(period),
        period_label=period_text(period),
        summary=summary,
        rows=[_row(result, decisions.get(result.employee_id), labels[result.version_id]) for result in results],
        page=shown,
    )


def _row(result: Result, decision: DecisionView | None, labels: dict[str, str]) -> FollowUpRow:
    employee = result.employee
    return FollowUpRow(
        employee=employee.username,
        name=person_name(employee),
        department=employee.department.name if employee.department else "",
        plan=result.version.template.name,
        score=result.score,
        band=result.band,
        flags=flag_labels(result.flags, labels),
        decision=decision,
    )


# --- one person's follow-up ------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpPerson:
    employee: str
    name: str
    department: str
    period: str
    period_label: str
    plan: str
    score: Decimal
    band: str
    flags: tuple[str, ...]  # labels
    current: DecisionView | None
    history: list[DecisionView]  # newest first, the current one included
    choices: list[tuple[str, str]]  # the decision form's


def follow_up_result(*, employee: User, period: Period) -> Result | None:
    """The employee's current result of the period, when it has a flag: what a decision is about."""
    return (
        flagged_results(period=period)
        .filter(employee=employee)
        .select_related("version__template", "employee__department")
        .first()
    )


def decision_choices(*, template: PlanTemplate | None) -> list[tuple[str, str]]:
    """The decisions HR may record: the built-in ones, then the plan's own (``plan:<name>``)."""
    built_in = [(str(value), str(label)) for value, label in Decision.choices if value != Decision.PLAN]
    own = template.follow_up_decisions if template is not None else []
    return built_in + [(PLAN_CHOICE + name, name) for name in own]


def follow_up_person(*, result: Result) -> FollowUpPerson:
    employee = result.employee
    history = [
        decision_view(row)
        for row in FollowUpDecision.objects.filter(employee=employee, period=result.period)
        .select_related("decided_by")
        .order_by("-decided_at", "-pk")
    ]
    current = next((row for row in history if row.superseded_at is None), None)
    return FollowUpPerson(
        employee=employee.username,
        name=person_name(employee),
        department=employee.department.name if employee.department else "",
        period=str(result.period),
        period_label=period_text(result.period),
        plan=result.version.template.name,
        score=result.score,
        band=result.band,
        flags=flag_labels(result.flags, plan_flag_labels(version_ids={result.version_id})[result.version_id]),
        current=current,
        history=history,
        choices=decision_choices(template=result.version.template),
    )


# --- what the employee reads -------------------------------------------------------------------------


def acknowledgements_pending(*, user: User) -> list[DecisionView]:
    """The formal warnings ``user`` has not acknowledged yet, oldest period first; none of a period
    whose results are held for calibration (the employee reads its decisions once HR releases it)."""
    rows = FollowUpDecision.objects.filter(
        employee=user, decision=Decision.FORMAL_WARNING, superseded_at__isnull=True, acknowledged_at__isnull=True
    ).select_related("decided_by")
    views = [decision_view(row) for row in rows]
    held = set(periods_held(employee=user, viewer=user)) if views else set()
    return sorted((v for v in views if v.period not in held), key=lambda row: Period.parse(row.period).last_month())


def decisions_of(*, employee: User) -> dict[str, DecisionView]:
    """The employee's current decision of each period, by period (what their scorecard shows)."""
    rows = FollowUpDecision.objects.filter(employee=employee, superseded_at__isnull=True).select_related("decided_by")
    return {str(row.period): decision_view(row) for row in rows}
