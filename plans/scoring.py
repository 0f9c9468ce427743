"""The scoring maths of SPEC.md section 2, and nothing else.

Pure code: standard library only, ``Decimal`` throughout, frozen dataclasses in and out. It never
sees a model or a queryset; selectors turn rows into these dataclasses and services store what
comes out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cached_property

from plans import formula as formulas

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
CENTS = Decimal("0.01")
FOUR_PLACES = Decimal("0.0001")

INCOMPLETE_FLAG = "incomplete"


class Method(StrEnum):
    PROPORTIONAL = "proportional"
    PER_UNIT = "per_unit"
    TIERS = "tiers"
    RATING = "rating"
    BINARY = "binary"


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENTS, rounding=ROUND_HALF_UP)


def q4(value: Decimal) -> Decimal:
    return value.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class IndicatorRule:
    code: str
    weight: Decimal
    method: Method
    frequency: Frequency = Frequency.MONTHLY
    direction: Direction = Direction.HIGHER
    target: Decimal | None = None
    floor: Decimal = ZERO
    cap: Decimal = ONE
    bonus_per_unit: Decimal = ZERO
    penalty_per_unit: Decimal = ZERO
    tiers: tuple[tuple[Decimal, Decimal], ...] = ()
    scale: Decimal | None = None
    formula: str | None = None
    inputs: tuple[str, ...] = ()
    stretch_target: Decimal | None = None
    stretch_bonus: Decimal = ZERO

    @property
    def sign(self) -> int:
        return -1 if self.direction == Direction.LOWER else 1

    @property
    def max_points(self) -> Decimal:
        """The most points this indicator can give: ``W*cap`` (or the weight) plus the stretch."""
        base = self.weight if self.method in (Method.RATING, Method.BINARY) else self.weight * self.cap
        return q2(base + (self.stretch_bonus if self.stretch_target is not None else ZERO))


@dataclass(frozen=True)
class BandRule:
    min: Decimal
    label: str
    payout: Decimal
    flag: str = ""


@dataclass(frozen=True)
class StreakRule:
    months: int
    min_score: Decimal
    flag: str


@dataclass(frozen=True)
class PlanRules:
    indicators: tuple[IndicatorRule, ...]
    bands: tuple[BandRule, ...] = ()
    streak: StreakRule | None = None

    def of_frequency(self, frequency: Frequency) -> tuple[IndicatorRule, ...]:
        return self._by_frequency[frequency]

    @cached_property
    def _by_frequency(self) -> dict[Frequency, tuple[IndicatorRule, ...]]:
        # Asked for twice per employee in a close: worth keeping (a cached_property writes the
        # instance's __dict__ directly, which a frozen dataclass allows).
        return {f: tuple(i for i in self.indicators if i.frequency == f) for f in Frequency}

    @cached_property
    def monthly_weight(self) -> Decimal:
        """The monthly indicators' weights added up: what a month's points are scaled by."""
        return sum((i.weight for i in self.of_frequency(Frequency.MONTHLY)), ZERO)


@dataclass(frozen=True)
class IndicatorScore:
    """Why an indicator scored what it did."""

    code: str
    method: Method
    points: Decimal
    actual: Decimal | None = None
    target: Decimal | None = None
    capped: bool = False
    floored: bool = False
    stretched: bool = False
    missing: bool = False
    months: int = 0  # how many scores the mean is over: monthly ones in a quarter, quarterly ones in a year


@dataclass(frozen=True)
class PeriodResult:
    score: Decimal
    band: str
    payout: Decimal
    bonus: Decimal
    flags: tuple[str, ...]
    lines: tuple[IndicatorScore, ...] = field(default=())

    @property
    def incomplete(self) -> bool:
        return INCOMPLETE_FLAG in self.flags


# --- A: the actual value ---------------------------------------------------------------------


def actual_from_inputs(rule: IndicatorRule, inputs: Mapping[str, Decimal]) -> Decimal:
    """Evaluate an indicator's formula over its inputs, to 4 decimals.

    Raises ``formula.FormulaDivisionByZero`` when the formula divides by zero.
    """
    if rule.formula is None:
        raise ValueError(f"{rule.code} has no formula")
    return q4(formulas.evaluate(formulas.parse(rule.formula), inputs))


# --- s: one indicator ------------------------------------------------------------------------


def indicator_score(rule: IndicatorRule, actual: Decimal) -> IndicatorScore:
    weight = rule.weight
    sign = rule.sign
    capped = floored = False
    points: Decimal
    if rule.method == Method.PROPORTIONAL:
        target = _required(rule.target, rule, "target")
        ratio = ONE + sign * (actual - target) / target
        if ratio < rule.floor:
            points, floored = ZERO, True
        else:
            capped = ratio > rule.cap
            points = weight * min(max(ratio, ZERO), rule.cap)
    elif rule.method == Method.PER_UNIT:
        target = _required(rule.target, rule, "target")
        difference = sign * (actual - target)
        if difference >= 0:
            raw = weight + rule.bonus_per_unit * difference
        else:
            raw = weight - rule.penalty_per_unit * -difference
        points, capped, floored = _clamp(raw, weight * rule.cap)
    elif rule.method == Method.TIERS:
        reached = [p for threshold, p in rule.tiers if sign * (actual - threshold) >= 0]
        raw = max(reached, default=ZERO)
        capped = raw > weight * rule.cap
        points = min(raw, weight * rule.cap)
    elif rule.method == Method.RATING:
        scale = _required(rule.scale, rule, "scale")
        if not ZERO <= actual <= scale:
            raise ValueError(f"{rule.code}: rating {actual} is outside 0..{scale}")
        points = weight * actual / scale
    elif rule.method == Method.BINARY:
        target = _required(rule.target, rule, "target")
        points = weight if sign * (actual - target) >= 0 else ZERO
    else:  # pragma: no cover - Method is closed
        raise ValueError(rule.method)

    stretched = rule.stretch_target is not None and sign * (actual - rule.stretch_target) >= 0
    if stretched:
        points += rule.stretch_bonus
    return IndicatorScore(
        code=rule.code,
        method=rule.method,
        points=q2(points),
        actual=actual,
        target=rule.target,
        capped=capped,
        floored=floored,
        stretched=stretched,
    )


def missing_score(rule: IndicatorRule) -> IndicatorScore:
    """A value that was never entered, in a forced close: it scores 0."""
    return IndicatorScore(
        code=rule.code, method=rule.method, points=ZERO.quantize(CENTS), target=rule.target, missing=True
    )


def _required(value: Decimal | None, rule: IndicatorRule, name: str) -> Decimal:
    if value is None:
        raise ValueError(f"{rule.code}: {rule.method} needs {name}")
    return value


def _clamp(raw: Decimal, ceiling: Decimal) -> tuple[Decimal, bool, bool]:
    if raw > ceiling:
        return ceiling, True, False
    if raw < 0:
        return ZERO, False, True
    return raw, False, False


# --- periods ---------------------------------------------------------------------------------


def monthly_score(rules: PlanRules, lines: Sequence[IndicatorScore]) -> Decimal:
    """Sum of the monthly indicators' points, scaled to 100 by their weights."""
    return q2(sum((line.points for line in lines), ZERO) * HUNDRED / rules.monthly_weight)


