"""The order the result pages show periods in: time order, a quarter right after its last month,
a year right after its last quarter."""

from plans.periods import Period


def period_key(period: Period) -> tuple[Period, bool, bool]:
    """Periods in time order, a quarter right after its last month, a year after its fourth quarter."""
    return (period.last_month(), period.is_quarter or period.is_year, period.is_year)


def periods_sorted(periods: set[str]) -> list[str]:
    return [str(p) for p in sorted((Period.parse(p) for p in periods), key=period_key)]
