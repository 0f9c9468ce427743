"""Assessment periods: a month ``2026-01`` or a quarter ``2026-Q1``.

Pure code, standard library only. Months compare as their text, so a ``YYYY-MM`` string is
also what the database stores for a month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int = 0  # 1..12 for a month, 0 for a quarter
    quarter: int = 0  # 1..4 for a quarter, 0 for a month

    @classmethod
    def parse(cls, text: str) -> Period:
        text = text.strip()
        if match := _MONTH.match(text):
            year, month = int(match[1]), int(match[2])
            if not 1 <= month <= 12:
                raise PeriodError(text)
            return cls(year=year, month=month)
        if match := _QUARTER.match(text):
            return cls(year=int(match[1]), quarter=int(match[2]))
        raise PeriodError(text)

    @classmethod
    def of_month(cls, year: int, month: int) -> Period:
        return cls(year=year, month=month)

    @property
    def is_month(self) -> bool:
        return self.month != 0

    @property
    def is_quarter(self) -> bool:
        return self.quarter != 0

    def __str__(self) -> str:
        if self.is_month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-Q{self.quarter}"

    def months(self) -> tuple[Period, ...]:
        """The months a period covers: itself for a month, three for a quarter."""
        if self.is_month:
            return (self,)
        first = (self.quarter - 1) * 3 + 1
        return tuple(Period.of_month(self.year, m) for m in range(first, first + 3))

    def quarter_of(self) -> Period:
        if self.is_quarter:
            return self
        return Period(year=self.year, quarter=(self.month - 1) // 3 + 1)

    def shift(self, months: int) -> Period:
        """The month ``months`` calendar months after this one (negative: before)."""
        if not self.is_month:
            raise PeriodError(str(self))
        index = self.year * 12 + self.month - 1 + months
        return Period.of_month(index // 12, index % 12 + 1)

    def last_month(self) -> Period:
        return self.months()[-1]

    def first_month(self) -> Period:
        return self.months()[0]
