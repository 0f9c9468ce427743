"""The plan file of SPEC.md section 3: every problem reported at once, and written back as read."""

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from plans.plan_file import PlanFileError, plan_file_loads, plan_file_parse
from plans.plan_file_write import plan_file_data, plan_file_dumps
from plans.scoring import score_month
from tests.conftest import SEED_PLAN
from tests.plans.test_scoring import CHURN, CUSTOMER_MANAGER

EXAMPLE = SEED_PLAN  # shipped with the product; equal to the shared example (tested below)

D = Decimal
Change = Callable[[dict[str, Any]], None]


def example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"), parse_float=Decimal)
    return data


def as_decimals(value: Any) -> Any:
    """The same JSON value with every number as a Decimal, so 1.2 == Decimal("1.2") and 30 == 30.0."""
    if isinstance(value, dict):
        return {key: as_decimals(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_decimals(item) for item in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return D(str(value))
    return value


def errors_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(PlanFileError) as raised:
        plan_file_parse(data)
    return raised.value.messages


# Small edits that each break an otherwise valid plan: indicators are churn, satisfaction,
# new_customers, feedback, collaboration.


def setting(*path: str | int, value: Any) -> Change:
    def change(data: dict[str, Any]) -> None:
        *parents, key = path
        target: Any = data
        for parent in parents:
            target = target[parent]
        target[key] = value

    return change


def dropping(*path: str | int) -> Change:
    def change(data: dict[str, Any]) -> None:
        *parents, key = path
        target: Any = data
        for parent in parents:
            target = target[parent]
        del target[key]

    return change


# --- the example ------------------------------------------------------------------------------


def test_it_reads_the_example_plan() -> None:
    plan = plan_file_loads(EXAMPLE.read_bytes())

    assert (plan.code, plan.name) == ("customer-manager", "客户管理员绩效方案")
    assert [goal.code for goal in plan.goals] == ["retention", "satisfaction", "growth", "service", "teamwork"]
    assert [i.rule.code for i in plan.indicators] == [
        "churn",
        "satisfaction",
        "new_customers",
        "feedback",
        "collaboration",
    ]
    assert [(band.min, band.label, band.payout, band.flag) for band in plan.bands] == [
        (D(80), "A", D(100), ""),
        (D(60), "B", D(70), ""),
        (D(0), "C", D(0), "warning"),
    ]
    assert plan.streak is not None
    assert (plan.streak.months, plan.streak.min_score, plan.streak.flag) == (3, D(90), "promotion_candidate")


def test_it_reads_an_indicator_with_every_detail() -> None:
    churn = plan_file_loads(EXAMPLE.read_bytes()).indicators[0]

    assert (churn.name, churn.goal, churn.unit) == ("客户流失率", "retention", "%")
    assert churn.rule == CHURN


def test_it_reads_the_example_as_the_plan_the_scoring_tests_build_by_hand() -> None:
    assert plan_file_loads(EXAMPLE.read_bytes()).rules == CUSTOMER_MANAGER


def test_the_example_plan_scores_the_worked_example() -> None:
    plan = plan_file_loads(EXAMPLE.read_bytes())
    actuals = {"churn": D(4), "satisfaction": D("8.6"), "new_customers": D(4), "feedback": D("95.8333")}

    result = score_month(plan.rules, actuals, bonus_amount=D(2000))

    assert (str(result.score), result.band) == ("107.66", "A")


def test_it_writes_the_example_back_as_it_was_read() -> None:
    original = json.loads(EXAMPLE.read_text(encoding="utf-8"))

    data = plan_file_data(plan_file_loads(EXAMPLE.read_bytes()))

    assert as_decimals(data) == as_decimals(original)


def test_a_written_plan_reads_back_the_same() -> None:
    plan = plan_file_loads(EXAMPLE.read_bytes())

    text = plan_file_dumps(plan)

    assert plan_file_loads(text) == plan
    assert "客户流失率" in text  # written as text, not \u escapes


def test_it_reads_numbers_as_exact_decimals() -> None:
    plan = plan_file_loads(EXAMPLE.read_bytes())

    assert plan.indicators[0].rule.cap == D("1.2")
    assert plan.indicators[0].rule.cap.as_tuple() == D("1.2").as_tuple()


# --- one problem at a time --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (setting("indicators", 0, "weight", value=29), "the weights add up to 99, not 100"),
        (setting("indicators", 0, "weight", value=D("30.5")), "the weights add up to 100.5, not 100"),
        (setting("indicators", 1, "code", value="churn"), "indicators[1] “churn”: duplicate code “churn”"),
        (
            lambda data: data["goals"].append({"code": "retention", "name": "again"}),
            "goals[5]: duplicate code “retention”",
        ),
        (dropping("indicators", 2, "penalty_per_unit"), "method “per_unit” needs “penalty_per_unit”"),
        (dropping("indicators", 1, "target"), "“satisfaction”: method “proportional” needs “target”"),
        (setting("indicators", 1, "target", value=0), "method “proportional” needs a target greater than 0"),
        (dropping("indicators", 4, "scale"), "“collaboration”: method “rating” needs “scale”"),
        (dropping("indicators", 3, "tiers"), "“feedback”: method “tiers” needs “tiers”"),
        (setting("indicators", 3, "tiers", value=[[95, 15], [90]]), "tier 2 must be [threshold, points]"),
        (
            setting("indicators", 0, "formula", value="lost / customers * 100"),
            "“churn”: the formula names an unknown input “customers”",
        ),
        (setting("indicators", 0, "formula", value="lost ** total"), "the formula “lost ** total” cannot be read"),
        (dropping("indicators", 0, "formula"), "“churn”: “inputs” are given without a “formula”"),
        (setting("indicators", 0, "colour", value="red"), "indicators[0] “churn”: unknown key “colour”"),
        (setting("owner", value="hr"), "unknown key “owner”"),
        (setting("indicators", 0, "stretch", "when", value=3), "unknown key “when”"),
        (setting("bands", 0, "colour", value="green"), "bands[0]: unknown key “colour”"),
        (setting("streak", "months", value=0), "streak: “months” must be a whole number from 1 to 120"),
        (setting("streak", "months", value="three"), "streak: “months” must be a whole number from 1 to 120"),
        (setting("streak", "months", value=D("2.5")), "streak: “months” must be a whole number from 1 to 120"),
        (dropping("streak", "min_score"), "streak: “min_score” is required"),
        (dropping("streak", "flag"), "streak: “flag” is required"),
        (setting("streak", value=3), "streak: must be an object"),
        (setting("indicators", 0, "weight", value="30"), '“churn”: “weight” must be a number, not "30"'),
        (setting("indicators", 0, "weight", value=True), "“churn”: “weight” must be a number, not true"),
        (dropping("indicators", 0, "weight"), "“churn”: “weight” is required"),
        (setting("indicators", 0, "method", value="guess"), "“method” must be one of"),
        (setting("indicators", 0, "direction", value="up"), "“direction” must be one of"),
        (setting("indicators", 0, "frequency", value="weekly"), "“frequency” must be one of"),
        (setting("indicators", 0, "goal", value="profit"), "unknown goal “profit”"),
        (setting("indicators", 0, "code", value="churn.rate"), "code “churn.rate” may hold only letters"),
        (setting("bands", 1, "min", value=80), "another band already starts at 80"),
        (setting("code", value="customer manager"), "“customer manager” may hold only letters"),
        (dropping("name"), "“name” is required"),
        (setting("indicators", value=[]), "a plan needs at least one indicator"),
    ],
)
def test_it_reports_what_is_wrong_with_a_plan(change: Change, message: str) -> None:
    data = example()
    change(data)

    errors = errors_of(data)

    assert len(errors) == 1, errors
    assert message in errors[0]


