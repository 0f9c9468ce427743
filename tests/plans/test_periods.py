"""Assessment periods: a month 2026-01 or a quarter 2026-Q1, from 2000-01 to 2100-12."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


@pytest.mark.parametrize("text", ["2026-01", "2026-12", "2026-Q1", "2026-Q4", "2000-01", "2100-12"])
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
        "20260",
        "",
        "January 2026",
        "2026-04-01",
        "２０２６-０１",
        "٢٠٢٦-٠١",  # Arabic-Indic digits
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


@pytest.mark.parametrize("text", ["1999-12", "1999-Q4", "2101-01", "2101-Q1", "9999-12", "0000-01", "0999-05"])
def test_it_refuses_a_period_outside_2000_01_to_2100_12(text: str) -> None:
    with pytest.raises(PeriodError) as error:
        Period.parse(text)

    assert error.value.out_of_range


@pytest.mark.parametrize("text", ["2000-01", "2000-Q1", "2100-12", "2100-Q4"])
def test_it_reads_the_first_and_last_periods_of_the_range(text: str) -> None:
    assert str(Period.parse(text)) == text


@given(
    st.one_of(
        st.builds(Period.of_month, st.integers(2000, 2100), st.integers(1, 12)),
        st.builds(lambda year, quarter: Period(year=year, quarter=quarter), st.integers(2000, 2100), st.integers(1, 4)),
    )
)
def test_every_period_in_range_reads_back_as_it_is_written(period: Period) -> None:
    assert Period.parse(str(period)) == period
    assert Period.from_cell(str(period)) == period
    assert Period.from_cell(f" {period} ") == period


@given(st.text(max_size=20))
def test_a_cell_is_a_period_in_range_or_a_period_error(text: str) -> None:
    try:
        period = Period.from_cell(text)
    except PeriodError:
        return
    assert 2000 <= period.year <= 2100
    assert Period.parse(str(period)) == period


# --- cells of files: what a spreadsheet makes of a month ----------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-04", "2026-04"),
        ("2026-Q1", "2026-Q1"),
        ("2026-4", "2026-04"),
        ("2026/04", "2026-04"),
        ("2026/4", "2026-04"),
        ("2026/4/1", "2026-04"),
        ("2026/04/30", "2026-04"),
        ("2026-04-01", "2026-04"),
        ("2026-04-15", "2026-04"),
        ("2026-4-1", "2026-04"),
        ("2026-04-01 00:00:00", "2026-04"),
        ("2026-04-01T00:00:00", "2026-04"),
        ("2026/4/1 0:00", "2026-04"),
        ("2024-02-29", "2024-02"),
        ("2026年4月", "2026-04"),
        ("2026年04月", "2026-04"),
        ("2026年4月份", "2026-04"),
        ("2026年4月1日", "2026-04"),
        ("2026年12月31日", "2026-12"),
        ("２０２６－０４", "2026-04"),
        ("２０２６年４月", "2026-04"),
        ("２０２６／４／１", "2026-04"),
        ("\u30002026-04\u3000", "2026-04"),
        ("2026Q1", "2026-Q1"),
        ("2026 Q2", "2026-Q2"),
        ("2026-q3", "2026-Q3"),
        ("２０２６－Ｑ４", "2026-Q4"),
        ("2026年第1季度", "2026-Q1"),
        ("2026年第二季度", "2026-Q2"),
        ("2026年3季度", "2026-Q3"),
        ("2000-01-01", "2000-01"),
        ("2100年12月", "2100-12"),
    ],
)
def test_it_reads_a_month_or_quarter_as_a_spreadsheet_writes_it(text: str, expected: str) -> None:
    assert str(Period.from_cell(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2026",
        "2026-13",
        "2026-0",
        "2026/13/1",
        "2026-02-30",
        "2026-04-31",
        "2026-04/01",  # mixed separators
        "2026-04-01 09:30:00",  # a time of day is not a date cell
        "4/1/2026",  # April or January?
        "01/04/2026",
        "26-04",
        "2026.4",  # 2026.4 or 2026.40?
        "2026.04",
        "202604",
        "46113",  # a date's serial number
        "2026年13月",
        "2026年4月31日",
        "2026年第5季度",
        "2026Q5",
        "2026-Q0",
        "April 2026",
        "٢٠٢٦-٠٤",
        "2026-04-01-01",
        "2026/4/0",
        "2026年4月0日",
        "2026年4月1日份",
    ],
)
def test_it_refuses_a_cell_that_is_not_surely_one_period(text: str) -> None:
    with pytest.raises(PeriodError):
        Period.from_cell(text)


@pytest.mark.parametrize("text", ["1999-12-31", "2101/1/1", "1999年12月", "2101Q1", "9999-12", "0000-01"])
def test_a_cell_outside_the_range_is_refused_as_out_of_range(text: str) -> None:
    with pytest.raises(PeriodError) as error:
        Period.from_cell(text)

    assert error.value.out_of_range
    assert error.value.text == text


# --- when a period has ended ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "first_day", "day_after"),
    [
        ("2026-01", datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)),
        ("2026-12", datetime.date(2026, 12, 1), datetime.date(2027, 1, 1)),
        ("2026-Q1", datetime.date(2026, 1, 1), datetime.date(2026, 4, 1)),
        ("2026-Q4", datetime.date(2026, 10, 1), datetime.date(2027, 1, 1)),
        ("2100-12", datetime.date(2100, 12, 1), datetime.date(2101, 1, 1)),
    ],
)
def test_a_period_runs_from_its_first_day_to_the_day_before_the_day_after(
    text: str, first_day: datetime.date, day_after: datetime.date
) -> None:
    period = Period.parse(text)

    assert (period.first_day(), period.day_after()) == (first_day, day_after)


@pytest.mark.parametrize(
    ("text", "today", "ended"),
    [
        ("2026-01", datetime.date(2026, 1, 31), False),
        ("2026-01", datetime.date(2026, 2, 1), True),
        ("2026-01", datetime.date(2025, 12, 1), False),
        ("2026-12", datetime.date(2026, 12, 31), False),
        ("2026-12", datetime.date(2027, 1, 1), True),
        ("2026-Q1", datetime.date(2026, 3, 31), False),
        ("2026-Q1", datetime.date(2026, 4, 1), True),
        ("2031-06", datetime.date(2026, 12, 1), False),
    ],
)
def test_a_period_has_ended_from_the_first_day_after_it(text: str, today: datetime.date, ended: bool) -> None:
    assert Period.parse(text).has_ended(today=today) is ended


# --- the year (SPEC.md section 10) ----------------------------------------------------------------


def test_it_reads_a_year_and_writes_it_back() -> None:
    year = Period.parse("2026")

    assert year == Period(year=2026)
    assert (year.is_year, year.is_month, year.is_quarter) == (True, False, False)
    assert str(year) == "2026"


def test_a_year_covers_its_twelve_months_and_four_quarters() -> None:
    year = Period.parse("2026")

    assert [str(m) for m in year.months()] == [f"2026-{m:02d}" for m in range(1, 13)]
    assert [str(q) for q in year.quarters()] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert str(year.last_month()) == "2026-12"
    assert Period.parse("2026-05").year_of() == year
    assert Period.parse("2026-Q3").year_of() == year


def test_a_year_has_ended_from_the_first_of_january_after_it() -> None:
    year = Period.parse("2026")

    assert year.first_day() == datetime.date(2026, 1, 1)
    assert not year.has_ended(today=datetime.date(2026, 12, 31))
    assert year.has_ended(today=datetime.date(2027, 1, 1))


def test_a_year_has_no_quarter() -> None:
    with pytest.raises(PeriodError):
        Period.parse("2026").quarter_of()


@pytest.mark.parametrize("text", ["1999", "2101", "0000"])
def test_it_refuses_a_year_outside_the_range(text: str) -> None:
    with pytest.raises(PeriodError) as error:
        Period.parse(text)

    assert error.value.out_of_range


@pytest.mark.parametrize("text", ["2026", " 2026 ", "２０２６"])
def test_a_cell_never_names_a_year(text: str) -> None:
    """Figures and assignments are of months and quarters: 2026 in a period cell is a slip."""
    with pytest.raises(PeriodError) as error:
        Period.from_cell(text)

    assert not error.value.out_of_range


# --- a refusal names what was refused (the messages built on PeriodError quote it) ---------------------


@pytest.mark.parametrize(
    ("text", "refused", "out_of_range"),
    [
        ("abc", "abc", False),
        (" 2026-13 ", "2026-13", False),
        ("2026-00", "2026-00", False),
        ("1999-12", "1999-12", True),
        ("2101-Q1", "2101-Q1", True),
        ("0999", "0999", True),  # the year as it was typed, not as a number
        ("1999", "1999", True),
    ],
)
def test_a_refused_period_names_the_text_as_typed(text: str, refused: str, out_of_range: bool) -> None:
    with pytest.raises(PeriodError) as error:
        Period.parse(text)

    assert (error.value.text, str(error.value), error.value.out_of_range) == (refused, refused, out_of_range)


@pytest.mark.parametrize(
    ("cell", "out_of_range"),
    [
        ("２０２６", False),  # a year
        ("2026年13月", False),  # no such month
        ("2026-02-30", False),  # no such day
        ("4/1/2026", False),  # not surely one month
        ("1999年12月", True),
    ],
)
def test_a_refused_cell_names_the_cell_as_it_was(cell: str, out_of_range: bool) -> None:
    with pytest.raises(PeriodError) as error:
        Period.from_cell(cell)

    assert (error.value.text, str(error.value), error.value.out_of_range) == (cell, cell, out_of_range)


def test_the_years_at_the_ends_of_the_range_are_years_and_the_next_ones_are_refused_naming_them() -> None:
    assert (str(Period.of_year(2000)), str(Period.of_year(2100))) == ("2000", "2100")
    for year in (1999, 2101):
        with pytest.raises(PeriodError) as error:
            Period.of_year(year)
        assert (error.value.text, error.value.out_of_range) == (str(year), True)


def test_a_year_has_no_quarter_nor_a_month_after_it_and_the_refusal_names_the_period() -> None:
    year, quarter = Period.of_year(2026), Period.parse("2026-Q2")
    for refuse, named in (
        (year.quarter_of, "2026"),
        (lambda: year.shift(1), "2026"),
        (lambda: quarter.shift(1), "2026-Q2"),
    ):
        with pytest.raises(PeriodError) as error:
            refuse()
        assert (error.value.text, error.value.out_of_range) == (named, False)


@pytest.mark.parametrize(
    ("day", "month"),
    [
        (datetime.date(2026, 4, 15), "2026-04"),
        (datetime.date(2026, 1, 1), "2026-01"),
        (datetime.date(2000, 12, 31), "2000-12"),
    ],
)
def test_a_day_falls_in_its_month(day: datetime.date, month: str) -> None:
    assert Period.of_date(day) == Period.parse(month)
    assert str(Period.of_date(day)) == month
