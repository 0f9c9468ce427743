"""The scoring maths of SPEC.md section 2, with values worked out by hand."""

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from plans.formula import FormulaDivisionByZero
from plans.periods import Period
from plans.scoring import (
    BandRule,
    Direction,
    Frequency,
    IndicatorRule,
    IndicatorScore,
    Method,
    PlanRules,
    StreakRule,
    actual_from_inputs,
    band_for,
    bonus_for,
    highest_score,
    indicator_score,
    mean_points,
    missing_score,
    monthly_score,
    score_month,
    score_quarter,
    score_year,
    streak_reached,
)

D = Decimal
HIGHER = Direction.HIGHER
LOWER = Direction.LOWER

# The plan of SPEC.md section 6 (examples/customer-manager.json), built by hand.
CHURN = IndicatorRule(
    code="churn",
    weight=D(30),
    method=Method.PROPORTIONAL,
    direction=LOWER,
    target=D(5),
    cap=D("1.2"),
    formula="lost / total * 100",
    inputs=("lost", "total"),
    stretch_target=D(3),
    stretch_bonus=D(5),
)
SATISFACTION = IndicatorRule(code="satisfaction", weight=D(25), method=Method.PROPORTIONAL, target=D(9), cap=D("1.1"))
NEW_CUSTOMERS = IndicatorRule(
    code="new_customers",
    weight=D(20),
    method=Method.PER_UNIT,
    target=D(3),
    penalty_per_unit=D(5),
    bonus_per_unit=D(2),
    cap=D("1.25"),
)
FEEDBACK = IndicatorRule(
    code="feedback",
    weight=D(15),
    method=Method.TIERS,
    tiers=((D(95), D(15)), (D(90), D(12)), (D(80), D(8))),
    formula="ok / total * 100",
    inputs=("ok", "total"),
)
COLLABORATION = IndicatorRule(
    code="collaboration", weight=D(10), method=Method.RATING, frequency=Frequency.QUARTERLY, scale=D(10)
)
BANDS = (
    BandRule(min=D(80), label="A", payout=D(100)),
    BandRule(min=D(60), label="B", payout=D(70)),
    BandRule(min=D(0), label="C", payout=D(0), flag="warning"),
)
STREAK = StreakRule(months=3, min_score=D(90), flag="promotion_candidate")
CUSTOMER_MANAGER = PlanRules(
    indicators=(CHURN, SATISFACTION, NEW_CUSTOMERS, FEEDBACK, COLLABORATION), bands=BANDS, streak=STREAK
)
MONTHLY_BONUS = D(2000)
QUARTERLY_BONUS = D(6000)


DECIMAL_FIELDS = {
    "weight",
    "target",
    "floor",
    "cap",
    "bonus_per_unit",
    "penalty_per_unit",
    "scale",
    "stretch_target",
    "stretch_bonus",
}


def rule(method: Method, **fields: Any) -> IndicatorRule:
    """An indicator ``x`` of weight 10, numbers given as text or int."""
    values: dict[str, Any] = {"code": "x", "weight": D(10)}
    values.update({key: D(value) if key in DECIMAL_FIELDS else value for key, value in fields.items()})
    return IndicatorRule(method=method, **values)


def points(indicator: IndicatorRule, actual: str) -> str:
    return str(indicator_score(indicator, D(actual)).points)


# --- the worked example of SPEC.md section 6 -------------------------------------------------


def test_it_scores_the_worked_example_of_li_lei_in_january() -> None:
    churn = actual_from_inputs(CHURN, {"lost": D(2), "total": D(50)})
    feedback = actual_from_inputs(FEEDBACK, {"ok": D(46), "total": D(48)})
    actuals = {"churn": churn, "satisfaction": D("8.6"), "new_customers": D(4), "feedback": feedback}

    result = score_month(CUSTOMER_MANAGER, actuals, bonus_amount=MONTHLY_BONUS)

    assert (str(churn), str(feedback)) == ("4.0000", "95.8333")
    assert {line.code: str(line.points) for line in result.lines} == {
        "churn": "36.00",
        "satisfaction": "23.89",
        "new_customers": "22.00",
        "feedback": "15.00",
    }
    assert (str(result.score), result.band, str(result.payout), str(result.bonus)) == (
        "107.66",
        "A",
        "100.00",
        "2000.00",
    )
    assert result.flags == ()
    assert not result.lines[0].stretched  # 4.0000 is above the stretch target 3


# --- the whole first quarter of examples/ ----------------------------------------------------

