"""Reads of quarterly reviews: what each page shows, fetched through the user's own scope."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Page
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrics.models import Cycle, CycleStatus, MetricEntry, Result
from people.access import HR_ROLES, has_role
from people.models import User
from people.selectors import flag_labels, people_visible, rows_page
from plans.models import Assignment, Frequency, Indicator
from plans.periods import Period
from plans.selectors import assignments_for_quarter
from reviews.models import Review, ReviewAction, ReviewEvent, ReviewFeedbackRequest, ReviewStatus
from reviews.workflow import Actor, step_follows, steps_open

# The employee reads the manager's ratings and comment once HR has approved them.
RATINGS_SHOWN_TO_EMPLOYEE = (
    ReviewStatus.HR_APPROVAL,
    ReviewStatus.ACKNOWLEDGED,
    ReviewStatus.APPEALED,
    ReviewStatus.RESOLVED,
)
NEXT_STEP = {
    ReviewStatus.DRAFT: gettext_lazy("The employee writes the self-assessment"),
    ReviewStatus.SELF_ASSESSMENT: gettext_lazy("The manager rates and comments"),
    ReviewStatus.MANAGER_REVIEW: gettext_lazy("HR approves"),
    ReviewStatus.HR_APPROVAL: gettext_lazy("The employee acknowledges or appeals"),
    ReviewStatus.ACKNOWLEDGED: gettext_lazy("Done"),
    ReviewStatus.APPEALED: gettext_lazy("HR resolves the appeal"),
    ReviewStatus.RESOLVED: gettext_lazy("Done"),
}
FEEDBACK_ACTIONS = (ReviewAction.FEEDBACK_REQUESTED, ReviewAction.FEEDBACK_ANSWERED)
TWO_PLACES = Decimal("0.01")


def review_label(review: Review) -> str:
    return _("The review of %(employee)s for %(period)s") % {"employee": review.employee, "period": review.period}


def review_actors(*, employee: User, user: User) -> frozenset[Actor]:
    """Who ``user`` is to ``employee``'s review, for the workflow's table of who may take a step."""
    who = {
        Actor.EMPLOYEE: user.pk == employee.pk,
        Actor.MANAGER: employee.manager_id is not None and employee.manager_id == user.pk,
        Actor.HR: has_role(user, *HR_ROLES),
    }
    return frozenset(actor for actor, is_one in who.items() if is_one)


def reviews_visible(*, user: User) -> QuerySet[Review]:
    """The reviews ``user`` may open: everybody's for HR, a manager's team's and their own, one's own."""
    return Review.objects.filter(employee__in=people_visible(user=user)).select_related(
        "employee__manager", "employee__department"
    )


def feedback_requests_of(*, user: User) -> QuerySet[ReviewFeedbackRequest]:
    """The feedback requests addressed to ``user``: nobody else's."""
    return ReviewFeedbackRequest.objects.filter(colleague=user).select_related("review__employee", "indicator")


def review_quarterly_indicators(*, review: Review) -> list[Indicator]:
    """The quarterly indicators of the plan the employee is on for the review's quarter."""
    assigned = assignments_for_quarter(quarter=Period.parse(review.period), employee_ids=[review.employee_id])
    if not assigned:
        return []
    return list(
        Indicator.objects.filter(
            version_id=assigned[review.employee_id].assignment.version_id, frequency=Frequency.QUARTERLY
        ).order_by("position")
    )


def review_ratings(*, review: Review, indicators: list[Indicator] | None = None) -> dict[str, Decimal | None]:
    """The quarter's current figures of the review's quarterly indicators, by code (None: not rated)."""
    indicators = review_quarterly_indicators(review=review) if indicators is None else indicators
    values = dict(
        MetricEntry.objects.filter(
            assignment__employee_id=review.employee_id, period=review.period, indicator__in=indicators
        ).values_list("indicator_id", "value")
    )
    return {indicator.code: values.get(indicator.pk) for indicator in indicators}


def quarter_default() -> Period:
    """The quarter of the latest month with figures or a cycle; today's when there is none."""
    # Months only: as text "2026-Q1" sorts after "2026-12".
    latest = [
        text
        for text in (
            Cycle.objects.exclude(period__contains="Q").order_by("-period").values_list("period", flat=True).first(),
            MetricEntry.objects.exclude(period__contains="Q")
            .order_by("-period")
            .values_list("period", flat=True)
            .first(),
        )
        if text
    ]
    if latest:
        return Period.parse(max(latest)).quarter_of()
    today = timezone.localdate()
    return Period.of_month(today.year, today.month).quarter_of()


def feedback_candidates(*, review: Review, user: User) -> QuerySet[User]:
    """Whom a manager may ask about an employee: the employee's department and team-mates."""
    employee = review.employee
    near = Q(pk__in=[])
    if employee.department_id is not None:
        near |= Q(department_id=employee.department_id)
    if employee.manager_id is not None:
        near |= Q(manager_id=employee.manager_id)
    return User.objects.filter(near, is_active=True).exclude(pk__in=[employee.pk, user.pk]).order_by("username")


