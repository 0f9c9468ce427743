"""The one number reader (SPEC.md section 7): what is accepted, what is refused and why."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from plans.numbers import (
    LIMIT,
    NumberError,
    money_parse,
    number_check,
    number_json,
    number_parse,
    number_text,
    number_tidy,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.5", "12.5"),
        ("  7 ", "7"),
        ("１２．５", "12.5"),  # a Chinese input method's full-width digits and point
        ("－３", "-3"),
        ("\u22123", "-3"),  # the minus sign of a document
        ("1,234.5", "1234.5"),
        ("１，２３４", "1234"),
        ("12,345,678", "12345678"),
        ("1.5E+3", "1500"),
        ("1.5e-3", "0.0015"),
        ("+4", "4"),
        (".5", "0.5"),
        ("0.000001", "0.000001"),
        ("-0", "0"),
        ("1.500000000", "1.5"),  # trailing zeros are not decimals lost
        ("999999999.999999", "999999999.999999"),
        ("-999999999.999999", "-999999999.999999"),
        ("\u30008.6\u3000", "8.6"),  # ideographic spaces around
    ],
)
def test_it_reads_numbers_as_people_type_them(text: str, expected: str) -> None:
    assert number_parse(text) == Decimal(expected)
    assert number_text(number_parse(text)) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("8,6", "is not a number"),
        ("1_000", "is not a number"),
        ("1.2.3", "is not a number"),
        ("12,34", "is not a number"),
        ("1,2345", "is not a number"),
        ("NaN", "is not a number"),
        ("Infinity", "is not a number"),
        ("inf", "is not a number"),
        ("1e999", "is too large"),
        ("1 000", "is not a number"),
        ("abc", "is not a number"),
        ("   ", "a number is needed"),
        ("", "a number is needed"),
        ("0x10", "is not a number"),
        ("1000000000", "is too large"),
        ("-1000000000", "is too large"),
        ("10000000000000000", "is too large"),
        ("0.1234567", "more than 6 decimals"),
        ("1e-7", "more than 6 decimals"),
        ("5%", "percentage is accepted only"),
    ],
)
def test_it_refuses_what_is_not_an_acceptable_number(text: str, message: str) -> None:
    with pytest.raises(NumberError, match=message):
        number_parse(text)


def test_a_percentage_means_the_number_before_the_sign_where_the_unit_is_percent() -> None:
    assert number_parse("5%", percent=True) == Decimal(5)
    assert number_parse("１２．５％", percent=True) == Decimal("12.5")
    assert number_parse("12.5", percent=True) == Decimal("12.5")
    with pytest.raises(NumberError, match="is not a number"):
        number_parse("%", percent=True)


def test_it_checks_a_range_and_says_which_end() -> None:
    assert number_parse("0", minimum=Decimal(0)) == 0
    with pytest.raises(NumberError, match="below the minimum of 0"):
        number_parse("-1", minimum=Decimal(0))
    with pytest.raises(NumberError, match="above the maximum of 10"):
        number_parse("10.5", maximum=Decimal(10))


def test_money_has_two_decimals_and_is_never_negative() -> None:
    assert money_parse("２，５００．５０") == Decimal("2500.5")
    with pytest.raises(NumberError, match="more than 2 decimals"):
        money_parse("1.005")
    with pytest.raises(NumberError, match="below the minimum"):
        money_parse("-1")


def test_numbers_that_already_are_numbers_get_the_same_limits() -> None:
    assert number_check(Decimal("4.0000")) == Decimal(4)
    assert number_check(30) == Decimal(30)
    for bad in (Decimal("NaN"), Decimal("Infinity"), Decimal("1E+12"), Decimal("0.1234567")):
        with pytest.raises(NumberError):
            number_check(bad)
    with pytest.raises(NumberError):
        number_check(True)


@pytest.mark.parametrize(
    ("stored", "shown", "written"),
    [
        ("30.000000", "30", 30),
        ("1.200000", "1.2", 1.2),
        ("0.000010", "0.00001", 1e-05),
        ("-5.000000", "-5", -5),
        ("1E+3", "1000", 1000),
        ("999999999.999999", "999999999.999999", 999999999.999999),
    ],
)
def test_a_stored_number_loses_its_trailing_zeros_on_a_page_and_in_a_plan_file(
    stored: str, shown: str, written: float
) -> None:
    assert str(number_tidy(Decimal(stored))) == shown == number_text(Decimal(stored))
    assert number_tidy(stored) == Decimal(stored)
    assert number_json(Decimal(stored)) == written
    assert type(number_json(Decimal(stored))) is type(written)  # 30, not 30.0, in the file


def test_an_empty_stored_number_stays_empty() -> None:
    assert number_tidy(None) is None


# Every value SPEC 7 accepts: below 10^9 in absolute value, at most 6 decimals.
accepted = st.decimals(min_value=-LIMIT + Decimal("0.000001"), max_value=LIMIT - Decimal("0.000001"), places=6)


@given(accepted)
def test_an_accepted_value_reads_back_exactly_from_any_way_it_is_written(value: Decimal) -> None:
    plain = number_text(value)
    assert number_parse(plain) == value
    assert number_parse(f"{value:,f}") == value  # with thousands separators
    assert number_parse(f"{value:E}") == value  # scientific notation
    full_width = plain.translate(str.maketrans("0123456789.-", "０１２３４５６７８９．－"))
    assert number_parse(full_width) == value
    assert number_parse(f"{plain}%", percent=True) == value


@given(accepted)
def test_a_plan_file_number_reads_back_as_the_same_value(value: Decimal) -> None:
    assert Decimal(repr(number_json(value))) == value


@given(
    st.decimals(min_value=-LIMIT, max_value=LIMIT, places=7).filter(lambda d: d.normalize().as_tuple().exponent == -7)
)
def test_a_seventh_decimal_is_refused_never_rounded(value: Decimal) -> None:
    with pytest.raises(NumberError):
        number_parse(format(value, "f"))


@given(st.text(max_size=30))
def test_any_text_is_a_number_or_a_clear_refusal(text: str) -> None:
    try:
        value = number_parse(text)
    except NumberError as error:
        assert error.message
    else:
        assert abs(value) < LIMIT
        assert number_parse(number_text(value)) == value


TOO_LARGE = "is too large: a number must lie between −1,000,000,000 and 1,000,000,000"
TOO_LARGE_ZH = "过大：数字必须在 −1,000,000,000 至 1,000,000,000 之间"


@pytest.mark.parametrize(
    ("read", "english", "chinese"),
    [
        (lambda: number_parse("  "), "a number is needed here", "此处须填写数字"),
        (
            lambda: number_parse(" 5% "),
            "“5%”: a percentage is accepted only for a value measured in %; give the number alone",
            "“5%”：只有以 % 为单位的数值才能填写百分比；请只填写数字",
        ),
        (lambda: number_parse(" abc "), "“abc” is not a number", "“abc”不是数字"),
        (lambda: number_check("12"), "“12” is not a number", "“12”不是数字"),  # type: ignore[arg-type]
        (lambda: number_check(Decimal("NaN")), "“NaN” is not a number", "“NaN”不是数字"),
        # the value as it was typed, not as it was read
        (lambda: number_parse("1e9"), f"“1e9” {TOO_LARGE}", f"“1e9”{TOO_LARGE_ZH}"),
        # a value that was never typed is shown without exponent
        (lambda: number_check(Decimal("1E+12")), f"“1000000000000” {TOO_LARGE}", f"“1000000000000”{TOO_LARGE_ZH}"),
        (
            lambda: number_parse("1e-7"),
            "“1e-7” has more than 6 decimals: give at most 6, nothing is rounded",
            "“1e-7”的小数超过 6 位：最多填写 6 位小数，系统不会自动四舍五入",
        ),
        (lambda: number_parse("1.5", places=0), "“1.5” must be a whole number", "“1.5”必须是整数"),
        (lambda: number_parse("-1", minimum=Decimal(0)), "“-1” is below the minimum of 0", "“-1”低于最小值 0"),
        (
            lambda: number_parse("10.5", maximum=Decimal("10.0")),
            "“10.5” is above the maximum of 10",
            "“10.5”高于最大值 10",
        ),
    ],
)
def test_a_refusal_says_exactly_why_in_the_users_language(
    read: Callable[[], Decimal], english: str, chinese: str
) -> None:
    for language, expected in (("en", english), ("zh-hans", chinese)):
        with translation.override(language), pytest.raises(NumberError) as refusal:
            read()
        assert refusal.value.message == expected


def test_a_long_value_is_shortened_in_a_refusal_after_40_characters() -> None:
    forty = "1" + "0" * 39
    with pytest.raises(NumberError) as refusal:
        number_parse(forty)
    assert refusal.value.message == f"“{forty}” {TOO_LARGE}"

    with pytest.raises(NumberError) as refusal:
        number_parse(forty + "0")
    assert refusal.value.message == f"“1{'0' * 36}…” {TOO_LARGE}"


def test_places_zero_accepts_whole_numbers_only() -> None:
    assert number_parse("12", places=0) == 12
    assert number_parse("1.000", places=0) == 1


def test_a_space_may_stand_before_the_percent_sign() -> None:
    assert number_parse("5 %", percent=True) == 5
    assert number_parse("１２．５ ％", percent=True) == Decimal("12.5")


def test_the_range_ends_themselves_are_accepted() -> None:
    assert number_parse("10", maximum=Decimal(10)) == 10
    assert number_parse("-5", minimum=Decimal(-5), maximum=Decimal(-5)) == -5
    assert number_check(Decimal(10), minimum=Decimal(0), maximum=Decimal(10)) == 10


def test_a_number_that_already_is_one_gets_the_range_too() -> None:
    with pytest.raises(NumberError, match="below the minimum of 0"):
        number_check(Decimal(-1), minimum=Decimal(0))
    with pytest.raises(NumberError, match="above the maximum of 10"):
        number_check(11, maximum=Decimal(10))


def test_a_bonus_amount_of_zero_or_less_than_one_is_accepted() -> None:
    assert money_parse("0") == 0
    assert money_parse("0.5") == Decimal("0.5")
    assert money_parse("1") == 1


@pytest.mark.parametrize("text", ["1", "１", "1.000000", "1e0"])
def test_one_is_read_as_one(text: str) -> None:
    assert number_parse(text) == 1
    assert number_text(number_parse(text)) == "1"


@pytest.mark.parametrize("zero", ["-0", "-0.000000", "0E-6", "0e+5", "－０"])
def test_zero_is_read_and_written_without_sign_or_decimals(zero: str) -> None:
    assert str(number_parse(zero)) == "0"
    assert number_text(Decimal(zero.replace("－０", "-0"))) == "0"
