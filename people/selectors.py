"""Reads for people's pages: who a user may see, the people list, and the home page's overview."""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrics.models import Cycle, CycleStatus, MetricEntry, Result
from people.models import Department, Role, User
from plans.models import Assignment, Band, PlanTemplate, VersionStatus
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


@dataclass(frozen=True)
class CycleRow:
    period: str
    status: str  # a CycleStatus value
    status_label: str


@dataclass(frozen=True)
class ScoreRow:
    employee: str  # user name
    name: str
    department: str
    score: Decimal
    band: str
    bonus: Decimal
    flags: tuple[str, ...]  # labels, in the order of the sorted flags


@dataclass(frozen=True)
class BandCount:
    label: str
    count: int


@dataclass(frozen=True)
class HomeOverview:
    plans: list[PlanRow]
    cycles: list[CycleRow]  # oldest first; a quarter after its months
    scores_period: str  # the latest closed period, "" while none is closed
    scores: list[ScoreRow]
    band_counts: list[BandCount]  # best band first


def home_overview(*, user: User) -> HomeOverview:
    """What the home page shows ``user``; the scores only of the people they may see."""
    cycles = cycles_overview()
    closed = [row.period for row in cycles if row.status == CycleStatus.CLOSED]
    scores_period = closed[-1] if closed else ""
    scores, band_counts = _scores(period=scores_period, user=user) if scores_period else ([], [])
    return HomeOverview(
        plans=plans_overview(),
        cycles=cycles,
        scores_period=scores_period,
        scores=scores,
        band_counts=band_counts,
    )


def plans_overview() -> list[PlanRow]:
    """Published plans with their current version and how many people are on them."""
    latest: dict[int, int] = {}  # employee id -> template id of their latest assignment
    for employee_id, template_id in Assignment.objects.order_by("employee_id", "start").values_list(
        "employee_id", "version__template_id"
    ):
        latest[employee_id] = template_id
    people = Counter(latest.values())
    templates = (
        PlanTemplate.objects.annotate(
            current=Max("versions__number", filter=Q(versions__status=VersionStatus.PUBLISHED))
        )
        .filter(current__isnull=False)
        .order_by("name", "code")
    )
    return [PlanRow(code=t.code, name=t.name, version=t.current, people=people[t.pk]) for t in templates]


def _period_key(period: Period) -> tuple[Period, bool]:
    return (period.last_month(), period.is_quarter)


def cycles_overview() -> list[CycleRow]:
    """Every period with a cycle or with figures, with its status (no cycle yet: open)."""
    statuses = dict(Cycle.objects.values_list("period", "status"))
    periods = set(statuses) | set(MetricEntry.objects.order_by().values_list("period", flat=True).distinct())
    return [
        CycleRow(
            period=str(period),
            status=statuses.get(str(period), CycleStatus.OPEN),
            status_label=str(CycleStatus(statuses.get(str(period), CycleStatus.OPEN)).label),
        )
        for period in sorted((Period.parse(p) for p in periods), key=_period_key)
    ]


def _scores(*, period: str, user: User) -> tuple[list[ScoreRow], list[BandCount]]:
    results = list(
        Result.objects.filter(period=period, superseded_at__isnull=True, employee__in=people_visible(user=user))
        .select_related("employee__department")
        .order_by("employee__username")
    )
    rows = [
        ScoreRow(
            employee=r.employee.username,
            name=r.employee.display_name or r.employee.username,
            department=r.employee.department.name if r.employee.department else "",
            score=r.score,
            band=r.band,
            bonus=r.bonus,
            flags=flag_labels(r.flags),
        )
        for r in results
    ]
    # Every band of the plans involved, best first, even those nobody reached.
    best: dict[str, Decimal] = {}
    bands = Band.objects.filter(version_id__in={r.version_id for r in results}).order_by()
    for label, minimum in bands.values_list("label", "min"):
        best[label] = max(minimum, best.get(label, minimum))
    counts = Counter(r.band for r in results)
    labels = sorted(best.keys() | counts.keys(), key=lambda label: (label not in best, -best.get(label, 0), label))
    return rows, [BandCount(label=label or _("No band"), count=counts[label]) for label in labels]


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
