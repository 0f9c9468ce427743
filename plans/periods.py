"""Assessment periods: a month ``2026-01``, a quarter ``2026-Q1`` or a year ``2026``, from 2000-01 to 2100-12.

Pure code, standard library only. Months compare as their text, so a ``YYYY-MM`` string is
also what the database stores for a month.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

FIRST_YEAR = 2000
LAST_YEAR = 2100

_MONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.ASCII)
_YEAR = re.compile(r"^(\d{4})$", re.ASCII)

# What a spreadsheet makes of a month (read by ``Period.from_cell``). Only forms that cannot
# mean anything else: the year always comes first and has four digits, so "4/1/2026" (April or
# January?), "26-04" and "2026.1" (January or October?) stay refused.
_MIDNIGHT = r"(?:[ T]0?0:00(?::00(?:\.0+)?)?)?"  # a date cell written with its time of day
_CELL_MONTH = re.compile(r"^(\d{4})([-/])(\d{1,2})$", re.ASCII)
_CELL_DAY = re.compile(r"^(\d{4})([-/])(\d{1,2})\2(\d{1,2})" + _MIDNIGHT + "$", re.ASCII)
_CELL_CHINESE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月(?:份|\s*(\d{1,2})\s*日)?$", re.ASCII)
_CELL_QUARTER = re.compile(r"^(\d{4})\s*[-/ ]?\s*Q([1-4])$", re.ASCII | re.IGNORECASE)
_CELL_CHINESE_QUARTER = re.compile(r"^(\d{4})\s*年\s*第?\s*([1-4一二三四])\s*季度?$", re.ASCII)
_CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}
# Full-width ASCII (what a Chinese input method types: ２０２６－０４) and the ideographic space.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


class PeriodError(ValueError):
    """Not a period; ``out_of_range`` when it is one, but outside 2000-01 to 2100-12."""

    def __init__(self, text: str, *, out_of_range: bool = False) -> None:
        super().__init__(text)
        self.text = text
        self.out_of_range = out_of_range


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int = 0  # 1..12 for a month, 0 for a quarter or a year
    quarter: int = 0  # 1..4 for a quarter, 0 for a month or a year

    @classmethod
    def parse(cls, text: str) -> Period:
        """A period written as the product writes it: ``2026-01``, ``2026-Q1`` or ``2026``."""
        text = text.strip()
        if match := _MONTH.match(text):
            return cls._checked(text, year=int(match[1]), month=int(match[2]))
        if match := _QUARTER.match(text):
            return cls._checked(text, year=int(match[1]), month=0, quarter=int(match[2]))
        if match := _YEAR.match(text):
            return cls.of_year(int(match[1]), text=text)
        raise PeriodError(text)

    @classmethod
    def from_cell(cls, text: str) -> Period:
        """A period from a cell of a file: what ``parse`` reads, or what a spreadsheet made of it.

        ``2026-4``, ``2026/04``, a date (``2026-04-15``, ``2026/4/1``, ``2026-04-01 00:00:00``:
        its month), ``2026年4月``, ``2026年4月1日``, ``2026Q1``, ``2026年第1季度``, also in
        full-width characters. Never a year: figures and assignments are of months and quarters,
        and a cell holding 2026 is more likely a slip than a period.
        """
        cell = text.translate(_FULL_WIDTH).strip()
        try:
            parsed = cls.parse(cell)
        except PeriodError as error:
            if error.out_of_range:
                raise PeriodError(text, out_of_range=True) from None
        else:
            if parsed.is_year:
                raise PeriodError(text)
            return parsed
        year, month, quarter, day = 0, 0, 0, "1"
        if match := _CELL_MONTH.match(cell):
            year, month = int(match[1]), int(match[3])
        elif match := _CELL_DAY.match(cell):
            year, month, day = int(match[1]), int(match[3]), match[4]
        elif match := _CELL_CHINESE.match(cell):
            year, month, day = int(match[1]), int(match[2]), match[3] or "1"
        elif match := _CELL_QUARTER.match(cell):
            year, quarter = int(match[1]), int(match[2])
        elif match := _CELL_CHINESE_QUARTER.match(cell):
            year, quarter = int(match[1]), _CHINESE_DIGITS.get(match[2]) or int(match[2])
        else:
            raise PeriodError(text)
        if month:
            try:
                datetime.date(year, month, int(day))  # 2026-02-30 is no day, so no month either
            except ValueError:
                raise PeriodError(text) from None
        return cls._checked(text, year=year, month=month, quarter=quarter)

    @classmethod
    def _checked(cls, text: str, *, year: int, month: int, quarter: int = 0) -> Period:
        """A month (``quarter`` 0) or a quarter (``month`` 0, ``quarter`` 1-4) within the range."""
        if not (1 <= month <= 12 if not quarter else 1 <= quarter <= 4):
            raise PeriodError(text)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise PeriodError(text, out_of_range=True)
        return cls(year=year, month=month, quarter=quarter)

    @classmethod
    def of_year(cls, year: int, *, text: str = "") -> Period:
        """The year ``year`` (SPEC.md section 10), within the range."""
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise PeriodError(text or str(year), out_of_range=True)
        return cls(year=year)

    @classmethod
    def of_month(cls, year: int, month: int) -> Period:
        return cls(year=year, month=month)

    @classmethod
    def of_date(cls, day: datetime.date) -> Period:
        """The month a day falls in."""
        return cls(year=day.year, month=day.month)

    @property
    def is_month(self) -> bool:
        return self.month != 0

    @property
    def is_quarter(self) -> bool:
        return self.quarter != 0

    @property
    def is_year(self) -> bool:
        return self.month == 0 and self.quarter == 0

    def __str__(self) -> str:
        if self.is_month:
            return f"{self.year:04d}-{self.month:02d}"
        if self.is_year:
            return f"{self.year:04d}"
        return f"{self.year:04d}-Q{self.quarter}"

    def months(self) -> tuple[Period, ...]:
        """The months a period covers: itself for a month, three for a quarter, twelve for a year."""
        if self.is_month:
            return (self,)
        if self.is_year:
            return tuple(Period.of_month(self.year, m) for m in range(1, 13))
        first = (self.quarter - 1) * 3 + 1
        return tuple(Period.of_month(self.year, m) for m in range(first, first + 3))

    def quarters(self) -> tuple[Period, ...]:
        """The quarters a year covers (a quarter: itself; a month: its quarter)."""
        if self.is_year:
            return tuple(Period(year=self.year, quarter=q) for q in range(1, 5))
        return (self.quarter_of(),)

    def quarter_of(self) -> Period:
        """A month's quarter, a quarter itself; a year has none (PeriodError)."""
        if self.is_quarter:
            return self
        if self.is_year:
            raise PeriodError(str(self))
        return Period(year=self.year, quarter=(self.month - 1) // 3 + 1)

    def year_of(self) -> Period:
        """The year a period falls in."""
        return Period(year=self.year)

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

    def first_day(self) -> datetime.date:
        month = self.first_month()
        return datetime.date(month.year, month.month, 1)

    def day_after(self) -> datetime.date:
        """The first day after the period: the first of the month after its last month."""
        following = self.last_month().shift(1)
        return datetime.date(following.year, following.month, 1)

    def has_ended(self, *, today: datetime.date) -> bool:
        """True from the first day after the period (``today`` in the company's time zone)."""
        return today >= self.day_after()
