"""Writes of people: the roster import.

The roster's rules (SPEC.md section 7): an empty cell leaves its field as it is; a manager chain
that loops is refused; assignments follow the rules of ``people.staffing.assignments``, shared with the
assignment pages.
"""

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from people.generation import roster_generation_bump
from people.models import NAME_MAX_LENGTH, Department, Role, User
from people.names import name_sort_key
from people.staffing.assignments import BATCH, Wish, assignments_plan, assignments_write
from plans.models import PlanVersion
from plans.numbers import NumberError, money_parse
from plans.periods import Period, PeriodError
from plans.selectors import plan_current_versions
from plans.tabular import Row, Table, TableError, row_error, table_check_columns

ROSTER_COLUMNS = ["employee", "name", "department", "manager", "plan", "start", "monthly_bonus", "quarterly_bonus"]
# Optional, after the others: the bonus of a year at 100 % payout (SPEC.md section 10; empty or
# absent leaves it as it is, 0 for a new assignment), and a person's email address, where their
# invitation and password resets go.
ROSTER_OPTIONAL = ["annual_bonus", "email"]
EMAIL_MAX_LENGTH = 254  # AbstractUser.email
USERNAME_MAX_LENGTH = 150  # AbstractUser.username
_USERNAME = UnicodeUsernameValidator()


def username_problem(value: str) -> str:
    """Why ``value`` cannot be a user name (Django's rule: letters, digits and @.+-_), or ""."""
    if len(value) > USERNAME_MAX_LENGTH:
        return _("at most %(limit)s characters") % {"limit": USERNAME_MAX_LENGTH}
    try:
        _USERNAME(value)
    except ValidationError:
        return _("“%(value)s” is not a valid user name") % {"value": value}
    return ""


def month_problem(text: str) -> tuple[str, str]:
    """(the month ``text`` names, "") or ("", why not): ``2026-04``, or a date a spreadsheet made of it."""
    try:
        period = Period.from_cell(text)
    except PeriodError as error:
        if error.out_of_range:
            return "", _("“%(value)s” is outside 2000-01 to 2100-12") % {"value": text}
        period = None
    if period is None or not period.is_month:
        return "", _("“%(value)s” is not a month like 2026-01") % {"value": text}
    return str(period), ""


@dataclass(frozen=True)
class RosterLine:
    """One row of a roster, checked. An empty text or None leaves that field as it is."""

    row: int
    employee: str
    name: str
    department: str
    manager: str
    plan: str
    start: str  # a month, "2026-04"
    monthly_bonus: Decimal | None
    quarterly_bonus: Decimal | None
    email: str = ""
    annual_bonus: Decimal | None = None

    @property
    def assigns(self) -> bool:
        """Whether the row says anything about the person's plan."""
        amounts = (self.monthly_bonus, self.quarterly_bonus, self.annual_bonus)
        return bool(self.plan or self.start) or amounts != (None, None, None)


@dataclass
class RosterOutcome:
    people_created: int = 0
    people_updated: int = 0
    assignments_created: int = 0
    assignments_updated: int = 0
    # Changes that apply later than the file asked, because the months before are closed.
    notes: list[str] = field(default_factory=list)
    # The user names of the people the file created (managers without a row of their own included).
    created: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """The numbers the page and the command say, by the names their messages give them."""
        return {
            "created": self.people_created,
            "updated": self.people_updated,
            "a_created": self.assignments_created,
            "a_updated": self.assignments_updated,
        }


def roster_import(*, table: Table) -> RosterOutcome:
    """Create and update people, departments, managers and plan assignments from a roster.

    Every row is checked first; any problem rejects the whole file and nothing is saved.
    """
    errors = table_check_columns(table, required=ROSTER_COLUMNS, optional=ROSTER_OPTIONAL)
    if errors:
        raise TableError(errors)
    versions = plan_current_versions(codes={row.cells["plan"] for row in table.rows if row.cells["plan"]})
    lines, errors = _roster_lines(table, versions)
    with transaction.atomic():
        errors += _manager_loops(lines)
        assigned = [line for line in lines if line.assigns]
        plan = assignments_plan(
            [
                Wish(
                    employee=line.employee,
                    version=versions[line.plan] if line.plan else None,
                    start=line.start,
                    monthly_bonus=line.monthly_bonus,
                    quarterly_bonus=line.quarterly_bonus,
                    annual_bonus=line.annual_bonus,
                )
                for line in assigned
            ]
        )
        errors += [row_error(assigned[c.index].row, c.column, c.message) for c in plan.conflicts]
        if errors:
            raise TableError(errors)
        transaction.on_commit(roster_generation_bump)
        outcome = _roster_apply(lines)
        created, updated = assignments_write(plan)
        outcome.assignments_created, outcome.assignments_updated = created, updated
        outcome.notes = [step.note for step in plan.steps if step.note]
        return outcome


