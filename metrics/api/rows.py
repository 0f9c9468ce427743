"""JSON rows as the table a file would be, and the replay of a request sent again with its Idempotency-Key."""

import hashlib
import json
from collections.abc import Callable, Collection, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.response import Response

from metrics.api.auth import ApiClient
from metrics.api.models import IdempotentRequest
from metrics.api.problems import PROBLEM, RowsRefused, problem
from plans.tabular import NUL, Row, Table

FIRST_ROW = 2  # rows[0] is the file's row 2: its header is row 1
KEY_MAX_LENGTH = 255


def rows_table(rows: Sequence[dict[str, Any]], *, columns: Sequence[str] = (), texts: Collection[str] = ()) -> Table:
    """The rows as a table: ``columns`` first, then every other key in the order first met; a key
    a row lacks, or null, is an empty cell. A number is its exact text, except in ``texts``, which
    take text only; anything else is refused naming the row and the field."""
    header = list(columns)
    known = set(header)
    errors: list[dict[str, Any]] = []
    table_rows = []
    for index, row in enumerate(rows):
        cells: dict[str, str] = {}
        for key, value in row.items():
            if key not in known:
                known.add(key)
                header.append(key)
            text = _cell_text(value) if key not in texts or not isinstance(value, int | Decimal) else None
            if NUL in key or (text is not None and NUL in text):
                errors.append(
                    {
                        "row": index + FIRST_ROW,
                        "index": index,
                        "field": key,
                        "message": _("a text may not contain the character NUL (\\0)"),
                    }
                )
                continue
            if text is None:
                errors.append(
                    {
                        "row": index + FIRST_ROW,
                        "index": index,
                        "field": key,
                        "message": (
                            _("must be a text, not %(value)s")
                            if key in texts
                            else _("must be a number or a text, not %(value)s")
                        )
                        % {"value": json.dumps(value, default=str)[:40]},
                    }
                )
                continue
            cells[key] = text
        table_rows.append((index + FIRST_ROW, cells))
    if errors:
        raise RowsRefused(errors)
    return Table(
        header=header,
        rows=[
            Row(number=number, cells={column: cells.get(column, "") for column in header})
            for number, cells in table_rows
        ],
    )


def _cell_text(value: Any) -> str | None:
    if value is None:
        return ""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | Decimal):
        return str(value)
    return None


def row_errors(rows: Sequence[tuple[int, str, str]]) -> list[dict[str, Any]]:
    """(row, field, message) as the API's errors: with the index in the request's rows."""
    return [
        {"row": row, "index": row - FIRST_ROW if row >= FIRST_ROW else None, "field": field, "message": message}
        for row, field, message in rows
    ]


def idempotent(request: Request, client: ApiClient, answer: Callable[[], Response]) -> Response:
    """``answer()``, once per ``Idempotency-Key``: the same key with the same body again gets the
    first answer (``Idempotent-Replayed: true``) and changes nothing; with another body, a 422.

    Only a success is kept: a refused request saved nothing, so it may be sent again as it is.
    Two at once with one key: the second waits for the first's row and replays its answer.
    """
    key = request.headers.get("Idempotency-Key", "")
    if not key or client.token is None:
        return answer()
    if len(key) > KEY_MAX_LENGTH:
        body = problem(400, _("The Idempotency-Key is longer than %(limit)s characters.") % {"limit": KEY_MAX_LENGTH})
        return Response(body, status=400, content_type=PROBLEM)
    fingerprint = hashlib.sha256(json.dumps(request.data, sort_keys=True, default=str).encode()).hexdigest()
    with transaction.atomic():
        record, created = IdempotentRequest.objects.get_or_create(
            token=client.token, key=key, defaults={"path": request.path, "fingerprint": fingerprint}
        )
    if not created:
        if record.fingerprint != fingerprint or record.path != request.path:
            body = problem(
                422, _("This Idempotency-Key was used for another request: send a new key for a new request.")
            )
            return Response(body, status=422, content_type=PROBLEM)
        if not record.status:
            body = problem(409, _("A request with this Idempotency-Key is still being answered: try again shortly."))
            return Response(body, status=409, content_type=PROBLEM)
        return Response(record.body, status=record.status, headers={"Idempotent-Replayed": "true"})
    response = answer()
    if 200 <= response.status_code < 300:
        record.status, record.body = response.status_code, response.data
        record.save(update_fields=["status", "body"])
    else:
        record.delete()
    return response
