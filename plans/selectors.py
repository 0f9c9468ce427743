"""Reads of plans: rows in, the pure core's dataclasses out."""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from plans.diff import Change, plan_diff
from plans.models import Assignment, Band, Goal, Indicator, PlanTemplate, PlanVersion, VersionStatus
from plans.numbers import number_tidy
from plans.periods import Period
from plans.plan_file import (
    DistributionRule,
    GoalDefinition,
    IndicatorDefinition,
    InputDefinition,
    PlanDefinition,
    PlanFileError,
    plan_file_parse,
)
from plans.plan_file_write import IndicatorValues, PlanValues, StreakValues, plan_data, plan_file_data
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


def indicator_rule(*, indicator: Indicator) -> IndicatorRule:
    """One indicator row as the scoring core reads it (draft rows included)."""
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
    indicator_ids: dict[str, int]  # the same, their ids: a close looks them up for every figure


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
            indicators=tuple(indicator_rule(indicator=i) for i in indicators[pk]),
            bands=tuple(sorted(bands[pk], key=lambda b: b.min, reverse=True)),
            streak=streak,
        )
        result[pk] = VersionRules(
            version_id=pk,
            rules=rules,
            indicators={i.code: i for i in indicators[pk]},
            indicator_ids={i.code: i.pk for i in indicators[pk]},
        )
    return result


def plan_definition(*, version: PlanVersion) -> PlanDefinition:
    """A version as the plan file describes it."""
    return plan_definitions(versions=[version])[version.pk]


