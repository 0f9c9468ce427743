"""Reads for people's pages: who a user may see, and the home page's overview."""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrics.models import Cycle, CycleStatus, MetricEntry, Result
from people.models import Role, User
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
            flags=tuple(str(FLAG_LABELS.get(flag, flag)) for flag in sorted(r.flags)),
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