def test_a_formula_without_its_inputs_names_the_inputs_it_lacks() -> None:
    data = example()
    del data["indicators"][0]["inputs"]

    assert errors_of(data) == [
        "indicators[0] “churn”: a “formula” needs its “inputs”",
        "indicators[0] “churn”: the formula names an unknown input “lost”",
        "indicators[0] “churn”: the formula names an unknown input “total”",
    ]


def test_the_error_message_holds_every_problem() -> None:
    data = example()
    data["owner"] = "hr"
    data["indicators"][0]["colour"] = "red"

    with pytest.raises(PlanFileError) as raised:
        plan_file_parse(data)

    assert str(raised.value) == "\n".join(raised.value.messages)
    assert len(raised.value.messages) == 2


def test_a_plan_needs_a_monthly_indicator() -> None:
    data = example()
    for indicator in data["indicators"]:
        indicator["frequency"] = "quarterly"

    assert errors_of(data) == ["indicators: a plan needs at least one monthly indicator"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"{", "The plan file is not valid JSON"),
        (b"\xff\xfe", "The plan file is not valid JSON"),
        (b"[]", "The plan file must hold one JSON object."),
    ],
)
def test_it_refuses_a_file_that_is_not_a_json_object(text: bytes, message: str) -> None:
    with pytest.raises(PlanFileError) as raised:
        plan_file_loads(text)

    assert message in raised.value.messages[0]


