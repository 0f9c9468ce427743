"""Trying a draft on a large company: past ``SIMULATION_TASK_PEOPLE`` people the builder's page
runs the simulation as a Celery task and shows a progress bar; the task keeps its progress and
then its result in Django's cache (for ``SIMULATION_KEEP_SECONDS``), never in the database: a
simulation is a question HR asks, not a record, and nothing of it is saved.

With workers in other processes the cache must be one they share (``CACHE_URL`` on Redis);
without a broker the task runs in the request, as every task here does.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext as _

from metrics.results.simulation import Simulation, SimulationRefused, plan_simulate
from plans.models import Assignment, PlanVersion, VersionStatus
from plans.periods import Period
from plans.selectors import draft_check

SIMULATION_TASK_PEOPLE = 2000
SIMULATION_KEEP_SECONDS = 60 * 60


class RunStatus:
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class SimulationRun:
    key: str
    code: str
    period: str
    status: str
    done: int
    total: int
    messages: tuple[str, ...] = ()

    @property
    def percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        return self.done * 100 // self.total if self.total else 0


def _state_key(key: str) -> str:
    return f"simulation:{key}"


def _result_key(key: str) -> str:
    return f"simulation:{key}:result"


def simulation_people(*, code: str) -> int:
    """How many people have ever been assigned to the plan: what decides whether to run it as a task."""
    return Assignment.objects.filter(version__template__code=code).values("employee_id").distinct().count()


def simulation_start(*, draft: PlanVersion, period: Period, enqueue: Callable[[str, int, str], Any]) -> str:
    """Register a run of the draft on ``period`` and hand it to a worker; its key."""
    key = uuid.uuid4().hex
    run = SimulationRun(
        key=key, code=draft.template.code, period=str(period), status=RunStatus.RUNNING, done=0, total=0
    )
    cache.set(_state_key(key), run, SIMULATION_KEEP_SECONDS)
    enqueue(key, draft.pk, str(period))
    return key


def simulation_run(*, key: str, draft_id: int, period: str) -> None:
    """The task's work: the draft as it is now, scored, its progress and result kept in the cache."""
    run: SimulationRun | None = cache.get(_state_key(key))
    if run is None:  # expired, or never registered: nobody is waiting
        return
    draft = PlanVersion.objects.select_related("template").filter(pk=draft_id, status=VersionStatus.DRAFT).first()
    definition, problems = (
        draft_check(draft=draft) if draft else (None, [_("The draft is gone: it was published or discarded.")])
    )

    def progress(done: int, total: int) -> None:
        cache.set(
            _state_key(key),
            SimulationRun(key=key, code=run.code, period=period, status=RunStatus.RUNNING, done=done, total=total),
            SIMULATION_KEEP_SECONDS,
        )

    try:
        if definition is None:
            raise SimulationRefused(problems)
        simulation = plan_simulate(definition=definition, period=Period.parse(period), progress=progress)
    except SimulationRefused as refused:
        failed = SimulationRun(
            key=key,
            code=run.code,
            period=period,
            status=RunStatus.FAILED,
            done=0,
            total=0,
            messages=tuple(refused.messages),
        )
        cache.set(_state_key(key), failed, SIMULATION_KEEP_SECONDS)
        return
    total = len(simulation.results)
    cache.set(_result_key(key), simulation, SIMULATION_KEEP_SECONDS)
    cache.set(
        _state_key(key),
        SimulationRun(key=key, code=run.code, period=period, status=RunStatus.DONE, done=total, total=total),
        SIMULATION_KEEP_SECONDS,
    )


def simulation_state(*, key: str, code: str) -> SimulationRun | None:
    """A run of this plan's draft, or None (unknown, expired, or another plan's)."""
    run: SimulationRun | None = cache.get(_state_key(key))
    return run if run is not None and run.code == code else None


def simulation_result(*, key: str, code: str) -> Simulation | None:
    run = simulation_state(key=key, code=code)
    if run is None or run.status != RunStatus.DONE:
        return None
    result: Simulation | None = cache.get(_result_key(key))
    return result
