"""The plan file of SPEC.md section 3: reading and checking it (``plans.plan_file_write`` writes it).

Pure code. ``plan_file_parse`` checks everything at once and either returns a ``PlanDefinition``
or raises ``PlanFileError`` holding every problem found. The limits of SPEC.md section 7 hold for
every value: numbers go through ``plans.numbers`` (at most 6 decimals, below 10^9, never rounded),
texts have their lengths, and a file too large or nested too deeply is refused before it is read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from plans import formula as formulas
from plans.errors import ApplicationError
from plans.numbers import LIMIT, NumberError, number_check, number_text
from plans.plan_file_check import (
    CODE,
    CODE_MAX_LENGTH,
    FLAG,
    FORMULA_MAX_LENGTH,
    INPUT_NAME,
    PLAN_CODE,
    SHORT_MAX_LENGTH,
    Checker,
    as_decimal,
    short,
    shown,
)
from plans.scoring import (
    ONE,
    ZERO,
    BandRule,
    Direction,
    Frequency,
    IndicatorRule,
    Method,
    PlanRules,
    StreakRule,
    highest_score,
)

PLAN_KEYS = {"code", "name", "goals", "indicators", "bands", "streak", "distribution", "calibration"}
GOAL_KEYS = {"code", "name"}
INDICATOR_KEYS = {
    "code", "name", "goal", "unit", "frequency", "weight", "direction", "target", "method", "floor", "cap",
    "bonus_per_unit", "penalty_per_unit", "tiers", "scale", "formula", "inputs", "stretch", "min", "max",
}  # fmt: skip
INPUT_KEYS = {"name", "label", "min", "max"}
BAND_KEYS = {"min", "label", "payout", "flag", "flag_label"}
STREAK_KEYS = {"months", "min_score", "flag", "flag_label"}
STRETCH_KEYS = {"target", "bonus"}
DISTRIBUTION_KEYS = {"band", "min", "max"}
PERCENT_MAX = Decimal(100)

# SPEC.md section 7: the size of a file (the lengths of texts are in plans.plan_file_check).
PLAN_FILE_MAX_BYTES = 1_000_000
NESTING_MAX = 20  # a plan file is 5 levels deep: plan, indicators, indicator, tiers, tier
STREAK_MONTHS_MAX = 120

# What may stand between quotes and the brackets that nest: enough to count the nesting.
_NESTING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


class PlanFileError(ApplicationError):
    """A plan refused: ``messages``, each naming the plan key."""


@dataclass(frozen=True)
class GoalDefinition:
    code: str
    name: str


@dataclass(frozen=True)
class InputDefinition:
    """A formula input with a label or a valid range (a plain input is only its name)."""

    name: str
    label: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None


@dataclass(frozen=True)
class IndicatorDefinition:
    rule: IndicatorRule
    name: str
    goal: str = ""
    unit: str = ""
    minimum: Decimal | None = None  # the valid range of the value entered (SPEC.md section 7)
    maximum: Decimal | None = None
    input_details: tuple[InputDefinition, ...] = ()  # the inputs with a label or a range, in order


@dataclass(frozen=True)
class DistributionRule:
    """A guideline of how many of the people closed in a period a band should hold, in percent:
    shown beside the results, never enforced (SPEC.md section 10)."""

    band: str
    minimum: Decimal | None = None
    maximum: Decimal | None = None


@dataclass(frozen=True)
class PlanDefinition:
    code: str
    name: str
    goals: tuple[GoalDefinition, ...] = ()
    indicators: tuple[IndicatorDefinition, ...] = ()
    bands: tuple[BandRule, ...] = ()
    streak: StreakRule | None = None
    distribution: tuple[DistributionRule, ...] = ()  # in the file's order
    calibration: bool = False  # results wait for HR's release (SPEC.md section 10)
    # What people read for a flag the plan defines: (flag, label) pairs, by flag ("warning", "预警").
    flag_labels: tuple[tuple[str, str], ...] = ()
    rules: PlanRules = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        rules = PlanRules(indicators=tuple(i.rule for i in self.indicators), bands=self.bands, streak=self.streak)
        object.__setattr__(self, "rules", rules)


def plan_file_loads(text: str | bytes) -> PlanDefinition:
    """A plan file as read from disk or an upload: at most 1 MB of JSON, then ``plan_file_parse``."""
    if len(text) > PLAN_FILE_MAX_BYTES:
        raise PlanFileError([_("The plan file is larger than 1 MB: a plan file is a few kilobytes.")])
    if isinstance(text, bytes):
        try:
            text = text.decode(json.detect_encoding(text))
        except UnicodeDecodeError as error:
            raise PlanFileError([_("The plan file is not UTF-8 text: save it as UTF-8.")]) from error
    depth = 0
    for match in _NESTING.finditer(text):
        bracket = match.group()
        if bracket in "[{":
            depth += 1
            if depth > NESTING_MAX:
                raise PlanFileError([_("The plan file is nested too deeply to be a plan file.")])
        elif bracket in "]}":
            depth -= 1
    try:
        data = json.loads(
            text,
            parse_float=Decimal,
            parse_int=Decimal,  # 10**5000 is "too large", not Python's limit of digits
            parse_constant=_constant,
            object_pairs_hook=_object,
        )
    except PlanFileError:
        raise
    except (ValueError, RecursionError) as error:
        raise PlanFileError([_("The plan file is not valid JSON: %(error)s") % {"error": error}]) from error
    return plan_file_parse(data)


def _constant(name: str) -> object:
    raise PlanFileError(
        [_("The plan file holds %(value)s, which is not a number: give a number instead.") % {"value": name}]
    )


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:  # json keeps the last one silently
            raise PlanFileError([_("The plan file gives “%(key)s” twice in one object.") % {"key": short(key)}])
        data[key] = value
    return data


def plan_file_parse(data: object) -> PlanDefinition:
    check = Checker()
    if not isinstance(data, dict):
        raise PlanFileError([_("The plan file must hold one JSON object.")])
    check.keys("", data, PLAN_KEYS)
    if data.get("code") in (None, ""):
        check.error("", _("“code” is required"))
    code = check.text("code", data, "code", required=False, pattern=PLAN_CODE)
    name = check.text("", data, "name")

    goals = _goals(check, data)
    indicators = _indicators(check, data, {goal.code for goal in goals})
    labels: dict[str, str] = {}
    bands = _bands(check, data, labels)
    streak = _streak(check, data, labels)
    distribution = _distribution(check, data, {band.label for band in bands})
    calibration = data.get("calibration", False)
    if not isinstance(calibration, bool):
        check.error("calibration", _("must be true or false, not %(value)s") % {"value": shown(calibration)})
        calibration = False
    if check.errors:
        raise PlanFileError(check.errors)
    return PlanDefinition(
        code=code,
        name=name,
        goals=goals,
        indicators=indicators,
        bands=bands,
        streak=streak,
        distribution=distribution,
        calibration=calibration,
        flag_labels=tuple(sorted(labels.items())),
    )


def _goals(check: Checker, data: Mapping[str, Any]) -> tuple[GoalDefinition, ...]:
    goals: list[GoalDefinition] = []
    seen: set[str] = set()
    for where, item in check.objects("goals", check.items("", data, "goals", required=False), GOAL_KEYS):
        code = check.text(where, item, "code", pattern=CODE)
        if not code and isinstance(item.get("code"), str):
            code = item["code"].strip()  # refused above: kept so that its indicators are not "unknown goal"
        if code and code in seen:
            check.error(where, _("duplicate code “%(code)s”") % {"code": code})
        seen.add(code)
        goals.append(GoalDefinition(code=code, name=check.text(where, item, "name")))
    return tuple(goals)


def _indicators(check: Checker, data: Mapping[str, Any], goal_codes: set[str]) -> tuple[IndicatorDefinition, ...]:
    items = check.items("", data, "indicators")
    if "indicators" in data and isinstance(data["indicators"], list) and not items:
        check.error("indicators", _("a plan needs at least one indicator"))
    indicators: list[IndicatorDefinition] = []
    seen: set[str] = set()
    total = ZERO
    weights_known = True
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            check.error(f"indicators[{index}]", _("must be an object"))
            weights_known = False
            continue
        raw_code = item.get("code")
        code = raw_code.strip() if isinstance(raw_code, str) else ""
        where = f"indicators[{index}] “{code}”" if code else f"indicators[{index}]"
        # Code and weight are read from the item itself, so that an indicator with other problems
        # still counts: the file's every problem is reported at once.
        if code and code in seen:
            check.error(where, _("duplicate code “%(code)s”") % {"code": code})
        seen.add(code)
        weight = as_decimal(item.get("weight"))
        if weight is None:
            weights_known = False
        else:
            total += weight
        definition = _indicator(check, where, item, goal_codes)
        if definition is not None:
            indicators.append(definition)
    if items and weights_known and total != 100:
        check.error("indicators", _("the weights add up to %(total)s, not 100") % {"total": number_text(total)})
    if items and len(indicators) == len(items) and not any(i.rule.frequency == Frequency.MONTHLY for i in indicators):
        check.error("indicators", _("a plan needs at least one monthly indicator"))
    elif items and len(indicators) == len(items) and (highest := highest_score([i.rule for i in indicators])) >= LIMIT:
        # Every score, point and bonus of the plan's results must fit what the results store.
        check.error(
            "indicators",
            _(
                "the highest score these indicators can give is %(score)s; it must stay below %(limit)s: "
                "lower a cap, a tier's points or a stretch bonus"
            )
            % {"score": number_text(highest), "limit": number_text(LIMIT)},
        )
    return tuple(indicators)


def _indicator(check: Checker, where: str, item: Mapping[str, Any], goal_codes: set[str]) -> IndicatorDefinition | None:
    errors_before = len(check.errors)
    check.keys(where, item, INDICATOR_KEYS)
    code = check.text(where, item, "code", pattern=CODE)
    name = check.text(where, item, "name")
    goal = check.text(where, item, "goal", required=False, max_length=CODE_MAX_LENGTH)
    if goal and goal not in goal_codes:
        check.error(where, _("unknown goal “%(goal)s”") % {"goal": goal})
    unit = check.text(where, item, "unit", required=False, max_length=SHORT_MAX_LENGTH)
    minimum, maximum = _range(check, where, item)

    frequency = _choice(check, where, item, "frequency", Frequency, Frequency.MONTHLY)
    direction = _choice(check, where, item, "direction", Direction, Direction.HIGHER)
    method = _choice(check, where, item, "method", Method, None)
    weight = check.number(where, item, "weight", required=True, positive=True)
    target = check.number(where, item, "target")
    floor = check.number(where, item, "floor", minimum=ZERO)
    cap = check.number(where, item, "cap", positive=True)
    bonus_per_unit = check.number(where, item, "bonus_per_unit", minimum=ZERO)
    penalty_per_unit = check.number(where, item, "penalty_per_unit", minimum=ZERO)
    scale = check.number(where, item, "scale", positive=True)
    tiers = _tiers(check, where, item)

    settings = {"target": target, "penalty_per_unit": penalty_per_unit, "tiers": tiers, "scale": scale}
    _method_needs(check, where, item, method, settings)
    formula, inputs, input_details = _formula(check, where, item)
    stretch_target, stretch_bonus = _stretch(check, where, item)
    if len(check.errors) > errors_before or method is None or weight is None:
        return None
    rule = IndicatorRule(
        code=code,
        weight=weight,
        method=method,
        frequency=frequency or Frequency.MONTHLY,
        direction=direction or Direction.HIGHER,
        target=target,
        floor=floor if floor is not None else ZERO,
        cap=cap if cap is not None else ONE,
        bonus_per_unit=bonus_per_unit if bonus_per_unit is not None else ZERO,
        penalty_per_unit=penalty_per_unit if penalty_per_unit is not None else ZERO,
        tiers=tiers,
        scale=scale,
        formula=formula,
        inputs=inputs,
        stretch_target=stretch_target,
        stretch_bonus=stretch_bonus if stretch_bonus is not None else ZERO,
    )
    return IndicatorDefinition(
        rule=rule, name=name, goal=goal, unit=unit, minimum=minimum, maximum=maximum, input_details=input_details
    )


# What each method cannot score without, in the order the problems are reported.
_NEEDED = {
    Method.PROPORTIONAL: ("target",),
    Method.PER_UNIT: ("target", "penalty_per_unit"),
    Method.BINARY: ("target",),
    Method.TIERS: ("tiers",),
    Method.RATING: ("scale",),
}


def _method_needs(
    check: Checker, where: str, item: Mapping[str, Any], method: Method | None, settings: Mapping[str, Any]
) -> None:
    for key in _NEEDED.get(method, ()) if method is not None else ():
        value = settings[key]
        if (value is None or value == ()) and item.get(key) in (None, []):  # a value refused is reported already
            check.error(where, _("method “%(method)s” needs “%(key)s”") % {"method": method, "key": key})
        if method == Method.PROPORTIONAL and key == "target" and value is not None and value <= 0:
            check.error(where, _("method “proportional” needs a target greater than 0"))


def _range(check: Checker, where: str, item: Mapping[str, Any]) -> tuple[Decimal | None, Decimal | None]:
    """The valid range ``min``..``max`` of a value entered, either end optional."""
    minimum = check.number(where, item, "min")
    maximum = check.number(where, item, "max")
    if minimum is not None and maximum is not None and minimum > maximum:
        check.error(
            where,
            _("“min” %(min)s is above “max” %(max)s") % {"min": number_text(minimum), "max": number_text(maximum)},
        )
    return minimum, maximum


def _choice(check: Checker, where: str, item: Mapping[str, Any], key: str, choices: Any, default: Any) -> Any:
    value = item.get(key)
    if value is None:
        if default is None:
            check.error(where, _("“%(key)s” is required") % {"key": key})
        return default
    if value not in [c.value for c in choices]:
        allowed = ", ".join(c.value for c in choices)
        check.error(
            where,
            _("“%(key)s” must be one of %(allowed)s, not %(value)s")
            % {"key": key, "allowed": allowed, "value": shown(value)},
        )
        return default
    return choices(value)


def _tiers(check: Checker, where: str, item: Mapping[str, Any]) -> tuple[tuple[Decimal, Decimal], ...]:
    tiers: list[tuple[Decimal, Decimal]] = []
    for index, tier in enumerate(check.items(where, item, "tiers", required=False)):
        pair = [as_decimal(v) for v in tier] if isinstance(tier, list) else []
        if len(pair) != 2 or pair[0] is None or pair[1] is None or pair[1] < 0:
            check.error(where, _("tier %(n)s must be [threshold, points] with points of at least 0") % {"n": index + 1})
            continue
        try:
            tiers.append((number_check(pair[0]), number_check(pair[1])))
        except NumberError as error:
            check.error(where, _("tier %(n)s: %(problem)s") % {"n": index + 1, "problem": error.message})
    return tuple(tiers)


def _formula(
    check: Checker, where: str, item: Mapping[str, Any]
) -> tuple[str | None, tuple[str, ...], tuple[InputDefinition, ...]]:
    """The formula, its inputs' names, and the inputs written as objects with a label or a range."""
    formula = check.text(where, item, "formula", required=False, max_length=FORMULA_MAX_LENGTH)
    raw_inputs = check.items(where, item, "inputs", required=False)
    inputs: list[str] = []
    details: list[InputDefinition] = []
    refused = False  # an input refused is not also reported as unknown to the formula
    for index, raw in enumerate(raw_inputs):
        detail = _input(check, f"{where} inputs[{index}]", raw)
        if detail is None:
            refused = True
            continue
        if detail.name in inputs:
            check.error(where, _("input “%(name)s” is listed twice") % {"name": detail.name})
            continue
        inputs.append(detail.name)
        if detail != InputDefinition(name=detail.name):
            details.append(detail)
    if not formula:
        if item.get("formula") not in (None, ""):
            return None, tuple(inputs), tuple(details)  # a formula refused above
        if raw_inputs:
            check.error(where, _("“inputs” are given without a “formula”"))
        return None, (), ()
    if not raw_inputs:
        check.error(where, _("a “formula” needs its “inputs”"))
    try:
        names = formulas.names(formulas.parse(formula))
    except formulas.FormulaTooDeep:
        check.error(
            where,
            _("the formula nests more than %(depth)s parentheses or minus signs inside one another")
            % {"depth": formulas.MAX_DEPTH},
        )
        return formula, tuple(inputs), tuple(details)
    except formulas.FormulaError as error:
        check.error(
            where, _("the formula “%(formula)s” cannot be read: %(error)s") % {"formula": formula, "error": error}
        )
        return formula, tuple(inputs), tuple(details)
    for name in sorted(names - set(inputs)) if not refused else ():
        check.error(where, _("the formula names an unknown input “%(name)s”") % {"name": name})
    return formula, tuple(inputs), tuple(details)


