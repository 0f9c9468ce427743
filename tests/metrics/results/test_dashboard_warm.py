"""A close or a reopening counts the dashboard ahead of its first view, in every language."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from metrics.results import tasks
from metrics.results.closing import cycle_reopen
from people.models import Role
from plans.periods import Period
from tests.metrics.results.test_cycle_pages import client_for, close, examples_loaded, page_text, person

Capture = Callable[..., Any]


def views(client: Client, language: str) -> tuple[int, str]:
    """The dashboard's first view in ``language``: the queries it made and its text."""
    client.cookies["django_language"] = language
    with CaptureQueriesContext(connection) as queries:
        text = page_text(client.get("/dashboard/").content)
    return len(queries), text


@pytest.fixture
def hr(db: None) -> Client:
    return client_for(person("hr", Role.HR))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_first_view_after_a_close_reads_what_the_close_counted(
    db: None, examples: Path, hr: Client, language: str, django_capture_on_commit_callbacks: Capture
) -> None:
    examples_loaded(examples)
    with django_capture_on_commit_callbacks(execute=True):
        close("2026-01")

    first, first_text = views(hr, language)
    second, second_text = views(hr, language)

    assert first == second and first_text == second_text
    assert "107.66" in first_text  # li.lei's January, counted by the close


def test_without_the_warming_the_first_view_counts_everything(
    db: None, examples: Path, hr: Client, django_capture_on_commit_callbacks: Capture, monkeypatch: Any
) -> None:
    """The control of the test above: the first view's extra queries are what the close saves."""
    monkeypatch.setattr(tasks, "dashboard_warm", lambda: None)
    examples_loaded(examples)
    with django_capture_on_commit_callbacks(execute=True):
        close("2026-01")

    first, _text = views(hr, "zh-hans")
    second, _text = views(hr, "zh-hans")

    assert first > second + 5


def test_a_reopening_counts_it_again(
    db: None, examples: Path, hr: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    examples_loaded(examples)
    close("2026-01")
    with django_capture_on_commit_callbacks(execute=True):
        cycle_reopen(period=Period.parse("2026-01"), reason="new customers were counted twice")

    first, text = views(hr, "zh-hans")
    second, _text = views(hr, "zh-hans")

    assert first == second and "107.66" not in text


def test_a_queue_that_cannot_be_reached_leaves_the_close_done(
    db: None, examples: Path, django_capture_on_commit_callbacks: Capture, monkeypatch: Any, caplog: Any
) -> None:
    def refused() -> None:
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(tasks, "dashboard_warm", refused)
    examples_loaded(examples)
    with django_capture_on_commit_callbacks(execute=True):
        close("2026-01")

    assert "its first view counts it" in caplog.text
