"""Writing a plan as the JSON of SPEC.md section 3, keys in the spec's order: the one writer.

Pure code, the other half of ``plans.plan_file``. ``plan_data`` writes every plan the product
writes, from ``PlanValues``: what is None (or empty) is left out. Two kinds of values go in:

- a plan, checked or read from a version (``plan_file_data``): its defaults are left out, its
  numbers are JSON's. This is the file a version downloads as, and the dicts ``plans.diff``
  compares; a file read and written back is the same file.
- a draft's rows as they are (``selectors.version_plan_data``): only what is empty is left out, so
  that ``plan_file_parse`` sees what is missing or wrong, and its numbers stay Decimals.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from plans.numbers import number_json
from plans.plan_file import DistributionRule, GoalDefinition, IndicatorDefinition, InputDefinition, PlanDefinition
from plans.scoring import ONE, ZERO, BandRule, Direction, Method, StreakRule

# A number as it is written: number_json for a file, number_tidy (a Decimal) for the checker and pages.
Number = Callable[[Decimal], Decimal | int | float]


@dataclass(frozen=True)
class IndicatorValues:
    """One indicator as it is written; a None or empty value is left out."""

    code: str
    name: str
    frequency: str
    weight: Decimal
    method: str
    goal: str = ""
    unit: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    direction: str | None = None
    target: Decimal | None = None
    floor: Decimal | None = None
    penalty_per_unit: Decimal | None = None
    bonus_per_unit: Decimal | None = None
    cap: Decimal | None = None
    tiers: tuple[tuple[Decimal, Decimal], ...] = ()
    scale: Decimal | None = None
    formula: str = ""
    inputs: tuple[str, ...] = ()  # written with a formula, or when there are any
    input_details: tuple[InputDefinition, ...] = ()  # the inputs written as objects
    stretch_target: Decimal | None = None
    stretch_bonus: Decimal | None = None


@dataclass(frozen=True)
class StreakValues:
    months: int | None
    min_score: Decimal | None
    flag: str | None


@dataclass(frozen=True)
class PlanValues:
    code: str
    name: str
    goals: tuple[GoalDefinition, ...]
    indicators: tuple[IndicatorValues, ...]
    bands: tuple[BandRule, ...]
    streak: StreakValues | None
    distribution: tuple[DistributionRule, ...] = ()
    calibration: bool = False
    flag_labels: Mapping[str, str] = field(default_factory=dict)  # written as "flag_label" beside "flag"


def plan_data(plan: PlanValues, number: Number) -> dict[str, Any]:
    """The plan as the JSON object of SPEC.md section 3, keys in the spec's order."""
    data: dict[str, Any] = {
        "code": plan.code,
        "name": plan.name,
        "goals": [{"code": goal.code, "name": goal.name} for goal in plan.goals],
        "indicators": [_indicator_data(indicator, number) for indicator in plan.indicators],
        "bands": [_band_data(band, number, plan.flag_labels) for band in plan.bands],
    }
    if plan.streak is not None:
        streak = plan.streak
        data["streak"] = _given(
            {
                "months": streak.months,
                "min_score": _optional(number, streak.min_score),
                "flag": streak.flag,
                "flag_label": plan.flag_labels.get(streak.flag or "") or None,
            }
        )
    if plan.distribution:
        data["distribution"] = [
            _given({"band": rule.band, "min": _optional(number, rule.minimum), "max": _optional(number, rule.maximum)})
            for rule in plan.distribution
        ]
    if plan.calibration:
        data["calibration"] = True
    return data


def _indicator_data(values: IndicatorValues, number: Number) -> dict[str, Any]:
    def optional(value: Decimal | None) -> Decimal | int | float | None:
        return _optional(number, value)

    stretch = _given({"target": optional(values.stretch_target), "bonus": optional(values.stretch_bonus)})
    return _given(
        {
            "code": values.code,
            "name": values.name,
            "goal": values.goal or None,
            "unit": values.unit or None,
            **_range_data(values.minimum, values.maximum, number),
            "frequency": values.frequency,
            "weight": number(values.weight),
            "direction": values.direction,
            "target": optional(values.target),
            "method": values.method,
            "floor": optional(values.floor),
            "penalty_per_unit": optional(values.penalty_per_unit),
            "bonus_per_unit": optional(values.bonus_per_unit),
            "cap": optional(values.cap),  # after the amounts, as the example of SPEC.md writes it
            "tiers": [[number(threshold), number(points)] for threshold, points in values.tiers] or None,
            "scale": optional(values.scale),
            "formula": values.formula or None,
            "inputs": _inputs_data(values, number) if values.formula or values.inputs else None,
            "stretch": stretch or None,
        }
    )