# --- list pages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRow:
    pk: int
    employee: str  # user name
    name: str
    manager: str
    period: str
    status: str
    status_label: str
    next_step: str


def _row(review: Review) -> ReviewRow:
    employee = review.employee
    return ReviewRow(
        pk=review.pk,
        employee=employee.username,
        name=employee.display_name or employee.username,
        manager=str(employee.manager) if employee.manager else "",
        period=review.period,
        status=review.status,
        status_label=str(ReviewStatus(review.status).label),
        next_step=str(NEXT_STEP[ReviewStatus(review.status)]),
    )


def reviews_of(*, user: User) -> list[ReviewRow]:
    """``user``'s own reviews, latest quarter first."""
    return [
        _row(review)
        for review in Review.objects.filter(employee=user).select_related("employee__manager").order_by("-period")
    ]


REVIEWS_PER_PAGE = 25


@dataclass(frozen=True)
class TeamRow:
    employee: str
    name: str
    review: ReviewRow | None


def team_reviews(*, manager: User, period: Period, page: str | int | None = None) -> "Page[TeamRow]":
    """A page of the manager's reports assessed in the quarter (on a plan by its last month, or
    with a review of it), each with their review if opened; the paginator counts them all."""
    assessed = Assignment.objects.filter(employee=OuterRef("pk"), start__lte=str(period.last_month()))
    reviewed = Review.objects.filter(employee=OuterRef("pk"), period=str(period))
    reports = (
        User.objects.filter(manager=manager)
        .filter(Exists(assessed) | Exists(reviewed))
        .select_related("manager")
        .annotate(review_pk=Subquery(reviewed.values("pk")[:1]), review_status=Subquery(reviewed.values("status")[:1]))
        .order_by("username")
    )

    def team_row(report: User) -> TeamRow:
        review_pk, status = report.review_pk, report.review_status  # type: ignore[attr-defined]
        review = None
        if review_pk is not None:
            review = ReviewRow(
                pk=review_pk,
                employee=report.username,
                name=report.display_name or report.username,
                manager=str(report.manager) if report.manager else "",
                period=str(period),
                status=status,
                status_label=str(ReviewStatus(status).label),
                next_step=str(NEXT_STEP[ReviewStatus(status)]),
            )
        return TeamRow(employee=report.username, name=report.display_name or report.username, review=review)

    return rows_page(reports, row=team_row, number=page, per_page=REVIEWS_PER_PAGE)


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class HrReviews:
    period: str  # "" for every quarter
    counts: list[StatusCount]  # every status, in the order of the flow
    total: int
    rows: "Page[ReviewRow]"  # a page of those at the status chosen


def reviews_by_status(*, user: User, period: Period | None, status: str, page: str | int | None = None) -> HrReviews:
    """HR's list: the reviews ``user`` may see (of a quarter), how many at each status, and a page
    of those at ``status``, latest quarter first."""
    reviews = reviews_visible(user=user)
    if period is not None:
        reviews = reviews.filter(period=str(period))
    counts: Counter[str] = Counter(
        {row["status"]: row["n"] for row in reviews.order_by().values("status").annotate(n=Count("pk"))}
    )
    rows = reviews.filter(status=status) if status else reviews
    shown = rows_page(
        rows.select_related("employee__manager").order_by("-period", "employee__username"),
        row=_row,
        number=page,
        per_page=REVIEWS_PER_PAGE,
    )
    return HrReviews(
        period=str(period) if period else "",
        counts=[
            StatusCount(status=value, label=str(label), count=counts[value], selected=value == status)
            for value, label in ReviewStatus.choices
        ],
        total=sum(counts.values()),
        rows=shown,
    )


@dataclass(frozen=True)
class FeedbackRow:
    pk: int
    employee: str
    period: str
    indicator: str
    scale: Decimal | None
    asked_at: datetime
    answered_at: datetime | None
    rating: Decimal | None
    comment: str
    open: bool  # can still be answered


def _feedback_row(request: ReviewFeedbackRequest) -> FeedbackRow:
    return FeedbackRow(
        pk=request.pk,
        employee=str(request.review.employee),
        period=request.review.period,
        indicator=request.indicator.name,
        scale=request.indicator.scale,
        asked_at=request.asked_at,
        answered_at=request.answered_at,
        rating=request.rating,
        comment=request.comment,
        open=request.answered_at is None
        and step_follows(action=ReviewAction.FEEDBACK_ANSWERED, status=request.review.status),
    )


def feedback_requests_list(*, user: User) -> tuple[list[FeedbackRow], list[FeedbackRow]]:
    """(open, answered or closed) requests addressed to ``user``, newest first."""
    rows = [_feedback_row(r) for r in feedback_requests_of(user=user).order_by("-asked_at", "-pk")]
    return [r for r in rows if r.open], [r for r in rows if not r.open]


def feedback_request_row(*, request: ReviewFeedbackRequest) -> FeedbackRow:
    return _feedback_row(request)


