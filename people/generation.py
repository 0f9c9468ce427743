"""The roster's generation: a counter in the cache that every roster import bumps, so that what the dashboards keep by department is out of date at once."""

import logging

from django.core.cache import cache
from redis.exceptions import RedisError

# The errors of an unreachable cache: Redis's own (connection refused, timeout) and the
# operating system's. A cache in memory never raises them.
CACHE_ERRORS = (RedisError, OSError)
logger = logging.getLogger(__name__)


# Bumped by every roster import: the dashboard's figures grouped by department or showing names
# are kept under it, so that a move shows at once.
ROSTER_GENERATION_KEY = "people:roster-generation"


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
