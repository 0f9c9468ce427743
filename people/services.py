"""Writes of people: the roster import and plan assignments."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from metrics.cache import roster_generation_bump
from metrics.models import Cycle, CycleStatus
from people.models import Department, Role, User
from plans.models import Assignment, PlanVersion, VersionStatus
from plans.periods import Period, PeriodError
from plans.selectors import plan_current_versions
from plans.tabular import Table, TableError, cell_decimal, row_error, table_check_columns

ROSTER_COLUMNS = ["employee", "name", "department", "manager", "plan", "start", "monthly_bonus", "quarterly_bonus"]
_USERNAME = re.compile(r"^[\w.@+-]{1,150}$")


@dataclass(frozen=True)
class RosterLine:
    row: int
    employee: str
    name: str
    department: str
    manager: str
    plan: str
    start: str
    monthly_bonus: Decimal
    quarterly_bonus: Decimal


@dataclass
class RosterOutcome:
    people_created: int = 0
    people_updated: int = 0
    assignments_created: int = 0
    assignments_updated: int = 0


def roster_import(*, table: Table) -> RosterOutcome:
    """Create and update people, departments, managers and plan assignments from a roster.

    Every row is checked first; any problem rejects the whole file and nothing is saved.
    """
    errors = table_check_columns(table, required=ROSTER_COLUMNS)
    if errors:
        raise TableError(errors)
    versions = plan_current_versions(codes={row.cells["plan"] for row in table.rows if row.cells["plan"]})
    lines, errors = _roster_lines(table, versions)
    with transaction.atomic():
        assigned = [line for line in lines if line.plan]
        conflicts = _assignment_conflicts([_Wish(line.employee, line.plan, line.start) for line in assigned])
        errors += [row_error(assigned[c.index].row, c.column, c.message) for c in conflicts]
        if errors:
            raise TableError(errors)
        transaction.on_commit(roster_generation_bump)
        return _roster_apply(lines, versions)


def _roster_lines(table: Table, versions: dict[str, PlanVersion]) -> tuple[list[RosterLine], list[str]]:
    lines: list[RosterLine] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        cells = row.cells
        problems = []
        employee = cells["employee"]
        if not employee:
            problems.append(row_error(row.number, "employee", _("is empty")))
        elif not _USERNAME.match(employee):
            problems.append(
                row_error(row.number, "employee", _("“%(value)s” is not a valid user name") % {"value": employee})
            )
        elif employee in seen:
            problems.append(
                row_error(
                    row.number,
                    "employee",
                    _("“%(value)s” is already on row %(other)s") % {"value": employee, "other": seen[employee]},
                )
            )
        seen.setdefault(employee, row.number)
        manager = cells["manager"]
        if manager and not _USERNAME.match(manager):
            problems.append(
                row_error(row.number, "manager", _("“%(value)s” is not a valid user name") % {"value": manager})
            )
        if manager and manager == employee:
            problems.append(row_error(row.number, "manager", _("a person cannot manage themselves")))
        plan, start = cells["plan"], cells["start"]
        if plan and plan not in versions:
            problems.append(
                row_error(row.number, "plan", _("no published plan has the code “%(value)s”") % {"value": plan})
            )
        if plan and not start:
            problems.append(row_error(row.number, "start", _("a plan needs its first month")))
        if start:
            try:
                month = Period.parse(start)
                if not month.is_month:
                    raise PeriodError(start)
            except PeriodError:
                problems.append(
                    row_error(row.number, "start", _("“%(value)s” is not a month like 2026-01") % {"value": start})
                )
        if start and not plan:
            problems.append(row_error(row.number, "plan", _("a first month is given but no plan")))
        bonuses = {}
        for column in ("monthly_bonus", "quarterly_bonus"):
            amount = cell_decimal(cells[column]) if cells[column] else Decimal(0)
            if amount is None or amount < 0 or amount != amount.quantize(Decimal("0.01")) or amount >= 10**12:
                problems.append(
                    row_error(row.number, column, _("“%(value)s” is not an amount of money") % {"value": cells[column]})
                )
            bonuses[column] = amount or Decimal(0)
        if problems:
            errors += problems
            continue
        lines.append(
            RosterLine(
                row=row.number,
                employee=employee,
                name=cells["name"],
                department=cells["department"],
                manager=manager,
                plan=plan,
                start=start,
                monthly_bonus=bonuses["monthly_bonus"],
                quarterly_bonus=bonuses["quarterly_bonus"],
            )
        )
    return lines, errors


def _closed_months() -> list[str]:
    periods = Cycle.objects.exclude(status=CycleStatus.OPEN).values_list("period", flat=True)
    return sorted(p for p in periods if Period.parse(p).is_month)


@dataclass(frozen=True)
class _Wish:
    """An assignment someone asks for, before the rules below decide whether it may be written."""

    employee: str  # user name
    plan: str  # plan code
    start: str


@dataclass(frozen=True)
class _Conflict:
    index: int  # of the wish refused
    column: str  # "start" or "plan": what to change to get past it
    message: str


def _assignment_conflicts(wishes: list[_Wish]) -> list[_Conflict]:
    """Refuse changes that would rewrite who was assessed on what in a closed month.

    The one place these rules live: the roster import and the assignment pages both ask here.
    Call it inside the transaction that writes, so the assignments it reads stay locked.
    """
    closed = _closed_months()
    existing = {
        (a.employee.username, a.start): a
        for a in Assignment.objects.filter(employee__username__in=[wish.employee for wish in wishes])
        .select_related("employee", "version__template")
        .select_for_update()
    }
    with_entries = set(
        Assignment.objects.filter(pk__in=[a.pk for a in existing.values()], entries__isnull=False).values_list(
            "pk", flat=True
        )
    )
    conflicts = []
    for index, wish in enumerate(wishes):
        current = existing.get((wish.employee, wish.start))
        if current is None:
            later_closed = [month for month in closed if month >= wish.start]
            if later_closed:
                conflicts.append(
                    _Conflict(
                        index,
                        "start",
                        _("%(month)s is closed: a new assignment must start in an open month")
                        % {"month": later_closed[0]},
                    )
                )
        elif current.version.template.code != wish.plan and current.pk in with_entries:
            conflicts.append(
                _Conflict(
                    index,
                    "plan",
                    _(
                        "%(employee)s already has figures on plan “%(plan)s” from %(start)s: give a new first month to change the plan"
                    )
                    % {"employee": wish.employee, "plan": current.version.template.code, "start": wish.start},
                )
            )
    return conflicts


def _assignment_write(
    *, user: User, version: PlanVersion, start: str, monthly_bonus: Decimal, quarterly_bonus: Decimal
) -> str:
    """Create or update ``user``'s assignment from ``start``: "created", "updated" or "" (unchanged)."""
    assignment = Assignment.objects.filter(employee=user, start=start).select_related("version").first()
    if assignment is None:
        Assignment.objects.create(
            employee=user,
            version=version,
            start=start,
            monthly_bonus=monthly_bonus,
            quarterly_bonus=quarterly_bonus,
        )
        return "created"
    changed = []
    # Publishing a new version moves nobody: the same plan keeps the version it has.
    if assignment.version.template_id != version.template_id:
        assignment.version = version
        changed.append("version")
    for field, amount in (("monthly_bonus", monthly_bonus), ("quarterly_bonus", quarterly_bonus)):
        if getattr(assignment, field) != amount:
            setattr(assignment, field, amount)
            changed.append(field)
    if not changed:
        return ""
    assignment.save(update_fields=[*changed, "updated_at"])
    return "updated"