# examples/metrics.csv: employee, month, churn.lost, churn.total, satisfaction, new_customers,
# feedback.ok, feedback.total. han.mei starts in February, so she has no January row.
METRICS = [
    ("li.lei", "2026-01", "2", "50", "8.6", "4", "46", "48"),
    ("li.lei", "2026-02", "1", "52", "9.2", "3", "40", "44"),
    ("li.lei", "2026-03", "1", "49", "9.0", "3", "38", "40"),
    ("han.mei", "2026-02", "0", "30", "9.9", "5", "20", "20"),
    ("han.mei", "2026-03", "3", "31", "6.0", "0", "15", "20"),
]
QUARTERLY_METRICS = {"li.lei": D("8.5"), "han.mei": D(6)}

# examples/scores-2026-0[123].csv and scores-2026-Q1.csv: employee, period, score, band, payout,
# bonus, flags, churn, satisfaction, new_customers, feedback, collaboration.
EXPECTED = [
    ("li.lei", "2026-01", "107.66", "A", "100.00", "2000.00", "", "36.00", "23.89", "22.00", "15.00", ""),
    ("han.mei", "2026-02", "119.44", "A", "100.00", "2000.00", "", "41.00", "27.50", "24.00", "15.00", ""),
    ("li.lei", "2026-02", "109.51", "A", "100.00", "2000.00", "", "41.00", "25.56", "20.00", "12.00", ""),
    ("han.mei", "2026-03", "26.23", "C", "0.00", "0.00", "warning", "1.94", "16.67", "5.00", "0.00", ""),
    ("li.lei", "2026-03", "112.22", "A", "100.00", "2000.00", "promotion_candidate", "41.00", "25.00", "20.00", "15.00", ""),
    ("han.mei", "2026-Q1", "71.56", "B", "70.00", "4200.00", "", "21.47", "22.09", "14.50", "7.50", "6.00"),
    ("li.lei", "2026-Q1", "107.32", "A", "100.00", "6000.00", "promotion_candidate", "39.33", "24.82", "20.67", "14.00", "8.50"),
]  # fmt: skip


def _first_quarter(employee: str) -> dict[str, tuple[str, ...]]:
    """Score an employee's months and quarter as closing them would, as export rows by period."""
    rows = {month: row for name, month, *row in METRICS if name == employee}
    results = {}
    earlier: list[Decimal | None] = []
    monthly_points: dict[str, list[Decimal]] = {}
    for month in Period.parse("2026-Q1").months():
        row = rows.get(str(month))
        if row is None:  # not assigned yet
            earlier.append(None)
            continue
        lost, total, satisfaction, new_customers, ok, answered = (D(value) for value in row)
        actuals = {
            "churn": actual_from_inputs(CHURN, {"lost": lost, "total": total}),
            "satisfaction": satisfaction,
            "new_customers": new_customers,
            "feedback": actual_from_inputs(FEEDBACK, {"ok": ok, "total": answered}),
        }
        result = score_month(CUSTOMER_MANAGER, actuals, bonus_amount=MONTHLY_BONUS, earlier_scores=earlier)
        earlier.append(result.score)
        for line in result.lines:
            monthly_points.setdefault(line.code, []).append(line.points)
        results[str(month)] = result
    last_month_streak = {STREAK.flag} & set(result.flags)
    results["2026-Q1"] = score_quarter(
        CUSTOMER_MANAGER,
        monthly_points,
        {"collaboration": QUARTERLY_METRICS[employee]},
        bonus_amount=QUARTERLY_BONUS,
        carried_flags=last_month_streak,
    )
    rows_out = {}
    for period, result in results.items():
        points_by_code = {line.code: str(line.points) for line in result.lines}
        rows_out[period] = (
            str(result.score),
            result.band,
            str(result.payout),
            str(result.bonus),
            ";".join(result.flags),
            *(points_by_code.get(i.code, "") for i in CUSTOMER_MANAGER.indicators),
        )
    return rows_out


@pytest.mark.parametrize("row", EXPECTED, ids=lambda row: f"{row[0]}-{row[1]}")
def test_it_gives_the_example_exports_of_the_first_quarter(row: tuple[str, ...]) -> None:
    employee, period, *expected = row

    assert _first_quarter(employee)[period] == tuple(expected)