# --- every problem at once ----------------------------------------------------------------------


def test_it_reports_every_problem_of_a_file_at_once() -> None:
    data = example()
    problems: list[tuple[Change, str]] = [
        (setting("owner", value="hr"), "unknown key “owner”"),
        (setting("indicators", 0, "weight", value=29), "the weights add up to 99, not 100"),
        (setting("indicators", 1, "code", value="churn"), "duplicate code “churn”"),
        (dropping("indicators", 2, "penalty_per_unit"), "method “per_unit” needs “penalty_per_unit”"),
        (setting("indicators", 3, "formula", value="ok / answered * 100"), "unknown input “answered”"),
        (dropping("indicators", 4, "scale"), "method “rating” needs “scale”"),
        (setting("indicators", 4, "colour", value="red"), "unknown key “colour”"),
        (setting("streak", "months", value=0), "“months” must be a whole number"),
    ]
    for change, _message in problems:
        change(data)

    errors = errors_of(data)

    assert len(errors) == len(problems), errors
    for _change, message in problems:
        assert any(message in error for error in errors), (message, errors)


def test_it_reports_a_duplicate_code_even_when_that_indicator_has_other_problems() -> None:
    data = example()
    data["indicators"][2]["code"] = "churn"
    del data["indicators"][2]["penalty_per_unit"]

    errors = errors_of(data)

    assert len(errors) == 2, errors
    assert any("duplicate code “churn”" in error for error in errors)
    assert any("needs “penalty_per_unit”" in error for error in errors)


def test_it_does_not_sum_the_weights_when_one_is_not_a_number() -> None:
    data = example()
    data["indicators"][0]["weight"] = "thirty"
    data["indicators"][1]["weight"] = 24

    errors = errors_of(data)

    assert errors == ['indicators[0] “churn”: “weight” must be a number, not "thirty"']


def test_it_refuses_a_plan_it_can_read_nothing_from() -> None:
    errors = errors_of({"goals": "none", "streak": {}})

    assert errors == [
        "“code” is required",
        "“name” is required",
        "“goals” must be a list",
        "“indicators” is required",
        "bands: a plan needs at least one band",
        "streak: “months” must be a whole number from 1 to 120",
        "streak: “min_score” is required",
        "streak: “flag” is required",
    ]


def test_the_shipped_seed_plan_is_the_shared_example(examples: Path) -> None:
    assert EXAMPLE.read_bytes() == (examples / "customer-manager.json").read_bytes()


# --- the limits of SPEC.md section 7 -------------------------------------------------------------

# Every number of a plan, by where it is in the example (each path holds a number there).
NUMBERS = [
    ("indicators", 0, "target"),
    ("indicators", 0, "cap"),
    ("indicators", 0, "stretch", "target"),
    ("indicators", 0, "stretch", "bonus"),
    ("indicators", 1, "floor"),
    ("indicators", 2, "penalty_per_unit"),
    ("indicators", 2, "bonus_per_unit"),
    ("indicators", 3, "tiers", 0, 0),
    ("indicators", 3, "tiers", 0, 1),
    ("indicators", 4, "scale"),
    ("indicators", 1, "min"),
    ("indicators", 1, "max"),
    ("bands", 0, "min"),
    ("bands", 0, "payout"),
    ("streak", "min_score"),
]


@pytest.mark.parametrize("path", NUMBERS, ids=lambda path: ".".join(map(str, path)))
@pytest.mark.parametrize(
    ("value", "message"),
    [
        (D("1e12"), "“1000000000000” is too large: a number must lie between −1,000,000,000 and 1,000,000,000"),
        (D("1e999"), "is too large"),
        (D("0.1234567"), "“0.1234567” has more than 6 decimals: give at most 6, nothing is rounded"),
    ],
)
def test_every_number_of_a_plan_holds_the_limits(path: tuple[str | int, ...], value: Decimal, message: str) -> None:
    data = example()
    setting(*path, value=value)(data)

    errors = errors_of(data)

    assert any(message in error for error in errors), errors