def _roster_lines(table: Table, versions: dict[str, PlanVersion]) -> tuple[list[RosterLine], list[str]]:
    lines: list[RosterLine] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        line, problems = _roster_line(row, versions, seen)
        errors += problems
        if line is not None:
            lines.append(line)
    return lines, errors


def _roster_line(
    row: Row, versions: dict[str, PlanVersion], seen: dict[str, int]
) -> tuple[RosterLine | None, list[str]]:
    """A row checked: (its line, []), or (None, its problems).

    ``seen``: the row each employee is first on, of the rows so far; this row is added.
    """
    cells = row.cells
    # As Django's create_user does: a full-width ｌｉ.ｌｅｉ is li.lei.
    employee = unicodedata.normalize("NFKC", cells["employee"])
    manager = unicodedata.normalize("NFKC", cells["manager"])
    problems = list(_people_problems(cells, employee, manager, seen.get(employee)))
    seen.setdefault(employee, row.number)
    plan = cells["plan"]
    if plan and plan not in versions:
        problems.append(("plan", _("no published plan has the code “%(value)s”") % {"value": plan}))
    start, problem = month_problem(cells["start"]) if cells["start"] else ("", "")
    if problem:
        problems.append(("start", problem))
    amounts: dict[str, Decimal | None] = {}
    for column in ("monthly_bonus", "quarterly_bonus", "annual_bonus"):
        amounts[column], problem = _amount_read(cells.get(column, ""))
        if problem:
            problems.append((column, problem))
    email = cells.get("email", "")
    if email and (problem := email_problem(email)):
        problems.append(("email", problem))
    if problems:
        return None, [row_error(row.number, column, message) for column, message in problems]
    line = RosterLine(
        row=row.number,
        employee=employee,
        name=cells["name"],
        department=cells["department"],
        manager=manager,
        plan=plan,
        start=start,
        monthly_bonus=amounts["monthly_bonus"],
        quarterly_bonus=amounts["quarterly_bonus"],
        email=email,
        annual_bonus=amounts["annual_bonus"],
    )
    return line, []


def email_problem(value: str) -> str:
    """Why ``value`` is no email address, or ""."""
    if len(value) > EMAIL_MAX_LENGTH:
        return _("at most %(limit)s characters") % {"limit": EMAIL_MAX_LENGTH}
    try:
        validate_email(value)
    except ValidationError:
        return _("“%(value)s” is not an email address") % {"value": value}
    return ""


def _people_problems(
    cells: dict[str, str], employee: str, manager: str, other_row: int | None
) -> Iterator[tuple[str, str]]:
    """(column, problem) of the cells about people: the employee, their name and department, their manager.

    ``other_row``: an earlier row of the same employee, if any.
    """
    if not employee:
        yield "employee", _("is empty")
    elif problem := username_problem(employee):
        yield "employee", problem
    elif other_row is not None:
        yield "employee", _("“%(value)s” is already on row %(other)s") % {"value": employee, "other": other_row}
    for column in ("name", "department"):
        if len(cells[column]) > NAME_MAX_LENGTH:
            yield column, _("at most %(limit)s characters") % {"limit": NAME_MAX_LENGTH}
    if manager and (problem := username_problem(manager)):
        yield "manager", problem
    if manager and manager == employee:
        yield "manager", _("a person cannot manage themselves")


def _amount_read(text: str) -> tuple[Decimal | None, str]:
    """(a bonus amount, ""), (None, "") for an empty cell, or (None, why it is no amount)."""
    if not text:
        return None, ""
    try:
        return money_parse(text), ""
    except NumberError as error:
        return None, error.message


def _manager_loops(lines: list[RosterLine]) -> list[str]:
    """A row error for each loop the file's managers would make, with the people already saved.

    An empty manager cell keeps the saved manager, so a loop may run through people the file
    does not name: their managers are read a level at a time (one query per level).
    """
    rows = {line.employee: line.row for line in lines}
    manager_of: dict[str, str | None] = {line.employee: line.manager for line in lines if line.manager}
    unknown = {line.employee for line in lines} | {line.manager for line in lines if line.manager}
    unknown -= manager_of.keys()
    while unknown:
        saved = dict(User.objects.filter(username__in=unknown).values_list("username", "manager__username"))
        for username in unknown:
            manager_of[username] = saved.get(username)
        unknown = {manager for manager in saved.values() if manager and manager not in manager_of}
    errors = []
    reported: set[str] = set()
    for line in lines:
        if not line.manager or line.employee in reported:
            continue
        chain = [line.employee]
        current = manager_of.get(line.employee)
        while current is not None and current not in chain:
            chain.append(current)
            current = manager_of.get(current)
        if current != line.employee:
            continue  # the chain ends, or joins a loop that this row is not part of (reported from its own row)
        reported.update(chain)
        people = [
            _("%(person)s (row %(row)s)") % {"person": person, "row": rows[person]} if person in rows else person
            for person in chain
        ]
        errors.append(
            row_error(
                line.row,
                "manager",
                _("the managers go round in a loop: %(loop)s") % {"loop": " → ".join([*people, people[0]])},
            )
        )
    return errors


