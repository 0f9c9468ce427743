"""Closes driven step by step in the test process: the request with its message kept instead of
sent, so that a test claims, scores and finishes it itself (``cycle_close_start`` and the rest)."""

from collections.abc import Iterable
from typing import Any

from metrics.figures.services import metrics_import
from metrics.results.closing import cycle_close_request
from people.models import User
from plans.periods import Period
from tests.factories import csv_table

FIGURES = "employee,period,churn.lost,churn.total,satisfaction,new_customers,feedback.ok,feedback.total\n"


def figures_entered(people: Iterable[User], month: str) -> None:
    """Every monthly figure of the seed plan entered for ``people`` in ``month``."""
    metrics_import(table=csv_table(FIGURES + "".join(f"{p.username},{month},2,50,8.6,4,46,48\n" for p in people)))


def close_requested(on_commit: Any, period: str, **options: Any) -> tuple[int, int]:
    """A close of ``period`` requested (``options`` as ``cycle_close_request`` takes them), its
    message kept instead of sent: (cycle id, run). ``on_commit``: pytest-django's
    ``django_capture_on_commit_callbacks``, as the request enqueues after its commit."""
    sent: list[tuple[int, int]] = []
    with on_commit(execute=True):
        cycle_close_request(
            period=Period.parse(period), enqueue=lambda cycle_id, run: sent.append((cycle_id, run)), **options
        )
    ((cycle_id, run),) = sent
    return cycle_id, run
