"""PostgreSQL's COPY, for the few places that write rows by the hundred thousand."""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Model, Q
from django.db.models.expressions import RawSQL
from psycopg2.extras import execute_values


def copy_rows(
    table: str, columns: Iterable[str], rows: Iterable[Iterable[object]], *, nullable: Iterable[str] = ()
) -> int:
    """COPY ``rows`` into ``table``; the number of rows written.

    The rows go as CSV, written by the csv module's C code: text is quoted, numbers are not.
    ``None`` comes out as a quoted empty string, which COPY reads as NULL only in the
    ``nullable`` columns, so list there every column that may hold ``None``.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    if count:
        buffer.seek(0)
        nulls = list(nullable)
        options = f", FORCE_NULL ({', '.join(nulls)})" if nulls else ""
        # Django does not wrap the driver's copy_expert: wrap its errors like any query's, so a
        # dropped connection is django.db.OperationalError and the close task retries.
        with connection.cursor() as cursor, connection.wrap_database_errors:
            cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv{options})", buffer)
    return count


def copy_text(table: str, columns: Iterable[str], rows: io.StringIO) -> None:
    """COPY rows already written in PostgreSQL's text format (tab-separated, ``\\N`` for NULL,
    backslashes, tabs and line ends escaped) into ``table``: for the close, which formats each
    row as one string instead of a tuple for the csv module."""
    if not rows.tell():
        return
    rows.seek(0)
    with connection.cursor() as cursor, connection.wrap_database_errors:  # errors as Django's, like copy_rows'
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", rows)


def ids_in(column: str, ids: Sequence[int], *, model: type[Model]) -> Q:
    """A filter of ``model``'s rows whose ``column`` is one of ``ids``.

    On PostgreSQL one ``= ANY(%s)`` array parameter: Django's ``__in`` prepares each id on its own
    and sends as many parameters (100,000 ids: 1 s before the query starts, bench_close).
    """
    if connection.vendor == "postgresql":
        name = f"{connection.ops.quote_name(model._meta.db_table)}.{connection.ops.quote_name(column)}"
        return Q(RawSQL(f"{name} = ANY(%s)", [list(ids)], output_field=BooleanField()))
    return Q(**{f"{column}__in": list(ids)})


def reserve_ids(table: str, count: int) -> list[int]:
    """``count`` fresh primary keys from the table's sequence, for rows that others point at."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count])
        return [row[0] for row in cursor.fetchall()]


def rows_insert(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Insert plain rows without model instances: COPY on PostgreSQL, one batch of INSERTs elsewhere.

    Values are what the columns hold: numbers, text, JSON already dumped, ``None``; datetimes
    are adapted here. ``bulk_create`` of 40,000 figures and as many audit rows spent 25 of a
    34 s import building instances and preparing their values (cProfile, 10,000 rows).
    """
    table_fields = [model._meta.get_field(name) for name in fields]
    columns = [str(field.column) for field in table_fields]  # type: ignore[union-attr]
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        nullable = [str(field.column) for field in table_fields if field.null]  # type: ignore[union-attr]
        return copy_rows(table, columns, rows, nullable=nullable)
    adapt = connection.ops.adapt_datetimefield_value
    prepared: list[list[Any]] = [
        [adapt(value) if isinstance(value, datetime) else value for value in row] for row in rows
    ]
    if prepared:
        quote = connection.ops.quote_name
        sql = (
            f"INSERT INTO {quote(table)} ({', '.join(quote(column) for column in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, prepared)
    return len(prepared)


def rows_update(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Update rows by id, each ``(id, value of each field...)``, without model instances.

    ``bulk_update`` builds a CASE WHEN per field over every row: a 2,000-row upload spent 13 of its
    20 s building that query (cProfile). PostgreSQL gets one UPDATE … FROM (VALUES …) a page of
    rows; elsewhere the same plain UPDATE is sent for each row in one batch.
    """
    table_fields = [model._meta.get_field(name) for name in fields]
    columns = [str(field.column) for field in table_fields]  # type: ignore[union-attr]
    table = connection.ops.quote_name(model._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    prepared: list[list[Any]] = [
        [adapt(value) if isinstance(value, datetime) and connection.vendor != "postgresql" else value for value in row]
        for row in rows
    ]
    if not prepared:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = [str(field.db_type(connection)) for field in table_fields]  # type: ignore[union-attr]
            key = model._meta.pk.rel_db_type(connection)  # type: ignore[attr-defined]
            values = ", ".join([f"%s::{key}", *(f"%s::{db_type}" for db_type in types)])
            assignments = ", ".join(f"{column} = v.{column}" for column in columns)
            with connection.wrap_database_errors:  # the driver's own call: its errors as Django's
                execute_values(
                    cursor.cursor,
                    f"UPDATE {table} SET {assignments} FROM (VALUES %s) AS v (id, {', '.join(columns)}) "
                    f"WHERE {table}.id = v.id",
                    prepared,
                    template=f"({values})",
                    page_size=1000,
                )
        else:
            assignments = ", ".join(f"{column} = %s" for column in columns)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE id = %s", [[*row[1:], row[0]] for row in prepared]
            )
    return len(prepared)