def _input(check: Checker, where: str, raw: object) -> InputDefinition | None:
    """One of ``inputs``: a name, or ``{"name": "lost", "label": "流失客户数", "min": 0, "max": ...}``."""
    if isinstance(raw, str):
        raw = {"name": raw}
    if not isinstance(raw, dict):
        check.error(where, _("an input is a name or an object with “name”, not %(value)s") % {"value": shown(raw)})
        return None
    errors_before = len(check.errors)
    check.keys(where, raw, INPUT_KEYS)
    name = check.text(where, raw, "name", pattern=INPUT_NAME)
    label = check.text(where, raw, "label", required=False)
    minimum, maximum = _range(check, where, raw)
    if len(check.errors) > errors_before:
        return None
    return InputDefinition(name=name, label=label, minimum=minimum, maximum=maximum)


def _stretch(check: Checker, where: str, item: Mapping[str, Any]) -> tuple[Decimal | None, Decimal | None]:
    stretch = item.get("stretch")
    if stretch is None:
        return None, None
    if not isinstance(stretch, dict):
        check.error(where, _("“stretch” must be an object with “target” and “bonus”"))
        return None, None
    check.keys(f"{where} stretch", stretch, STRETCH_KEYS)
    target = check.number(f"{where} stretch", stretch, "target", required=True)
    bonus = check.number(f"{where} stretch", stretch, "bonus", required=True, minimum=ZERO)
    return target, bonus


