"""Plan assignments: the rules the roster import and the assignment pages share (SPEC.md section 7).

A month that is or was closed keeps the plan version and bonus amounts it was closed with, so a
change to an assignment that covers closed months applies from the first month after them, as
a new assignment, and the outcome says so; figures stay with the plan they were entered on.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.cycles.locks import cycles_lock
from metrics.cycles.selectors import months_closed
from metrics.figures.models import MetricEntry
from people.generation import roster_generation_bump
from people.models import User
from plans.errors import ApplicationError
from plans.formats import period_text
from plans.models import Assignment, PlanVersion, VersionStatus
from plans.periods import Period, PeriodError

_MOVE_CHUNK = 500  # assignments whose figures one UPDATE moves
BATCH = 1000  # rows a bulk INSERT or UPDATE writes at once, here and in the roster import


@dataclass(frozen=True)
class Wish:
    """An assignment someone asks for; None or "" leaves that part as it is."""

    employee: str  # user name
    version: PlanVersion | None
    start: str  # "": the start of the person's latest assignment
    monthly_bonus: Decimal | None
    quarterly_bonus: Decimal | None
    keep_own_amounts: bool = False  # someone who has bonus amounts keeps them (a department's senior staff)
    annual_bonus: Decimal | None = None


@dataclass(frozen=True)
class _Conflict:
    index: int  # of the wish refused
    column: str  # "start" or "plan": what to change to get past it
    message: str


@dataclass(frozen=True)
class _Step:
    """One assignment to write."""

    index: int  # of the wish
    employee: str
    start: str  # the first month written: the one asked for, or the first open month after closed ones
    version: PlanVersion
    monthly_bonus: Decimal
    quarterly_bonus: Decimal
    existing: Assignment | None  # starts at ``start``: changed in place
    previous: Assignment | None  # in force before ``start``: its figures from ``start`` on move to the new one
    next_start: str  # the start of the person's assignment after ``start``, or ""
    note: str  # why it starts later than asked, or ""
    annual_bonus: Decimal = Decimal(0)


@dataclass
class AssignmentPlan:
    steps: list[_Step] = field(default_factory=list)
    conflicts: list[_Conflict] = field(default_factory=list)
    unchanged: int = 0
    kept: set[int] = field(default_factory=set)  # the wishes whose person keeps their own amounts
    # The wishes that change nothing, with the assignment that stays in force
    untouched: dict[int, Assignment] = field(default_factory=dict)
    # By first month: (the previous assignment's id, the periods of its figures the new one takes over)
    moves: dict[str, list[tuple[int, list[str]]]] = field(default_factory=dict)


def _in_force(assignments: Sequence[Assignment], month: str) -> Assignment | None:
    """The assignment in force in ``month`` (``assignments`` ordered by start)."""
    current = None
    for assignment in assignments:
        if assignment.start <= month:
            current = assignment
    return current


def assignments_plan(wishes: Sequence[Wish]) -> AssignmentPlan:
    """What to write for each wish, or why it is refused.

    The one place these rules live: the roster import and the assignment pages both ask here.
    Call it inside the transaction that writes, so the assignments it reads stay locked.
    """
    cycles_lock()  # a close waits until these assignments are written, and is seen if it came first
    closed = months_closed()
    last_closed = next(reversed(closed), "")
    first_open = str(Period.parse(last_closed).shift(1)) if last_closed else ""
    history: dict[str, list[Assignment]] = {}
    for assignment in (
        Assignment.objects.filter(employee__username__in={wish.employee for wish in wishes})
        .select_related("employee", "version__template")
        .select_for_update(of=("self",))
        .order_by("start")
    ):
        history.setdefault(assignment.employee.username, []).append(assignment)
    plan = AssignmentPlan()
    for index, wish in enumerate(wishes):
        _wish_plan(plan, index, wish, history.get(wish.employee, []), closed, first_open)
    plan.conflicts += _figures_check(plan)
    return plan


def _wish_plan(
    plan: AssignmentPlan,
    index: int,
    wish: Wish,
    mine: Sequence[Assignment],
    closed: dict[str, bool],
    first_open: str,
) -> None:
    """Put in ``plan`` what a wish comes to: a step, a conflict, or nothing to change.

    ``mine``: the person's assignments, ordered by start.
    """
    asked = wish.start or (mine[-1].start if mine else "")
    start, column, refusal = _wish_start(wish, asked, mine, closed, first_open)
    if refusal:
        plan.conflicts.append(_Conflict(index, column, refusal))
        return
    current = _in_force(mine, start)
    if current is None:
        if wish.version is None:
            message = _("%(employee)s has no plan in %(month)s: give one") % {
                "employee": wish.employee,
                "month": period_text(start),
            }
            plan.conflicts.append(_Conflict(index, "plan", message))
            return
        version = wish.version
        monthly = wish.monthly_bonus if wish.monthly_bonus is not None else Decimal(0)
        quarterly = wish.quarterly_bonus if wish.quarterly_bonus is not None else Decimal(0)
        annual = wish.annual_bonus if wish.annual_bonus is not None else Decimal(0)
    else:
        terms = _terms_changed(plan, index, wish, current)
        if terms is None:
            plan.unchanged += 1
            plan.untouched[index] = current
            return
        version, monthly, quarterly, annual = terms
    existing = current if current is not None and current.start == start else None
    plan.steps.append(
        _Step(
            index=index,
            employee=wish.employee,
            start=start,
            version=version,
            monthly_bonus=monthly,
            quarterly_bonus=quarterly,
            existing=existing,
            previous=current if existing is None else None,
            next_start=next((a.start for a in mine if a.start > start), ""),
            note=_later_note(wish.employee, asked, start, closed, current, version, (monthly, quarterly, annual)),
            annual_bonus=annual,
        )
    )


def _wish_start(
    wish: Wish, asked: str, mine: Sequence[Assignment], closed: dict[str, bool], first_open: str
) -> tuple[str, str, str]:
    """(the first month to write, "", "") or ("", the column to change, why the wish is refused).

    A change to an assignment that covers closed months applies from the first open month;
    a new assignment cannot start in a closed month.
    """
    if not asked:
        message = (
            _("a plan needs its first month")
            if wish.version
            else _("%(employee)s has no plan yet: give a plan and its first month") % {"employee": wish.employee}
        )
        return "", "start" if wish.version else "plan", message
    last_closed = next(reversed(closed), "")
    if not last_closed or asked > last_closed:
        return asked, "", ""
    if _in_force(mine, asked) is not None:
        return first_open, "", ""
    month = next(month for month in closed if month >= asked)
    message = (
        _("%(month)s is closed: a new assignment must start in an open month")
        if closed[month]
        else _("%(month)s was closed and reopened: a new assignment must start after the closed months")
    )
    return "", "start", message % {"month": period_text(month)}


def _terms_changed(
    plan: AssignmentPlan, index: int, wish: Wish, current: Assignment
) -> tuple[PlanVersion, Decimal, Decimal, Decimal] | None:
    """The version and bonus amounts a wish gives someone on ``current``; None when they stay as
    they are. Whoever keeps their own amounts is listed in ``plan.kept`` (by ``index``, the wish's)."""
    # Publishing a new version moves nobody: the same plan keeps the version it has.
    same_plan = wish.version is None or wish.version.template_id == current.version.template_id
    version = current.version if same_plan or wish.version is None else wish.version
    own = assignment_amounts(current)
    asked_amounts = (
        current.monthly_bonus if wish.monthly_bonus is None else wish.monthly_bonus,
        current.quarterly_bonus if wish.quarterly_bonus is None else wish.quarterly_bonus,
        current.annual_bonus if wish.annual_bonus is None else wish.annual_bonus,
    )
    if wish.keep_own_amounts and any(own) and own != asked_amounts:
        plan.kept.add(index)
        asked_amounts = own
    if (version.pk, *asked_amounts) == (current.version_id, *own):
        return None
    return version, *asked_amounts


def assignment_amounts(assignment: Assignment) -> tuple[Decimal, Decimal, Decimal]:
    """An assignment's bonus amounts: (monthly, quarterly, annual)."""
    return (assignment.monthly_bonus, assignment.quarterly_bonus, assignment.annual_bonus)


def _later_note(
    employee: str,
    asked: str,
    start: str,
    closed: dict[str, bool],
    current: Assignment | None,
    version: PlanVersion,
    amounts: tuple[Decimal, Decimal, Decimal],
) -> str:
    """What the outcome says when a change applies from a later month than asked, or ""."""
    if start == asked or current is None:
        return ""
    covered = [month for month in closed if month >= asked]
    first, last = covered[0], covered[-1]
    if all(closed[month] for month in covered):
        months = (
            _("%(month)s is closed") % {"month": period_text(first)}
            if first == last
            else _("%(first)s..%(last)s are closed") % {"first": period_text(first), "last": period_text(last)}
        )
    else:  # some were reopened since: they still keep what they were closed with
        months = (
            _("%(month)s has been closed") % {"month": period_text(first)}
            if first == last
            else _("%(first)s..%(last)s have been closed") % {"first": period_text(first), "last": period_text(last)}
        )
    new_plan = version.pk != current.version_id
    new_amounts = amounts != assignment_amounts(current)
    if new_plan and new_amounts:
        text = _("%(employee)s: the new plan and bonus amounts apply from %(start)s; %(months)s")
    elif new_plan:
        text = _("%(employee)s: the new plan applies from %(start)s; %(months)s")
    else:
        text = _("%(employee)s: new bonus amounts apply from %(start)s; %(months)s")
    return text % {"employee": employee, "start": period_text(start), "months": months}


def _figures_check(plan: AssignmentPlan) -> list[_Conflict]:
    """Figures stay with the plan they were entered on (their indicators are that version's).

    Changing the plan of an assignment that has figures needs a new first month. A new
    assignment takes over the figures of the months it covers from the one in force before
    when both are on the same version, and is refused when they are not. Two queries in all.
    """
    return _replans_refused(plan) + _figures_taken_over(plan)


def _replans_refused(plan: AssignmentPlan) -> list[_Conflict]:
    """A conflict for each step that changes the plan of an assignment with figures, in place."""
    replanned = [s for s in plan.steps if s.existing is not None and s.version.pk != s.existing.version_id]
    with_figures = set(
        MetricEntry.objects.filter(assignment_id__in=[s.existing.pk for s in replanned if s.existing])
        .values_list("assignment_id", flat=True)
        .distinct()
    )
    return [
        _Conflict(
            step.index,
            "plan",
            _(
                "%(employee)s already has figures on plan “%(plan)s” from %(start)s: give a new first month to change the plan"
            )
            % {"employee": step.employee, "plan": step.existing.version.template.code, "start": step.start},
        )
        for step in replanned
        if step.existing is not None and step.existing.pk in with_figures
    ]


def _figures_taken_over(plan: AssignmentPlan) -> list[_Conflict]:
    """Put in ``plan.moves`` the figures each new assignment takes over from the one before; a
    conflict for each that would take over figures of another version."""
    following = [step for step in plan.steps if step.previous is not None]
    periods_of: dict[int, set[str]] = {}
    for assignment_id, period in (
        MetricEntry.objects.filter(assignment_id__in=[s.previous.pk for s in following if s.previous])
        .values_list("assignment_id", "period")
        .distinct()
    ):
        periods_of.setdefault(assignment_id, set()).add(str(period))
    conflicts = []
    for step in following:
        assert step.previous is not None
        # A quarter's figures belong to the assignment in force in its last month.
        periods = sorted(
            period
            for period in periods_of.get(step.previous.pk, ())
            if step.start <= str(Period.parse(period).last_month()) < (step.next_start or "9999")
        )
        if not periods:
            continue
        if step.version.pk != step.previous.version_id:
            conflicts.append(
                _Conflict(
                    step.index,
                    "plan",
                    _(
                        "%(employee)s already has figures on plan “%(plan)s” for %(period)s: start the new plan after them"
                    )
                    % {
                        "employee": step.employee,
                        "plan": step.previous.version.template.code,
                        "period": period_text(periods[-1]),
                    },
                )
            )
        else:
            plan.moves.setdefault(step.start, []).append((step.previous.pk, periods))
    return conflicts


def assignments_write(plan: AssignmentPlan, *, users: dict[str, User] | None = None) -> tuple[int, int]:
    """Write a plan's steps in bulk: (assignments created, assignments changed).

    ``users``: the people of the steps by user name, when the caller has them already.
    """
    if users is None:
        employees = {step.employee for step in plan.steps}
        users = {user.username: user for user in User.objects.filter(username__in=employees)}
    new = [
        Assignment(
            employee=users[step.employee],
            version=step.version,
            start=step.start,
            monthly_bonus=step.monthly_bonus,
            quarterly_bonus=step.quarterly_bonus,
            annual_bonus=step.annual_bonus,
        )
        for step in plan.steps
        if step.existing is None
    ]
    Assignment.objects.bulk_create(new, batch_size=BATCH)
    # What is kept by the roster (the home page's people per plan, the dashboards by department)
    # is out of date once these assignments commit.
    transaction.on_commit(roster_generation_bump)
    following = [step.previous for step in plan.steps if step.existing is None]
    new_of = {previous.pk: assignment.pk for previous, assignment in zip(following, new, strict=True) if previous}
    now = timezone.now()
    changed = []
    for step in plan.steps:
        if step.existing is not None:
            step.existing.version = step.version
            step.existing.monthly_bonus = step.monthly_bonus
            step.existing.quarterly_bonus = step.quarterly_bonus
            step.existing.annual_bonus = step.annual_bonus
            step.existing.updated_at = now
            changed.append(step.existing)
    Assignment.objects.bulk_update(
        changed, ["version", "monthly_bonus", "quarterly_bonus", "annual_bonus", "updated_at"], batch_size=BATCH
    )
    _figures_move(plan.moves, new_of)
    return len(new), len(changed)


def _figures_move(moves: dict[str, list[tuple[int, list[str]]]], new_of: dict[int, int]) -> None:
    """Hand the figures of the months a new assignment covers over to it: one UPDATE per chunk.

    Grouped by first month, so the periods of one chunk all lie in the months each of its new
    assignments covers.
    """
    for pairs in moves.values():
        for offset in range(0, len(pairs), _MOVE_CHUNK):
            chunk = pairs[offset : offset + _MOVE_CHUNK]
            MetricEntry.objects.filter(
                assignment_id__in=[old for old, _periods in chunk],
                period__in={period for _old, periods in chunk for period in periods},
            ).update(
                assignment_id=Case(
                    *(When(assignment_id=old, then=Value(new_of[old])) for old, _periods in chunk),
                    output_field=IntegerField(),
                )
            )


class AssignmentRefused(ApplicationError):
    """Nothing was assigned; ``messages`` say why, each naming what to change."""


@dataclass
class AssignmentOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)  # changes that apply from a later month than asked