def _roster_apply(lines: list[RosterLine], versions: dict[str, PlanVersion]) -> RosterOutcome:
    outcome = RosterOutcome()
    departments = {d.name: d for d in Department.objects.all()}
    for name in {line.department for line in lines if line.department} - departments.keys():
        departments[name] = Department.objects.create(name=name)

    names = {line.employee for line in lines} | {line.manager for line in lines if line.manager}
    people = {user.username: user for user in User.objects.select_for_update().filter(username__in=names)}
    managers = {line.manager for line in lines if line.manager}
    for username in sorted(managers - people.keys() - {line.employee for line in lines}):
        people[username] = User.objects.create_user(username=username, role=Role.MANAGER)
        outcome.people_created += 1

    for line in lines:  # people first, then their managers, so every manager exists
        user = people.get(line.employee)
        department = departments.get(line.department)
        if user is None:
            user = User.objects.create_user(username=line.employee, display_name=line.name, department=department)
            people[line.employee] = user
            outcome.people_created += 1
        elif (user.display_name, user.department_id) != (
            line.name or user.display_name,
            department.pk if department else None,
        ):
            user.display_name = line.name or user.display_name
            user.department = department
            user.save(update_fields=["display_name", "department"])
            outcome.people_updated += 1
    for line in lines:
        user = people[line.employee]
        manager = people.get(line.manager) if line.manager else None
        if user.manager_id != (manager.pk if manager else None):
            if user.manager_id is not None:  # a newcomer's first manager is no update
                outcome.people_updated += 1
            user.manager = manager
            user.save(update_fields=["manager"])
        if manager is not None and manager.role == Role.EMPLOYEE:
            manager.role = Role.MANAGER
            manager.save(update_fields=["role"])
        if line.plan:
            _assignment_apply(line, user, versions[line.plan], outcome)
    return outcome


