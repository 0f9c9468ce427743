"""A period in the database: stored as its text (``2026-01``, ``2026-Q1``), read as a ``Period``.

A month's text sorts as the month does, so the database orders and compares the column as it
always has; code gets a ``Period`` and never parses a stored period by hand.
"""

from functools import lru_cache
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression
from django.db.models.query_utils import DeferredAttribute

from plans.periods import Period

PERIOD_MAX_LENGTH = 7  # "2026-01", "2026-Q1"


@lru_cache(maxsize=4096)
def _parsed(text: str) -> Period:
    # A close reads a period on every one of hundreds of thousands of rows, of a few periods.
    return Period.parse(text)


class _PeriodAttribute(DeferredAttribute):
    """``row.period = "2026-01"`` keeps a ``Period``, so that a row made in code reads as one loaded."""

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = self.field.to_python(value)


class PeriodField(models.CharField[Period | str, Period]):
    description = "A month or a quarter"
    descriptor_class = _PeriodAttribute

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", PERIOD_MAX_LENGTH)
        super().__init__(*args, **kwargs)

    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> Period | None:
        return None if value is None else _parsed(value)

    def to_python(self, value: Any) -> Period | None:
        if value is None or isinstance(value, Period):
            return value
        return _parsed(str(value))

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return str(value)  # a Period or its text: filters may compare with text (period__gt="2026-03")