def _inputs_data(values: IndicatorValues, number: Number) -> list[Any]:
    """The inputs: one with a label or a range as an object, a plain one as its name."""
    details = {detail.name: detail for detail in values.input_details}
    return [_input_data(details[name], number) if name in details else name for name in values.inputs]


def _input_data(detail: InputDefinition, number: Number) -> dict[str, Any]:
    data = _given({"name": detail.name, "label": detail.label or None})
    return {**data, **_range_data(detail.minimum, detail.maximum, number)}


def _range_data(minimum: Decimal | None, maximum: Decimal | None, number: Number) -> dict[str, Any]:
    return _given({"min": _optional(number, minimum), "max": _optional(number, maximum)})


def _band_data(band: BandRule, number: Number, flag_labels: Mapping[str, str]) -> dict[str, Any]:
    data = {"min": number(band.min), "label": band.label, "payout": number(band.payout)}
    if not band.flag:
        return data
    label = flag_labels.get(band.flag)
    return {**data, "flag": band.flag, "flag_label": label} if label else {**data, "flag": band.flag}


def _optional(number: Number, value: Decimal | None) -> Decimal | int | float | None:
    return None if value is None else number(value)


def _given(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}


# --- a plan: its defaults left out ----------------------------------------------------------------


def plan_file_data(definition: PlanDefinition) -> dict[str, Any]:
    """The plan file of ``definition``, as ``plan_file_dumps`` writes it and ``plans.diff`` compares it."""
    return plan_data(plan_values(definition), number_json)


def plan_file_dumps(definition: PlanDefinition) -> str:
    return json.dumps(plan_file_data(definition), ensure_ascii=False, indent=2) + "\n"


def plan_values(definition: PlanDefinition) -> PlanValues:
    """What a plan file says of ``definition``: nothing of what a plan leaves to its defaults."""
    return PlanValues(
        code=definition.code,
        name=definition.name,
        goals=definition.goals,
        indicators=tuple(_indicator_values(indicator) for indicator in definition.indicators),
        bands=definition.bands,
        streak=_streak_values(definition.streak),
        distribution=definition.distribution,
        calibration=definition.calibration,
        flag_labels=dict(definition.flag_labels),
    )


def _indicator_values(indicator: IndicatorDefinition) -> IndicatorValues:
    rule = indicator.rule
    per_unit = rule.method == Method.PER_UNIT
    return IndicatorValues(
        code=rule.code,
        name=indicator.name,
        goal=indicator.goal,
        unit=indicator.unit,
        minimum=indicator.minimum,
        maximum=indicator.maximum,
        frequency=rule.frequency.value,
        weight=rule.weight,
        # A rating is higher-is-better unless it says otherwise; every other method says which.
        direction=None if rule.method == Method.RATING and rule.direction == Direction.HIGHER else rule.direction.value,
        target=rule.target,
        method=rule.method.value,
        floor=rule.floor if rule.floor != ZERO else None,
        penalty_per_unit=rule.penalty_per_unit if per_unit else None,
        bonus_per_unit=rule.bonus_per_unit if per_unit or rule.bonus_per_unit != ZERO else None,
        cap=rule.cap if rule.cap != ONE else None,
        tiers=rule.tiers,
        scale=rule.scale,
        formula=rule.formula or "",
        inputs=rule.inputs if rule.formula else (),
        input_details=indicator.input_details,
        stretch_target=rule.stretch_target,
        stretch_bonus=rule.stretch_bonus if rule.stretch_target is not None else None,
    )


def _streak_values(streak: StreakRule | None) -> StreakValues | None:
    if streak is None:
        return None
    return StreakValues(months=streak.months, min_score=streak.min_score, flag=streak.flag)
