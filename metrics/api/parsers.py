"""The API's one reader of request bodies: bounded JSON (its own module: DRF imports it while
its views module is being read, so it imports nothing of DRF's views)."""

import json
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.parsers import BaseParser


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def _refuse_constant(name: str) -> None:
    raise ValueError(name)


class BoundedJSONParser(BaseParser):
    """JSON of at most ``API_MAX_BODY_BYTES``; numbers read exactly (as decimals), NaN refused."""

    media_type = "application/json"

    def parse(self, stream: IO[bytes] | None, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.API_MAX_BODY_BYTES
        too_large = _("The request body is larger than %(size)s bytes: send fewer rows a request.") % {"size": limit}
        request = (parser_context or {}).get("request")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        except ValueError:
            length = 0
        if length > limit:
            raise PayloadTooLarge(too_large)
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise PayloadTooLarge(too_large)
        try:
            return json.loads(data.decode("utf-8"), parse_float=Decimal, parse_constant=_refuse_constant)
        except (UnicodeDecodeError, ValueError) as error:
            raise exceptions.ParseError(
                _("The body is not valid JSON (UTF-8): %(error)s") % {"error": error}
            ) from error
