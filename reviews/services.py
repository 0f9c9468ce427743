"""Writes of quarterly reviews: one service a step.

Each step moves the status with a conditional update (``status`` must still be the one the
step follows), so two clicks or two people never take the same step twice; a step in the
wrong status is refused with a message that says where the review stands. Who may take a
step is checked here too: the employee, their manager or HR (the wrong person is a 403). Both
follow the one table of ``reviews.workflow``, which the review page reads for its buttons.

The manager's quarterly ratings are figures: they go through ``metrics_import`` with a one-row
table, so the quarter's close scores them and its checks (the rating's scale, a closed
quarter) are the only ones.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrics.cycles.selectors import closure
from metrics.figures.checks import CellError
from metrics.figures.services import FiguresError, ImportOutcome, metrics_import
from metrics.results.closing import cycle_reopen
from metrics.results.parts import CloseRefused
from people.models import User
from plans.errors import ApplicationError
from plans.formats import period_text
from plans.models import Indicator
from plans.periods import Period
from plans.selectors import assignments_for_quarter
from plans.tabular import Row, Table
from reviews.models import Review, ReviewAction, ReviewEvent, ReviewFeedbackRequest, ReviewStatus
from reviews.selectors import (
    feedback_candidates,
    review_actors,
    review_label,
    review_quarterly_indicators,
    review_ratings,
)
from reviews.workflow import STEPS, Actor, step_follows, step_move, step_permits

MAX_COLLEAGUES = 3
RATINGS_ROW = 2  # the one row of the ratings table, as the import numbers rows


class ReviewRefused(ApplicationError):
    """A step that cannot be taken now, with the reason to show."""


class ReviewForbidden(PermissionDenied):
    """The wrong person for a step: views answer 403."""


class RatingsRefused(ReviewRefused):
    """Saved ratings refused, each problem in its cell: ``column`` is an indicator's code,
    ``COMMENT`` or "" (the review as a whole); ``current`` is set when someone saved the cell meanwhile."""

    def __init__(self, cells: list[CellError]) -> None:
        super().__init__([cell.message for cell in cells])
        self.cells = cells


COMMENT = "comment"  # the manager's comment, beside the ratings' columns


@dataclass(frozen=True)
class RatingsSaved:
    changed: int  # ratings created or changed, and the comment when it changed


@dataclass
class RescoreOutcome:
    reopened: bool  # the quarter was closed: it was reopened and must be closed again
    ratings: ImportOutcome = field(default_factory=ImportOutcome)


# Who may take a step is the workflow's; this is how a refusal names them.
_ONLY = {
    Actor.EMPLOYEE: gettext_lazy("Only %(employee)s can take this step."),
    Actor.MANAGER: gettext_lazy("Only %(employee)s’s manager can take this step."),
    Actor.HR: gettext_lazy("Only HR can take this step."),
}


def review_step_require(*, review: Review, action: ReviewAction, user: User) -> None:
    """Refuse the wrong person for a step of ``review``; views call it before reading a form, so
    they get a 403 whatever they sent."""
    if not step_permits(action=action, actors=review_actors(employee=review.employee, user=user)):
        (actor,) = STEPS[action].actors  # each step of an open review is one person's
        raise ReviewForbidden(_ONLY[actor] % {"employee": review.employee})


def _text(value: str, message: str) -> str:
    value = value.strip()
    if not value:
        raise ReviewRefused(message)
    return value


def _advance(
    review: Review,
    *,
    user: User,
    action: ReviewAction,
    refusal: str,
    note: str = "",
    **fields: str,
) -> Review:
    """Take the step ``action`` if ``review`` is still at the status it follows, and record it."""
    source, target = step_move(action=action)
    moved = Review.objects.filter(pk=review.pk, status=source).update(
        status=target, updated_at=timezone.now(), **fields
    )
    if not moved:
        current = Review.objects.filter(pk=review.pk).values_list("status", flat=True).first() or review.status
        raise ReviewRefused(
            _("%(review)s is “%(status)s”, not “%(expected)s”: %(refusal)s")
            % {
                "review": review_label(review),
                "status": ReviewStatus(current).label,
                "expected": source.label,
                "refusal": refusal,
            }
        )
    ReviewEvent.objects.create(review=review, action=action, status=target, note=note, user=user)
    # A fresh object: the caller's copy stays as it was should the transaction roll back.
    return Review.objects.select_related("employee").get(pk=review.pk)


def review_open(*, employee: User, period: Period, user: User) -> Review:
    """Open ``employee``'s review of a quarter: HR or the employee's manager."""
    if not step_permits(action=ReviewAction.OPENED, actors=review_actors(employee=employee, user=user)):
        raise ReviewForbidden(_("Only HR or %(employee)s’s manager can open their review.") % {"employee": employee})
    if not period.is_quarter:
        raise ReviewRefused(_("A review is of a quarter like 2026-Q1, not “%(period)s”.") % {"period": period})
    if not assignments_for_quarter(quarter=period, employee_ids=[employee.pk]):
        raise ReviewRefused(
            _("%(employee)s is not assessed in %(period)s: no plan is assigned to them by then.")
            % {"employee": employee, "period": period_text(period)}
        )
    try:
        with transaction.atomic():
            review = Review.objects.create(employee=employee, period=str(period), opened_by=user)
            ReviewEvent.objects.create(review=review, action=ReviewAction.OPENED, status=review.status, user=user)
    except IntegrityError:
        raise ReviewRefused(
            _("%(employee)s’s review of %(period)s is already open.")
            % {"employee": employee, "period": period_text(period)}
        ) from None
    return review


@transaction.atomic
def review_self_assessment_submit(*, review: Review, text: str, user: User) -> Review:
    review_step_require(review=review, action=ReviewAction.SELF_ASSESSMENT_SUBMITTED, user=user)
    text = _text(text, _("Write your self-assessment before submitting it."))
    return _advance(
        review,
        user=user,
        action=ReviewAction.SELF_ASSESSMENT_SUBMITTED,
        refusal=_("the self-assessment can no longer be submitted."),
        self_assessment=text,
    )


@transaction.atomic
def review_feedback_request(
    *, review: Review, colleague: User, indicator: Indicator, user: User
) -> ReviewFeedbackRequest:
    """Ask a colleague to rate one of the review's quarterly indicators (three colleagues at most)."""
    review_step_require(review=review, action=ReviewAction.FEEDBACK_REQUESTED, user=user)
    review = Review.objects.select_for_update().select_related("employee").get(pk=review.pk)
    if not step_follows(action=ReviewAction.FEEDBACK_REQUESTED, status=review.status):
        raise ReviewRefused(
            _("%(review)s is “%(status)s”: colleagues are asked only before the manager rates.")
            % {"review": review_label(review), "status": review.get_status_display()}
        )
    if indicator.pk not in {i.pk for i in review_quarterly_indicators(review=review)}:
        raise ReviewRefused(
            _("%(indicator)s is not a quarterly indicator of this review.") % {"indicator": indicator.name}
        )
    if colleague.pk in (review.employee_id, user.pk):
        raise ReviewRefused(_("Ask a colleague: not the employee or yourself."))
    if not feedback_candidates(review=review, user=user).filter(pk=colleague.pk).exists():
        raise ReviewRefused(
            _("%(colleague)s is not a colleague of %(employee)s: ask someone of their department or team.")
            % {"colleague": colleague, "employee": review.employee}
        )
    asked = ReviewFeedbackRequest.objects.filter(review=review, indicator=indicator)
    if asked.filter(colleague=colleague).exists():
        raise ReviewRefused(
            _("%(colleague)s has already been asked about %(indicator)s.")
            % {"colleague": colleague, "indicator": indicator.name}
        )
    if asked.count() >= MAX_COLLEAGUES:
        raise ReviewRefused(
            _("At most %(count)s colleagues can be asked about %(indicator)s.")
            % {"count": MAX_COLLEAGUES, "indicator": indicator.name}
        )
    request = ReviewFeedbackRequest.objects.create(
        review=review, indicator=indicator, colleague=colleague, asked_by=user, asked_at=timezone.now()
    )
    ReviewEvent.objects.create(
        review=review,
        action=ReviewAction.FEEDBACK_REQUESTED,
        status=review.status,
        note=f"{colleague} · {indicator.name}",
        user=user,
    )
    return request