def test_a_negative_number_beyond_the_limit_is_too_large() -> None:
    data = example()
    data["indicators"][0]["target"] = D("-1e9")

    assert errors_of(data) == [
        "indicators[0] “churn”: “target”: “-1000000000” is too large: a number must lie between −1,000,000,000 "
        "and 1,000,000,000"
    ]


def test_six_decimals_and_numbers_just_below_the_limit_are_kept_exactly() -> None:
    data = example()
    data["indicators"][1]["target"] = D("999999999.999999")
    data["indicators"][1]["min"] = D("-999999999.999999")
    data["indicators"][0]["cap"] = D("1.000001")

    plan = plan_file_parse(data)

    assert plan.indicators[1].rule.target == D("999999999.999999")
    assert plan.indicators[1].minimum == D("-999999999.999999")
    assert plan_file_loads(plan_file_dumps(plan)) == plan


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b'{"code": NaN}', "The plan file holds NaN, which is not a number"),
        (b'{"code": Infinity}', "The plan file holds Infinity, which is not a number"),
        (b'{"code": -Infinity}', "The plan file holds -Infinity, which is not a number"),
        (b"[" * 100_000 + b"]" * 100_000, "The plan file is nested too deeply to be a plan file."),
        (b'{"a": ' * 30 + b"1" + b"}" * 30, "The plan file is nested too deeply to be a plan file."),
        (b" " * 1_000_001, "The plan file is larger than 1 MB"),
        (b'{"code": "a", "code": "b"}', "The plan file gives “code” twice in one object."),
        (b"\xc0\xaf{}", "The plan file is not UTF-8 text"),
    ],
    ids=["nan", "infinity", "minus-infinity", "nested-lists", "nested-objects", "over-1-mb", "twice", "not-utf8"],
)
def test_a_file_that_cannot_be_a_plan_is_refused_before_it_is_read(text: bytes, message: str) -> None:
    with pytest.raises(PlanFileError) as raised:
        plan_file_loads(text)

    assert len(raised.value.messages) == 1
    assert message in raised.value.messages[0]


def test_brackets_inside_texts_are_not_nesting() -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["indicators"][0]["name"] = '[[[[[[[[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{{{{{{{{{{{ \\" ]]'

    plan = plan_file_loads(json.dumps(data))

    assert plan.indicators[0].name.startswith("[[[")


def test_a_huge_whole_number_is_too_large_not_a_python_limit() -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace('"target": 5,', '"target": 1' + "0" * 5000 + ",")

    with pytest.raises(PlanFileError) as raised:
        plan_file_loads(text)

    assert raised.value.messages == [
        "indicators[0] “churn”: “target”: “1000000000000000000000000000000000000…” is too large: a number must lie between −1,000,000,000 and 1,000,000,000"
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (setting("code", value="c" * 51), "code “ccccccc"),
        (lambda data: data["goals"].append({"code": "g" * 51, "name": "x"}), "goals[5]: code “ggggg"),
        (
            lambda data: data["goals"].append({"code": "keep customers", "name": "x"}),
            "goals[5]: code “keep customers” may hold only",
        ),
        (setting("indicators", 0, "code", value="c" * 51), "may hold only letters, digits, “-” and “_”, at most 50"),
        (setting("name", value="名" * 201), "“name” is 201 characters long: at most 200"),
        (setting("goals", 0, "name", value="名" * 201), "goals[0]: “name” is 201 characters long: at most 200"),
        (setting("indicators", 0, "name", value="名" * 201), "“churn”: “name” is 201 characters long: at most 200"),
        (setting("indicators", 0, "unit", value="u" * 33), "“churn”: “unit” is 33 characters long: at most 32"),
        (setting("bands", 0, "label", value="L" * 33), "bands[0]: “label” is 33 characters long: at most 32"),
        (setting("bands", 2, "flag", value="f" * 33), "bands[2]: flag “fffff"),
        (setting("bands", 2, "flag", value="needs work"), "bands[2]: flag “needs work” may hold only"),
        (setting("streak", "flag", value="=cmd"), "streak: flag “=cmd” may hold only"),
        (setting("streak", "months", value=121), "“months” must be a whole number from 1 to 120"),
        (setting("name", value="客户\x00方案"), "“name” holds a control character"),
        (
            setting("indicators", 0, "formula", value="lost + " * 1200 + "total"),
            "“formula” is 8405 characters long: at most 500",
        ),
        (setting("indicators", 0, "formula", value="(" * 240 + "lost" + ")" * 240), "the formula nests more than 50"),
        (setting("indicators", 0, "formula", value="-" * 400 + "lost"), "the formula nests more than 50"),
        (
            setting("indicators", 0, "inputs", value=["_lost", "total"]),
            "inputs[0]: name “_lost” may hold only a letter, then",
        ),
        (setting("indicators", 0, "inputs", value=["lost", "1total"]), "inputs[1]: name “1total” may hold only"),
        (setting("bands", value=[]), "bands: a plan needs at least one band"),
        (dropping("bands"), "bands: a plan needs at least one band"),
        (setting("indicators", 1, "min", value=10), "“satisfaction”: “min” 10 is above “max” 5"),
        (
            setting("indicators", 0, "inputs", value=[{"name": "lost", "min": 5, "max": 1}, "total"]),
            "“min” 5 is above “max” 1",
        ),
        (
            setting("indicators", 0, "inputs", value=[{"name": "lost", "colour": "red"}, "total"]),
            "unknown key “colour”",
        ),
        (setting("indicators", 0, "inputs", value=[{"label": "流失"}, "total"]), "inputs[0]: “name” is required"),
        (setting("indicators", 0, "inputs", value=[{"name": "lost", "min": "0"}, "total"]), "“min” must be a number"),
        (setting("indicators", 0, "inputs", value=[7, "total"]), "an input is a name or an object with “name”, not 7"),
    ],
)
def test_texts_and_ranges_hold_the_limits(change: Change, message: str) -> None:
    data = example()
    data["indicators"][1]["max"] = 5
    change(data)

    errors = errors_of(data)

    assert len(errors) == 1, errors
    assert message in errors[0]


