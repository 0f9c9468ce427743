"""Assessment periods: a month 2026-01 or a quarter 2026-Q1."""

import pytest

from plans.periods import Period, PeriodError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01", Period(year=2026, month=1)),
        ("2026-12", Period(year=2026, month=12)),
        (" 2026-03 ", Period(year=2026, month=3)),
        ("2026-Q1", Period(year=2026, quarter=1)),
        ("2026-Q4", Period(year=2026, quarter=4)),
    ],
)
def test_it_reads_a_month_or_a_quarter(text: str, expected: Period) -> None:
    assert Period.parse(text) == expected


@pytest.mark.parametrize(("text", "is_month"), [("2026-01", True), ("2026-Q1", False)])
def test_it_says_whether_a_period_is_a_month_or_a_quarter(text: str, is_month: bool) -> None:
    period = Period.parse(text)

    assert (period.is_month, period.is_quarter) == (is_month, not is_month)


@pytest.mark.parametrize("text", ["2026-01", "2026-12", "2026-Q1", "2026-Q4", "0999-05"])
def test_it_writes_a_period_as_it_reads_it(text: str) -> None:
    assert str(Period.parse(text)) == text


@pytest.mark.parametrize(
    "text",
    [
        "2026-13",
        "2026-00",
        "2026-Q5",
        "2026-Q0",
        "26-01",
        "2026-1",
        "2026/01",
        "2026-001",
        "202601",
        "2026-q1",
        "2026-Q",
        "2026",
        "",
        "January 2026",
    ],
)
def test_it_refuses_a_period_that_is_not_one(text: str) -> None:
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_a_bad_period_is_a_value_error() -> None:
    assert issubclass(PeriodError, ValueError)


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("2026-Q1", ["2026-01", "2026-02", "2026-03"]),
        ("2026-Q2", ["2026-04", "2026-05", "2026-06"]),
        ("2026-Q3", ["2026-07", "2026-08", "2026-09"]),
        ("2026-Q4", ["2026-10", "2026-11", "2026-12"]),
        ("2026-05", ["2026-05"]),
    ],
)
def test_a_quarter_covers_its_three_months(text: str, months: list[str]) -> None:
    period = Period.parse(text)

    assert [str(month) for month in period.months()] == months
    assert (str(period.first_month()), str(period.last_month())) == (months[0], months[-1])


@pytest.mark.parametrize(
    ("text", "months", "expected"),
    [
        ("2026-01", 0, "2026-01"),
        ("2026-01", 1, "2026-02"),
        ("2026-01", -1, "2025-12"),
        ("2026-12", 1, "2027-01"),
        ("2026-11", 3, "2027-02"),
        ("2026-03", -15, "2024-12"),
        ("2026-06", 24, "2028-06"),
        ("2026-06", -12, "2025-06"),
    ],
)
def test_it_shifts_a_month_across_years(text: str, months: int, expected: str) -> None:
    assert str(Period.parse(text).shift(months)) == expected


def test_it_refuses_to_shift_a_quarter() -> None:
    with pytest.raises(PeriodError):
        Period.parse("2026-Q1").shift(1)


@pytest.mark.parametrize(
    ("text", "quarter"),
    [
        ("2026-01", "2026-Q1"),
        ("2026-03", "2026-Q1"),
        ("2026-04", "2026-Q2"),
        ("2026-06", "2026-Q2"),
        ("2026-07", "2026-Q3"),
        ("2026-09", "2026-Q3"),
        ("2026-10", "2026-Q4"),
        ("2026-12", "2026-Q4"),
        ("2026-Q2", "2026-Q2"),
    ],
)
def test_it_finds_the_quarter_of_a_month(text: str, quarter: str) -> None:
    assert str(Period.parse(text).quarter_of()) == quarter


def test_months_sort_in_calendar_order() -> None:
    months = ["2026-02", "2025-12", "2026-10", "2026-01"]

    assert [str(p) for p in sorted(Period.parse(m) for m in months)] == ["2025-12", "2026-01", "2026-02", "2026-10"]