@transaction.atomic
def review_feedback_answer(
    *, request: ReviewFeedbackRequest, rating: Decimal, comment: str, user: User
) -> ReviewFeedbackRequest:
    """A colleague's answer: a rating on the indicator's scale and a comment, given once."""
    # The colleague is the request's, not the review's: one answers only what one was asked.
    actors = {Actor.COLLEAGUE} if user.pk == request.colleague_id else set()
    if not step_permits(action=ReviewAction.FEEDBACK_ANSWERED, actors=actors):
        raise ReviewForbidden(_("Only %(colleague)s can answer this request.") % {"colleague": request.colleague})
    review = Review.objects.select_for_update().select_related("employee").get(pk=request.review_id)
    if not step_follows(action=ReviewAction.FEEDBACK_ANSWERED, status=review.status):
        raise ReviewRefused(
            _("%(review)s has already been rated by the manager: the request is closed.")
            % {"review": review_label(review)}
        )
    scale = request.indicator.scale
    if rating < 0 or (scale is not None and rating > scale):
        raise ReviewRefused(
            _("The rating %(value)s is outside its scale of 0 to %(scale)s.")
            % {"value": rating, "scale": f"{(scale or Decimal(0)).normalize():f}"}
        )
    answered = ReviewFeedbackRequest.objects.filter(pk=request.pk, answered_at__isnull=True).update(
        rating=rating, comment=comment.strip(), answered_at=timezone.now()
    )
    if not answered:
        raise ReviewRefused(_("You have already answered this request."))
    ReviewEvent.objects.create(
        review=review,
        action=ReviewAction.FEEDBACK_ANSWERED,
        status=review.status,
        note=f"{request.indicator.name}",
        user=user,
    )
    request.refresh_from_db()
    return request


