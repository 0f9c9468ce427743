"""Formulas over named inputs: numbers, names, + - * /, unary minus and parentheses, nothing else."""

import builtins
from decimal import Decimal

import pytest

from plans.formula import (
    FormulaDivisionByZero,
    FormulaError,
    FormulaTooDeep,
    FormulaTooLong,
    evaluate,
    names,
    parse,
    rename,
)

D = Decimal


def calculate(text: str, **values: str) -> Decimal:
    return evaluate(parse(text), {name: D(value) for name, value in values.items()})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", "42"),
        ("1.5", "1.5"),
        (".5 * 2", "1.0"),
        ("1 + 2 * 3", "7"),  # * before +
        ("2 * 3 + 1", "7"),
        ("1 + 6 / 3", "3"),  # / before +
        ("(1 + 2) * 3", "9"),
        ("((1 + 2)) * (3 - 1)", "6"),
        ("10 - 4 - 3", "3"),  # left to right, not 10 - (4 - 3)
        ("12 / 4 / 3", "1"),  # left to right, not 12 / (4 / 3)
        ("2 * 6 / 4", "3"),
        ("-2 * 3", "-6"),
        ("-(1 + 2)", "-3"),
        ("2 * -3", "-6"),
        ("--2", "2"),
        ("1 - -1", "2"),
        ("-2 + 5", "3"),
        ("  1+2*3  ", "7"),
        ("1 / 4", "0.25"),
    ],
)
def test_it_calculates_with_the_usual_precedence(text: str, expected: str) -> None:
    assert calculate(text) == D(expected)


def test_it_calculates_over_named_inputs_in_decimal() -> None:
    assert calculate("lost / total * 100", lost="2", total="50") == D("4")
    assert calculate("ok / total * 100", ok="0.1", total="0.3") == D("100") / D(3)  # no binary floating point
    assert calculate("a + b", a="0.1", b="0.2") == D("0.3")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lost / total * 100", {"lost", "total"}),
        ("-(a + b) * a", {"a", "b"}),
        ("x_1 - _y", {"x_1", "_y"}),
        ("42", set()),
        ("-(1 + 2)", set()),
    ],
)
def test_it_lists_the_input_names_a_formula_uses(text: str, expected: set[str]) -> None:
    assert names(parse(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "2 **3",
        "2 ^ 3",
        "7 % 2",
        "abs(x)",
        "__import__('os').system('true')",
        "os.system",
        "x if y else z",
        "1e5",
        "(1 + 2",
        "1 + 2)",
        ")(",
        "()",
        "1 +",
        "* 2",
        "1 2",
        "a b",
        "[1]",
        "1,5",
    ],
)
def test_it_refuses_anything_but_arithmetic(text: str) -> None:
    with pytest.raises(FormulaError):
        parse(text)


def test_dividing_by_zero_is_its_own_error() -> None:
    with pytest.raises(FormulaDivisionByZero):
        calculate("lost / total * 100", lost="0", total="0")


def test_a_division_by_zero_is_a_formula_error_as_well() -> None:
    assert issubclass(FormulaDivisionByZero, FormulaError)
    assert issubclass(FormulaError, ValueError)


def test_it_never_hands_the_text_to_eval(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("eval or exec was called")

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)

    # Python names are only input names: their values come from the inputs, not from Python.
    node = parse("os * 2 + __import__ - open")

    assert names(node) == {"os", "__import__", "open"}
    assert evaluate(node, {"os": D(3), "__import__": D(1), "open": D(4)}) == D(3)


@pytest.mark.parametrize(
    "text",
    ["(" * 240 + "x" + ")" * 240, "-" * 400 + "x", "-(" * 160 + "x" + ")" * 160, "x * " + "-(" * 51 + "x" + ")" * 51],
    ids=["parentheses", "minus-signs", "both", "inside-a-term"],
)
def test_a_formula_nested_too_deeply_is_refused_not_a_recursion_error(text: str) -> None:
    with pytest.raises(FormulaTooDeep):
        parse(text)


