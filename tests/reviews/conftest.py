"""The shared examples as a team to review: li.lei and han.mei under wang.fang (客户部), wu.di
under zhao.lei in another department, a colleague chen.jing, and HR.

li.lei's 2026-Q1 collaboration is left out of the figures: the review's rating provides it.
"""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from metrics.figures.services import metrics_import
from metrics.results.closing import cycle_close_request
from metrics.results.tasks import cycle_close_task
from people.models import Department, Role, User
from people.staffing.roster import roster_import
from plans.periods import Period
from tests.factories import csv_table, publish

EXTRA_ROSTER = "wu.di,吴迪,客户二部,zhao.lei,customer-manager,2026-01,2000,6000\n"
EXTRA_METRICS = (
    "wu.di,2026-01,4,30,6.5,0,16,20,\n"
    "wu.di,2026-02,1,30,9,3,20,20,\n"
    "wu.di,2026-03,1,30,9,3,20,20,\n"
    "wu.di,2026-Q1,,,,,,,7\n"
)


def page_text(content: bytes) -> str:
    """The page as a reader sees it: no tags, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", content.decode()).split())


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def team_load(examples: Path) -> None:
    publish()
    roster_import(table=csv_table((examples / "roster.csv").read_text(encoding="utf-8") + EXTRA_ROSTER))
    figures = [
        line
        for line in (examples / "metrics.csv").read_text(encoding="utf-8").splitlines(keepends=True)
        if not line.startswith("li.lei,2026-Q1")
    ]
    metrics_import(table=csv_table("".join(figures) + EXTRA_METRICS))
    User.objects.create_user(username="hr", display_name="孙丽", role=Role.HR, password="secret-pass-1")
    User.objects.create_user(
        username="chen.jing",
        display_name="陈静",
        department=Department.objects.get(name="客户部"),
        password="secret-pass-1",
    )
    for username in ("wang.fang", "han.mei", "li.lei"):
        user = User.objects.get(username=username)
        user.set_password("secret-pass-1")
        user.save()


@pytest.fixture
def team(db: None, examples: Path) -> None:
    team_load(examples)


@pytest.fixture
def people(team: None) -> dict[str, User]:
    return {user.username: user for user in User.objects.all()}


def close_task_run(cycle_id: int, run: int) -> None:
    """The close task, run here and now instead of by a worker."""
    cycle_close_task.apply(args=(cycle_id, run))


@pytest.fixture
def close(django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> Callable[..., None]:
    """Close periods here and now: the close task runs when the request's transaction commits."""

    def close_periods(*periods: str, force: bool = False) -> None:
        for period in periods:
            with django_capture_on_commit_callbacks(execute=True):
                cycle_close_request(period=Period.parse(period), force=force, enqueue=close_task_run)

    return close_periods
