"""Races (SPEC.md section 7): a save and a close never interleave; nor do an assignment change and a close.

Two connections on PostgreSQL, one a thread each: a figures save paused between its check and
its write while HR closes the month. The close either scores the saved figure or the save is
refused as closed, never a result from a figure that is no longer the stored one.
"""

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction

from metrics.figures import checks, services
from metrics.figures.models import MetricEntry
from metrics.figures.services import FiguresError, ImportOutcome, metrics_import
from metrics.results.closing import cycle_close_request, cycle_close_start, cycle_close_work
from metrics.results.models import Result, ResultLine
from people.staffing import roster as people_services
from people.staffing.assignments import assignments_write
from people.staffing.roster import roster_import
from plans.models import Assignment
from plans.periods import Period
from tests.factories import UserFactory, assign, csv_table, publish

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

FEBRUARY = "employee,period,churn.lost,churn.total,satisfaction,new_customers,feedback.ok,feedback.total\n"


def in_thread(target: Callable[[], object], outcome: dict[str, object], name: str) -> threading.Thread:
    """Run ``target`` on a connection of its own; what it returns or raises goes to ``outcome[name]``."""

    def run() -> None:
        try:
            outcome[name] = target()
        except Exception as error:
            outcome[name] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


def month_close(period: str) -> str:
    """HR's close of ``period`` and the worker's scoring, here and now."""
    enqueued: list[tuple[int, int]] = []
    cycle_close_request(period=Period.parse(period), enqueue=lambda cycle_id, run: enqueued.append((cycle_id, run)))
    for cycle_id, run in enqueued:
        cycle_close_start(cycle_id=cycle_id, run=run)
        cycle_close_work(cycle_id=cycle_id, run=run)
    return "closed"


def test_a_save_paused_between_its_check_and_its_write_is_scored_by_the_close_or_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assign(UserFactory.create(username="li.lei"), publish(), "2026-01")
    metrics_import(table=csv_table(FEBRUARY + "li.lei,2026-02,1,50,6.9,3,45,48\n"))

    checked, resume = threading.Event(), threading.Event()
    apply = services._metrics_apply

    def paused(*args: Any, **kwargs: Any) -> ImportOutcome:
        checked.set()  # the save has checked that 2026-02 is open
        resume.wait(timeout=20)
        return apply(*args, **kwargs)

    monkeypatch.setattr(services, "_metrics_apply", paused)

    def save() -> object:
        with transaction.atomic():  # as a request is (ATOMIC_REQUESTS)
            return metrics_import(table=csv_table("employee,period,satisfaction\nli.lei,2026-02,1.5\n"))

    outcome: dict[str, object] = {}
    saving = in_thread(save, outcome, "save")
    assert checked.wait(timeout=20)
    closing = in_thread(lambda: month_close("2026-02"), outcome, "close")
    closing.join(timeout=2)  # before the fix the close is done by now; after it, it waits for the save
    resume.set()
    saving.join(timeout=30)
    closing.join(timeout=60)
    assert not saving.is_alive() and not closing.is_alive()
    assert outcome["close"] == "closed"

    stored = MetricEntry.objects.get(indicator__code="satisfaction", period="2026-02").value
    scored = ResultLine.objects.get(result__in=Result.objects.filter(period="2026-02"), indicator__code="satisfaction")
    if isinstance(outcome["save"], FiguresError):
        assert "2026-02 is being closed" in str(outcome["save"]) or "2026-02 is closed" in str(outcome["save"])
        assert stored == Decimal("6.9")
    else:
        assert stored == Decimal("1.5")
    assert scored.actual == stored


def test_an_assignment_change_racing_a_close_pays_the_month_what_its_assignment_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A roster import paused between reading which months are closed and writing the new bonus,
    while HR closes February: the month is paid with the amount its assignment holds afterwards."""
    assign(UserFactory.create(username="li.lei"), publish(), "2026-01")
    metrics_import(table=csv_table(FEBRUARY + "li.lei,2026-02,1,50,9,3,45,48\n"))

    planned, resume = threading.Event(), threading.Event()
    apply = assignments_write  # the one people.staffing.roster calls

    def paused(*args: Any, **kwargs: Any) -> tuple[int, int]:
        planned.set()  # the import has decided from which month the new amount applies
        resume.wait(timeout=20)
        return apply(*args, **kwargs)

    monkeypatch.setattr(people_services, "assignments_write", paused)

    def import_roster() -> object:
        with transaction.atomic():
            return roster_import(
                table=csv_table(
                    "employee,name,department,manager,plan,start,monthly_bonus,quarterly_bonus\n"
                    "li.lei,李雷,,,customer-manager,2026-01,3000,6000\n"
                )
            )

    outcome: dict[str, object] = {}
    importing = in_thread(import_roster, outcome, "roster")
    assert planned.wait(timeout=20)
    closing = in_thread(lambda: month_close("2026-02"), outcome, "close")
    closing.join(timeout=2)  # before the fix the close is done by now, with the old amount
    resume.set()
    importing.join(timeout=30)
    closing.join(timeout=60)
    assert not importing.is_alive() and not closing.is_alive()
    assert outcome["close"] == "closed", outcome
    assert not isinstance(outcome["roster"], Exception), outcome

    result = Result.objects.get(period="2026-02")
    assignments = list(Assignment.objects.filter(employee__username="li.lei").order_by("start"))
    in_force = checks.assignment_at(assignments, Period.parse("2026-02"))
    assert in_force is not None
    assert result.bonus == (in_force.monthly_bonus * result.payout / 100).quantize(Decimal("0.01"))
    assert in_force.monthly_bonus == Decimal(3000)
