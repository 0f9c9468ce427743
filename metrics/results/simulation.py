"""Trying a plan (SPEC.md section 9): everybody on a plan scored as if a plan file had been in
force for a past period, from the figures stored today. Nothing is saved.

A few queries whatever the number of people (the assignments with who each person is, the
indicators' codes, the figures, the stored results beside them), then the pure scoring core, the
same functions a close calls: a month is ``score_month`` with its streak's earlier months scored
the same way, a quarter is ``score_quarter`` over its months' simulated points, with its last
month's streak flag. A value the file's indicator cannot read from the stored figures (never
entered, an indicator the published versions do not have, a formula's input never entered, a
rating above the new scale, a division by zero) scores 0 and flags the result ``incomplete``, as a
forced close does.
"""

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import CharField, Min, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from metrics.cycles.models import Cycle, CycleStatus
from metrics.figures.models import MetricEntry
from metrics.results.models import Result
from metrics.results.scorecards import flag_labels
from plans import formula as formulas
from plans.errors import ApplicationError
from plans.formula import FormulaError
from plans.models import Assignment, Indicator, PlanTemplate
from plans.periods import Period
from plans.plan_file import PlanDefinition
from plans.scoring import (
    Frequency,
    IndicatorRule,
    IndicatorScore,
    Method,
    PeriodResult,
    PlanRules,
    q4,
    score_line,
    score_month,
    score_quarter,
)

SIMULATION_BATCH = 5000  # figures read at a time (a server-side cursor on PostgreSQL)


class SimulationRefused(ApplicationError):
    pass


@dataclass(frozen=True)
class Person:
    employee_id: int
    username: str
    name: str
    department: str


@dataclass(frozen=True)
class StoredResult:
    """A result a close wrote (the published version's), to show beside the simulated one."""

    score: Decimal
    band: str
    payout: Decimal
    bonus: Decimal
    flags: tuple[str, ...]


@dataclass(frozen=True)
class SimulatedResult:
    person: Person
    result: PeriodResult
    stored: StoredResult | None  # None: the period is not closed for this person


@dataclass(frozen=True)
class Simulation:
    code: str
    period: Period
    codes: tuple[str, ...]  # the file's indicators, in its order: the export's columns
    results: tuple[SimulatedResult, ...]  # by user name


@dataclass(frozen=True)
class _Assigned:
    pk: int
    version_id: int
    code: str  # the plan's code
    start: str
    monthly_bonus: Decimal
    quarterly_bonus: Decimal


Progress = Callable[[int, int], None]  # (people scored, people in all)


def simulation_months(*, rules: PlanRules, period: Period) -> tuple[Period, ...]:
    """Every month the period's result depends on, oldest first: its own months and its last
    month's streak's earlier months."""
    last = period.last_month()
    streak = rules.streak.months if rules.streak else 1
    months = {last.shift(-back) for back in range(streak)} | set(period.months())
    return tuple(sorted(months, key=str))


def simulation_check(*, period: Period) -> None:
    if not (period.is_month or period.is_quarter):
        raise SimulationRefused(
            _("“%(period)s” cannot be tried: choose a month like 2026-01 or a quarter like 2026-Q1.")
            % {"period": period}
        )