def highest_score(indicators: Sequence[IndicatorRule]) -> Decimal:
    """The most any period's score can be under these indicators: a month's (its indicators' most
    points, scaled to 100 by their weights) or a quarter's and a year's (every indicator's most
    points, summed)."""
    monthly = [i for i in indicators if i.frequency == Frequency.MONTHLY]
    weights = sum((i.weight for i in monthly), ZERO)
    month = sum((i.max_points for i in monthly), ZERO) * HUNDRED / weights if weights else ZERO
    return q2(max(month, sum((i.max_points for i in indicators), ZERO)))


def mean_points(points: Sequence[Decimal]) -> Decimal:
    return q2(sum(points, ZERO) / len(points)) if points else ZERO.quantize(CENTS)


def band_for(bands: Iterable[BandRule], score: Decimal) -> BandRule | None:
    reached = [band for band in bands if score >= band.min]
    return max(reached, key=lambda band: band.min, default=None)


def bonus_for(amount: Decimal, payout: Decimal) -> Decimal:
    return q2(amount * payout / HUNDRED)


def streak_reached(streak: StreakRule | None, recent_scores: Sequence[Decimal | None]) -> bool:
    """``recent_scores``: the monthly scores of consecutive months, ending with this one.

    ``None`` stands for a month without a score, which breaks the streak.
    """
    if streak is None or len(recent_scores) < streak.months:
        return False
    last = recent_scores[len(recent_scores) - streak.months :]
    return all(score is not None and score >= streak.min_score for score in last)


