"""Writing a plan definition back as the JSON of SPEC.md section 3, keys in the spec's order.

Pure code, the other half of ``plans.plan_file``: the file a version downloads as, and the dicts
``plans.diff`` compares. A file read and written back is the same file.
"""

import json
from decimal import Decimal
from typing import Any

from plans.numbers import number_json
from plans.plan_file import InputDefinition, PlanDefinition
from plans.scoring import ONE, ZERO, Direction, Method


def plan_file_data(definition: PlanDefinition) -> dict[str, Any]:
    """The plan as the JSON object of SPEC.md section 3, keys in the spec's order."""
    indicators = []
    for indicator in definition.indicators:
        rule = indicator.rule
        item: dict[str, Any] = {"code": rule.code, "name": indicator.name}
        if indicator.goal:
            item["goal"] = indicator.goal
        if indicator.unit:
            item["unit"] = indicator.unit
        item.update(_range_data(indicator.minimum, indicator.maximum))
        item["frequency"] = rule.frequency.value
        item["weight"] = number_json(rule.weight)
        if rule.method != Method.RATING or rule.direction != Direction.HIGHER:
            item["direction"] = rule.direction.value
        if rule.target is not None:
            item["target"] = number_json(rule.target)
        item["method"] = rule.method.value
        if rule.floor != ZERO:
            item["floor"] = number_json(rule.floor)
        if rule.method == Method.PER_UNIT:
            item["penalty_per_unit"] = number_json(rule.penalty_per_unit)
        if rule.bonus_per_unit != ZERO or rule.method == Method.PER_UNIT:
            item["bonus_per_unit"] = number_json(rule.bonus_per_unit)
        if rule.cap != ONE:  # after the amounts, as the example of SPEC.md writes it
            item["cap"] = number_json(rule.cap)
        if rule.tiers:
            item["tiers"] = [[number_json(threshold), number_json(points)] for threshold, points in rule.tiers]
        if rule.scale is not None:
            item["scale"] = number_json(rule.scale)
        if rule.formula:
            item["formula"] = rule.formula
            details = {detail.name: detail for detail in indicator.input_details}
            item["inputs"] = [_input_data(details[name]) if name in details else name for name in rule.inputs]
        if rule.stretch_target is not None:
            item["stretch"] = {"target": number_json(rule.stretch_target), "bonus": number_json(rule.stretch_bonus)}
        indicators.append(item)
    data: dict[str, Any] = {
        "code": definition.code,
        "name": definition.name,
        "goals": [{"code": goal.code, "name": goal.name} for goal in definition.goals],
        "indicators": indicators,
        "bands": [
            {
                "min": number_json(b.min),
                "label": b.label,
                "payout": number_json(b.payout),
                **({"flag": b.flag} if b.flag else {}),
            }
            for b in definition.bands
        ],
    }
    if definition.streak:
        streak = definition.streak
        data["streak"] = {"months": streak.months, "min_score": number_json(streak.min_score), "flag": streak.flag}
    return data


def _range_data(minimum: Decimal | None, maximum: Decimal | None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if minimum is not None:
        data["min"] = number_json(minimum)
    if maximum is not None:
        data["max"] = number_json(maximum)
    return data


def _input_data(detail: InputDefinition) -> dict[str, Any]:
    """An input with a label or a range, as an object; a plain input is written as its name."""
    data: dict[str, Any] = {"name": detail.name}
    if detail.label:
        data["label"] = detail.label
    return {**data, **_range_data(detail.minimum, detail.maximum)}


def plan_file_dumps(definition: PlanDefinition) -> str:
    return json.dumps(plan_file_data(definition), ensure_ascii=False, indent=2) + "\n"