def assignment_wishes(
    *,
    people: Sequence[User],
    version: PlanVersion,
    start: str,
    monthly_bonus: Decimal,
    quarterly_bonus: Decimal,
    keep_own_amounts: bool = False,
    annual_bonus: Decimal = Decimal(0),
) -> list[Wish]:
    """The wishes of putting ``people`` on ``version`` from ``start``; refused, with every reason,
    when there is nobody, the version is not published or ``start`` is no month."""
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
    return [
        Wish(
            employee=person.username,
            version=version,
            start=start,
            monthly_bonus=monthly_bonus,
            quarterly_bonus=quarterly_bonus,
            keep_own_amounts=keep_own_amounts,
            annual_bonus=annual_bonus,
        )
        for person in people
    ]


def assignments_plan_checked(wishes: Sequence[Wish]) -> AssignmentPlan:
    """``assignments_plan``, refused when any wish is (inside the transaction that writes)."""
    plan = assignments_plan(wishes)
    if plan.conflicts:
        # A closed month is one problem however many people it stops: say it once.
        raise AssignmentRefused(list(dict.fromkeys(conflict.message for conflict in plan.conflicts)))
    return plan


def assignment_set(
    *,
    employees: Iterable[User],
    version: PlanVersion,
    start: str,
    monthly_bonus: Decimal,
    quarterly_bonus: Decimal,
    keep_own_amounts: bool = False,
    annual_bonus: Decimal = Decimal(0),
) -> AssignmentOutcome:
    """Put ``employees`` on a published plan ``version`` from the month ``start``.

    The roster's rules apply: a new assignment cannot start in (or before) a closed month;
    changing an assignment that covers closed months applies from the first open month; an
    assignment with figures keeps its plan unless given a new first month; the same first month
    updates the assignment there. With ``keep_own_amounts``, whoever already has bonus amounts
    keeps them. Any refusal assigns nobody.
    """
    people = list(employees)
    wishes = assignment_wishes(
        people=people,
        version=version,
        start=start,
        monthly_bonus=monthly_bonus,
        quarterly_bonus=quarterly_bonus,
        keep_own_amounts=keep_own_amounts,
        annual_bonus=annual_bonus,
    )
    with transaction.atomic():
        plan = assignments_plan_checked(wishes)
        created, updated = assignments_write(plan, users={person.username: person for person in people})
    return assignment_outcome(plan, created=created, updated=updated)


def assignment_outcome(plan: AssignmentPlan, *, created: int, updated: int) -> AssignmentOutcome:
    return AssignmentOutcome(
        created=created,
        updated=updated,
        unchanged=plan.unchanged,
        notes=[step.note for step in plan.steps if step.note],
    )
