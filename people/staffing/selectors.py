"""Reads for people's pages: who a user may see, the people list, the plans on the home page."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, OuterRef, QuerySet, Subquery

from people.logins.selectors import LoginStatus, login_statuses
from people.models import Department, User
from people.selectors import by_name, people_visible
from plans.models import Assignment, PlanTemplate, VersionStatus

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
        .order_by(F("department__name").asc(nulls_last=True), *by_name())
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
    login: LoginStatus  # can they sign in, were they invited and when
    annual_bonus: Decimal | None = None


def person_rows(*, people: Sequence[User]) -> list[PersonRow]:
    """One row per person of ``people_filtered``, with their latest assignment and their login:
    a query for all assignments, one for all invitations."""
    assignments = {
        a.pk: a
        for a in Assignment.objects.filter(pk__in=[p.latest_assignment for p in people]).select_related(  # type: ignore[attr-defined]
            "version__template"
        )
    }
    logins = login_statuses(people=people)
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
                login=logins[person.pk],
                annual_bonus=assignment.annual_bonus if assignment else None,
            )
        )
    return rows


def plans_assignable() -> QuerySet[PlanTemplate]:
    """Plans with a published version: the ones that can be assigned."""
    return PlanTemplate.objects.filter(versions__status=VersionStatus.PUBLISHED).distinct().order_by("name", "code")


def person_assignments(*, person: User) -> list[Assignment]:
    """``person``'s assignments, first month first, with their plans."""
    return list(Assignment.objects.filter(employee=person).select_related("version__template").order_by("start"))