def test_a_quarter_averages_only_the_months_the_employee_was_assigned() -> None:
    result = score_quarter(
        CUSTOMER_MANAGER,
        {"churn": [D("41.00"), D("1.94")], "satisfaction": [D("27.50"), D("16.67")]},
        {"collaboration": D(6)},
        bonus_amount=QUARTERLY_BONUS,
    )

    assert [(line.code, str(line.points), line.months) for line in result.lines] == [
        ("churn", "21.47", 2),
        ("satisfaction", "22.09", 2),  # 22.085 rounds half up
        ("new_customers", "0.00", 0),
        ("feedback", "0.00", 0),
        ("collaboration", "6.00", 0),
    ]
    assert str(result.score) == "49.56"


def test_a_quarter_carries_the_last_months_streak_flag_beside_its_band_flag() -> None:
    result = score_quarter(
        CUSTOMER_MANAGER,
        {},
        {"collaboration": D(5)},
        bonus_amount=QUARTERLY_BONUS,
        carried_flags=["promotion_candidate"],
    )

    assert (str(result.score), result.band, result.flags) == ("5.00", "C", ("promotion_candidate", "warning"))


# --- the year (SPEC.md section 10) ------------------------------------------------------------------


def test_the_year_of_the_readme_s_worked_example_by_hand() -> None:
    """han.mei of the README: three quarters from May, the third forced."""
    result = score_year(
        CUSTOMER_MANAGER,
        {
            "churn": [D("0.00"), D("0.00"), D("12.00")],
            "satisfaction": [D("16.67"), D("16.67"), D("25.00")],
            "new_customers": [D("10.00"), D("10.00"), D("20.00")],
            "feedback": [D("8.00"), D("8.00"), D("12.00")],
            "collaboration": [D("5.00"), D("0.00"), D("8.00")],
        },
        bonus_amount=D(18000),
        incomplete=True,
    )

    assert [(line.code, str(line.points), line.months) for line in result.lines] == [
        ("churn", "4.00", 3),
        ("satisfaction", "19.45", 3),  # 58.34 / 3 = 19.4466…
        ("new_customers", "13.33", 3),
        ("feedback", "9.33", 3),
        ("collaboration", "4.33", 3),
    ]
    assert (str(result.score), result.band, str(result.bonus), result.flags) == (
        "50.44",
        "C",
        "0.00",
        ("incomplete", "warning"),
    )


def test_a_year_means_each_indicator_half_up_and_pays_the_annual_bonus_by_its_band() -> None:
    result = score_year(
        CUSTOMER_MANAGER,
        {"churn": [D("36.00"), D("24.01")], "satisfaction": [D("25.00")], "collaboration": [D("8.00"), D("9.00")]},
        bonus_amount=D("24000.50"),
        carried_flags=["promotion_candidate"],
    )

    # churn 60.01 / 2 = 30.005 -> 30.01; an indicator without a quarter scores 0.
    assert [str(line.points) for line in result.lines] == ["30.01", "25.00", "0.00", "0.00", "8.50"]
    assert (str(result.score), result.band, str(result.bonus)) == ("63.51", "B", "16800.35")
    assert result.flags == ("promotion_candidate",)


# --- proportional ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "actual", "expected"),
    [
        # higher: r = A/T
        ({"target": 10}, "10", "10.00"),  # target exactly met
        ({"target": 10}, "5", "5.00"),
        ({"target": 10}, "0", "0.00"),  # zero actual
        ({"target": 10}, "15", "10.00"),  # default cap 1
        ({"target": 10, "cap": "1.2"}, "15", "12.00"),  # capped at W*cap
        ({"target": 10, "cap": "1.2"}, "12", "12.00"),  # exactly at the cap
        ({"target": 10, "cap": "1.2"}, "11", "11.00"),
        ({"target": 10, "floor": "0.6"}, "5.9999", "0.00"),  # r just below the floor
        ({"target": 10, "floor": "0.6"}, "6", "6.00"),  # r exactly at the floor
        ({"target": 10}, "-5", "0.00"),  # negative r is below the default floor 0
        ({"target": 10, "floor": "-1"}, "-5", "0.00"),  # negative r above the floor clamps to 0
        # lower: r = 1 - (A-T)/T
        ({"target": 5, "direction": LOWER}, "5", "10.00"),
        ({"target": 5, "direction": LOWER}, "7.5", "5.00"),
        ({"target": 5, "direction": LOWER}, "10", "0.00"),
        ({"target": 5, "direction": LOWER}, "12", "0.00"),  # r = -0.4
        ({"target": 5, "direction": LOWER, "floor": "-1"}, "12", "0.00"),  # clamps to 0
        ({"target": 5, "direction": LOWER}, "0", "10.00"),  # zero actual: r = 2, capped at 1
        ({"target": 5, "direction": LOWER, "cap": "1.2"}, "0", "12.00"),
        ({"target": 5, "direction": LOWER, "cap": "1.2"}, "4", "12.00"),  # r = 1.2 exactly
        ({"target": 5, "direction": LOWER, "floor": "0.5"}, "7.5001", "0.00"),
        ({"target": 5, "direction": LOWER, "floor": "0.5"}, "7.5", "5.00"),
    ],
)
def test_it_scores_proportional_indicators(fields: dict[str, object], actual: str, expected: str) -> None:
    assert points(rule(Method.PROPORTIONAL, **fields), actual) == expected


