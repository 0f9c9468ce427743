"""What the builder and a version's page show of a plan version: its indicators' settings as
sentences HR reads (units beside numbers, tiers as a small table, the stretch target), its goals,
bands and streak, in a few queries."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from plans import formula as formulas
from plans.formats import percent_text
from plans.models import Band, Goal, Indicator, PlanVersion
from plans.numbers import number_text, number_tidy
from plans.plan_file import (
    InputDefinition,
)
from plans.plan_file_write import plan_file_data
from plans.scoring import ZERO, Direction, Method
from plans.selectors import input_details, plan_definition, rows_plan_data, version_rows


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    item: dict[str, Any]  # as in the plan file
    goal_name: str
    settings: list[tuple[str, str]]  # the method's and formula's settings, each a sentence
    tiers: list[tuple[str, str]]  # (the threshold, "≥ 95 %", the points), highest first
    stretch: str  # "挑战目标值 3 %：加 5 分", or ""


def _with_unit(value: Decimal, unit: str) -> str:
    text = number_text(value)
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def _readable_settings(row: Indicator, item: dict[str, Any]) -> list[tuple[str, str]]:
    """The indicator's settings as sentences HR reads, in the plan file's order; what a plan leaves
    to its defaults (floor 0, at most the weight) is not news and is left out."""
    unit = row.unit
    settings: list[tuple[str, str]] = []
    if row.minimum is not None or row.maximum is not None:
        low = _with_unit(row.minimum, unit) if row.minimum is not None else "—"
        high = _with_unit(row.maximum, unit) if row.maximum is not None else "—"
        settings.append((_("Values allowed"), _("from %(low)s to %(high)s") % {"low": low, "high": high}))
    if row.target is not None and "target" in item:
        settings.append((_("Target"), _with_unit(row.target, unit)))
    if row.scale is not None and "scale" in item:
        settings.append((_("Scale"), _("out of %(scale)s") % {"scale": number_text(row.scale)}))
    if "floor" in item and row.floor is not None:
        settings.append(
            (
                _("Floor"),
                _("below %(share)s of the target: 0 points") % {"share": percent_text(number_text(row.floor * 100))},
            )
        )
    if "penalty_per_unit" in item and row.penalty_per_unit is not None:
        settings.append(
            (_("Below target"), _("%(points)s points off per unit") % {"points": number_text(row.penalty_per_unit)})
        )
    if "bonus_per_unit" in item and row.bonus_per_unit is not None:
        settings.append(
            (_("Above target"), _("%(points)s points more per unit") % {"points": number_text(row.bonus_per_unit)})
        )
    if "cap" in item and row.cap is not None:
        share = percent_text(number_text(row.cap * 100))
        text = (
            _("over-achievement earns extra points, at most %(share)s of the weight")
            if row.cap > 1
            else _("at most %(share)s of the weight")
        )
        settings.append((_("Most points"), text % {"share": share}))
    if row.formula:
        labels = {d.name: d.label for d in input_details(indicator=row) if d.label}
        settings.append((_("Formula"), formulas.rename(row.formula, labels)))
        settings.append((_("Inputs"), "、".join(_input_text(d, unit) for d in _all_inputs(row))))
    return settings


def _all_inputs(row: Indicator) -> list[InputDefinition]:
    details = {detail.name: detail for detail in input_details(indicator=row)}
    return [details.get(name, InputDefinition(name=name)) for name in row.inputs]


def _input_text(detail: InputDefinition, unit: str) -> str:
    limits = []
    if detail.minimum is not None:
        limits.append(f"≥ {number_text(detail.minimum)}")
    if detail.maximum is not None:
        limits.append(f"≤ {number_text(detail.maximum)}")
    label = detail.label or detail.name
    return f"{label}（{', '.join(limits)}）" if limits else label


def _tier_rows(row: Indicator) -> list[tuple[str, str]]:
    sign = "≤" if row.direction == Direction.LOWER else "≥"
    tiers = sorted(((Decimal(t), Decimal(p)) for t, p in row.tiers), key=lambda tier: tier[1], reverse=True)
    return [(f"{sign} {_with_unit(threshold, row.unit)}", number_text(points)) for threshold, points in tiers]


def _stretch_text(row: Indicator) -> str:
    if row.stretch_target is None:
        return ""
    return _("Stretch target %(target)s: %(bonus)s points more") % {
        "target": _with_unit(row.stretch_target, row.unit),
        "bonus": number_text(row.stretch_bonus or ZERO),
    }


@dataclass(frozen=True)
class VersionOverview:
    version: PlanVersion
    goals: list[Goal]
    indicators: list[IndicatorRow]
    bands: list[tuple[Band, dict[str, Any]]]
    streak: dict[str, Any] | None
    weight_total: Decimal
    data: dict[str, Any]


def version_overview(*, version: PlanVersion) -> VersionOverview:
    """Everything the builder and version pages show of a version, in a few queries."""
    rows = version_rows(version)
    data = rows_plan_data(version, rows)
    # The settings as the plan file writes them: a stored default (floor 0, cap 1) is not news.
    written = {item["code"]: item for item in plan_file_data(plan_definition(version=version))["indicators"]}
    goal_names = {goal.pk: goal.name for goal in rows.goals}
    indicators = [
        IndicatorRow(
            indicator=row,
            item=written[row.code],
            goal_name=goal_names.get(row.goal_id or 0, ""),
            settings=_readable_settings(row, written[row.code]),
            tiers=_tier_rows(row) if row.method == Method.TIERS else [],
            stretch=_stretch_text(row),
        )
        for row in rows.indicators
    ]
    return VersionOverview(
        version=version,
        goals=rows.goals,
        indicators=indicators,
        bands=list(zip(rows.bands, data["bands"], strict=True)),
        streak=data.get("streak"),
        weight_total=number_tidy(sum((row.weight for row in rows.indicators), ZERO)) or ZERO,
        data=data,
    )