def _new_user(
    username: str, *, name: str = "", department: Department | None = None, role: str = Role.EMPLOYEE, email: str = ""
) -> User:
    user = User(
        username=username,
        display_name=name,
        name_sort=name_sort_key(name, username),
        department=department,
        role=role,
        email=email,
    )
    user.set_unusable_password()
    return user


def _roster_apply(lines: list[RosterLine]) -> RosterOutcome:
    """Write the people of checked lines, only the cells that are not empty, in a few bulk queries."""
    departments = _departments_ensure(lines)
    managers = {line.manager for line in lines if line.manager}
    names = {line.employee for line in lines} | managers
    people = {user.username: user for user in User.objects.select_for_update().filter(username__in=names)}
    # A manager without a row of their own is created with the manager role.
    newcomers = [
        _new_user(username, role=Role.MANAGER)
        for username in sorted(managers - people.keys() - {line.employee for line in lines})
    ]
    employees, renamed, moved = _people_edits(lines, people, departments)
    newcomers += employees
    for user in User.objects.bulk_create(newcomers, batch_size=BATCH):
        people[user.username] = user
    new = {user.username for user in newcomers}
    managed, promoted = _managers_edits(lines, people)
    # One UPDATE per department and per manager: far cheaper than bulk_update's CASE per row.
    User.objects.bulk_update(renamed, ["display_name", "name_sort", "email"], batch_size=BATCH)
    for department, ids in moved.items():
        _update_in_chunks(ids, department=department)
    for manager_id, ids in managed.items():
        _update_in_chunks(ids, manager_id=manager_id)
    _update_in_chunks(sorted(promoted), role=Role.MANAGER)
    existing = {people[line.employee].pk for line in lines} - {people[name].pk for name in new}
    touched = {user.pk for user in renamed} | {pk for ids in [*moved.values(), *managed.values()] for pk in ids}
    # A newcomer's first manager is no update, nor is a manager's new role.
    return RosterOutcome(people_created=len(new), people_updated=len(touched & existing), created=sorted(new))


def _departments_ensure(lines: list[RosterLine]) -> dict[str, Department]:
    """The departments the lines name, by name; those that do not exist yet are created."""
    departments = {d.name: d for d in Department.objects.filter(name__in={line.department for line in lines})}
    missing = sorted({line.department for line in lines if line.department} - departments.keys())
    for created in Department.objects.bulk_create([Department(name=name) for name in missing]):
        departments[created.name] = created
    return departments


def _people_edits(
    lines: list[RosterLine], people: dict[str, User], departments: dict[str, Department]
) -> tuple[list[User], list[User], dict[Department, list[int]]]:
    """(the people of the lines to create, those renamed or with a new email address, who moves into
    which department).

    ``people``: those that exist already, by user name.
    """
    newcomers: list[User] = []
    renamed: list[User] = []
    moved: dict[Department, list[int]] = {}  # new department -> who moves into it
    for line in lines:
        user = people.get(line.employee)
        department = departments.get(line.department)
        if user is None:
            newcomers.append(_new_user(line.employee, name=line.name, department=department, email=line.email))
            continue
        renames = bool(line.name) and user.display_name != line.name
        readdresses = bool(line.email) and user.email != line.email
        if renames or readdresses:
            user.display_name = line.name or user.display_name
            user.name_sort = name_sort_key(user.display_name, user.username)
            user.email = line.email or user.email
            renamed.append(user)
        if department is not None and user.department_id != department.pk:
            moved.setdefault(department, []).append(user.pk)
    return newcomers, renamed, moved


def _managers_edits(lines: list[RosterLine], people: dict[str, User]) -> tuple[dict[int, list[int]], set[int]]:
    """(each manager's new reports, the managers who are employees until now), by id."""
    managed: dict[int, list[int]] = {}
    promoted: set[int] = set()
    for line in lines:
        if not line.manager:
            continue
        user, manager = people[line.employee], people[line.manager]
        if user.manager_id != manager.pk:
            managed.setdefault(manager.pk, []).append(user.pk)
        if manager.role == Role.EMPLOYEE:
            promoted.add(manager.pk)
    return managed, promoted


def _update_in_chunks(ids: list[int], **values: object) -> None:
    for offset in range(0, len(ids), BATCH):
        User.objects.filter(pk__in=ids[offset : offset + BATCH]).update(**values)
