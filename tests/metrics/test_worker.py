"""A real `celery worker` process, on Redis, closes a cycle."""

import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from metrics.closing import cycle_close_request, cycle_wait
from metrics.models import Cycle, CycleStatus, Result
from metrics.tasks import cycle_close_task
from plans.periods import Period
from tests.metrics.test_examples import load_examples

ROOT = Path(__file__).resolve().parent.parent.parent
# Its own queue, so that the worker thread other tests use takes none of this test's tasks.
QUEUE = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-process"


@pytest.fixture
def worker_process(transactional_db):
    """``celery -A config worker`` in its own process, on the test database and queue."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
    }
    from config.celery_app import app

    app.control.purge()
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency", "2", "--loglevel", "INFO",
         "-Q", QUEUE, "--hostname", f"test-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.postgres
@pytest.mark.redis
def test_a_worker_process_closes_a_month(worker_process, examples):
    load_examples(examples)
    started = time.monotonic()
    request = cycle_close_request(
        period=Period.parse("2026-02"),
        enqueue=lambda cycle_id, run: cycle_close_task.apply_async((cycle_id, run), queue=QUEUE),
    )
    cycle_wait(cycle_id=request.cycle.pk, timeout=60)
    assert Cycle.objects.get(period="2026-02").status == CycleStatus.CLOSED
    assert sorted(Result.objects.values_list("employee__username", "score")) == [
        ("han.mei", Decimal("119.44")),
        ("li.lei", Decimal("109.51")),
    ]
    worker_process.terminate()
    log = worker_process.communicate(timeout=30)[0]
    assert "metrics.tasks.cycle_close_task" in log and "succeeded" in log, log[-2000:]
    assert time.monotonic() - started < 60
