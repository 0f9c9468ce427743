"""Reads behind the cycle page's chase of the late (``templates/metrics/_cycle_chase.html``): per
manager, what their team still lacks, by the people's and indicators' names, and the latest
reminder they were sent; and, for a manager's home page, their open months.

Counted by the database over the teams ``missing_overview`` lists, in a fixed number of queries.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import F, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from metrics.cycles.models import Cycle, CycleStatus
from metrics.figures.models import Reminder
from metrics.figures.selectors import figures_deadline
from metrics.results.dashboards import assignments_in_force, person_name
from metrics.results.selectors import MissingOverview, _assignments_missing
from people.models import User
from plans.models import Assignment, Indicator
from plans.periods import Period


@dataclass(frozen=True)
class ChasePerson:
    name: str
    indicators: list[str]  # the names of the indicators without a value


@dataclass(frozen=True)
class ChaseReminder:
    by: str  # who asked for it; "" for the automatic ones (the daily reminders, the schedule)
    at: datetime


@dataclass(frozen=True)
class ChaseTeam:
    manager: str  # user name, "" for the people without a manager
    name: str
    count: int  # the values missing in the whole team
    people: list[ChasePerson]  # the first of them, by user name
    more_people: int  # people with values missing who are not listed
    reminded: ChaseReminder | None  # the latest reminder about the team's values of the period
    email: bool  # the manager has an address: "remind now" can write to them


@dataclass(frozen=True)
class CycleChase:
    period: str
    teams: list[ChaseTeam]  # the teams with the most values missing first
    more_managers: int  # teams with values missing that are not listed
    more_count: int  # the values missing in those teams


def cycle_chase(*, period: Period, missing: MissingOverview) -> CycleChase:
    """The teams of ``missing`` (the cycle page's ``missing_overview``), each with the names of
    what its people lack, the latest reminder and whether its manager can be emailed."""
    usernames = [group.manager for group in missing.groups if group.manager]
    managers = {user.username: user for user in User.objects.filter(username__in=usernames)}
    reminded = _latest_reminders(period, [user.pk for user in managers.values()])
    listed = [person.employee for group in missing.groups for person in group.people]
    names = _indicator_names(period, listed)
    teams = []
    for group in missing.groups:
        manager = managers.get(group.manager)
        teams.append(
            ChaseTeam(
                manager=group.manager,
                name=group.name,
                count=group.count,
                people=[
                    ChasePerson(
                        name=person.name or person.employee,
                        indicators=[names.get((person.employee, code), code) for code in person.indicators],
                    )
                    for person in group.people
                ],
                more_people=group.more_people,
                reminded=reminded.get(manager.pk if manager else None),
                email=bool(manager and manager.email),
            )
        )
    return CycleChase(
        period=str(period), teams=teams, more_managers=missing.more_managers, more_count=missing.more_count
    )


def _latest_reminders(period: Period, manager_ids: list[int]) -> dict[int | None, ChaseReminder]:
    """The latest reminder of ``period`` about each of those managers' teams (None: the people
    without a manager), in one query."""
    rank = Window(RowNumber(), partition_by=F("manager_id"), order_by=(F("sent_at").desc(), F("pk").desc()))
    latest = (
        Reminder.objects.filter(Q(manager_id__in=manager_ids) | Q(manager__isnull=True), period=str(period))
        .annotate(rank=rank)
        .filter(rank=1)
        .select_related("sent_by")
    )
    return {
        reminder.manager_id: ChaseReminder(by=person_name(reminder.sent_by), at=reminder.sent_at) for reminder in latest
    }


def _indicator_names(period: Period, employees: list[str]) -> dict[tuple[str, str], str]:
    """(user name, indicator code) -> the indicator's name in the plan each of ``employees`` is
    on in ``period``: two plans may give one code two names."""
    versions = dict(
        assignments_in_force(month=period.last_month())
        .filter(employee__username__in=employees)
        .values_list("employee__username", "version_id")
    )
    by_version: dict[int, dict[str, str]] = {}
    for version_id, code, name in Indicator.objects.filter(version_id__in=set(versions.values())).values_list(
        "version_id", "code", "name"
    ):
        by_version.setdefault(version_id, {})[code] = name
    return {
        (employee, code): name
        for employee, version_id in versions.items()
        for code, name in by_version.get(version_id, {}).items()
    }


# --- a manager's home page ------------------------------------------------------------------------

# How far back a manager's home page looks for open months: older ones are HR's to close or chase.
TEAM_MONTHS_BACK = 12


@dataclass(frozen=True)
class TeamMonth:
    period: str
    first_day: date  # the month, for the page to write as 2026年4月
    deadline: datetime
    missing: int  # the values the manager's team still lacks
    overdue: bool  # the deadline has passed


def team_months(*, manager: User, now: datetime) -> list[TeamMonth]:
    """The open months, up to the current one (``now``'s), in which ``manager``'s reports still
    lack figures, oldest first: a query a month and two more, for a team of any size."""
    today = timezone.localdate(now)
    current = Period.of_month(today.year, today.month)
    first = (
        Assignment.objects.filter(employee__manager=manager).order_by("start").values_list("start", flat=True).first()
    )
    if first is None:
        return []
    months = [m for m in (current.shift(-back) for back in range(TEAM_MONTHS_BACK)) if str(m) >= first]
    settled = set(
        Cycle.objects.filter(period__in=[str(m) for m in months])
        .exclude(status=CycleStatus.OPEN)
        .values_list("period", flat=True)
    )
    rows = []
    for month in sorted(m for m in months if m not in settled):
        count = (
            _assignments_missing(month).filter(employee__manager=manager).aggregate(n=Sum("missing", default=0))["n"]
        )
        if count:
            deadline = figures_deadline(period=month)
            rows.append(
                TeamMonth(
                    period=str(month),
                    first_day=month.first_day(),
                    deadline=deadline,
                    missing=count,
                    overdue=deadline < now,
                )
            )
    return rows
