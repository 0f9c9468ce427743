"""The filter a page writes a period with: a month in the page's language, a quarter as ever."""

import pytest
from django.template import Context, Template
from django.utils import translation

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
        (Period.parse("2026-Q1"), "zh-hans", "2026-Q1"),
        ("2026-Q2", "en", "2026-Q2"),
    ],
)
def test_a_month_is_written_in_the_pages_language_and_a_quarter_as_the_pages_show_it(
    value: object, language: str, text: str
) -> None:
    assert shown(value, language) == text


@pytest.mark.parametrize(("value", "text"), [("", ""), (None, ""), ("not a month", "not a month")])
def test_what_is_no_period_is_left_as_it_is(value: object, text: str) -> None:
    assert shown(value, "zh-hans") == text