def _optional(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def distribution_rules(*, version: PlanVersion) -> tuple[DistributionRule, ...]:
    """The version's distribution guideline, as the plan file gives it (stored with numbers as strings)."""
    return tuple(
        DistributionRule(band=item["band"], minimum=_optional(item.get("min")), maximum=_optional(item.get("max")))
        for item in version.distribution
    )


def distribution_data(rules: Iterable[DistributionRule]) -> list[dict[str, str]]:
    """A guideline as a version stores it: numbers as strings, an end not given left out."""
    stored = []
    for rule in rules:
        item = {"band": rule.band}
        if rule.minimum is not None:
            item["min"] = str(rule.minimum)
        if rule.maximum is not None:
            item["max"] = str(rule.maximum)
        stored.append(item)
    return stored


def input_details(*, indicator: Indicator) -> tuple[InputDefinition, ...]:
    """The indicator's inputs that have a label or a valid range, in the order of its inputs."""
    details = []
    for name in indicator.inputs:
        limits = indicator.input_limits.get(name)
        if limits:
            details.append(
                InputDefinition(
                    name=name,
                    label=limits.get("label", ""),
                    minimum=_optional(limits.get("min")),
                    maximum=_optional(limits.get("max")),
                )
            )
    return tuple(details)


def input_label(*, indicator: Indicator, name: str) -> str:
    """A formula input as people read it: its label (SPEC.md section 7's ``inputs`` objects), else its name."""
    label = str((indicator.input_limits.get(name) or {}).get("label", "")).strip()
    return label or name


def input_limits_data(details: Iterable[InputDefinition]) -> dict[str, dict[str, str]]:
    """``Indicator.input_limits`` of the inputs' labels and ranges (numbers as text, like the tiers)."""
    data = {}
    for detail in details:
        limits = {"label": detail.label} if detail.label else {}
        if detail.minimum is not None:
            limits["min"] = str(detail.minimum)
        if detail.maximum is not None:
            limits["max"] = str(detail.maximum)
        if limits:
            data[detail.name] = limits
    return data


def value_limits(*, indicator: Indicator) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    """The valid range of each value entered for ``indicator`` (SPEC.md section 7): ``""`` for the
    indicator's own value, an input's name for a formula input; ``None`` where an end is open."""
    limits: dict[str, tuple[Decimal | None, Decimal | None]] = {"": (indicator.minimum, indicator.maximum)}
    for name in indicator.inputs:
        detail = indicator.input_limits.get(name) or {}
        limits[name] = (_optional(detail.get("min")), _optional(detail.get("max")))
    return limits


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
    assignment: Assignment  # in force in the last month of the quarter (or year) the employee was assigned
    months: tuple[Period, ...]  # the quarter's (or year's) months on which the employee was assigned


def assignments_for_quarter(
    *, quarter: Period, employee_ids: Iterable[int] | None = None
) -> dict[int, QuarterAssignment]:
    """Each employee assigned in one of the months of ``quarter`` (a quarter or a year)."""
    last = quarter.last_month()
    queryset: QuerySet[Assignment] = Assignment.objects.filter(start__lte=str(last))
    if employee_ids is not None:
        queryset = queryset.filter(employee_id__in=list(employee_ids))
    by_employee: dict[int, list[Assignment]] = {}
    for assignment in queryset.order_by("employee_id", "start"):
        by_employee.setdefault(assignment.employee_id, []).append(assignment)
    months = [(str(month), month) for month in quarter.months()]
    result = {}
    for employee_id, assignments in by_employee.items():
        first_start = assignments[0].start
        assigned = tuple(month for text, month in months if text >= first_start)
        result[employee_id] = QuarterAssignment(assignment=assignments[-1], months=assigned)
    return result


# --- the plan pages ------------------------------------------------------------------------------

DRAFT_NUMBER = 0  # a draft's number; (template, number) is unique, so a template has one draft at most
LIBRARY = Path(__file__).resolve().parent / "templates_library"


def _indicator_values(row: Indicator, goal_codes: dict[int, str]) -> IndicatorValues:
    """The row's every setting as it is stored: a draft's, complete or not."""
    return IndicatorValues(
        code=row.code,
        name=row.name,
        goal=goal_codes.get(row.goal_id or 0, ""),
        unit=row.unit,
        minimum=row.minimum,
        maximum=row.maximum,
        frequency=row.frequency,
        weight=row.weight,
        direction=row.direction,
        target=row.target,
        method=row.method,
        floor=row.floor,
        penalty_per_unit=row.penalty_per_unit,
        bonus_per_unit=row.bonus_per_unit,
        cap=row.cap,
        tiers=tuple((Decimal(threshold), Decimal(points)) for threshold, points in row.tiers),
        scale=row.scale,
        formula=row.formula,
        inputs=tuple(row.inputs),
        input_details=input_details(indicator=row),
        stretch_target=row.stretch_target,
        stretch_bonus=row.stretch_bonus,
    )


def _streak_values(version: PlanVersion) -> StreakValues | None:
    if version.streak_months is None and version.streak_min_score is None and not version.streak_flag:
        return None
    return StreakValues(
        months=version.streak_months, min_score=version.streak_min_score, flag=version.streak_flag or None
    )


@dataclass(frozen=True)
class VersionRows:
    goals: list[Goal]
    indicators: list[Indicator]
    bands: list[Band]


def version_rows(version: PlanVersion) -> VersionRows:
    return VersionRows(
        goals=list(Goal.objects.filter(version=version).order_by("position", "pk")),
        indicators=list(Indicator.objects.filter(version=version).order_by("position", "pk")),
        bands=list(Band.objects.filter(version=version).order_by("-min", "pk")),
    )


def rows_plan_data(version: PlanVersion, rows: VersionRows) -> dict[str, Any]:
    goal_codes = {goal.pk: goal.code for goal in rows.goals}
    values = PlanValues(
        code=version.template.code,
        name=version.name,
        goals=tuple(GoalDefinition(code=goal.code, name=goal.name) for goal in rows.goals),
        indicators=tuple(_indicator_values(row, goal_codes) for row in rows.indicators),
        bands=tuple(
            BandRule(min=band.min, label=band.label, payout=band.payout, flag=band.flag) for band in rows.bands
        ),
        streak=_streak_values(version),
        distribution=distribution_rules(version=version),
        calibration=version.calibration,
        flag_labels=_version_flag_labels(version, rows.bands),
    )
    return plan_data(values, number_tidy)  # Decimals: the checker reads them exactly, a page localizes them


def _version_flag_labels(version: PlanVersion, bands: Iterable[Band]) -> dict[str, str]:
    """Each flag's label, from the bands and the streak that set one (the first wins: the plan file
    gives one label a flag, and a draft that gives two is refused when it is checked)."""
    labels: dict[str, str] = {}
    for flag, label in [(band.flag, band.flag_label) for band in bands] + [
        (version.streak_flag, version.streak_flag_label)
    ]:
        if flag and label:
            labels.setdefault(flag, label)
    return labels


def flag_labels(*, version_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """What people read for each flag the versions define: ``{version_id: {flag: label}}``, in two
    queries. A flag without a label is not in it (it shows as it is, or as the built-in words of
    ``incomplete``)."""
    ids = set(version_ids)
    result: dict[int, dict[str, str]] = {pk: {} for pk in ids}
    bands = Band.objects.filter(version_id__in=ids).exclude(flag="").exclude(flag_label="").order_by("-min", "pk")
    for version_id, flag, label in bands.values_list("version_id", "flag", "flag_label"):
        result[version_id].setdefault(flag, label)
    streaks = PlanVersion.objects.filter(pk__in=ids).exclude(streak_flag="").exclude(streak_flag_label="")
    for version_id, flag, label in streaks.values_list("pk", "streak_flag", "streak_flag_label"):
        result[version_id].setdefault(flag, label)
    return result


def version_plan_data(*, version: PlanVersion) -> dict[str, Any]:
    """A version's rows as a plan file, exactly as they are, unchecked.

    For a draft this is what ``plan_file_parse`` checks before it is published, so that the
    rules of a valid plan exist once, in ``plan_file``.
    """
    return rows_plan_data(version, version_rows(version))


def draft_check(*, draft: PlanVersion) -> tuple[PlanDefinition | None, list[str]]:
    """The draft as a checked plan, or every problem that stops it from being published, each
    saying where by the names HR reads (指标“客户流失率”), not by the plan file's keys."""
    data = version_plan_data(version=draft)
    try:
        return plan_file_parse(data), []
    except PlanFileError as error:
        return None, [_problem_where(message, data) for message in error.messages]


_WHERE = re.compile(r"^(indicators|bands|goals)\[(\d+)\][^:]*: |^(indicators|bands|goals|streak): ")


def _problem_where(message: str, data: dict[str, Any]) -> str:
    found = _WHERE.match(message)
    if found is None:
        return message
    problem = message[found.end() :]
    part, index, whole = found.group(1), found.group(2), found.group(3)
    if whole:
        where = {"indicators": _("Indicators"), "bands": _("Bands"), "goals": _("Goals"), "streak": _("Streak rule")}
        return f"{where[whole]}: {problem}"
    item = data[part][int(index)] if int(index) < len(data.get(part) or ()) else {}
    if part == "indicators":
        where_text = _("Indicator “%(subject)s”") % {"subject": item.get("name") or item.get("code", "")}
    elif part == "bands":
        where_text = _("Band “%(subject)s”") % {"subject": item.get("label", "")}
    else:
        where_text = _("Goal “%(subject)s”") % {"subject": item.get("name") or item.get("code", "")}
    return f"{where_text}: {problem}"


def weight_total(*, version: PlanVersion, without: Indicator | None = None) -> Decimal:
    rows = Indicator.objects.filter(version=version)
    if without is not None:
        rows = rows.exclude(pk=without.pk)
    return number_tidy(rows.aggregate(total=Sum("weight"))["total"] or ZERO) or ZERO


def plan_draft(*, template: PlanTemplate) -> PlanVersion | None:
    return template.versions.filter(status=VersionStatus.DRAFT).select_related("template").first()


@dataclass(frozen=True)
class PlanSummary:
    code: str
    name: str
    current: int | None  # the newest published version's number
    published_at: datetime | None
    has_draft: bool


def plan_summaries() -> list[PlanSummary]:
    """Every plan for the plan list, in one query whatever their number."""
    published = Q(versions__status=VersionStatus.PUBLISHED)
    templates = PlanTemplate.objects.annotate(
        current=Max("versions__number", filter=published),
        last_published=Max("versions__published_at", filter=published),
        drafts=Count("versions", filter=Q(versions__status=VersionStatus.DRAFT)),
    ).order_by("name", "code")
    return [
        PlanSummary(code=t.code, name=t.name, current=t.current, published_at=t.last_published, has_draft=t.drafts > 0)
        for t in templates
    ]


def plan_definitions(*, versions: Iterable[PlanVersion]) -> dict[int, PlanDefinition]:
    """Several versions as plan files, in four queries whatever their number.

    Unchecked: a draft's incomplete indicator comes out with the scoring core's defaults.
    """
    versions = list(versions)
    all_rules = version_rules(version_ids=[v.pk for v in versions])
    all_labels = flag_labels(version_ids=[v.pk for v in versions])
    goals: dict[int, list[Goal]] = {v.pk: [] for v in versions}
    for goal in Goal.objects.filter(version__in=versions).order_by("position", "pk"):
        goals[goal.version_id].append(goal)
    result = {}
    for version in versions:
        rules = all_rules[version.pk]
        goal_codes = {goal.pk: goal.code for goal in goals[version.pk]}
        rows = rules.indicators
        result[version.pk] = PlanDefinition(
            code=version.template.code,
            name=version.name,
            goals=tuple(GoalDefinition(code=g.code, name=g.name) for g in goals[version.pk]),
            indicators=tuple(
                IndicatorDefinition(
                    rule=rule,
                    name=rows[rule.code].name,
                    goal=goal_codes.get(rows[rule.code].goal_id or 0, ""),
                    unit=rows[rule.code].unit,
                    minimum=number_tidy(rows[rule.code].minimum),
                    maximum=number_tidy(rows[rule.code].maximum),
                    input_details=input_details(indicator=rows[rule.code]),
                )
                for rule in rules.rules.indicators
            ),
            bands=rules.rules.bands,
            streak=rules.rules.streak,
            distribution=distribution_rules(version=version),
            calibration=version.calibration,
            flag_labels=tuple(sorted(all_labels[version.pk].items())),
        )
    return result


@dataclass(frozen=True)
class VersionEntry:
    version: PlanVersion
    changes: list[Change]  # from the version before it (for the draft: from the current version)
    first: bool


def plan_history(*, template: PlanTemplate) -> list[VersionEntry]:
    """The template's versions, newest first (the draft on top), each with what it changed.

    Every version is read the way a plan file is written (defaults left out), the draft too even
    while it is incomplete, so that a change is a change and not a difference of storage.
    """
    versions = list(template.versions.select_related("template", "published_by").order_by("number"))
    published = [v for v in versions if v.status == VersionStatus.PUBLISHED]
    drafts = [v for v in versions if v.status == VersionStatus.DRAFT]
    definitions = plan_definitions(versions=published + drafts)
    entries = []
    previous: dict[str, Any] | None = None
    for version in published + drafts:
        data = plan_file_data(definitions[version.pk])
        entries.append(VersionEntry(version=version, changes=plan_diff(previous, data), first=previous is None))
        if version.status == VersionStatus.PUBLISHED:
            previous = data
    return entries[::-1]


@dataclass(frozen=True)
class LibraryTemplate:
    key: str  # the file's name without ".json": "customer-manager.en"
    name: str
    language: str
    data: dict[str, Any]


def library_templates() -> list[LibraryTemplate]:
    """The starting plans that ship with the product, the current language's first."""
    language = get_language() or ""
    found = []
    for path in sorted(LIBRARY.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        key = path.name.removesuffix(".json")
        found.append(LibraryTemplate(key=key, name=data.get("name", key), language=key.rpartition(".")[2], data=data))
    return sorted(found, key=lambda t: t.language != language)


def library_template(*, key: str) -> LibraryTemplate | None:
    return next((t for t in library_templates() if t.key == key), None)


@dataclass(frozen=True)
class PublishSummary:
    """What publishing a draft does, for HR to confirm."""

    number: int  # the version it becomes
    current: PlanVersion | None  # the version it follows
    changes: list[Change]  # from the current version
    people_on_current: int  # assigned to the current version: they stay on it until HR moves them
    indicators: int
    bands: int


def publish_summary(*, draft: PlanVersion) -> PublishSummary:
    current = plan_current_version(template=draft.template)
    definitions = plan_definitions(versions=[draft, current] if current else [draft])
    new = plan_file_data(definitions[draft.pk])
    old = plan_file_data(definitions[current.pk]) if current else None
    return PublishSummary(
        number=(current.number + 1) if current else 1,
        current=current,
        changes=plan_diff(old, new),
        people_on_current=(
            Assignment.objects.filter(version=current).values("employee").distinct().count() if current else 0
        ),
        indicators=len(new["indicators"]),
        bands=len(new["bands"]),
    )
