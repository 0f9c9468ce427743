"""Opening the quarter's reviews of many people at once: a department, a plan or everyone.

HR's one action instead of one review at a time. Idempotent: a review that exists is kept as it
is, and the outcome says how many were opened and how many existed. The people are taken a chunk
at a time, with the same few queries for each chunk whatever its size (``bulk_create``), so
10,000 people cost ten chunks, not 10,000 round trips.

Two HR clicking at once: the unique (employee, quarter) constraint keeps one review each
(``ignore_conflicts``), and only the reviews this call created get their "opened" event: a
review another call created meanwhile already has its own, so it is counted as existing.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from people.access import HR_ROLES, has_role
from people.models import Department, User
from people.selectors import people_visible
from plans.models import Assignment, PlanTemplate
from plans.periods import Period
from reviews.models import Review, ReviewAction, ReviewEvent, ReviewStatus
from reviews.services import ReviewForbidden, ReviewRefused

OPEN_CHUNK_SIZE = 1000  # people a chunk: one transaction and a constant number of queries each


@dataclass(frozen=True)
class ReviewsOpened:
    period: Period
    opened: int  # reviews this call created
    existed: int  # people whose review of the quarter was there already, kept untouched
    chunks: int


def reviews_openable(
    *, user: User, period: Period, department: Department | None = None, plan: PlanTemplate | None = None
) -> QuerySet[User]:
    """The active people ``user`` may see who are assessed in ``period`` (a plan assigned by its
    last month), in ``department`` and on ``plan`` (their plan in that month) when given."""
    last = str(period.last_month())
    assigned = Assignment.objects.filter(employee=OuterRef("pk"), start__lte=last)
    people = people_visible(user=user).filter(Exists(assigned), is_active=True)
    if department is not None:
        people = people.filter(department=department)
    if plan is not None:
        current = assigned.order_by("-start").values("version__template_id")[:1]
        people = people.annotate(plan_id=Subquery(current)).filter(plan_id=plan.pk)
    return people


def _chunks(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _existing(*, period: Period, ids: Sequence[int]) -> set[int]:
    return set(Review.objects.filter(period=str(period), employee_id__in=ids).values_list("employee_id", flat=True))


def _chunk_open(*, period: Period, ids: Sequence[int], user: User) -> int:
    """Open the reviews of one chunk's people who have none; how many this call created."""
    with transaction.atomic():
        existing = _existing(period=period, ids=ids)
        new = [pk for pk in ids if pk not in existing]
        if not new:
            return 0
        Review.objects.bulk_create(
            [Review(employee_id=pk, period=str(period), opened_by=user) for pk in new], ignore_conflicts=True
        )
        # Ours are those without an "opened" event: one created meanwhile by another call has its own.
        opened_event = ReviewEvent.objects.filter(review=OuterRef("pk"), action=ReviewAction.OPENED)
        created = list(
            Review.objects.filter(period=str(period), employee_id__in=new)
            .exclude(Exists(opened_event))
            .values_list("pk", flat=True)
        )
        ReviewEvent.objects.bulk_create(
            [
                ReviewEvent(review_id=pk, action=ReviewAction.OPENED, status=ReviewStatus.DRAFT, user=user)
                for pk in created
            ]
        )
        return len(created)


def reviews_open_many(
    *,
    period: Period,
    user: User,
    department: Department | None = None,
    plan: PlanTemplate | None = None,
    chunk_size: int = OPEN_CHUNK_SIZE,
) -> ReviewsOpened:
    """Open ``period``'s review of everyone assessed in it (of ``department``, on ``plan``): HR only."""
    if not has_role(user, *HR_ROLES):
        raise ReviewForbidden(_("Only HR can open the reviews of a department, a plan or everyone."))
    if not period.is_quarter:
        raise ReviewRefused(_("A review is of a quarter like 2026-Q1, not “%(period)s”.") % {"period": period})
    ids = list(
        reviews_openable(user=user, period=period, department=department, plan=plan)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    opened = chunks = 0
    for chunk in _chunks(ids, chunk_size):
        opened += _chunk_open(period=period, ids=chunk, user=user)
        chunks += 1
    return ReviewsOpened(period=period, opened=opened, existed=len(ids) - opened, chunks=chunks)
