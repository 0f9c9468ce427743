"""The home page, composed at the top from the rooms below: the published plans, the cycles, a page of the latest closed period's scores, and for a manager the open months their team still lacks figures of."""

from dataclasses import dataclass, replace
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    Max,
    OuterRef,
    Q,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.cycles.models import CycleStatus
from metrics.results.cache import cached
from metrics.results.chase import TeamMonth, team_months
from metrics.results.dashboards import (
    DASHBOARD_CACHE_SECONDS,
    Bucket,
    person_name,
    results_stamp,
)
from metrics.results.models import Result
from metrics.results.release import results_shown
from metrics.results.scorecards import flag_labels
from metrics.results.selectors import CycleListRow, cycles_list
from people.access import has_role
from people.generation import roster_generation
from people.models import Role, User
from people.selectors import by_name, people_visible, rows_page, sees_everyone
from plans.models import Assignment, Band, PlanTemplate, VersionStatus
from plans.selectors import flag_labels as plan_flag_labels


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
    # Every page view showed it and it reads every assignment (40 ms at 100,000 people, the
    # home page's largest cost in bench_load): counted once per change of the assignments, which
    # bump the roster's generation, and at most an hour for edits made in Django's admin.
    people: dict[int, int] = cached(
        lambda: dict(
            Assignment.objects.exclude(Exists(later))
            .order_by()
            .values("version__template_id")
            .annotate(n=Count("pk"))
            .values_list("version__template_id", "n")
        ),
        "plan-people",
        roster_generation(),
        seconds=DASHBOARD_CACHE_SECONDS,
    )
    templates = (
        PlanTemplate.objects.annotate(
            current=Max("versions__number", filter=Q(versions__status=VersionStatus.PUBLISHED))
        )
        .filter(current__isnull=False)
        .order_by("name", "code")
    )
    return [PlanRow(code=t.code, name=t.name, version=t.current, people=people.get(t.pk, 0)) for t in templates]


SCORES_PER_PAGE = 25


@dataclass(frozen=True)
class ScoreRow:
    employee: str  # user name
    name: str
    department: str
    score: Decimal
    band: str
    bonus: Decimal
    flags: tuple[str, ...]  # labels (the plan's own), in the order of the sorted flags
    version_id: int
    flag_codes: tuple[str, ...]


@dataclass(frozen=True)
class HomeOverview:
    plans: list[PlanRow]
    cycles: list[CycleListRow]  # the latest periods, oldest first; a quarter after its months
    cycles_earlier: int  # periods before those
    scores_period: str  # the latest closed period, "" while none is closed
    scores: "Page[ScoreRow]"  # by user name; its paginator counts everybody
    band_counts: list[Bucket]  # best band first
    team_months: list[TeamMonth]  # a manager's open months with figures missing, oldest first


def home_overview(*, user: User, page: str | int | None = None) -> HomeOverview:
    """What the home page shows ``user``: a page of the scores of the people they may see, and
    the counts per band of them all (a fixed number of queries for any number of people)."""
    cycles = cycles_list()
    closed = [row.period for row in cycles if row.status == CycleStatus.CLOSED]
    scores_period = closed[-1] if closed else ""
    if scores_period:
        scores, band_counts = _scores(period=scores_period, user=user, page=page)
    else:
        scores, band_counts = Paginator([], SCORES_PER_PAGE).get_page(1), []
    return HomeOverview(
        plans=plans_overview(),
        cycles=cycles[-HOME_CYCLES_SHOWN:],
        cycles_earlier=max(len(cycles) - HOME_CYCLES_SHOWN, 0),
        scores_period=scores_period,
        scores=scores,
        band_counts=band_counts,
        team_months=team_months(manager=user, now=timezone.now()) if has_role(user, Role.MANAGER) else [],
    )


def _scores(*, period: str, user: User, page: str | int | None) -> tuple["Page[ScoreRow]", list[Bucket]]:
    results = Result.objects.filter(period=period, superseded_at__isnull=True, employee__in=people_visible(user=user))
    results = results_shown(results, viewer=user)  # nobody sees their own result held for calibration

    def bands() -> tuple[dict[str, int], dict[str, Decimal]]:
        counts = dict(results.order_by().values("band").annotate(n=Count("pk")).values_list("band", "n"))
        # Every band of the plans involved, best first, even those nobody reached.
        best = dict(
            Band.objects.filter(version_id__in=results.order_by().values("version_id"))
            .order_by()
            .values("label")
            .annotate(m=Max("min"))
            .values_list("label", "m")
        )
        return counts, best

    # Everybody's counts are the same for all of HR and change only with a close, a reopen or
    # the roster (120 ms at 100,000 people, on every view of HR's home page in bench_load).
    counts, best = (
        cached(bands, "home-bands", period, *results_stamp(), seconds=DASHBOARD_CACHE_SECONDS)
        if sees_everyone(user)
        else bands()
    )
    shown = rows_page(
        results.select_related("employee__department").order_by(*by_name("employee__")),
        row=_score_row,
        number=page,
        per_page=SCORES_PER_PAGE,
        count=sum(counts.values()),
    )
    rows = list(shown.object_list)
    plan_labels = plan_flag_labels(version_ids={row.version_id for row in rows})  # two queries, whatever the page
    shown.object_list = [replace(row, flags=flag_labels(row.flag_codes, plan_labels[row.version_id])) for row in rows]
    labels = sorted(best.keys() | counts.keys(), key=lambda label: (label not in best, -best.get(label, 0), label))
    band_counts = [Bucket(label=label or _("No band"), count=counts.get(label, 0)) for label in labels]
    return shown, band_counts


def _score_row(result: Result) -> ScoreRow:
    employee = result.employee
    return ScoreRow(
        employee=employee.username,
        name=person_name(employee),
        department=employee.department.name if employee.department else "",
        score=result.score,
        band=result.band,
        bonus=result.bonus,
        flags=flag_labels(result.flags),
        version_id=result.version_id,
        flag_codes=tuple(result.flags),
    )


HOME_CYCLES_SHOWN = 8  # the latest periods; the cycles page has them all
