"""Reads of plans: rows in, the pure core's dataclasses out."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from plans.models import Assignment, Band, Goal, Indicator, PlanTemplate, PlanVersion, VersionStatus
from plans.periods import Period
from plans.plan_file import GoalDefinition, IndicatorDefinition, PlanDefinition
from plans.scoring import ONE, ZERO, BandRule, Direction, Frequency, IndicatorRule, Method, PlanRules, StreakRule


def plan_current_version(*, template: PlanTemplate) -> PlanVersion | None:
    """The newest published version: the one new assignments get."""
    return template.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()


def plan_current_versions(*, codes: Iterable[str]) -> dict[str, PlanVersion]:
    versions: dict[str, PlanVersion] = {}
    for version in (
        PlanVersion.objects.filter(template__code__in=set(codes), status=VersionStatus.PUBLISHED)
        .select_related("template")
        .order_by("template__code", "number")
    ):
        versions[version.template.code] = version  # the last one wins: the newest
    return versions


def _indicator_rule(indicator: Indicator) -> IndicatorRule:
    stretch = indicator.stretch_target is not None
    return IndicatorRule(
        code=indicator.code,
        weight=indicator.weight,
        method=Method(indicator.method),
        frequency=Frequency(indicator.frequency),
        direction=Direction(indicator.direction),
        target=indicator.target,
        floor=indicator.floor if indicator.floor is not None else ZERO,
        cap=indicator.cap if indicator.cap is not None else ONE,
        bonus_per_unit=indicator.bonus_per_unit if indicator.bonus_per_unit is not None else ZERO,
        penalty_per_unit=indicator.penalty_per_unit if indicator.penalty_per_unit is not None else ZERO,
        tiers=tuple((Decimal(threshold), Decimal(points)) for threshold, points in indicator.tiers),
        scale=indicator.scale,
        formula=indicator.formula or None,
        inputs=tuple(indicator.inputs),
        stretch_target=indicator.stretch_target,
        stretch_bonus=(indicator.stretch_bonus or ZERO) if stretch else ZERO,
    )


@dataclass(frozen=True)
class VersionRules:
    """A version's rules for the scoring core, with the rows they came from."""

    version_id: int
    rules: PlanRules
    indicators: dict[str, Indicator]  # by code, in the plan's order


def version_rules(*, version_ids: Iterable[int]) -> dict[int, VersionRules]:
    """The rules of several versions in three queries, whatever their number."""
    ids = set(version_ids)
    versions = {v.pk: v for v in PlanVersion.objects.filter(pk__in=ids)}
    indicators: dict[int, list[Indicator]] = {pk: [] for pk in ids}
    for indicator in Indicator.objects.filter(version_id__in=ids).order_by("position"):
        indicators[indicator.version_id].append(indicator)
    bands: dict[int, list[BandRule]] = {pk: [] for pk in ids}
    for band in Band.objects.filter(version_id__in=ids):
        bands[band.version_id].append(BandRule(min=band.min, label=band.label, payout=band.payout, flag=band.flag))
    result = {}
    for pk, version in versions.items():
        streak = None
        if version.streak_months and version.streak_min_score is not None:
            streak = StreakRule(
                months=version.streak_months, min_score=version.streak_min_score, flag=version.streak_flag
            )
        rules = PlanRules(
            indicators=tuple(_indicator_rule(i) for i in indicators[pk]),
            bands=tuple(sorted(bands[pk], key=lambda b: b.min, reverse=True)),
            streak=streak,
        )
        result[pk] = VersionRules(version_id=pk, rules=rules, indicators={i.code: i for i in indicators[pk]})
    return result


def plan_definition(*, version: PlanVersion) -> PlanDefinition:
    """A version as the plan file describes it."""
    rules = version_rules(version_ids=[version.pk])[version.pk]
    goals = list(Goal.objects.filter(version=version))
    goal_codes: dict[int | None, str] = {None: "", **{goal.pk: goal.code for goal in goals}}
    return PlanDefinition(
        code=version.template.code,
        name=version.name,
        goals=tuple(GoalDefinition(code=g.code, name=g.name) for g in goals),
        indicators=tuple(
            IndicatorDefinition(
                rule=rule,
                name=rules.indicators[rule.code].name,
                goal=goal_codes[rules.indicators[rule.code].goal_id],
                unit=rules.indicators[rule.code].unit,
            )
            for rule in rules.rules.indicators
        ),
        bands=rules.rules.bands,
        streak=rules.rules.streak,
    )


def assignments_for_month(*, month: Period, employee_ids: Iterable[int] | None = None) -> dict[int, Assignment]:
    """Each employee's assignment in force in ``month``: the one with the latest start up to it."""
    queryset: QuerySet[Assignment] = Assignment.objects.filter(start__lte=str(month))
    if employee_ids is not None:
        queryset = queryset.filter(employee_id__in=list(employee_ids))
    current: dict[int, Assignment] = {}
    for assignment in queryset.order_by("employee_id", "start"):
        current[assignment.employee_id] = assignment
    return current


@dataclass(frozen=True)
class QuarterAssignment:
    assignment: Assignment  # in force in the last month of the quarter the employee was assigned
    months: tuple[Period, ...]  # the quarter's months on which the employee was assigned


def assignments_for_quarter(
    *, quarter: Period, employee_ids: Iterable[int] | None = None
) -> dict[int, QuarterAssignment]:
    last = quarter.last_month()
    queryset: QuerySet[Assignment] = Assignment.objects.filter(start__lte=str(last))
    if employee_ids is not None:
        queryset = queryset.filter(employee_id__in=list(employee_ids))
    by_employee: dict[int, list[Assignment]] = {}
    for assignment in queryset.order_by("employee_id", "start"):
        by_employee.setdefault(assignment.employee_id, []).append(assignment)
    result = {}
    for employee_id, assignments in by_employee.items():
        first_start = assignments[0].start
        months = tuple(m for m in quarter.months() if str(m) >= first_start)
        result[employee_id] = QuarterAssignment(assignment=assignments[-1], months=months)
    return result
