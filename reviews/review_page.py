"""Reads of the review page: the quarter's scores, the ratings, colleagues' feedback, the history
and the steps the reader may take, each shown as far as the reader may see it."""

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from metrics.cycles.models import Cycle, CycleStatus
from metrics.results.models import Result
from metrics.results.release import periods_held, results_shown
from metrics.results.scorecards import flag_labels
from people.models import User
from plans.models import Indicator
from reviews.models import Review, ReviewAction, ReviewEvent, ReviewFeedbackRequest, ReviewStatus
from reviews.selectors import NEXT_STEP, review_actors, review_label, review_quarterly_indicators, review_ratings
from reviews.workflow import Actor, steps_open

# The employee reads the manager's ratings and comment once HR has approved them.
RATINGS_SHOWN_TO_EMPLOYEE = (
    ReviewStatus.HR_APPROVAL,
    ReviewStatus.ACKNOWLEDGED,
    ReviewStatus.APPEALED,
    ReviewStatus.RESOLVED,
)
FEEDBACK_ACTIONS = (ReviewAction.FEEDBACK_REQUESTED, ReviewAction.FEEDBACK_ANSWERED)
# The manager's ratings saved before submitting are the manager's draft: between the manager and HR.
MANAGER_AND_HR_ACTIONS = (*FEEDBACK_ACTIONS, ReviewAction.RATINGS_SAVED)
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class MonthScore:
    period: str
    closed: bool
    state: str  # "Closed", "Open", "Not assessed" ...
    score: Decimal | None
    band: str


@dataclass(frozen=True)
class BreakdownRow:
    code: str
    name: str
    months: list[Decimal | None]  # points per month of the quarter; None: not closed or not assessed
    quarter: Decimal | None  # the quarter's points once it is closed


@dataclass(frozen=True)
class QuarterScore:
    score: Decimal
    band: str
    bonus: Decimal
    flags: list[str]


@dataclass(frozen=True)
class QuarterlyRating:
    code: str
    name: str
    scale: Decimal | None
    rating: Decimal | None  # None: not rated yet, or not to be shown to this reader
    rating_text: str  # "8.5", "—"
    scale_text: str
    colleague_average: Decimal | None
    colleague_answers: int
    colleagues_asked: int


@dataclass(frozen=True)
class ColleagueFeedback:
    colleague: str
    indicator: str
    rating: Decimal | None
    comment: str
    asked_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True)
class EventRow:
    at: datetime
    action: str
    status: str
    user: str
    note: str


@dataclass(frozen=True)
class ReviewDetail:
    review: Review
    label: str
    status_label: str
    next_step: str
    months: list[MonthScore]
    breakdown: list[BreakdownRow]
    quarter_state: str
    quarter: QuarterScore | None
    indicators: list[Indicator]
    current: dict[str, Decimal | None]  # the ratings by code, for the forms of HR and the manager
    ratings: list[QuarterlyRating]
    ratings_shown: bool
    feedback: list[ColleagueFeedback]  # empty unless the reader is the manager or HR
    events: list[EventRow]
    links_cycle: bool  # HR closes and reopens the quarter on its cycle page
    # The steps of the workflow's table the reader may take now: the page's buttons
    can_self_assess: bool
    can_request_feedback: bool
    can_rate: bool
    can_approve: bool
    can_acknowledge: bool
    can_resolve: bool


def _number(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.normalize():f}"