def _ratings_write(review: Review, ratings: Mapping[str, Decimal], user: User) -> ImportOutcome:
    """Write the quarterly ratings as the metrics import's one row (raises its TableError)."""
    codes = [indicator.code for indicator in review_quarterly_indicators(review=review)]
    missing = [code for code in codes if ratings.get(code) is None]
    if missing:
        raise ReviewRefused(_("Rate every quarterly indicator: %(codes)s is missing.") % {"codes": ", ".join(missing)})
    if not codes:
        return ImportOutcome()
    cells = {"employee": review.employee.username, "period": str(review.period)}
    cells.update({code: f"{ratings[code]:f}" for code in codes})
    table = Table(header=["employee", "period", *codes], rows=[Row(number=RATINGS_ROW, cells=cells)])
    return metrics_import(table=table, user=user, review=review)


@transaction.atomic
def review_manager_submit(*, review: Review, ratings: Mapping[str, Decimal], comment: str, user: User) -> Review:
    """The manager rates the quarterly indicators and comments; the ratings become the quarter's figures."""
    review_step_require(review=review, action=ReviewAction.MANAGER_REVIEW_SUBMITTED, user=user)
    comment = _text(comment, _("Write a comment for the employee before submitting."))
    review = _advance(
        review,
        user=user,
        action=ReviewAction.MANAGER_REVIEW_SUBMITTED,
        refusal=_("the manager rates after the employee’s self-assessment, once."),
        note=_ratings_note(review, ratings),
        manager_comment=comment,
    )
    _ratings_write(review, ratings, user)
    return review


def _comment_check(review: Review, comment: str | None, loaded: str | None) -> list[CellError]:
    """The comment can be saved unless someone saved another one since the page was loaded."""
    stored = review.manager_comment.strip()
    if comment is None or loaded is None or loaded.strip() == stored or comment.strip() == stored:
        return []
    return [
        CellError(
            0,
            COMMENT,
            _("The comment was changed meanwhile to “%(comment)s”: save again to replace it with yours.")
            % {"comment": stored},
            current=stored,
        )
    ]


def _ratings_cells_write(
    review: Review, ratings: Mapping[str, str], loaded: Mapping[str, str], user: User
) -> tuple[ImportOutcome, list[CellError]]:
    """Write the typed ratings through the metrics import, checked against what was loaded."""
    errors = [
        CellError(0, code, _("A rating cannot be emptied: type the right value instead."))
        for code, text in ratings.items()
        if not text.strip() and loaded.get(code, "").strip()
    ]
    given = {code: text for code, text in ratings.items() if text.strip()}
    if not given:
        return ImportOutcome(), errors
    period = str(review.period)
    cells = {"employee": review.employee.username, "period": period, **given}
    table = Table(header=["employee", "period", *given], rows=[Row(number=RATINGS_ROW, cells=cells)])
    expected = {(review.employee.username, period, code): loaded.get(code, "") for code in given}
    try:
        return metrics_import(table=table, user=user, review=review, expected=expected), errors
    except FiguresError as error:
        return ImportOutcome(), errors + error.cells


@transaction.atomic
def review_ratings_save(
    *,
    review: Review,
    ratings: Mapping[str, str],
    comment: str | None,
    loaded: Mapping[str, str],
    user: User,
) -> RatingsSaved:
    """The manager's ratings (as typed: the metrics import reads them) and comment, saved before
    they are submitted. ``loaded``: what each cell (a code, or ``COMMENT``) showed when the page
    was loaded; a cell someone changed since is refused with its value now. All or nothing."""
    review_step_require(review=review, action=ReviewAction.RATINGS_SAVED, user=user)
    review = Review.objects.select_for_update().select_related("employee").get(pk=review.pk)
    if not step_follows(action=ReviewAction.RATINGS_SAVED, status=review.status):
        message = _("%(review)s is “%(status)s”: its ratings can no longer be changed here.") % {
            "review": review_label(review),
            "status": review.get_status_display(),
        }
        raise RatingsRefused([CellError(0, "", message)])
    before = review_ratings(review=review)
    outcome, errors = _ratings_cells_write(review, ratings, loaded, user)
    errors = _comment_check(review, comment, loaded.get(COMMENT)) + errors
    if errors:
        raise RatingsRefused(errors)  # the caller's transaction drops what the import wrote
    comment = None if comment is None or comment.strip() == review.manager_comment.strip() else comment.strip()
    if comment is not None:
        Review.objects.filter(pk=review.pk).update(manager_comment=comment, updated_at=timezone.now())
    notes = []
    if outcome.changes:
        after = review_ratings(review=review)
        notes.append(_ratings_note(review, {c: v for c, v in after.items() if v != before.get(c)}, before))
    if comment is not None:
        notes.append(_("Comment: %(comment)s") % {"comment": comment})
    if notes:
        ReviewEvent.objects.create(
            review=review, action=ReviewAction.RATINGS_SAVED, status=review.status, note="\n".join(notes), user=user
        )
    return RatingsSaved(changed=outcome.created + outcome.changed + (comment is not None))


