"""Reads behind the cycle page's chase of the late (``templates/metrics/_cycle_chase.html``): per
manager, what their team still lacks, by the people's and indicators' names, and the latest
reminder they were sent; and, for a manager's home page, their open months.

Counted by the database over the teams ``missing_overview`` lists, in a fixed number of queries.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from metrics.cycles.models import Cycle, CycleStatus
from metrics.figures.models import MetricEntry, Reminder
from metrics.figures.selectors import figures_deadline
from metrics.results.dashboards import assignments_in_force, person_name
from metrics.results.selectors import MissingOverview
from people.models import User
from plans.models import Assignment, Frequency, Indicator
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
    lack figures, oldest first: the values their plans expect less those entered, in four
    queries whatever the size of the team and the number of months."""
    today = timezone.localdate(now)
    current = Period.of_month(today.year, today.month)
    # Each report's assignments, by start: the one in force in a month is the latest started by then.
    starts: dict[int, list[tuple[str, int]]] = {}
    for employee_id, start, version_id in (
        Assignment.objects.filter(employee__manager=manager)
        .order_by("employee_id", "start")
        .values_list("employee_id", "start", "version_id")
    ):
        starts.setdefault(employee_id, []).append((start, version_id))
    if not starts:
        return []
    first = min(assignments[0][0] for assignments in starts.values())
    months = [m for m in (current.shift(-back) for back in range(TEAM_MONTHS_BACK)) if str(m) >= first]
    settled = set(
        Cycle.objects.filter(period__in=[str(m) for m in months])
        .exclude(status=CycleStatus.OPEN)
        .values_list("period", flat=True)
    )
    months = sorted(m for m in months if m not in settled)
    expected = _team_expected(starts, months)
    present = _team_present(manager, months)
    rows = []
    for month in months:
        count = expected.get(str(month), 0) - present.get(str(month), 0)
        if count > 0:
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


def _team_expected(starts: dict[int, list[tuple[str, int]]], months: list[Period]) -> dict[str, int]:
    """Month -> the monthly values the plans in force then expect of the people of ``starts``."""
    versions = {version_id for assignments in starts.values() for _start, version_id in assignments}
    indicators = dict(
        Indicator.objects.filter(version_id__in=versions, frequency=Frequency.MONTHLY)
        .order_by()
        .values("version_id")
        .annotate(n=Count("pk"))
        .values_list("version_id", "n")
    )
    expected: dict[str, int] = {}
    for month in map(str, months):
        for assignments in starts.values():
            in_force = [version_id for start, version_id in assignments if start <= month]
            if in_force:
                expected[month] = expected.get(month, 0) + indicators.get(in_force[-1], 0)
    return expected


def _team_present(manager: User, months: list[Period]) -> dict[str, int]:
    """Month -> the monthly values entered for ``manager``'s reports, on the assignment in force
    that month and the indicators of its plan (as ``_assignments_missing`` counts them)."""
    later = Assignment.objects.filter(
        employee=OuterRef("assignment__employee"),
        start__gt=OuterRef("assignment__start"),
        start__lte=OuterRef("period"),
    )
    counts = (
        MetricEntry.objects.filter(
            assignment__employee__manager=manager,
            assignment__start__lte=F("period"),
            period__in=[str(m) for m in months],
            value__isnull=False,
            indicator__frequency=Frequency.MONTHLY,
            indicator__version=F("assignment__version"),
        )
        .exclude(Exists(later))
        .order_by()
        .values("period")
        .annotate(n=Count("pk"))
        .values_list("period", "n")
    )
    return {str(period): n for period, n in counts}