def _average(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class _QuarterFigures:
    """The cycles of the quarter and of its months, and the employee's current results of them."""

    months: list[str]
    statuses: dict[str, str]  # period -> cycle status; no cycle yet: open
    results: dict[str, Result]
    held: frozenset[str]  # periods whose results the reader does not see until HR releases them

    def state(self, period: str) -> str:
        if period in self.held:
            return _("Awaiting release by HR")
        status = self.statuses.get(period, CycleStatus.OPEN)
        if status == CycleStatus.CLOSED and period not in self.results:
            return _("Not assessed")
        return str(CycleStatus(status).label) if status != CycleStatus.CLOSED else _("Closed")


def _quarter_figures(review: Review, *, user: User) -> _QuarterFigures:
    months = [str(m) for m in review.period.months()]
    periods = [*months, str(review.period)]
    results = Result.objects.filter(employee_id=review.employee_id, period__in=periods, superseded_at__isnull=True)
    results = results_shown(results, viewer=user)  # a result held for calibration is not the employee's yet
    statuses = {str(p): s for p, s in Cycle.objects.filter(period__in=periods).values_list("period", "status")}
    shown = {str(result.period): result for result in results.prefetch_related("lines__indicator")}
    # A closed period without a result the reader sees: not assessed, or held for calibration
    # (asked only then, so that the usual page takes no more queries).
    unseen = [p for p, status in statuses.items() if status == CycleStatus.CLOSED and p not in shown]
    return _QuarterFigures(
        months=months,
        statuses=statuses,
        results=shown,
        held=frozenset(p for p in periods_held(employee=review.employee, viewer=user) if p in unseen)
        if unseen
        else frozenset(),
    )


def _month_scores(figures: _QuarterFigures) -> list[MonthScore]:
    results = figures.results
    return [
        MonthScore(
            period=month,
            closed=month in results,
            state=figures.state(month),
            score=results[month].score if month in results else None,
            band=results[month].band if month in results else "",
        )
        for month in figures.months
    ]


def _breakdown(figures: _QuarterFigures, *, quarter: str) -> list[BreakdownRow]:
    """The points of each indicator scored in a month or the quarter, in the order of the plan."""
    points: dict[tuple[str, str], Decimal] = {}
    names: dict[str, tuple[int, str]] = {}  # code -> (position in the plan, name)
    for period, result in figures.results.items():
        for line in result.lines.all():
            points[(period, line.indicator.code)] = line.points
            names.setdefault(line.indicator.code, (line.position, line.indicator.name))
    return [
        BreakdownRow(
            code=code,
            name=names[code][1],
            months=[points.get((month, code)) for month in figures.months],
            quarter=points.get((quarter, code)),
        )
        for code in sorted(names, key=lambda code: names[code])
    ]


def _quarter_score(result: Result | None) -> QuarterScore | None:
    if result is None:
        return None
    return QuarterScore(score=result.score, band=result.band, bonus=result.bonus, flags=list(flag_labels(result.flags)))


def _quarterly_ratings(
    *, indicators: list[Indicator], current: dict[str, Decimal | None], requests: list[ReviewFeedbackRequest]
) -> list[QuarterlyRating]:
    """Each indicator's rating as in ``current`` (None when missing) and what the colleagues
    of ``requests`` answered about it."""
    ratings = []
    for indicator in indicators:
        asked = [r for r in requests if r.indicator_id == indicator.pk]
        answers = [r.rating for r in asked if r.rating is not None and r.answered_at is not None]
        rating = current.get(indicator.code)
        ratings.append(
            QuarterlyRating(
                code=indicator.code,
                name=indicator.name,
                scale=indicator.scale,
                rating=rating,
                rating_text=_number(rating),
                scale_text=_number(indicator.scale),
                colleague_average=_average(answers),
                colleague_answers=len(answers),
                colleagues_asked=len(asked),
            )
        )
    return ratings


def _colleague_feedback(request: ReviewFeedbackRequest) -> ColleagueFeedback:
    return ColleagueFeedback(
        colleague=str(request.colleague),
        indicator=request.indicator.name,
        rating=request.rating,
        comment=request.comment,
        asked_at=request.asked_at,
        answered_at=request.answered_at,
    )


def _events(review: Review, *, sees_feedback: bool, ratings_shown: bool) -> list[EventRow]:
    return [
        EventRow(
            at=event.at,
            action=event.get_action_display(),
            status=event.get_status_display(),
            user=str(event.user) if event.user else "",
            # The submitted ratings' note holds them: the employee reads them once HR has approved.
            note=event.note if ratings_shown or event.action != ReviewAction.MANAGER_REVIEW_SUBMITTED else "",
        )
        for event in ReviewEvent.objects.filter(review=review).select_related("user")
        # Who was asked about the employee stays between the manager, HR and the colleague.
        if sees_feedback or event.action not in MANAGER_AND_HR_ACTIONS
    ]


def review_detail(*, review: Review, user: User) -> ReviewDetail:
    """Everything the review page shows ``user``; ``review`` comes from ``reviews_visible``."""
    figures = _quarter_figures(review, user=user)
    indicators = review_quarterly_indicators(review=review)
    actors = review_actors(employee=review.employee, user=user)
    sees_feedback = Actor.HR in actors or Actor.MANAGER in actors
    ratings_shown = Actor.EMPLOYEE not in actors or review.status in RATINGS_SHOWN_TO_EMPLOYEE
    requests = list(review.feedback_requests.select_related("colleague", "indicator"))
    # Who was asked about the employee, and what they said, stays between the manager, HR and the colleague.
    seen = requests if sees_feedback else []
    current = review_ratings(review=review, indicators=indicators)
    status = ReviewStatus(review.status)
    steps = steps_open(status=status, actors=actors)
    return ReviewDetail(
        review=review,
        label=review_label(review),
        status_label=str(status.label),
        next_step=str(NEXT_STEP[status]),
        months=_month_scores(figures),
        breakdown=_breakdown(figures, quarter=str(review.period)),
        quarter_state=figures.state(str(review.period)),
        quarter=_quarter_score(figures.results.get(str(review.period))),
        indicators=indicators,
        current=current,
        ratings=_quarterly_ratings(indicators=indicators, current=current if ratings_shown else {}, requests=seen),
        ratings_shown=ratings_shown,
        feedback=[_colleague_feedback(request) for request in seen],
        events=_events(review, sees_feedback=sees_feedback, ratings_shown=ratings_shown),
        links_cycle=Actor.HR in actors,
        can_self_assess=ReviewAction.SELF_ASSESSMENT_SUBMITTED in steps,
        can_request_feedback=ReviewAction.FEEDBACK_REQUESTED in steps and bool(indicators),
        can_rate=ReviewAction.MANAGER_REVIEW_SUBMITTED in steps,
        can_approve=ReviewAction.APPROVED in steps,
        can_acknowledge=ReviewAction.ACKNOWLEDGED in steps,  # the page offers the appeal beside it
        can_resolve=ReviewAction.UPHELD in steps,  # one form upholds or re-scores
    )
