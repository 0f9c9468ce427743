"""PostgreSQL's COPY, for the few places that write rows by the hundred thousand."""

import csv
import io
from collections.abc import Iterable

from django.db import connection


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


def reserve_ids(table: str, count: int) -> list[int]:
    """``count`` fresh primary keys from the table's sequence, for rows that others point at."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count])
        return [row[0] for row in cursor.fetchall()]