def test_it_caps_proportional_points_at_weight_times_cap() -> None:
    score = indicator_score(rule(Method.PROPORTIONAL, weight=30, target=5, cap="1.2"), D(100))

    assert (score.points, score.capped, score.floored) == (D("36.00"), True, False)


def test_it_gives_nothing_below_the_floor_and_says_so() -> None:
    score = indicator_score(rule(Method.PROPORTIONAL, target=10, floor="0.6"), D(5))

    assert (score.points, score.floored, score.capped) == (D("0.00"), True, False)


def test_it_refuses_a_proportional_indicator_without_a_target() -> None:
    with pytest.raises(ValueError, match="target"):
        indicator_score(rule(Method.PROPORTIONAL), D(1))


# --- per unit ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "actual", "expected"),
    [
        # new customers: W 20, T 3, +2 a unit above, -5 a unit below, at most 20*1.25 = 25
        ({}, "3", "20.00"),
        ({}, "4", "22.00"),
        ({}, "3.5", "21.00"),
        ({}, "5", "24.00"),
        ({}, "5.5", "25.00"),  # exactly W*cap
        ({}, "6", "25.00"),  # 26 clamped down to W*cap
        ({}, "2", "15.00"),
        ({}, "0", "5.00"),
        ({}, "-1", "0.00"),  # exactly 0
        ({}, "-2", "0.00"),  # -5 clamped up to 0
        ({"direction": LOWER}, "2", "22.00"),
        ({"direction": LOWER}, "4", "15.00"),
        ({"direction": LOWER}, "0", "25.00"),  # 26 clamped to W*cap
        ({"direction": LOWER}, "8", "0.00"),  # -5 clamped to 0
        ({"bonus_per_unit": 0}, "10", "20.00"),
        ({"cap": 1}, "4", "20.00"),
    ],
)
def test_it_scores_per_unit_indicators_within_zero_and_weight_times_cap(
    fields: dict[str, object], actual: str, expected: str
) -> None:
    values: dict[str, object] = {"weight": 20, "target": 3, "bonus_per_unit": 2, "penalty_per_unit": 5, "cap": "1.25"}
    assert points(rule(Method.PER_UNIT, **{**values, **fields}), actual) == expected


@pytest.mark.parametrize(
    ("actual", "capped", "floored"), [("6", True, False), ("-2", False, True), ("4", False, False)]
)
def test_it_says_when_per_unit_points_were_clamped(actual: str, capped: bool, floored: bool) -> None:
    indicator = rule(Method.PER_UNIT, weight=20, target=3, bonus_per_unit=2, penalty_per_unit=5, cap="1.25")

    score = indicator_score(indicator, D(actual))

    assert (score.capped, score.floored) == (capped, floored)


# --- tiers ---------------------------------------------------------------------------------------

FEEDBACK_TIERS = ((D(95), D(15)), (D(90), D(12)), (D(80), D(8)))
RESPONSE_HOURS_TIERS = ((D(2), D(10)), (D(4), D(6)), (D(8), D(3)))


