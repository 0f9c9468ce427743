"""PostgreSQL's COPY, for the few places that write rows by the hundred thousand."""

import io
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: object) -> str:
    """One value in COPY's text format: ``None`` is NULL; tabs and newlines are escaped."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | Decimal):
        return str(value)
    return str(value).translate(_ESCAPES)


def copy_rows(table: str, columns: Iterable[str], rows: Iterable[Iterable[object]]) -> int:
    """COPY ``rows`` into ``table``; the number of rows written."""
    buffer = io.StringIO()
    count = 0
    for row in rows:
        buffer.write("\t".join(copy_text(value) for value in row))
        buffer.write("\n")
        count += 1
    if count:
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
    return count


def reserve_ids(table: str, count: int) -> list[int]:
    """``count`` fresh primary keys from the table's sequence, for rows that others point at."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count])
        return [row[0] for row in cursor.fetchall()]
