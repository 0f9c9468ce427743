"""How a page writes a period: ``{% load periods %}`` then ``{{ month|period }}``.

A month as the page's language writes one (``2026年4月``, ``April 2026``, Django's
``YEAR_MONTH_FORMAT``); a quarter as the pages have always shown it (``2026-Q1``); a year as
the language names one (``2026年度``, ``2026``).
"""

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from plans.periods import Period, PeriodError

register = template.Library()


@register.filter
def period(value: Period | str | None) -> str:
    """A period for people to read; text that is no period is left as it is."""
    if value is None or value == "":
        return ""
    try:
        parsed = value if isinstance(value, Period) else Period.parse(value)
    except PeriodError:
        return str(value)
    if parsed.is_month:
        return formats.date_format(parsed.first_day(), "YEAR_MONTH_FORMAT")
    if parsed.is_year:
        return _("year %(year)s") % {"year": parsed.year}
    return str(parsed)