@pytest.mark.parametrize(
    ("fields", "actual", "expected"),
    [
        ({"weight": 15, "tiers": FEEDBACK_TIERS}, "95.8333", "15.00"),
        ({"weight": 15, "tiers": FEEDBACK_TIERS}, "95", "15.00"),  # threshold exactly reached
        ({"weight": 15, "tiers": FEEDBACK_TIERS}, "94.9999", "12.00"),
        ({"weight": 15, "tiers": FEEDBACK_TIERS}, "90", "12.00"),
        ({"weight": 15, "tiers": FEEDBACK_TIERS}, "80", "8.00"),
        ({"weight": 15, "tiers": FEEDBACK_TIERS}, "79.9999", "0.00"),  # none reached
        ({"weight": 15, "tiers": FEEDBACK_TIERS}, "0", "0.00"),
        ({"weight": 15, "tiers": tuple(reversed(FEEDBACK_TIERS))}, "96", "15.00"),  # order does not matter
        ({"tiers": RESPONSE_HOURS_TIERS, "direction": LOWER}, "1", "10.00"),
        ({"tiers": RESPONSE_HOURS_TIERS, "direction": LOWER}, "2", "10.00"),
        ({"tiers": RESPONSE_HOURS_TIERS, "direction": LOWER}, "3", "6.00"),
        ({"tiers": RESPONSE_HOURS_TIERS, "direction": LOWER}, "8", "3.00"),
        ({"tiers": RESPONSE_HOURS_TIERS, "direction": LOWER}, "8.0001", "0.00"),  # none reached
        ({"tiers": ((D(1), D(12)), (D(0), D(5)))}, "2", "10.00"),  # capped at W*1
        ({"tiers": ((D(1), D(12)), (D(0), D(5))), "cap": "1.1"}, "2", "11.00"),  # capped at W*1.1
        ({"tiers": ((D(1), D(12)), (D(0), D(5))), "cap": "1.1"}, "0.5", "5.00"),
    ],
)
def test_it_gives_the_most_points_among_the_tiers_reached(
    fields: dict[str, object], actual: str, expected: str
) -> None:
    assert points(rule(Method.TIERS, **fields), actual) == expected


# --- rating ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "actual", "expected"),
    [
        ({"scale": 10}, "0", "0.00"),
        ({"scale": 10}, "10", "10.00"),
        ({"scale": 10}, "8.5", "8.50"),
        ({"scale": 5, "weight": 20}, "3", "12.00"),
        ({"scale": 3, "weight": 10}, "1", "3.33"),
        ({"scale": 3, "weight": 10}, "2", "6.67"),
    ],
)
def test_it_scores_a_rating_out_of_its_scale(fields: dict[str, object], actual: str, expected: str) -> None:
    assert points(rule(Method.RATING, **fields), actual) == expected


@pytest.mark.parametrize("actual", ["-0.01", "10.01", "11"])
def test_it_refuses_a_rating_outside_its_scale(actual: str) -> None:
    with pytest.raises(ValueError, match="outside"):
        indicator_score(rule(Method.RATING, scale=10), D(actual))


# --- binary ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "target", "actual", "expected"),
    [
        (HIGHER, "100", "100", "10.00"),
        (HIGHER, "100", "150", "10.00"),
        (HIGHER, "100", "99.99", "0.00"),
        (LOWER, "0", "0", "10.00"),
        (LOWER, "2", "1", "10.00"),
        (LOWER, "2", "2.01", "0.00"),
    ],
)
def test_it_gives_the_whole_weight_or_nothing_for_a_binary_indicator(
    direction: Direction, target: str, actual: str, expected: str
) -> None:
    assert points(rule(Method.BINARY, direction=direction, target=target), actual) == expected


SATISFACTION_STRETCHED = replace(SATISFACTION, stretch_target=D(10), stretch_bonus=D(2))


# --- stretch ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("indicator", "actual", "expected", "stretched"),
    [
        (CHURN, "3", "41.00", True),  # lower: exactly at the stretch target
        (CHURN, "1.9231", "41.00", True),
        (CHURN, "0", "41.00", True),
        (CHURN, "3.0001", "36.00", False),
        (CHURN, "5", "30.00", False),
        (SATISFACTION_STRETCHED, "10", "29.50", True),  # higher: exactly at the stretch target
        (SATISFACTION_STRETCHED, "11", "29.50", True),
        (SATISFACTION_STRETCHED, "9.99", "27.50", False),
        (rule(Method.BINARY, target=1, stretch_target=2, stretch_bonus="2.5"), "2", "12.50", True),
        (rule(Method.BINARY, target=1, stretch_target=2, stretch_bonus="2.5"), "1.5", "10.00", False),
        # added after the clamp to W*cap
        (
            rule(Method.PER_UNIT, direction=LOWER, target=3, penalty_per_unit=5, stretch_target=1, stretch_bonus=3),
            "1",
            "13.00",
            True,
        ),
        (
            rule(Method.PER_UNIT, direction=LOWER, target=3, penalty_per_unit=5, stretch_target=1, stretch_bonus=3),
            "1.01",
            "10.00",
            False,
        ),
    ],
    ids=lambda value: value.code if isinstance(value, IndicatorRule) else None,
)
def test_it_adds_the_stretch_bonus_when_the_stretch_target_is_reached(
    indicator: IndicatorRule, actual: str, expected: str, stretched: bool
) -> None:
    score = indicator_score(indicator, D(actual))

    assert (str(score.points), score.stretched) == (expected, stretched)


