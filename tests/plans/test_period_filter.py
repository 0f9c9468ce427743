"""How a page writes a period, in the filter and in the function the Python of pages calls."""

import pytest
from django.template import Context, Template
from django.utils import translation

from plans.formats import period_text, periods_text
from plans.periods import Period


def shown(value: object, language: str) -> str:
    with translation.override(language):
        return Template("{% load periods %}{{ value|period }}").render(Context({"value": value}))


@pytest.mark.parametrize(
    ("value", "language", "text"),
    [
        (Period.parse("2026-04"), "zh-hans", "2026年4月"),
        ("2026-12", "zh-hans", "2026年12月"),
        (Period.parse("2026-04"), "en", "April 2026"),
        (Period.parse("2026-Q1"), "zh-hans", "2026年第1季度"),
        ("2026-Q4", "zh-hans", "2026年第4季度"),
        ("2026-Q2", "en", "Q2 2026"),
        ("2026", "zh-hans", "2026年度"),
        (Period.parse("2026"), "en", "year 2026"),
    ],
)
def test_a_period_is_written_in_the_pages_language(value: object, language: str, text: str) -> None:
    assert shown(value, language) == text
    with translation.override(language):
        assert period_text(value if isinstance(value, Period) else str(value)) == text


@pytest.mark.parametrize(("value", "text"), [("", ""), (None, ""), ("not a month", "not a month")])
def test_what_is_no_period_is_left_as_it_is(value: object, text: str) -> None:
    assert shown(value, "zh-hans") == text


def test_a_list_of_periods_is_joined_as_the_language_joins_a_list() -> None:
    months = ["2026-01", "2026-02"]
    with translation.override("zh-hans"):
        assert periods_text(months) == "2026年1月、2026年2月"
        assert Template("{% load periods %}{{ months|periods }}").render(Context({"months": months})) == (
            "2026年1月、2026年2月"
        )
    with translation.override("en"):
        assert periods_text(months) == "January 2026, February 2026"


def test_a_quarter_on_a_chinese_page_has_no_latin_letter() -> None:
    with translation.override("zh-hans"):
        assert all("Q" not in period_text(q) for q in Period.parse("2026").quarters())