@transaction.atomic
def review_approve(*, review: Review, user: User) -> Review:
    review_step_require(review=review, action=ReviewAction.APPROVED, user=user)
    return _advance(
        review,
        user=user,
        action=ReviewAction.APPROVED,
        refusal=_("HR approves a review once the manager has submitted it."),
    )


@transaction.atomic
def review_acknowledge(*, review: Review, user: User) -> Review:
    review_step_require(review=review, action=ReviewAction.ACKNOWLEDGED, user=user)
    return _advance(
        review,
        user=user,
        action=ReviewAction.ACKNOWLEDGED,
        refusal=_("a review is acknowledged once HR has approved it."),
    )


@transaction.atomic
def review_appeal(*, review: Review, reason: str, user: User) -> Review:
    review_step_require(review=review, action=ReviewAction.APPEALED, user=user)
    reason = _text(reason, _("Say why you appeal."))
    return _advance(
        review,
        user=user,
        action=ReviewAction.APPEALED,
        refusal=_("a review is appealed once HR has approved it, instead of acknowledging it."),
        note=reason,
        appeal_reason=reason,
    )


@transaction.atomic
def review_appeal_uphold(*, review: Review, reason: str, user: User) -> Review:
    """HR keeps the rating: the appeal is resolved with the reason."""
    review_step_require(review=review, action=ReviewAction.UPHELD, user=user)
    reason = _text(reason, _("Give the reason for the decision."))
    return _advance(
        review,
        user=user,
        action=ReviewAction.UPHELD,
        refusal=_("only an appealed review can be resolved."),
        note=reason,
        resolution=reason,
    )


@transaction.atomic
def review_appeal_rescore(*, review: Review, ratings: Mapping[str, Decimal], reason: str, user: User) -> RescoreOutcome:
    """HR changes the quarterly rating on appeal.

    A closed quarter takes no changed figure: it is reopened with the appeal's reason (its
    results stay, superseded) and has to be closed again for the new rating to count.
    """
    review_step_require(review=review, action=ReviewAction.RESCORED, user=user)
    reason = _text(reason, _("Give the reason for the decision."))
    current = review_ratings(review=review)
    if all(current.get(code) == value for code, value in ratings.items()):
        raise ReviewRefused(_("A re-score changes a rating: to keep the ratings, uphold the appeal."))
    review = _advance(
        review,
        user=user,
        action=ReviewAction.RESCORED,
        refusal=_("only an appealed review can be resolved."),
        note=f"{reason}\n{_ratings_note(review, ratings, current)}",
        resolution=reason,
    )
    period = review.period
    reopened = closure(period=period).closes(review.employee_id)  # closed in whole, or for them
    if reopened:
        try:
            cycle_reopen(
                period=period,
                reason=_("Appeal of %(employee)s’s review of %(period)s: %(reason)s")
                % {"employee": review.employee, "period": review.period, "reason": reason},
                user=user,
            )
        except CloseRefused as refused:
            raise ReviewRefused(refused.message) from refused
    return RescoreOutcome(reopened=reopened, ratings=_ratings_write(review, ratings, user))


def _ratings_note(
    review: Review, ratings: Mapping[str, Decimal | None], before: Mapping[str, Decimal | None] | None = None
) -> str:
    """The ratings for the review's history, by the indicators' names: 协作评分：8.5 (or 8 → 8.5)."""
    names = {indicator.code: indicator.name for indicator in review_quarterly_indicators(review=review)}

    def shown(value: Decimal | None) -> str:
        return "—" if value is None else f"{value.normalize():f}"

    def line(code: str, value: Decimal | None) -> str:
        text = shown(value) if before is None else f"{shown(before.get(code))} → {shown(value)}"
        return _("%(indicator)s: %(value)s") % {"indicator": names.get(code, code), "value": text}

    return ", ".join(line(code, value) for code, value in ratings.items())