def _result(
    rules: PlanRules, score: Decimal, bonus_amount: Decimal, flags: set[str], lines: tuple[IndicatorScore, ...]
) -> PeriodResult:
    band = band_for(rules.bands, score)
    payout = band.payout if band else ZERO
    if band and band.flag:
        flags.add(band.flag)
    if any(line.missing for line in lines):
        flags.add(INCOMPLETE_FLAG)
    return PeriodResult(
        score=score,
        band=band.label if band else "",
        payout=q2(payout),
        bonus=bonus_for(bonus_amount, payout),
        flags=tuple(sorted(flags)),
        lines=lines,
    )


def score_line(rule: IndicatorRule, actual: Decimal | None) -> IndicatorScore:
    return missing_score(rule) if actual is None else indicator_score(rule, actual)


LineScorer = Callable[[IndicatorRule, Decimal | None], IndicatorScore]


def score_month(
    rules: PlanRules,
    actuals: Mapping[str, Decimal | None],
    *,
    bonus_amount: Decimal,
    earlier_scores: Sequence[Decimal | None] = (),
    line: LineScorer = score_line,
) -> PeriodResult:
    """A month's result.

    ``actuals``: the actual value of each monthly indicator by code (missing or ``None``: not
    entered, scores 0 and flags the result ``incomplete``). ``earlier_scores``: the monthly scores
    of the months just before this one, oldest first, ``None`` where a month has none. ``line``:
    ``score_line`` or the same function remembered (a simulation scores the same values often).
    """
    lines = tuple(line(rule, actuals.get(rule.code)) for rule in rules.of_frequency(Frequency.MONTHLY))
    score = monthly_score(rules, lines)
    flags: set[str] = set()
    if rules.streak and streak_reached(rules.streak, [*earlier_scores, score]):
        flags.add(rules.streak.flag)
    return _result(rules, score, bonus_amount, flags, lines)


def score_quarter(
    rules: PlanRules,
    monthly_points: Mapping[str, Sequence[Decimal]],
    quarterly_actuals: Mapping[str, Decimal | None],
    *,
    bonus_amount: Decimal,
    carried_flags: Iterable[str] = (),
) -> PeriodResult:
    """A quarter's result.

    ``monthly_points``: for each monthly indicator, its points in the quarter's months on which
    the employee was assigned. ``quarterly_actuals``: the quarterly indicators' values.
    ``carried_flags``: the streak flags of the quarter's last month.
    """
    lines: list[IndicatorScore] = []
    for rule in rules.indicators:
        if rule.frequency == Frequency.MONTHLY:
            points = monthly_points.get(rule.code, ())
            lines.append(
                IndicatorScore(
                    code=rule.code,
                    method=rule.method,
                    points=mean_points(points),
                    target=rule.target,
                    months=len(points),
                )
            )
        else:
            lines.append(score_line(rule, quarterly_actuals.get(rule.code)))
    score = q2(sum((line.points for line in lines), ZERO))
    return _result(rules, score, bonus_amount, set(carried_flags), tuple(lines))


def score_year(
    rules: PlanRules,
    quarter_points: Mapping[str, Sequence[Decimal]],
    *,
    bonus_amount: Decimal,
    carried_flags: Iterable[str] = (),
    incomplete: bool = False,
) -> PeriodResult:
    """A year's result (SPEC.md section 10).

    ``quarter_points``: for each indicator, its points in the year's quarters in which the
    employee has a result; each indicator scores their mean (2 decimals) and the year the sum.
    ``carried_flags``: the streak flags of December. ``incomplete``: a counted quarter was.
    """
    lines = tuple(
        IndicatorScore(
            code=rule.code,
            method=rule.method,
            points=mean_points(quarter_points.get(rule.code, ())),
            target=rule.target,
            months=len(quarter_points.get(rule.code, ())),
        )
        for rule in rules.indicators
    )
    flags = set(carried_flags)
    if incomplete:
        flags.add(INCOMPLETE_FLAG)
    score = q2(sum((line.points for line in lines), ZERO))
    return _result(rules, score, bonus_amount, flags, lines)
