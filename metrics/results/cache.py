"""The dashboard's cache: Django's cache, kept from failing a page or a roster import.

With ``CACHE_URL`` on Redis, Redis being down must cost speed, not pages: every read or write
that fails is logged and skipped, and the figures are counted as if nothing were cached.
"""

import hashlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.core.cache import cache

from people.generation import CACHE_ERRORS

T = TypeVar("T")
logger = logging.getLogger(__name__)

_MISSING = object()


def cached(compute: Callable[[], T], *parts: object, seconds: int) -> T:
    """``compute()``, kept for ``seconds`` under a key made of ``parts``."""
    key = "dashboard:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    value: Any = _MISSING
    try:
        value = cache.get(key, _MISSING)
    except CACHE_ERRORS:
        logger.warning("The cache cannot be read: counting the dashboard without it.", exc_info=True)
    if value is _MISSING:
        value = compute()
        try:
            cache.set(key, value, seconds)
        except CACHE_ERRORS:
            logger.warning("The cache cannot be written.", exc_info=True)
    return cast(T, value)
