"""Invariants of the scoring maths, whatever the plan and the figures."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plans.scoring import (
    Direction,
    IndicatorRule,
    Method,
    PlanRules,
    indicator_score,
    mean_points,
    monthly_score,
)

FAST = settings(max_examples=200, deadline=None)


def decimals(low: str, high: str, places: int = 2) -> st.SearchStrategy[Decimal]:
    return st.decimals(
        min_value=Decimal(low), max_value=Decimal(high), places=places, allow_nan=False, allow_infinity=False
    )


def q2(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@st.composite
def indicators(draw: st.DrawFn, method: Method) -> IndicatorRule:
    # A rating ignores the direction (s = W*A/scale), so it is only ever "higher is better".
    direction = Direction.HIGHER if method == Method.RATING else draw(st.sampled_from(Direction))
    stretch = draw(st.none() | st.tuples(decimals("-100", "1000", 4), decimals("0", "20")))
    tiers = draw(st.lists(st.tuples(decimals("-100", "1000", 4), decimals("0", "150")), max_size=5))
    return IndicatorRule(
        code="x",
        method=method,
        direction=direction,
        weight=draw(decimals("0.01", "100")),
        target=draw(decimals("0.01", "1000", 4)),
        floor=draw(decimals("0", "1.5")),
        cap=draw(decimals("0.5", "2")),
        bonus_per_unit=draw(decimals("0", "50")),
        penalty_per_unit=draw(decimals("0", "50")),
        tiers=tuple(tiers),
        scale=draw(decimals("1", "100")),
        stretch_target=stretch[0] if stretch else None,
        stretch_bonus=stretch[1] if stretch else Decimal(0),
    )


def actuals(indicator: IndicatorRule) -> st.SearchStrategy[Decimal]:
    if indicator.method == Method.RATING:
        assert indicator.scale is not None
        return decimals("0", str(indicator.scale), 4)
    return decimals("-2000", "2000", 4)


@pytest.mark.parametrize("method", list(Method))
@FAST
@given(data=st.data())
def test_points_stay_between_zero_and_the_most_the_indicator_can_give(method: Method, data: st.DataObject) -> None:
    indicator = data.draw(indicators(method))
    actual = data.draw(actuals(indicator))

    points = indicator_score(indicator, actual).points

    most = indicator.weight if method in (Method.RATING, Method.BINARY) else indicator.weight * indicator.cap
    stretch = indicator.stretch_bonus if indicator.stretch_target is not None else Decimal(0)
    assert Decimal(0) <= points <= q2(most + stretch)


@pytest.mark.parametrize("method", list(Method))
@FAST
@given(data=st.data())
def test_points_have_exactly_two_decimals(method: Method, data: st.DataObject) -> None:
    indicator = data.draw(indicators(method))

    points = indicator_score(indicator, data.draw(actuals(indicator))).points

    assert points.as_tuple().exponent == -2


@pytest.mark.parametrize("method", list(Method))
@FAST
@given(data=st.data())
def test_a_better_actual_never_scores_fewer_points(method: Method, data: st.DataObject) -> None:
    indicator = data.draw(indicators(method))
    low, high = sorted([data.draw(actuals(indicator)), data.draw(actuals(indicator))])
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
