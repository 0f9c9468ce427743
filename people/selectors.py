"""Reads for people's pages: who a user may see, the people list, the plans on the home page."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar, overload

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, Max, Model, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy

from metrics.models import Cycle, CycleStatus
from people.models import Department, Role, User
from plans.models import Assignment, PlanTemplate, VersionStatus
from plans.periods import Period
from plans.scoring import INCOMPLETE_FLAG

# Flags come from the plan file (a band's or the streak's) or from a forced close; the usual
# ones read better in words, any other is shown as it is written in the plan.
FLAG_LABELS = {
    "warning": gettext_lazy("Warning"),
    "promotion_candidate": gettext_lazy("Promotion candidate"),
    INCOMPLETE_FLAG: gettext_lazy("Incomplete"),
}


def flag_labels(flags: Iterable[str]) -> tuple[str, ...]:
    """A result's flags in words, sorted as the export sorts them."""
    return tuple(str(FLAG_LABELS.get(flag, flag)) for flag in sorted(flags))


M = TypeVar("M", bound=Model)
R = TypeVar("R")


class _Rows(Sequence[R], Generic[M, R]):
    """A queryset read a slice at a time and turned into rows: what a paginator pages through."""

    def __init__(self, queryset: QuerySet[M], row: Callable[[M], R]) -> None:
        self.queryset, self.row = queryset, row

    def count(self) -> int:  # type: ignore[override]  # the paginator's count, in one query
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> R: ...
    @overload
    def __getitem__(self, index: slice) -> list[R]: ...
    def __getitem__(self, index: int | slice) -> R | list[R]:
        if isinstance(index, slice):
            return [self.row(item) for item in self.queryset[index]]
        return self.row(self.queryset[index])


def rows_page(queryset: QuerySet[M], *, row: Callable[[M], R], number: str | int | None, per_page: int) -> Page[R]:
    """Page ``number`` of ``queryset`` (ordered) as rows: two queries, the count and the page.

    A number that is no page (``abc``, ``-1``, ``99999``) gives the first or the last page."""
    return Paginator(_Rows(queryset, row), per_page).get_page(number)


def people_visible(*, user: User) -> QuerySet[User]:
    """The people whose results ``user`` may see: everybody for HR, a manager's reports, oneself."""
    if user.is_superuser or user.role in (Role.HR, Role.ADMIN):
        return User.objects.all()
    if user.role == Role.MANAGER:
        return User.objects.filter(Q(manager=user) | Q(pk=user.pk))
    return User.objects.filter(pk=user.pk)


@dataclass(frozen=True)
class PlanRow:
    code: str
    name: str
    version: int  # the current published version's number
    people: int  # employees whose latest assignment is on this plan


def plans_overview() -> list[PlanRow]:
    """Published plans with their current version and how many people are on them, counted by the
    database: a person's plan is that of their latest assignment."""
    later = Assignment.objects.filter(employee=OuterRef("employee"), start__gt=OuterRef("start"))
    people = dict(
        Assignment.objects.exclude(Exists(later))
        .order_by()
        .values("version__template_id")
        .annotate(n=Count("pk"))
        .values_list("version__template_id", "n")
    )
    templates = (
        PlanTemplate.objects.annotate(
            current=Max("versions__number", filter=Q(versions__status=VersionStatus.PUBLISHED))
        )
        .filter(current__isnull=False)
        .order_by("name", "code")
    )
    return [PlanRow(code=t.code, name=t.name, version=t.current, people=people.get(t.pk, 0)) for t in templates]


# The plan filter's value for people on no plan at all.
NO_PLAN = "-"


def _latest_assignment() -> "Subquery":
    return Subquery(Assignment.objects.filter(employee=OuterRef("pk")).order_by("-start").values("pk")[:1])