def _flag_label(check: Checker, where: str, item: Mapping[str, Any], flag: str, labels: dict[str, str]) -> None:
    """A flag's ``flag_label`` (e.g. 预警 beside ``warning``): one label a flag, wherever it is set."""
    label = check.text(where, item, "flag_label", required=False, max_length=SHORT_MAX_LENGTH)
    if not label:
        return
    if not flag:
        check.error(where, _("“flag_label” is given without a “flag”"))
    elif labels.get(flag, label) != label:
        check.error(
            where,
            _("the flag “%(flag)s” is labelled “%(label)s” and “%(other)s”: give it one label")
            % {"flag": flag, "label": labels[flag], "other": label},
        )
    else:
        labels[flag] = label


def _bands(check: Checker, data: Mapping[str, Any], labels: dict[str, str]) -> tuple[BandRule, ...]:
    bands: list[BandRule] = []
    items = check.items("", data, "bands", required=False)
    if not items and isinstance(data.get("bands"), list | None):
        check.error("bands", _("a plan needs at least one band"))
    for where, item in check.objects("bands", items, BAND_KEYS):
        minimum = check.number(where, item, "min", required=True)
        label = check.text(where, item, "label", max_length=SHORT_MAX_LENGTH)
        payout = check.number(where, item, "payout", required=True, minimum=ZERO)
        flag = check.text(where, item, "flag", required=False, pattern=FLAG)
        _flag_label(check, where, item, flag, labels)
        if minimum is None or payout is None or not label:
            continue
        if any(band.min == minimum for band in bands):
            check.error(where, _("another band already starts at %(min)s") % {"min": number_text(minimum)})
        if any(band.label == label for band in bands):
            check.error(where, _("duplicate label “%(label)s”") % {"label": label})
        bands.append(BandRule(min=minimum, label=label, payout=payout, flag=flag))
    return tuple(sorted(bands, key=lambda band: band.min, reverse=True))


