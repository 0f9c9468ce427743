"""Invariants of the scoring maths, whatever the plan and the figures."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from plans.numbers import LIMIT
from plans.scoring import (
    Direction,
    IndicatorRule,
    Method,
    PlanRules,
    highest_score,
    indicator_score,
    mean_points,
    monthly_score,
)

FAST = settings(max_examples=200, deadline=None)


def decimals(low: str, high: str, places: int = 2) -> st.SearchStrategy[Decimal]:
    return st.decimals(
        min_value=Decimal(low), max_value=Decimal(high), places=places, allow_nan=False, allow_infinity=False
    )


# SPEC 7: a plan number or a figure has at most 6 decimals and an absolute value below 10^9; the
# limits themselves are drawn often.
EDGE = Decimal("0.000001")
TOP = LIMIT - EDGE


def spec7(low: Decimal, high: Decimal) -> st.SearchStrategy[Decimal]:
    """Any number SPEC 7 accepts between ``low`` and ``high``, its ends and their neighbours often."""
    ends = [low, high, low + EDGE, high - EDGE, Decimal(0)]
    return st.one_of(
        st.sampled_from([end for end in ends if low <= end <= high]),
        st.decimals(min_value=low, max_value=high, places=6, allow_nan=False, allow_infinity=False),
    )


def q2(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@st.composite
def indicators(draw: st.DrawFn, method: Method, whole: bool = False) -> IndicatorRule:
    """An indicator of ``method``; ``whole``: its numbers over the whole range SPEC 7 accepts, of
    plans the plan check takes (their highest score below 10^9)."""

    def number(low: str, high: str, places: int = 2) -> Decimal:
        if whole:
            return draw(spec7(max(Decimal(low), -TOP) if Decimal(low) < 0 else Decimal(low), TOP))
        return draw(decimals(low, high, places))

    # A rating ignores the direction (s = W*A/scale), so it is only ever "higher is better".
    direction = Direction.HIGHER if method == Method.RATING else draw(st.sampled_from(Direction))
    stretch = (number("-100", "1000", 4), number("0", "20")) if draw(st.booleans()) else None
    tiers = [(number("-100", "1000", 4), number("0", "150")) for _ in range(draw(st.integers(0, 5)))]
    indicator = IndicatorRule(
        code="x",
        method=method,
        direction=direction,
        weight=number("0.01", "100") if not whole else draw(spec7(EDGE, TOP)),
        target=number("0.01", "1000", 4) if not whole else draw(spec7(EDGE, TOP)),
        floor=number("0", "1.5"),
        cap=number("0.5", "2"),
        bonus_per_unit=number("0", "50"),
        penalty_per_unit=number("0", "50"),
        tiers=tuple(tiers),
        scale=number("1", "100") if not whole else draw(spec7(EDGE, TOP)),
        stretch_target=stretch[0] if stretch else None,
        stretch_bonus=stretch[1] if stretch else Decimal(0),
    )
    if whole:
        assume(highest_score([indicator]) < LIMIT)
    return indicator


def actuals(indicator: IndicatorRule, whole: bool = False) -> st.SearchStrategy[Decimal]:
    if indicator.method == Method.RATING:
        assert indicator.scale is not None
        return spec7(Decimal(0), indicator.scale) if whole else decimals("0", str(indicator.scale), 4)
    return spec7(-TOP, TOP) if whole else decimals("-2000", "2000", 4)


RANGES = pytest.mark.parametrize("whole", [False, True], ids=["usual", "spec7"])


@RANGES
@pytest.mark.parametrize("method", list(Method))
@FAST
@given(data=st.data())
def test_points_stay_between_zero_and_the_most_the_indicator_can_give(
    method: Method, whole: bool, data: st.DataObject
) -> None:
    indicator = data.draw(indicators(method, whole))
    actual = data.draw(actuals(indicator, whole))

    points = indicator_score(indicator, actual).points

    most = indicator.weight if method in (Method.RATING, Method.BINARY) else indicator.weight * indicator.cap
    stretch = indicator.stretch_bonus if indicator.stretch_target is not None else Decimal(0)
    assert Decimal(0) <= points <= q2(most + stretch)


@RANGES
@pytest.mark.parametrize("method", list(Method))
@FAST
@given(data=st.data())
def test_points_have_exactly_two_decimals(method: Method, whole: bool, data: st.DataObject) -> None:
    indicator = data.draw(indicators(method, whole))

    points = indicator_score(indicator, data.draw(actuals(indicator, whole))).points

    assert points.as_tuple().exponent == -2


@RANGES
@pytest.mark.parametrize("method", list(Method))
@FAST
@given(data=st.data())
def test_a_better_actual_never_scores_fewer_points(method: Method, whole: bool, data: st.DataObject) -> None:
    indicator = data.draw(indicators(method, whole))
    low, high = sorted([data.draw(actuals(indicator, whole)), data.draw(actuals(indicator, whole))])
    worse, better = (low, high) if indicator.direction == Direction.HIGHER else (high, low)

    assert indicator_score(indicator, worse).points <= indicator_score(indicator, better).points


@FAST
@given(
    weights=st.lists(decimals("0.01", "100"), min_size=1, max_size=8),
    target=decimals("0.01", "1000", 4),
    direction=st.sampled_from(Direction),
    cap=decimals("1", "2"),
    floor=decimals("0", "1"),
)
def test_every_proportional_indicator_at_its_target_makes_a_monthly_score_of_100(
    weights: list[Decimal], target: Decimal, direction: Direction, cap: Decimal, floor: Decimal
) -> None:
    plan = PlanRules(
        indicators=tuple(
            IndicatorRule(
                code=f"i{n}",
                weight=weight,
                method=Method.PROPORTIONAL,
                direction=direction,
                target=target,
                cap=cap,
                floor=floor,
            )
            for n, weight in enumerate(weights)
        )
    )
    lines = [indicator_score(indicator, target) for indicator in plan.indicators]

    assert str(monthly_score(plan, lines)) == "100.00"


@FAST
@given(points=st.lists(decimals("0", "200"), min_size=1, max_size=3))
def test_the_mean_of_monthly_points_lies_between_the_lowest_and_the_highest(points: list[Decimal]) -> None:
    mean = mean_points(points)

    assert min(points) <= mean <= max(points)
    assert mean.as_tuple().exponent == -2
