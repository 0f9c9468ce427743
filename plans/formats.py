"""How the pages write money, periods and percentages for people to read: one function each.

The template filters (``{% load numbers %}``, ``{% load periods %}``) and the Python that builds a
page's text (flash messages, titles, chart labels, option labels) call these, so that a format
changes here for every page at once. Files, URLs and the API keep the machine forms
(``2500.00``, ``2026-Q1``, ``2026-04``): they are read by programs, not people.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from plans.numbers import MONEY_PLACES
from plans.periods import Period, PeriodError

CENT = Decimal(1).scaleb(-MONEY_PLACES)


def money_text(amount: Decimal | int) -> str:
    """An amount of yuan as it is written in China, whatever the page's language: ``¥2,500.00``.

    The sign, thousands in groups of three, two decimals (Django's Chinese number format groups
    digits by four with no separator, which nobody uses for an amount of money).
    """
    value = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{'-' if value < 0 else ''}¥{abs(value):,.{MONEY_PLACES}f}"


def period_text(value: Period | str) -> str:
    """A period in the active language: ``2026年4月`` / ``April 2026``, ``2026年第1季度`` /
    ``Q1 2026``, ``2026年度`` / ``2026``. Text that is no period is returned as it is."""
    try:
        period = value if isinstance(value, Period) else Period.parse(str(value))
    except PeriodError:
        return str(value)
    if period.is_month:
        return formats.date_format(period.first_day(), "YEAR_MONTH_FORMAT")
    if period.is_quarter:
        return _("Q%(quarter)s %(year)s") % {"quarter": period.quarter, "year": period.year}
    return _("year %(year)s") % {"year": period.year}


def periods_text(values: Iterable[Period | str]) -> str:
    """Several periods in a sentence: ``2026年1月、2026年2月`` / ``January 2026, February 2026``."""
    return pgettext("list separator", ", ").join(period_text(value) for value in values)


def percent_text(value: Decimal | float | int | str) -> str:
    """A percentage with its sign against the number, in both languages: ``12.9%`` (text, such as
    ``number_text`` writes, is taken as it is)."""
    return f"{formats.number_format(value)}%"