def _assignment_apply(line: RosterLine, user: User, version: PlanVersion, outcome: RosterOutcome) -> None:
    written = _assignment_write(
        user=user,
        version=version,
        start=line.start,
        monthly_bonus=line.monthly_bonus,
        quarterly_bonus=line.quarterly_bonus,
    )
    if written == "created":
        outcome.assignments_created += 1
    elif written == "updated":
        outcome.assignments_updated += 1


class AssignmentRefused(ValueError):
    """Nothing was assigned; ``errors`` says why, each message naming what to change."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class AssignmentOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def assignment_set(
    *,
    employees: Iterable[User],
    version: PlanVersion,
    start: str,
    monthly_bonus: Decimal,
    quarterly_bonus: Decimal,
) -> AssignmentOutcome:
    """Put ``employees`` on a published plan ``version`` from the month ``start``.

    The roster's rules apply: a new assignment cannot start in (or before) a closed month,
    an assignment with figures keeps its plan unless given a new first month, and the same
    first month updates the assignment there. Any refusal assigns nobody.
    """
    people = list(employees)
    errors = []
    if not people:
        errors.append(_("There is nobody to assign."))
    if version.status != VersionStatus.PUBLISHED:
        errors.append(_("Only a published plan can be assigned."))
    try:
        if not Period.parse(start).is_month:
            raise PeriodError(start)
    except PeriodError:
        errors.append(_("“%(value)s” is not a month like 2026-01") % {"value": start})
    if errors:
        raise AssignmentRefused(errors)
    code = version.template.code
    outcome = AssignmentOutcome()
    with transaction.atomic():
        conflicts = _assignment_conflicts([_Wish(person.username, code, start) for person in people])
        if conflicts:
            # A closed month is one problem however many people it stops: say it once.
            raise AssignmentRefused(list(dict.fromkeys(conflict.message for conflict in conflicts)))
        for person in people:
            written = _assignment_write(
                user=person,
                version=version,
                start=start,
                monthly_bonus=monthly_bonus,
                quarterly_bonus=quarterly_bonus,
            )
            if written == "created":
                outcome.created += 1
            elif written == "updated":
                outcome.updated += 1
            else:
                outcome.unchanged += 1
    return outcome
