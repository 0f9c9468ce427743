"""Celery is one more interface to the services: each task takes ids and calls them."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from metrics.figures.reminders import figures_reminders_send, reminders_period
from metrics.results import closing, simulation_runs
from metrics.results.closing import company_today
from metrics.results.schedule import schedule_run

# A dropped database connection fails the transaction, which leaves the chunk pending:
# retrying the task simply scores it again, on a new connection (Celery's Django fixup closes
# every connection after each task, a failed or retried one included). metrics.figures.pgcopy wraps
# the driver's COPY errors, so a connection dropped mid-COPY is one of these too.
DATABASE_ERRORS = (OperationalError, InterfaceError)


@shared_task(name="metrics.tasks.cycle_close_task", autoretry_for=DATABASE_ERRORS, retry_backoff=1, max_retries=8)
def cycle_close_task(cycle_id: int, run: int) -> None:
    """Claim the close, let other workers share its chunks, and score what is left here."""
    for chunk_id in closing.cycle_close_start(cycle_id=cycle_id, run=run):
        cycle_chunk_task.delay(cycle_id, run, chunk_id)
    closing.cycle_close_work(cycle_id=cycle_id, run=run)


@shared_task(name="metrics.tasks.cycle_chunk_task", autoretry_for=DATABASE_ERRORS, retry_backoff=1, max_retries=8)
def cycle_chunk_task(cycle_id: int, run: int, chunk_id: int) -> None:
    closing.cycle_chunk_score(cycle_id=cycle_id, run=run, chunk_id=chunk_id)


def cycle_close_enqueue(cycle_id: int, run: int) -> None:
    cycle_close_task.delay(cycle_id, run)


# The task names are those of the modules the tasks were first written in: messages already
# queued, and Celery beat's schedule (config/settings/base.py), find them by these names.
@shared_task(name="metrics.schedule.cycles_schedule_task")
def cycles_schedule_task() -> None:
    """Celery beat's daily run of the schedule: close the months that are due, remind the rest."""
    schedule_run(today=company_today(), enqueue=cycle_close_enqueue)


@shared_task(name="metrics.tasks.figures_reminders_task")
def figures_reminders_task() -> None:
    """Daily: remind managers of last month's missing figures in the days before the deadline."""
    period = reminders_period(today=timezone.localdate())
    if period is not None:
        figures_reminders_send(period=period)


@shared_task(name="metrics.tasks.plan_simulate_task")
def plan_simulate_task(key: str, draft_id: int, period: str) -> None:
    """Try a draft on a past period for a large company (the builder's page waits on its progress)."""
    simulation_runs.simulation_run(key=key, draft_id=draft_id, period=period)


def plan_simulate_enqueue(key: str, draft_id: int, period: str) -> None:
    plan_simulate_task.delay(key, draft_id, period)