def _streak(check: Checker, data: Mapping[str, Any], labels: dict[str, str]) -> StreakRule | None:
    streak = data.get("streak")
    if streak is None:
        return None
    if not isinstance(streak, dict):
        check.error("streak", _("must be an object"))
        return None
    check.keys("streak", streak, STREAK_KEYS)
    months = as_decimal(streak.get("months"))
    if months is None or months != months.to_integral_value() or not 1 <= months <= STREAK_MONTHS_MAX:
        check.error("streak", _("“months” must be a whole number from 1 to %(max)s") % {"max": STREAK_MONTHS_MAX})
        months = None
    min_score = check.number("streak", streak, "min_score", required=True)
    flag = check.text("streak", streak, "flag", pattern=FLAG)
    _flag_label(check, "streak", streak, flag, labels)
    if months is None or min_score is None or not flag:
        return None
    return StreakRule(months=int(months), min_score=min_score, flag=flag)


def _distribution(check: Checker, data: Mapping[str, Any], labels: set[str]) -> tuple[DistributionRule, ...]:
    """The guideline of each band: a band of the plan, percentages from 0 to 100, ``min`` <= ``max``."""
    rules: list[DistributionRule] = []
    for where, item in check.objects("distribution", check.items("", data, "distribution", required=False),
                                     DISTRIBUTION_KEYS):  # fmt: skip
        band = check.text(where, item, "band", max_length=SHORT_MAX_LENGTH)
        if band and band not in labels:
            check.error(where, _("unknown band “%(band)s”: the plan's bands are %(labels)s") % {
                "band": short(band), "labels": ", ".join(sorted(labels)) or "—"})  # fmt: skip
        if band and any(rule.band == band for rule in rules):
            check.error(where, _("band “%(band)s” is given twice") % {"band": band})
        minimum = _percent(check, where, item, "min")
        maximum = _percent(check, where, item, "max")
        if "min" not in item and "max" not in item:
            check.error(where, _("give “min”, “max” or both"))
        if minimum is not None and maximum is not None and minimum > maximum:
            check.error(
                where,
                _("“min” %(min)s is above “max” %(max)s") % {"min": number_text(minimum), "max": number_text(maximum)},
            )
        if band:
            rules.append(DistributionRule(band=band, minimum=minimum, maximum=maximum))
    return tuple(rules)


def _percent(check: Checker, where: str, item: Mapping[str, Any], key: str) -> Decimal | None:
    value = check.number(where, item, key, minimum=ZERO)
    if value is not None and value > PERCENT_MAX:
        check.error(where, _("“%(key)s” is a percentage: at most 100, not %(value)s") % {
            "key": key, "value": number_text(value)})  # fmt: skip
        return None
    return value
