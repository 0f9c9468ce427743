"""URL converters: ``<period:period>`` (a month, a quarter or a year), ``<month:period>``,
``<quarter:period>`` and ``<year:period>``.

A view receives a ``Period`` and never parses one by hand. A bad or out-of-range period in a
URL raises ValueError here, which Django turns into "no such page": a 404, never a 500.
"""

from django.urls import register_converter

from plans.periods import Period


class PeriodConverter:
    regex = r"[0-9]{4}(?:-[0-9]{2}|-Q[0-9])?"

    def to_python(self, value: str) -> Period:
        return Period.parse(value)  # PeriodError is a ValueError

    def to_url(self, value: Period | str) -> str:
        # Links may lead one month beyond the range (the grid's "next"): that page is a 404.
        return str(value)


class MonthConverter(PeriodConverter):
    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> Period:
        period = Period.parse(value)
        if not period.is_month:
            raise ValueError(value)
        return period


class QuarterConverter(PeriodConverter):
    regex = r"[0-9]{4}-Q[0-9]"

    def to_python(self, value: str) -> Period:
        period = Period.parse(value)
        if not period.is_quarter:
            raise ValueError(value)
        return period


class YearConverter(PeriodConverter):
    regex = r"[0-9]{4}"

    def to_python(self, value: str) -> Period:
        period = Period.parse(value)
        if not period.is_year:
            raise ValueError(value)
        return period


register_converter(PeriodConverter, "period")
register_converter(MonthConverter, "month")
register_converter(QuarterConverter, "quarter")
register_converter(YearConverter, "year")