# --- rounding ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("indicator", "actual", "expected"),
    [
        (rule(Method.PROPORTIONAL, target=8), "0.1", "0.13"),  # 10*0.1/8 = 0.125
        (rule(Method.PROPORTIONAL, weight=25, target=8), "0.7504", "2.35"),  # 2.345, half-even would say 2.34
        (rule(Method.PROPORTIONAL, target=8), "1", "1.25"),  # exact: no rounding
        (rule(Method.RATING, scale=8), "0.1", "0.13"),  # 0.125
        (rule(Method.PER_UNIT, weight=20, target=3, bonus_per_unit="0.125", cap=2), "4", "20.13"),  # 20.125
        (rule(Method.PROPORTIONAL, target=3), "1", "3.33"),  # 3.333...
        (rule(Method.PROPORTIONAL, target=3), "2", "6.67"),  # 6.666...
    ],
)
def test_it_rounds_points_half_up_to_two_decimals(indicator: IndicatorRule, actual: str, expected: str) -> None:
    assert points(indicator, actual) == expected


def test_it_rounds_the_monthly_score_half_up() -> None:
    plan = PlanRules(indicators=(rule(Method.PROPORTIONAL, weight=8, target=1),))
    line = indicator_score(plan.indicators[0], D("0.00125"))  # 0.01 points

    assert str(monthly_score(plan, [line])) == "0.13"  # 0.01 * 100 / 8 = 0.125


@pytest.mark.parametrize(
    ("points_", "expected"),
    [
        (["27.50", "16.67"], "22.09"),  # 22.085
        (["36.00", "41.00", "41.00"], "39.33"),
        (["22.00", "20.00", "20.00"], "20.67"),
        (["0.01", "0.02"], "0.02"),  # 0.015
        (["5.00"], "5.00"),
        ([], "0.00"),
    ],
)
def test_it_means_points_half_up_to_two_decimals(points_: list[str], expected: str) -> None:
    assert str(mean_points([D(p) for p in points_])) == expected


@pytest.mark.parametrize(
    ("amount", "payout", "expected"),
    [
        ("2000", "100", "2000.00"),
        ("6000", "70", "4200.00"),
        ("2000", "0", "0.00"),
        ("2000.05", "50", "1000.03"),  # 1000.025
        ("0.05", "50", "0.03"),  # 0.025
        ("1000", "33.333", "333.33"),
        ("1000", "66.667", "666.67"),
    ],
)
def test_it_pays_the_bonus_to_two_decimals_half_up(amount: str, payout: str, expected: str) -> None:
    assert str(bonus_for(D(amount), D(payout))) == expected


# --- formulas ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ({"lost": "2", "total": "50"}, "4.0000"),
        ({"lost": "1", "total": "52"}, "1.9231"),
        ({"lost": "2", "total": "3"}, "66.6667"),
        ({"lost": "1", "total": "3200"}, "0.0313"),  # 0.03125 rounds half up
        ({"lost": "0", "total": "30"}, "0.0000"),
    ],
)
def test_it_quantizes_a_formula_result_to_four_decimals(inputs: dict[str, str], expected: str) -> None:
    assert str(actual_from_inputs(CHURN, {name: D(value) for name, value in inputs.items()})) == expected


def test_a_formula_dividing_by_zero_is_an_error() -> None:
    with pytest.raises(FormulaDivisionByZero):
        actual_from_inputs(CHURN, {"lost": D(0), "total": D(0)})


def test_an_indicator_without_a_formula_has_no_actual_from_inputs() -> None:
    with pytest.raises(ValueError, match="no formula"):
        actual_from_inputs(SATISFACTION, {})


# --- missing values ------------------------------------------------------------------------------------


def test_a_missing_value_scores_zero() -> None:
    score = missing_score(CHURN)

    assert (str(score.points), score.missing, score.actual) == ("0.00", True, None)


@pytest.mark.parametrize(
    "actuals",
    [
        {"churn": None, "satisfaction": D(9), "new_customers": D(3), "feedback": D(100)},
        {"satisfaction": D(9), "new_customers": D(3), "feedback": D(100)},
    ],
    ids=["none", "absent"],
)
def test_a_month_with_a_missing_value_is_flagged_incomplete(actuals: dict[str, Decimal | None]) -> None:
    result = score_month(CUSTOMER_MANAGER, actuals, bonus_amount=MONTHLY_BONUS)

    assert result.incomplete
    assert result.flags == ("incomplete",)
    assert (str(result.lines[0].points), str(result.score), result.band) == ("0.00", "66.67", "B")  # 60*100/90