def test_the_longest_texts_allowed_are_kept() -> None:
    data = example()
    data["name"] = "名" * 200
    data["indicators"][0].update(code="c" * 50, unit="u" * 32, formula="lost + total" + " " * 488)
    data["bands"][2]["flag"] = "f" * 32

    plan = plan_file_parse(data)

    assert (len(plan.name), plan.indicators[0].rule.code, plan.bands[2].flag) == (200, "c" * 50, "f" * 32)


def test_inputs_may_be_written_with_a_label_and_a_valid_range() -> None:
    data = example()
    data["indicators"][0]["inputs"] = [{"name": "lost", "label": "流失客户数", "min": 0}, {"name": "total", "min": 1}]
    data["indicators"][1].update({"min": 0, "max": 10})

    plan = plan_file_parse(data)
    churn, satisfaction = plan.indicators[0], plan.indicators[1]

    assert churn.rule.inputs == ("lost", "total")
    assert [(i.name, i.label, i.minimum, i.maximum) for i in churn.input_details] == [
        ("lost", "流失客户数", D(0), None),
        ("total", "", D(1), None),
    ]
    assert (satisfaction.minimum, satisfaction.maximum) == (D(0), D(10))
    written = plan_file_data(plan)
    assert written["indicators"][0]["inputs"] == data["indicators"][0]["inputs"]
    assert (written["indicators"][1]["min"], written["indicators"][1]["max"]) == (0, 10)


def test_an_input_written_as_an_object_without_label_or_range_is_written_back_as_its_name() -> None:
    data = example()
    data["indicators"][0]["inputs"] = [{"name": "lost"}, "total"]

    assert plan_file_data(plan_file_parse(data))["indicators"][0]["inputs"] == ["lost", "total"]


def test_the_seed_plan_is_written_back_byte_for_byte() -> None:
    assert plan_file_dumps(plan_file_loads(EXAMPLE.read_bytes())) == EXAMPLE.read_text(encoding="utf-8") + "\n"


def test_the_library_plans_load() -> None:
    for path in sorted(EXAMPLE.parent.glob("*.json")):
        assert plan_file_loads(path.read_bytes()).indicators, path


def test_a_plan_that_could_score_past_what_a_result_stores_is_refused() -> None:
    data = example()
    data["indicators"][0]["cap"] = 40_000_000  # churn, weight 30: a month could score 1,333,333,413.89
    assert errors_of(data) == [
        "indicators: the highest score these indicators can give is 1333333413.89; it must stay below "
        "1000000000: lower a cap, a tier's points or a stretch bonus"
    ]
    data["indicators"][0]["cap"] = 29_000_000  # 966,666,747.22: accepted
    assert plan_file_parse(data).rules.indicators[0].cap == 29_000_000
