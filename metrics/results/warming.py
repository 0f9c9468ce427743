"""The first view after a close finds the dashboard counted: each close or reopening counts it.

The dashboard keeps its figures of results in the cache under the latest close or reopening
(``dashboards.results_stamp``), so the first admin to open it after a change used to wait for
everything to be counted: about a second at 100,000 people. After each change commits, a task
counts the dashboard as it opens by default (no filter, the latest period) in every language of
the site, and the first view reads it from the cache.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation

from metrics.results.dashboards import DashboardFilters, dashboard, result_counts

logger = logging.getLogger(__name__)


def dashboard_warm() -> None:
    """Count the dashboard's default view in every language into the cache."""
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            dashboard(filters=DashboardFilters())
            result_counts()


def warm_after_commit(enqueue: Callable[[], object]) -> Callable[..., None]:
    """A receiver of a close or a reopening that has ``enqueue()`` called once its transaction
    commits. Warming is never in the way: a queue that cannot be reached only logs."""

    def receiver(sender: Any, **kwargs: Any) -> None:
        def send() -> None:
            try:
                enqueue()
            except Exception:
                logger.warning("The dashboard could not be counted ahead: its first view counts it.", exc_info=True)

        transaction.on_commit(send)

    return receiver
