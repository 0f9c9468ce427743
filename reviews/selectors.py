"""Reads of quarterly reviews: what each page shows, fetched through the user's own scope."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.paginator import Page
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrics.cycles.models import Cycle
from metrics.figures.models import MetricEntry
from people.access import HR_ROLES, has_role
from people.models import User
from people.selectors import by_name, people_visible, rows_page
from plans.formats import period_text
from plans.models import Assignment, Frequency, Indicator
from plans.periods import Period
from plans.selectors import assignments_for_quarter
from reviews.models import Review, ReviewAction, ReviewFeedbackRequest, ReviewStatus
from reviews.workflow import Actor, step_follows

NEXT_STEP = {
    ReviewStatus.DRAFT: gettext_lazy("The employee writes the self-assessment"),
    ReviewStatus.SELF_ASSESSMENT: gettext_lazy("The manager rates and comments"),
    ReviewStatus.MANAGER_REVIEW: gettext_lazy("HR approves"),
    ReviewStatus.HR_APPROVAL: gettext_lazy("The employee acknowledges or appeals"),
    ReviewStatus.ACKNOWLEDGED: gettext_lazy("Done"),
    ReviewStatus.APPEALED: gettext_lazy("HR resolves the appeal"),
    ReviewStatus.RESOLVED: gettext_lazy("Done"),
}


def review_label(review: Review) -> str:
    return _("The review of %(employee)s for %(period)s") % {
        "employee": review.employee,
        "period": period_text(review.period),
    }


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
    assigned = assignments_for_quarter(quarter=review.period, employee_ids=[review.employee_id])
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
            Cycle.objects.exclude(period__contains="Q")
            .filter(period__contains="-")
            .order_by("-period")
            .values_list("period", flat=True)
            .first(),
            MetricEntry.objects.exclude(period__contains="Q")
            .order_by("-period")
            .values_list("period", flat=True)
            .first(),
        )
        if text
    ]
    if latest:
        return max(latest).quarter_of()
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
    return User.objects.filter(near, is_active=True).exclude(pk__in=[employee.pk, user.pk]).order_by(*by_name())


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
        period=str(review.period),
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
    pk: int
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
        .order_by(*by_name())
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
        return TeamRow(
            pk=report.pk, employee=report.username, name=report.display_name or report.username, review=review
        )

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
        rows.select_related("employee__manager").order_by("-period", *by_name("employee__")),
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
        period=str(request.review.period),
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