def test_a_complete_month_is_not_flagged_incomplete() -> None:
    actuals = {"churn": D(5), "satisfaction": D(9), "new_customers": D(3), "feedback": D(100)}

    result = score_month(CUSTOMER_MANAGER, actuals, bonus_amount=MONTHLY_BONUS)

    assert not result.incomplete
    assert str(result.score) == "100.00"


def test_a_quarter_without_its_quarterly_value_is_flagged_incomplete() -> None:
    result = score_quarter(CUSTOMER_MANAGER, {"churn": [D(30)]}, {}, bonus_amount=QUARTERLY_BONUS)

    assert result.incomplete
    assert result.lines[-1] == IndicatorScore(
        code="collaboration", method=Method.RATING, points=D("0.00"), missing=True
    )


# --- monthly score ---------------------------------------------------------------------------------------


def test_the_monthly_score_scales_the_monthly_indicators_to_100() -> None:
    lines = [
        IndicatorScore(code=code, method=Method.PROPORTIONAL, points=D(p))
        for code, p in [("churn", "36"), ("satisfaction", "23.89"), ("new_customers", "22"), ("feedback", "15")]
    ]

    assert str(monthly_score(CUSTOMER_MANAGER, lines)) == "107.66"  # 96.89 * 100 / 90, collaboration left out


# --- bands -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "label"),
    [
        ("107.66", "A"),
        ("80", "A"),
        ("79.99", "B"),
        ("60", "B"),
        ("59.99", "C"),
        ("0", "C"),
        ("-0.01", None),
    ],
)
def test_it_picks_the_band_with_the_greatest_minimum_reached(score: str, label: str | None) -> None:
    band = band_for(reversed(BANDS), D(score))

    assert (band.label if band else None) == label


def test_a_score_below_every_band_gets_no_label_and_no_bonus() -> None:
    plan = PlanRules(
        indicators=(rule(Method.PROPORTIONAL, weight=100, target=10),),
        bands=(BandRule(min=D(80), label="A", payout=D(100)), BandRule(min=D(60), label="B", payout=D(70))),
    )

    result = score_month(plan, {"x": D(5)}, bonus_amount=MONTHLY_BONUS)

    assert (str(result.score), result.band, str(result.payout), str(result.bonus)) == ("50.00", "", "0.00", "0.00")
    assert result.flags == ()


def test_a_bands_flag_is_added_to_the_result() -> None:
    actuals = {"churn": D(10), "satisfaction": D(0), "new_customers": D(0), "feedback": D(0)}

    result = score_month(CUSTOMER_MANAGER, actuals, bonus_amount=MONTHLY_BONUS)

    assert (str(result.score), result.band, result.flags) == ("5.56", "C", ("warning",))


# --- streaks -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "reached"),
    [
        (["107.66", "109.51", "112.22"], True),
        (["90", "90", "90"], True),  # exactly the minimum
        (["80", "95", "95", "95"], True),  # only the last three count
        ([None, "95", "95", "95"], True),
        (["109.51", "112.22"], False),  # fewer months than the streak needs
        ([], False),
        (["95", "89.99", "95"], False),
        (["95", "95", "95", "80"], False),
        ([None, "119.44", "26.23"], False),
        (["95", None, "95"], False),  # a month without a score breaks it
        (["95", "95", None, "95", "95"], False),
    ],
)
def test_a_streak_needs_its_months_of_consecutive_scores_at_the_minimum(
    scores: list[str | None], reached: bool
) -> None:
    recent = [None if s is None else D(s) for s in scores]

    assert streak_reached(STREAK, recent) is reached


def test_there_is_no_streak_without_a_streak_rule() -> None:
    assert streak_reached(None, [D(100)] * 5) is False


def test_a_one_month_streak_needs_only_this_month() -> None:
    assert streak_reached(StreakRule(months=1, min_score=D(90), flag="star"), [D(90)])


@pytest.mark.parametrize(
    ("earlier", "flags"),
    [
        ([D(95), D(95)], ("promotion_candidate",)),
        ([D(95), None], ()),
        ([D(95)], ()),
        ([D(95), D(80)], ()),
    ],
)
def test_a_month_gets_the_streak_flag_after_enough_good_months(
    earlier: list[Decimal | None], flags: tuple[str, ...]
) -> None:
    actuals = {"churn": D(5), "satisfaction": D(9), "new_customers": D(3), "feedback": D(100)}

    result = score_month(CUSTOMER_MANAGER, actuals, bonus_amount=MONTHLY_BONUS, earlier_scores=earlier)

    assert result.flags == flags