def people_filtered(
    *, user: User, department: Department | None = None, manager: User | None = None, plan: str = ""
) -> QuerySet[User]:
    """The people ``user`` may see, narrowed down; ``plan`` is a code or ``NO_PLAN``.

    A person's plan is that of their latest assignment (the one with the latest first month),
    so someone moved to another plan from next month shows up under the new one.
    """
    people = (
        people_visible(user=user)
        .select_related("department", "manager")
        .annotate(
            latest_assignment=_latest_assignment(),
            latest_plan=Subquery(
                Assignment.objects.filter(employee=OuterRef("pk"))
                .order_by("-start")
                .values("version__template__code")[:1]
            ),
        )
        .order_by(F("department__name").asc(nulls_last=True), "username")
    )
    if department is not None:
        people = people.filter(department=department)
    if manager is not None:
        people = people.filter(manager=manager)
    if plan == NO_PLAN:
        people = people.filter(latest_plan__isnull=True)
    elif plan:
        people = people.filter(latest_plan=plan)
    return people


@dataclass(frozen=True)
class PersonRow:
    username: str
    name: str
    department: str
    manager: str  # the manager's name, "" without one
    role: str  # the role's label
    plan_code: str  # "" on no plan
    plan_name: str
    version: int | None
    start: str
    monthly_bonus: Decimal | None
    quarterly_bonus: Decimal | None


def person_rows(*, people: Sequence[User]) -> list[PersonRow]:
    """One row per person of ``people_filtered``, with their latest assignment: one query for all."""
    assignments = {
        a.pk: a
        for a in Assignment.objects.filter(pk__in=[p.latest_assignment for p in people]).select_related(  # type: ignore[attr-defined]
            "version__template"
        )
    }
    rows = []
    for person in people:
        assignment = assignments.get(person.latest_assignment)  # type: ignore[attr-defined]
        rows.append(
            PersonRow(
                username=person.username,
                name=person.display_name,
                department=person.department.name if person.department else "",
                manager=str(person.manager.display_name or person.manager.username) if person.manager else "",
                role=str(person.get_role_display()),
                plan_code=assignment.version.template.code if assignment else "",
                plan_name=assignment.version.name if assignment else "",
                version=assignment.version.number if assignment else None,
                start=assignment.start if assignment else "",
                monthly_bonus=assignment.monthly_bonus if assignment else None,
                quarterly_bonus=assignment.quarterly_bonus if assignment else None,
            )
        )
    return rows


def managers_all() -> QuerySet[User]:
    """Everybody who manages someone or has the manager role: the choices of the manager filter."""
    return User.objects.filter(Q(role=Role.MANAGER) | Q(reports__isnull=False)).distinct().order_by("username")


def plans_assignable() -> QuerySet[PlanTemplate]:
    """Plans with a published version: the ones that can be assigned."""
    return PlanTemplate.objects.filter(versions__status=VersionStatus.PUBLISHED).distinct().order_by("name", "code")


def months_closed() -> dict[str, bool]:
    """Every month that is closed (True), or was closed and has been reopened since (False), in order.

    Such a month keeps the plan version and bonus amounts it was closed with (SPEC.md section 7).
    A closed quarter counts by its months.
    """
    rows = Cycle.objects.filter(~Q(status=CycleStatus.OPEN) | Q(run__gt=1)).values_list("period", "status")
    months: dict[str, bool] = {}
    for period, status in rows:
        for month in map(str, Period.parse(period).months()):
            months[month] = months.get(month, False) or status != CycleStatus.OPEN
    return dict(sorted(months.items()))


def month_first_open() -> str:
    """The month a new assignment most likely starts: the one after the latest closed month.

    With nothing closed yet, the current month.
    """
    closed = list(months_closed())
    if not closed:
        return str(Period.of_date(timezone.localdate()))
    return str(Period.parse(closed[-1]).shift(1))


def department_employees(*, department: Department) -> QuerySet[User]:
    """Whom assigning a department puts on a plan: its people with the employee role."""
    return department.members.filter(role=Role.EMPLOYEE).order_by("username")


def person_assignments(*, person: User) -> list[Assignment]:
    """``person``'s assignments, first month first, with their plans."""
    return list(Assignment.objects.filter(employee=person).select_related("version__template").order_by("start"))
