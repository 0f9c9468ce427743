"""Who sees a result held for calibration (SPEC.md section 10).

A plan with ``calibration`` keeps its closed results from the employees until HR releases the
period's run. Until then HR sees every result and a manager their reports' (they may propose
moves); nobody sees their own. Every read of results that an employee reaches (scorecard, home,
their review) goes through ``results_shown``.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from metrics.results.models import PeriodRelease, Result
from people.models import User
from people.selectors import sees_everyone


def released_exists() -> Exists:
    """Whether the result's run of its period is released."""
    return Exists(PeriodRelease.objects.filter(cycle_id=OuterRef("cycle_id"), run=OuterRef("run")))


def results_held() -> Q:
    """Results waiting for a release: of a calibrated plan, their run not released."""
    return Q(version__calibration=True) & ~Q(released_exists())


def results_shown(results: QuerySet[Result], *, viewer: User) -> QuerySet[Result]:
    """``results`` without those ``viewer`` may not see yet (a filter, no annotation: counts and
    groupings of the queryset stay as they were)."""
    if sees_everyone(viewer):
        return results
    return results.exclude(results_held() & ~Q(employee__manager=viewer))


def periods_held(*, employee: User, viewer: User) -> list[str]:
    """The periods of ``employee``'s current results that ``viewer`` does not see yet, oldest first."""
    current = Result.objects.filter(employee=employee, superseded_at__isnull=True)
    shown = results_shown(current, viewer=viewer).values("pk")
    return sorted(str(period) for period in current.exclude(pk__in=shown).values_list("period", flat=True))
