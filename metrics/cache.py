"""The dashboard's cache: Django's cache, kept from failing a page or a roster import.

With ``CACHE_URL`` on Redis, Redis being down must cost speed, not pages: every read or write
that fails is logged and skipped, and the figures are counted as if nothing were cached.
"""

import hashlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.core.cache import cache
from redis.exceptions import RedisError

T = TypeVar("T")
logger = logging.getLogger(__name__)

# The errors of an unreachable cache: Redis's own (connection refused, timeout) and the
# operating system's. A cache in memory never raises them.
CACHE_ERRORS = (RedisError, OSError)
# Bumped by every roster import: the dashboard's figures grouped by department or showing names
# are kept under it, so that a move shows at once.
ROSTER_GENERATION_KEY = "people:roster-generation"
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


def roster_generation() -> int:
    try:
        return int(cache.get(ROSTER_GENERATION_KEY, 0))
    except CACHE_ERRORS:
        logger.warning("The cache cannot be read: the roster's generation taken as 0.", exc_info=True)
        return 0


def roster_generation_bump() -> None:
    """After a roster import commits: what the dashboard keeps by department is out of date."""
    try:
        try:
            cache.incr(ROSTER_GENERATION_KEY)
        except ValueError:  # not in the cache (yet, or any more)
            cache.set(ROSTER_GENERATION_KEY, 1, timeout=None)
    except CACHE_ERRORS:
        logger.warning("The cache cannot be written: dashboards may show the old roster for an hour.", exc_info=True)