def plan_simulate(
    *, definition: PlanDefinition, period: Period, progress: Progress | None = None, stored: bool = True
) -> Simulation:
    """Score everybody assigned to ``definition``'s plan in ``period`` under ``definition``.

    With ``stored``, each result comes with the result a close stored for the person (if any).
    """
    simulation_check(period=period)
    if not PlanTemplate.objects.filter(code=definition.code).exists():
        raise SimulationRefused(
            _("There is no plan “%(code)s” in the product, so nobody to score: load it first.")
            % {"code": definition.code}
        )
    rules = definition.rules
    months = simulation_months(rules=rules, period=period)
    on_plan = Assignment.objects.filter(version__template__code=definition.code).values("employee_id")
    people, history = _assignments(on_plan, last=months[-1])
    in_scope = _in_scope(history, period=period, code=definition.code)
    entries = _figures(on_plan, periods=[*months, *([period] if period.is_quarter else [])], rules=rules)
    before = _stored(on_plan, period=period) if stored else {}
    results = []
    line = LineMemo()
    total = len(in_scope)
    month_texts = tuple(str(month) for month in months)
    quarter = (str(period), tuple(str(month) for month in period.months()))
    with collector_paused():
        for done, employee_id in enumerate(sorted(in_scope, key=lambda e: people[e].username), start=1):
            assignments = history[employee_id]
            monthly = _months_scored(rules, month_texts, assignments, entries, line)
            if period.is_month:
                result = monthly[str(period)][1]
            else:
                result = _quarter_scored(rules, quarter, assignments, monthly, entries)
            results.append(SimulatedResult(person=people[employee_id], result=result, stored=before.get(employee_id)))
            if progress is not None and (done % 1000 == 0 or done == total):
                progress(done, total)
    return Simulation(
        code=definition.code,
        period=period,
        codes=tuple(rule.code for rule in rules.indicators),
        results=tuple(results),
    )


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while the results are made: they hold no cycles, and with
    millions of live objects each of its passes scans them all (15-20 % of the time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _assignments(
    on_plan: QuerySet[Assignment, Any], *, last: Period
) -> tuple[dict[int, Person], dict[int, list[_Assigned]]]:
    """Who each person on the plan is, and their assignments up to ``last``, oldest first."""
    people: dict[int, Person] = {}
    history: dict[int, list[_Assigned]] = {}
    rows = (
        Assignment.objects.filter(employee_id__in=on_plan, start__lte=str(last))
        .order_by("employee_id", "start")
        .values_list(
            "pk",
            "employee_id",
            "version_id",
            "version__template__code",
            "start",
            "monthly_bonus",
            "quarterly_bonus",
            "employee__username",
            "employee__display_name",
            "employee__department__name",
        )
    )
    for pk, employee_id, version_id, code, start, monthly, quarterly, username, name, department in rows.iterator(
        chunk_size=SIMULATION_BATCH
    ):
        if employee_id not in people:
            people[employee_id] = Person(employee_id, username, name or username, department or "")
        history.setdefault(employee_id, []).append(_Assigned(pk, version_id, code, start, monthly, quarterly))
    return people, history


def _in_force(assignments: Iterable[_Assigned], text: str) -> _Assigned | None:
    """The assignment with the latest start up to the month ``text`` (``assignments`` oldest first)."""
    current = None
    for assignment in assignments:
        if assignment.start > text:
            break
        current = assignment
    return current


def _in_scope(history: Mapping[int, list[_Assigned]], *, period: Period, code: str) -> list[int]:
    """The people a close of ``period`` would score on the plan: those whose assignment in force
    in the period's last month is one of its versions."""
    last = str(period.last_month())
    return [
        employee_id
        for employee_id, assignments in history.items()
        if (current := _in_force(assignments, last)) is not None and current.code == code
    ]


_Actuals = dict[tuple[int, str], dict[str, Decimal | None]]  # (assignment id, period) → indicator code → actual


def _figures(on_plan: QuerySet[Assignment, Any], *, periods: Iterable[Period], rules: PlanRules) -> _Actuals:
    """The actual value each of the file's indicators reads from each stored figure.

    A figure of an indicator whose formula the file keeps is read by its value (what the formula
    gave); only where the file changes the formula are the stored inputs read (and their JSON
    decoded), and each formula is parsed once. An indicator the file does not have is not read.
    """
    assignments = Assignment.objects.filter(employee_id__in=on_plan)
    by_code = {rule.code: rule for rule in rules.indicators}
    plain: dict[int, IndicatorRule] = {}
    recomputed: dict[int, IndicatorRule] = {}
    for pk, code, formula, inputs in Indicator.objects.filter(
        version_id__in=assignments.values("version_id"), code__in=list(by_code)
    ).values_list("pk", "code", "formula", "inputs"):
        rule = by_code[code]
        same = (rule.formula or "") == formula and tuple(rule.inputs) == tuple(inputs)
        (plain if not rule.formula or same else recomputed)[pk] = rule
    texts = [str(p) for p in periods]
    entries = MetricEntry.objects.filter(assignment_id__in=assignments.values("pk"), period__in=texts).annotate(
        period_text=Cast("period", output_field=CharField())  # as stored: no Period made for each figure
    )
    # On PostgreSQL the values are read as the database writes them ("9.500000") and each text
    # becomes one Decimal, shared by every figure of that value: psycopg2 would make a new Decimal
    # for each row, and a new Decimal's hash (which the line memo takes) costs about 1 µs, the
    # shared one's is kept. Decimal(text) is what psycopg2 itself does with the text.
    as_text = connection.vendor == "postgresql"
    read = entries.annotate(value_text=Cast("value", output_field=CharField())) if as_text else entries
    interned: dict[str | None, Decimal | None] = {None: None}
    readable: dict[tuple[int, Decimal], bool] = {}  # within the file's scale
    actuals: _Actuals = {}
    for assignment_id, period, indicator_id, raw in (
        read.filter(indicator_id__in=list(plain))
        .values_list("assignment_id", "period_text", "indicator_id", "value_text" if as_text else "value")
        .iterator(chunk_size=SIMULATION_BATCH)
    ):
        rule = plain[indicator_id]
        if as_text:
            try:
                value = interned[raw]
            except KeyError:
                value = interned[raw] = Decimal(raw)
        else:
            value = raw
        if value is not None:
            key = (indicator_id, value)
            try:
                ok = readable[key]
            except KeyError:
                ok = readable[key] = _in_range(rule, value) is not None
            if not ok:
                value = None
        actuals.setdefault((assignment_id, period), {})[rule.code] = value
    if recomputed:
        parsed = {rule.code: formulas.parse(rule.formula or "") for rule in recomputed.values()}
        for assignment_id, period, indicator_id, inputs in (
            entries.filter(indicator_id__in=list(recomputed))
            .values_list("assignment_id", "period_text", "indicator_id", "inputs")
            .iterator(chunk_size=SIMULATION_BATCH)
        ):
            rule = recomputed[indicator_id]
            actual = _in_range(rule, _computed(rule, parsed[rule.code], inputs))
            actuals.setdefault((assignment_id, period), {})[rule.code] = actual
    return actuals


def _computed(rule: IndicatorRule, formula: formulas.Node, inputs: Mapping[str, str]) -> Decimal | None:
    """The file's formula over the stored inputs; None when one is missing or it divides by zero."""
    if not all(inputs.get(name) not in (None, "") for name in rule.inputs):
        return None
    try:
        return q4(formulas.evaluate(formula, {name: Decimal(inputs[name]) for name in rule.inputs}))
    except (FormulaError, ArithmeticError):
        return None


def _in_range(rule: IndicatorRule, value: Decimal | None) -> Decimal | None:
    """A rating outside the file's scale cannot be scored: it counts as missing."""
    if value is not None and rule.method == Method.RATING and rule.scale is not None and not 0 <= value <= rule.scale:
        return None
    return value


def _stored(on_plan: QuerySet[Assignment, Any], *, period: Period) -> dict[int, StoredResult]:
    rows = Result.objects.filter(employee_id__in=on_plan, period=str(period), superseded_at__isnull=True).values_list(
        "employee_id", "score", "band", "payout", "bonus", "flags"
    )
    return {
        employee_id: StoredResult(score, band, payout, bonus, tuple(sorted(flags)))
        for employee_id, score, band, payout, bonus, flags in rows.iterator(chunk_size=SIMULATION_BATCH)
    }


_NONE: dict[str, Decimal | None] = {}  # no figure at all: every value missing


class LineMemo:
    """``score_line`` remembered for one plan: an indicator's points depend only on its rule and
    its actual value, and across thousands of people the same values come back (counts, ratings,
    the same inputs). The scoring core stays the one that computes them."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, Decimal | None], IndicatorScore] = {}

    def __call__(self, rule: IndicatorRule, actual: Decimal | None) -> IndicatorScore:
        key = (rule.code, actual)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = score_line(rule, actual)
        return found


def _months_scored(
    rules: PlanRules,
    months: tuple[str, ...],
    assignments: list[_Assigned],
    entries: _Actuals,
    line: LineMemo,
) -> dict[str, tuple[_Assigned, PeriodResult]]:
    """Each month the person was assigned (``months``: as text, oldest first), scored as a close
    would, its streak read from the months scored before it (a month without an assignment
    breaks it)."""
    scored: dict[str, tuple[_Assigned, PeriodResult]] = {}
    scores: list[Decimal | None] = []
    for month in months:
        assignment = _in_force(assignments, month)
        if assignment is None:
            scores.append(None)
            continue
        result = score_month(
            rules,
            entries.get((assignment.pk, month), _NONE),
            bonus_amount=assignment.monthly_bonus,
            earlier_scores=scores,
            line=line,
        )
        scored[month] = (assignment, result)
        scores = [*scores, result.score]
    return scored


def _quarter_scored(
    rules: PlanRules,
    quarter: tuple[str, tuple[str, ...]],
    assignments: list[_Assigned],
    monthly: Mapping[str, tuple[_Assigned, PeriodResult]],
    entries: _Actuals,
) -> PeriodResult:
    """The quarter as ``chunk_score_quarter`` scores it: the means of the points of the months the
    person was assigned, the quarterly values of the assignment in force at its end.
    ``quarter``: the quarter and its months, as text."""
    text, months = quarter
    points: dict[str, list[Decimal]] = {}
    for month in months:
        if month in monthly:
            for line in monthly[month][1].lines:
                points.setdefault(line.code, []).append(line.points)
    assignment = _in_force(assignments, months[-1])
    assert assignment is not None  # the people in scope are assigned in its last month
    last = monthly.get(months[-1])
    carried = [rules.streak.flag] if rules.streak and last and rules.streak.flag in last[1].flags else []
    return score_quarter(
        rules,
        {rule.code: points.get(rule.code, []) for rule in rules.of_frequency(Frequency.MONTHLY)},
        entries.get((assignment.pk, text), _NONE),
        bonus_amount=assignment.quarterly_bonus,
        carried_flags=carried,
    )


# --- the builder's page: the draft beside the published version ------------------------------


@dataclass(frozen=True)
class BandCount:
    label: str  # "" for no band reached
    before: int  # people with this band in the stored results
    after: int  # and in the simulation

    @property
    def change(self) -> int:
        return self.after - self.before


@dataclass(frozen=True)
class Totals:
    """The plan's people, or one department's: band counts and bonuses, before and after."""

    department: str  # "" for everybody
    people: int
    closed: int  # of them, people with a stored result (a "before")
    moved: int  # people whose band changes
    bands: tuple[BandCount, ...]
    bonus_before: Decimal  # the stored bonuses
    bonus_after: Decimal  # the simulated bonuses of the same people
    bonus_new: Decimal  # the simulated bonuses of people with no stored result

    @property
    def bonus_change(self) -> Decimal:
        return self.bonus_after - self.bonus_before


@dataclass(frozen=True)
class ComparisonRow:
    person: Person
    result: PeriodResult
    stored: StoredResult | None
    flags: tuple[str, ...]  # the simulated result's flags, in words
    moved: bool  # the band changes

    @property
    def score_change(self) -> Decimal | None:
        return None if self.stored is None else self.result.score - self.stored.score


@dataclass(frozen=True)
class Comparison:
    simulation: Simulation
    overall: Totals
    departments: tuple[Totals, ...]
    rows: tuple[ComparisonRow, ...]  # what the page lists (the filters' people, at most ROWS_SHOWN)
    matching: int  # how many people the filters keep


ROWS_SHOWN = 200


def band_moved(item: SimulatedResult) -> bool:
    return item.stored is not None and item.stored.band != item.result.band


def _totals(department: str, items: list[SimulatedResult], labels: list[str]) -> Totals:
    before: dict[str, int] = dict.fromkeys(labels, 0)
    after: dict[str, int] = dict.fromkeys(labels, 0)
    bonus_before = bonus_after = bonus_new = Decimal("0.00")
    closed = moved = 0
    for item in items:
        after[item.result.band] = after.get(item.result.band, 0) + 1
        if item.stored is None:
            bonus_new += item.result.bonus
            continue
        closed += 1
        moved += band_moved(item)
        before[item.stored.band] = before.get(item.stored.band, 0) + 1
        bonus_before += item.stored.bonus
        bonus_after += item.result.bonus
    shown = [label for label in labels if before[label] or after[label] or label]
    shown += [label for label in {**before, **after} if label not in labels]
    return Totals(
        department=department,
        people=len(items),
        closed=closed,
        moved=moved,
        bands=tuple(BandCount(label, before.get(label, 0), after.get(label, 0)) for label in shown),
        bonus_before=bonus_before,
        bonus_after=bonus_after,
        bonus_new=bonus_new,
    )


def simulation_compare(
    *, simulation: Simulation, bands: Iterable[str], department: str = "", moved_only: bool = False
) -> Comparison:
    """Band counts and bonus totals before and after, for everybody and by department, and the
    people the page lists. ``bands``: the file's band labels, highest first."""
    labels = [*dict.fromkeys(bands), ""]
    by_department: dict[str, list[SimulatedResult]] = {}
    for item in simulation.results:
        by_department.setdefault(item.person.department, []).append(item)
    matching = [
        item
        for item in simulation.results
        if (not department or item.person.department == department) and (not moved_only or band_moved(item))
    ]
    return Comparison(
        simulation=simulation,
        overall=_totals("", list(simulation.results), labels),
        departments=tuple(_totals(name, by_department[name], labels) for name in sorted(by_department)),
        rows=tuple(
            ComparisonRow(item.person, item.result, item.stored, flag_labels(item.result.flags), band_moved(item))
            for item in matching[:ROWS_SHOWN]
        ),
        matching=len(matching),
    )


PERIODS_OFFERED = 24  # months back from the last that has ended


@dataclass(frozen=True)
class TriablePeriod:
    period: Period
    closed: bool


def simulation_periods(*, code: str, today: date) -> list[TriablePeriod]:
    """The months and quarters that have ended since the plan's first assignment (at most the last
    two years'), newest first, each quarter before its months, and whether each is closed."""
    first = Assignment.objects.filter(version__template__code=code).aggregate(first=Min("start"))["first"]
    if first is None:
        return []
    month = Period.of_date(today).shift(-1)
    earliest = max(Period.parse(first), month.shift(1 - PERIODS_OFFERED))
    periods: list[Period] = []
    while str(month) >= str(earliest):
        if month.month % 3 == 0:
            periods.append(month.quarter_of())
        periods.append(month)
        month = month.shift(-1)
    closed = set(
        Cycle.objects.filter(period__in=[str(p) for p in periods], status=CycleStatus.CLOSED).values_list(
            "period", flat=True
        )
    )
    return [TriablePeriod(period=p, closed=str(p) in {str(c) for c in closed}) for p in periods]
