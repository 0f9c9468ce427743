"""The calibration board's read (HR): a period's results on calibrated plans, the distribution
against each plan's guideline, the managers' proposals waiting, every move (earlier runs too) and
the release. A fixed number of queries; the people 50 a page."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.paginator import Page, Paginator

from metrics.cycles.models import Cycle
from metrics.results.distribution import DistributionGroup, period_distribution
from metrics.results.models import CalibrationMove, MoveStatus, PeriodRelease, Result
from metrics.results.scorecards import flag_labels
from people.selectors import by_name
from plans.models import Band
from plans.periods import Period
from plans.selectors import flag_labels as plan_flag_labels

BOARD_PER_PAGE = 50


@dataclass(frozen=True)
class BoardRow:
    result_id: int
    username: str
    name: str
    department: str
    score: Decimal
    band: str
    bonus: Decimal
    flags: tuple[str, ...]
    bands: tuple[str, ...]  # the bands it may move to


@dataclass(frozen=True)
class MoveRow:
    move_id: int
    name: str
    from_band: str
    to_band: str
    reason: str
    status: str  # in words
    by: str
    at: datetime
    current: bool  # of the period's current run (an earlier run's move is history)


@dataclass(frozen=True)
class CalibrationBoard:
    period: Period
    run: int
    released_at: datetime | None
    released_by: str
    distribution: list[DistributionGroup]
    rows: list[BoardRow]
    page: "Page[Result]"  # for the page links
    waiting: list[MoveRow]
    history: list[MoveRow]


def _name(user: object) -> str:
    if user is None:
        return ""
    return getattr(user, "display_name", "") or getattr(user, "username", "")


def _move_row(move: CalibrationMove, run: int) -> MoveRow:
    return MoveRow(
        move_id=move.pk,
        name=_name(move.employee),
        from_band=move.from_band,
        to_band=move.to_band,
        reason=move.reason,
        status=str(move.get_status_display()),
        by=_name(move.proposed_by),
        at=move.proposed_at,
        current=move.run == run,
    )


def calibration_board(*, period: Period, page: str | int | None = None) -> CalibrationBoard:
    cycle = Cycle.objects.filter(period=str(period)).first()
    run = cycle.run if cycle else 0
    release = (
        PeriodRelease.objects.filter(cycle=cycle, run=run).select_related("released_by").first() if cycle else None
    )
    results = (
        Result.objects.filter(period=str(period), superseded_at__isnull=True, version__calibration=True)
        .select_related("employee__department")
        .order_by(*by_name("employee__"))
    )
    shown = Paginator(results, BOARD_PER_PAGE).get_page(page)
    labels: dict[int, list[str]] = {}
    for version_id, label in (
        Band.objects.filter(version_id__in={r.version_id for r in shown})
        .order_by("-min")
        .values_list("version_id", "label")
    ):
        labels.setdefault(version_id, []).append(label)
    flag_words = plan_flag_labels(version_ids={r.version_id for r in shown})
    rows = [
        BoardRow(
            result_id=r.pk,
            username=r.employee.username,
            name=_name(r.employee),
            department=r.employee.department.name if r.employee.department else "",
            score=r.score,
            band=r.band,
            bonus=r.bonus,
            flags=flag_labels(r.flags, flag_words[r.version_id]),
            bands=tuple(label for label in labels.get(r.version_id, []) if label != r.band),
        )
        for r in shown
    ]
    moves = list(
        CalibrationMove.objects.filter(period=str(period))
        .select_related("employee", "proposed_by")
        .order_by("-proposed_at", "-pk")
    )
    return CalibrationBoard(
        period=period,
        run=run,
        released_at=release.released_at if release else None,
        released_by=_name(release.released_by) if release else "",
        distribution=period_distribution(period=period, calibrated_only=True),
        rows=rows,
        page=shown,
        waiting=[_move_row(m, run) for m in moves if m.status == MoveStatus.PROPOSED and m.run == run],
        history=[_move_row(m, run) for m in moves if m.status != MoveStatus.PROPOSED or m.run != run],
    )
