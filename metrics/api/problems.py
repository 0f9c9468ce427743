"""Every error of the API as ``application/problem+json`` (RFC 9457).

A refusal of a service (an ``ApplicationError``) is a 422 with its messages; the rows of a
refused file are listed one an error, with the row and the field.
"""

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connections
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import ValidationError
from rest_framework.views import exception_handler, set_rollback

from plans.errors import ApplicationError

PROBLEM = "application/problem+json"
logger = logging.getLogger(__name__)


class RowsRefused(ApplicationError):
    """A refused request of rows: ``errors``, each ``{"row", "index", "field", "message"}``.

    ``row`` numbers the rows as the same data saved as a file would: the header is row 1, so
    ``rows[0]`` is row 2 (``index`` 0); a problem of no one row has row 1 and index null.
    """

    def __init__(self, errors: list[dict[str, Any]], extra: Mapping[str, Any] | None = None) -> None:
        super().__init__([str(error["message"]) for error in errors] or [_("The request was refused.")])
        self.errors = errors
        self.extra = dict(extra or {})


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "unavailable"


def problem(status_code: int, detail: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "about:blank",
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail,
        **extra,
    }


def _field_errors(data: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested validation errors as a flat list of ``{"field", "message"}``."""
    if isinstance(data, Mapping):
        found = []
        for key, value in data.items():
            field = f"{prefix}.{key}" if prefix else str(key)
            found += _field_errors(value, "" if key == "non_field_errors" else field)
        return found
    if isinstance(data, list):
        if all(isinstance(item, str) for item in data):
            return [{"field": prefix, "message": str(item)} for item in data]
        found = []
        for index, item in enumerate(data):
            found += _field_errors(item, f"{prefix}[{index}]")
        return found
    return [{"field": prefix, "message": str(data)}]


def problem_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler, answering a problem document for every error.

    A view that is not atomic (``atomic_request = False``: the close) has no transaction of its own
    to roll back: marking one would mark the caller's (a test's, or a command's) instead.
    """
    if getattr(context.get("view"), "atomic_request", True):
        return _problem_response(exc, context)
    marked = {connection.alias: connection.needs_rollback for connection in connections.all()}
    try:
        return _problem_response(exc, context)
    finally:
        for connection in connections.all():
            if connection.alias in marked:
                connection.needs_rollback = marked[connection.alias]


def _problem_response(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RowsRefused):
        set_rollback()
        body = problem(422, _("Nothing was saved: the request has %(count)s problems.") % {"count": len(exc.errors)})
        return Response({**body, **exc.extra, "errors": exc.errors}, status=422, content_type=PROBLEM)
    if isinstance(exc, ApplicationError):
        set_rollback()
        body = problem(422, exc.message, errors=[{"field": "", "message": m} for m in exc.messages])
        return Response(body, status=422, content_type=PROBLEM)
    if isinstance(exc, Http404 | PermissionDenied | exceptions.APIException):
        response = exception_handler(exc, context)  # its headers: WWW-Authenticate, Retry-After
        if response is None:
            return None
        if isinstance(exc, ValidationError):
            detail = _("The request is not valid.")
            body = problem(400, detail, errors=_field_errors(exc.detail))
        else:
            detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
            body = problem(response.status_code, str(detail))
        response.data = body
        response.content_type = PROBLEM
        return response
    logger.exception("API error", exc_info=exc)
    set_rollback()
    return Response(problem(500, _("Something went wrong on the server.")), status=500, content_type=PROBLEM)


@csrf_exempt  # answers every method alike, and changes nothing
def problem_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """What an address under /api/ that is no endpoint answers."""
    return JsonResponse(problem(404, _("There is no such endpoint: see /api/docs/.")), status=404, content_type=PROBLEM)
