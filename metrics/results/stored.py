"""Reads of stored results: the monthly results and lines that a quarter or a streak is scored
from, and the quarterly ones a year is (the same reads, given quarters)."""

import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection

from metrics.results.models import Result, ResultLine
from plans.models import Indicator
from plans.periods import Period


def monthly_lines(*, employee_ids: Iterable[int], months: Iterable[Period]) -> list[tuple[int, str, str, Decimal]]:
    """(employee id, month, indicator code, points) of the current monthly results.

    On PostgreSQL the points are read as text in one plain query, and each distinct text becomes
    one Decimal shared by every line of that value (``Decimal(text)`` is what psycopg2 does with
    it): a quarter reads 24 lines a person, of a few hundred distinct points.
    """
    if connection.vendor == "postgresql":
        return _monthly_lines_pg(employee_ids=list(employee_ids), months=[str(m) for m in months])
    lines = list(
        ResultLine.objects.filter(
            result__employee_id__in=list(employee_ids),
            result__period__in=[str(m) for m in months],
            result__superseded_at__isnull=True,
        ).values_list("result__employee_id", "result__period", "indicator_id", "points")
    )
    # The codes in a query of their own: a handful of indicators, instead of a join per line.
    codes = dict(Indicator.objects.filter(pk__in={line[2] for line in lines}).values_list("pk", "code"))
    return [
        (employee_id, str(period), codes[indicator_id], points) for employee_id, period, indicator_id, points in lines
    ]


def _monthly_lines_pg(*, employee_ids: list[int], months: list[str]) -> list[tuple[int, str, str, Decimal]]:
    lines = pg_rows(
        f"SELECT r.employee_id, r.period, l.indicator_id, l.points::text FROM {ResultLine._meta.db_table} l "
        f"JOIN {Result._meta.db_table} r ON r.id = l.result_id "
        "WHERE r.employee_id = ANY(%s) AND r.period = ANY(%s) AND r.superseded_at IS NULL",
        [employee_ids, months],
    )
    codes = dict(Indicator.objects.filter(pk__in={line[2] for line in lines}).values_list("pk", "code"))
    decimals = DecimalTexts()
    return [
        (employee_id, period, codes[indicator_id], decimals(points))
        for employee_id, period, indicator_id, points in lines
    ]


def pg_rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """The rows of one plain query (PostgreSQL: a list of ids is one ``= ANY(%s)`` array)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows


class DecimalTexts:
    """Decimals read as the database's text, one shared ``Decimal`` for each distinct text."""

    def __init__(self) -> None:
        self._known: dict[str, Decimal] = {}

    def __call__(self, text: str) -> Decimal:
        try:
            return self._known[text]
        except KeyError:
            value = self._known[text] = Decimal(text)
            return value


def monthly_results(
    *, employee_ids: Iterable[int], months: Iterable[Period]
) -> list[tuple[int, str, Decimal, list[str], int]]:
    """(employee id, month, score, flags, version id) of the current monthly results."""
    if connection.vendor == "postgresql":
        # One plain query: Django's ``__in`` prepares each of a chunk's 1,000 ids on its own.
        # Django reads jsonb as text and decodes it itself, as here.
        rows = pg_rows(
            f"SELECT employee_id, period, score, flags, version_id FROM {Result._meta.db_table} "
            "WHERE employee_id = ANY(%s) AND period = ANY(%s) AND superseded_at IS NULL",
            [list(employee_ids), [str(m) for m in months]],
        )
        return [
            (employee_id, period, score, json.loads(flags), version_id)
            for employee_id, period, score, flags, version_id in rows
        ]
    stored = Result.objects.filter(
        employee_id__in=list(employee_ids), period__in=[str(m) for m in months], superseded_at__isnull=True
    ).values_list("employee_id", "period", "score", "flags", "version_id")
    return [
        (employee_id, str(period), score, flags, version_id) for employee_id, period, score, flags, version_id in stored
    ]


# --- Figures: the team grid, its template, its history -------------------------------------------