def test_a_formula_over_500_characters_is_refused_before_it_is_parsed() -> None:
    with pytest.raises(FormulaTooLong):
        parse("(" * 100_000 + "x" + ")" * 100_000)
    with pytest.raises(FormulaTooLong):
        parse("x + " * 125 + "x")  # 501 characters


def test_formulas_up_to_the_limits_are_read_and_evaluated() -> None:
    assert calculate("(" * 50 + "x" + ")" * 50, x="2") == D(2)
    assert calculate("-" * 50 + "x", x="2") == D(2)
    assert calculate("+".join(["x"] * 250), x="1") == D(250)  # 499 characters
    assert names(parse("-".join(["x"] * 250))) == {"x"}


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("", FormulaError, "empty formula"),
        ("   ", FormulaError, "empty formula"),
        ("1 +", FormulaError, "unexpected end of formula"),
        ("(1 + 2", FormulaError, "unexpected end of formula"),
        ("(1 + 2 3", FormulaError, "missing )"),
        ("* 2", FormulaError, "unexpected '*'"),
        ("1 + 2)", FormulaError, "unexpected ')'"),
        ("a % b", FormulaError, "unexpected character '%'"),
        ("x + " * 125 + "x", FormulaTooLong, "longer than 500 characters"),
        ("(" * 51 + "x" + ")" * 51, FormulaTooDeep, "more than 50 parentheses or minus signs inside one another"),
    ],
)
def test_a_refusal_says_what_is_wrong(text: str, error: type[FormulaError], message: str) -> None:
    # The reason is shown to whoever wrote the formula (a plan file's error, the builder's hint).
    with pytest.raises(error) as refusal:
        parse(text)
    assert str(refusal.value) == message


def test_dividing_by_zero_says_so() -> None:
    with pytest.raises(FormulaDivisionByZero) as refusal:
        calculate("x / (y - y)", x="1", y="2")
    assert str(refusal.value) == "division by zero"


def test_a_formula_of_exactly_500_characters_is_read() -> None:
    text = "+".join(["x"] * 249) + "+yy"

    assert len(text) == 500
    assert names(parse(text)) == {"x", "yy"}


@pytest.mark.parametrize(
    "text",
    [
        "(x) + " + "(" * 50 + "x" + ")" * 50,  # a closed parenthesis no longer counts
        "--x + " + "(" * 50 + "x" + ")" * 50,  # nor minus signs applied to what is already read
        "-x * -(x) - " + "-" * 50 + "x",
    ],
)
def test_the_depth_counts_what_is_open_around_a_token_not_what_came_before(text: str) -> None:
    parse(text)


def test_one_level_deeper_after_a_closed_parenthesis_is_still_too_deep() -> None:
    with pytest.raises(FormulaTooDeep):
        parse("(x) + " + "(" * 51 + "x" + ")" * 51)


# --- rename: how a page shows a formula with the inputs' labels --------------------------------------------

LABELS = {"lost": "流失客户数", "total": "客户总数"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lost / total * 100", "流失客户数 / 客户总数 * 100"),
        ("lost/total*100", "流失客户数/客户总数*100"),
        ("  (lost + 1)  /  total ", "  (流失客户数 + 1)  /  客户总数 "),  # spacing kept as typed
        ("lost_count / total", "lost_count / 客户总数"),  # a longer name is another name
        ("lost / other", "流失客户数 / other"),  # a name without a label stays
        ("total2 * 2.5 + lost", "total2 * 2.5 + 流失客户数"),
        ("lost % total", "流失客户数 % 客户总数"),  # text that cannot be read is still shown
        ("", ""),
    ],
)
def test_rename_writes_each_input_as_its_label_and_the_rest_as_typed(text: str, expected: str) -> None:
    assert rename(text, LABELS) == expected


def test_rename_without_labels_gives_the_text_back() -> None:
    assert rename("lost / total * 100", {}) == "lost / total * 100"