def test_the_highest_score_is_a_full_month_scaled_to_its_weights_or_a_quarters_sum() -> None:
    # monthly: churn 30 × 1.2 + its stretch bonus 5, satisfaction 25 × 1.1, new customers 20 × 1.25,
    # feedback 15 (tiers capped at the weight) = 108.5 of weights 90 → 120.56; a quarter adds
    # collaboration's 10: 118.50
    assert highest_score(CUSTOMER_MANAGER.indicators) == D("120.56")
    stretched = replace(COLLABORATION, stretch_target=D(9), stretch_bonus=D(5))
    assert highest_score((*CUSTOMER_MANAGER.indicators[:4], stretched)) == D("123.50")  # the quarter's, now
    assert highest_score(()) == D("0.00")


# --- what a line says besides its points (the "why" of a score), at the boundaries --------------------


def test_a_scored_line_keeps_the_method_the_actual_and_the_target_it_was_scored_with() -> None:
    assert indicator_score(SATISFACTION, D("8.6")) == IndicatorScore(
        code="satisfaction", method=Method.PROPORTIONAL, points=D("23.89"), actual=D("8.6"), target=D(9)
    )
    assert indicator_score(NEW_CUSTOMERS, D(4)) == IndicatorScore(
        code="new_customers", method=Method.PER_UNIT, points=D("22.00"), actual=D(4), target=D(3)
    )


def test_a_missing_line_keeps_its_target() -> None:
    assert missing_score(CHURN) == IndicatorScore(
        code="churn", method=Method.PROPORTIONAL, points=D("0.00"), target=D(5), missing=True
    )


def test_quarter_and_year_lines_keep_the_method_and_the_target() -> None:
    quarter = score_quarter(CUSTOMER_MANAGER, {"churn": [D(30), D(31)]}, {"collaboration": D(6)}, bonus_amount=D(0))
    year = score_year(CUSTOMER_MANAGER, {"churn": [D("30.5"), D("30.5")]}, bonus_amount=D(0))

    assert quarter.lines[0] == IndicatorScore(
        code="churn", method=Method.PROPORTIONAL, points=D("30.50"), target=D(5), months=2
    )
    assert year.lines[0] == quarter.lines[0]
    assert year.lines[-1] == IndicatorScore(code="collaboration", method=Method.RATING, points=D("0.00"))


@pytest.mark.parametrize(
    ("method", "needed"),
    [(Method.PROPORTIONAL, "target"), (Method.PER_UNIT, "target"), (Method.BINARY, "target"), (Method.RATING, "scale")],
)
def test_a_rule_without_what_its_method_needs_is_refused_naming_it(method: Method, needed: str) -> None:
    with pytest.raises(ValueError, match=f"^x: {method} needs {needed}$"):
        indicator_score(rule(method), D(1))


def test_exactly_weight_times_cap_is_not_capped() -> None:
    proportional = indicator_score(rule(Method.PROPORTIONAL, weight=30, target=5, cap="1.2"), D(6))
    per_unit = indicator_score(
        rule(Method.PER_UNIT, weight=20, target=3, bonus_per_unit=2, penalty_per_unit=5, cap="1.25"), D("5.5")
    )

    assert (proportional.points, proportional.capped) == (D("36.00"), False)
    assert (per_unit.points, per_unit.capped, per_unit.floored) == (D("25.00"), False, False)


@pytest.mark.parametrize(
    ("tier_points", "expected", "capped"),
    [("33", "33.00", False), ("36", "36.00", False), ("36.01", "36.00", True), ("40", "36.00", True)],
)
def test_a_tier_above_weight_times_cap_is_capped_and_says_so(tier_points: str, expected: str, capped: bool) -> None:
    score = indicator_score(rule(Method.TIERS, weight=30, cap="1.2", tiers=((D(1), D(tier_points)),)), D(1))

    assert (score.points, score.capped) == (D(expected), capped)


@pytest.mark.parametrize(
    ("actual", "expected", "floored"),
    [("-1", "0.00", False), ("-0.9", "0.50", False), ("-1.1", "0.00", True)],
)
def test_per_unit_points_reaching_exactly_zero_are_not_floored(actual: str, expected: str, floored: bool) -> None:
    # W 20, T 3, -5 a unit below: 3 - (-1) = 4 units below gives exactly 0, 3.9 units gives 0.50.
    indicator = rule(Method.PER_UNIT, weight=20, target=3, bonus_per_unit=2, penalty_per_unit=5, cap="1.25")

    score = indicator_score(indicator, D(actual))

    assert (score.points, score.capped, score.floored) == (D(expected), False, floored)
