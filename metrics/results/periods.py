"""The order the result pages show periods in: time order, a quarter right after its last month."""

from plans.periods import Period


def period_key(period: Period) -> tuple[Period, bool]:
    """Periods in time order, a quarter right after its last month."""
    return (period.last_month(), period.is_quarter)


def periods_sorted(periods: set[str]) -> list[str]:
    return [str(p) for p in sorted((Period.parse(p) for p in periods), key=period_key)]
