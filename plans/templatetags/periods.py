"""How a page writes a period: ``{% load periods %}`` then ``{{ month|period }}``.

``2026年4月`` / ``April 2026``, ``2026年第1季度`` / ``Q1 2026``, ``2026年度`` / ``year 2026``
(``plans.formats.period_text``, which the Python that builds a page's text calls too). URLs,
form values and files keep the machine form ``2026-04``, ``2026-Q1``.
"""

from collections.abc import Iterable

from django import template

from plans.formats import period_text, periods_text
from plans.periods import Period

register = template.Library()


@register.filter
def period(value: Period | str | None) -> str:
    """A period for people to read; text that is no period is left as it is."""
    if value is None or value == "":
        return ""
    return period_text(value)


@register.filter
def periods(values: Iterable[Period | str] | None) -> str:
    """Several periods in a sentence, joined as the language joins a list."""
    return periods_text(values) if values else ""