# --- the review page --------------------------------------------------------------------------


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
    # What the reader can do now
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


def review_detail(*, review: Review, user: User) -> ReviewDetail:
    """Everything the review page shows ``user``; ``review`` comes from ``reviews_visible``."""
    quarter = Period.parse(review.period)
    months = [str(m) for m in quarter.months()]
    statuses = dict(Cycle.objects.filter(period__in=[*months, review.period]).values_list("period", "status"))
    results = {
        result.period: result
        for result in Result.objects.filter(
            employee_id=review.employee_id, period__in=[*months, review.period], superseded_at__isnull=True
        ).prefetch_related("lines__indicator")
    }

    def state(period: str) -> str:
        status = statuses.get(period, CycleStatus.OPEN)
        if status == CycleStatus.CLOSED and period not in results:
            return _("Not assessed")
        return str(CycleStatus(status).label) if status != CycleStatus.CLOSED else _("Closed")

    month_scores = [
        MonthScore(
            period=month,
            closed=month in results,
            state=state(month),
            score=results[month].score if month in results else None,
            band=results[month].band if month in results else "",
        )
        for month in months
    ]

    indicators = review_quarterly_indicators(review=review)
    points: dict[tuple[str, str], Decimal] = {}
    names: dict[str, tuple[int, str]] = {}  # code -> (position in the plan, name)
    for period, result in results.items():
        for line in result.lines.all():
            points[(period, line.indicator.code)] = line.points
            names.setdefault(line.indicator.code, (line.position, line.indicator.name))
    quarter_result = results.get(review.period)
    breakdown = [
        BreakdownRow(
            code=code,
            name=names[code][1],
            months=[points.get((month, code)) for month in months],
            quarter=points.get((review.period, code)),
        )
        for code in sorted(names, key=lambda code: names[code])
    ]

    actors = review_actors(employee=review.employee, user=user)
    is_hr, is_employee, is_manager = (actor in actors for actor in (Actor.HR, Actor.EMPLOYEE, Actor.MANAGER))
    sees_feedback = is_hr or is_manager
    ratings_shown = not is_employee or review.status in RATINGS_SHOWN_TO_EMPLOYEE

    requests = list(review.feedback_requests.select_related("colleague", "indicator"))
    current = review_ratings(review=review, indicators=indicators)
    ratings = []
    for indicator in indicators:
        asked = [r for r in requests if r.indicator_id == indicator.pk]
        answers = [r.rating for r in asked if r.rating is not None and r.answered_at is not None]
        ratings.append(
            QuarterlyRating(
                code=indicator.code,
                name=indicator.name,
                scale=indicator.scale,
                rating=current[indicator.code] if ratings_shown else None,
                rating_text=_number(current[indicator.code] if ratings_shown else None),
                scale_text=_number(indicator.scale),
                colleague_average=_average(answers) if sees_feedback else None,
                colleague_answers=len(answers) if sees_feedback else 0,
                colleagues_asked=len(asked) if sees_feedback else 0,
            )
        )
    feedback = [
        ColleagueFeedback(
            colleague=str(request.colleague),
            indicator=request.indicator.name,
            rating=request.rating,
            comment=request.comment,
            asked_at=request.asked_at,
            answered_at=request.answered_at,
        )
        for request in requests
        if sees_feedback
    ]

    events = [
        EventRow(
            at=event.at,
            action=event.get_action_display(),
            status=event.get_status_display(),
            user=str(event.user) if event.user else "",
            note=event.note,
        )
        for event in ReviewEvent.objects.filter(review=review).select_related("user")
        # Who was asked about the employee stays between the manager, HR and the colleague.
        if sees_feedback or event.action not in FEEDBACK_ACTIONS
    ]
    status = ReviewStatus(review.status)
    steps = steps_open(status=status, actors=actors)
    return ReviewDetail(
        review=review,
        label=review_label(review),
        status_label=str(status.label),
        next_step=str(NEXT_STEP[status]),
        months=month_scores,
        breakdown=breakdown,
        quarter_state=state(review.period),
        quarter=(
            QuarterScore(
                score=quarter_result.score,
                band=quarter_result.band,
                bonus=quarter_result.bonus,
                flags=list(flag_labels(quarter_result.flags)),
            )
            if quarter_result
            else None
        ),
        indicators=indicators,
        current=current,
        ratings=ratings,
        ratings_shown=ratings_shown,
        feedback=feedback,
        events=events,
        links_cycle=is_hr,
        can_self_assess=ReviewAction.SELF_ASSESSMENT_SUBMITTED in steps,
        can_request_feedback=ReviewAction.FEEDBACK_REQUESTED in steps and bool(indicators),
        can_rate=ReviewAction.MANAGER_REVIEW_SUBMITTED in steps,
        can_approve=ReviewAction.APPROVED in steps,
        can_acknowledge=ReviewAction.ACKNOWLEDGED in steps,  # the page offers the appeal beside it
        can_resolve=ReviewAction.UPHELD in steps,  # one form upholds or re-scores
    )
