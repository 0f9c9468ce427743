"""The workflow's table, without a database: each step, who may take it from which status, and
where it leads. The expectations are written out by hand, not read from the table."""

import pytest

from reviews.models import ReviewAction, ReviewStatus
from reviews.workflow import STEPS, Actor, step_follows, step_move, step_permits, steps_open

S = ReviewStatus
EMPLOYEE, MANAGER, HR, COLLEAGUE = Actor.EMPLOYEE, Actor.MANAGER, Actor.HR, Actor.COLLEAGUE

# step: (the statuses it is taken from, who may take it); anything else is refused.
ALLOWED = {
    ReviewAction.OPENED: (set(), {HR, MANAGER}),
    ReviewAction.SELF_ASSESSMENT_SUBMITTED: ({S.DRAFT}, {EMPLOYEE}),
    ReviewAction.FEEDBACK_REQUESTED: ({S.DRAFT, S.SELF_ASSESSMENT}, {MANAGER}),
    ReviewAction.FEEDBACK_ANSWERED: ({S.DRAFT, S.SELF_ASSESSMENT}, {COLLEAGUE}),
    ReviewAction.RATINGS_SAVED: ({S.DRAFT, S.SELF_ASSESSMENT}, {MANAGER}),
    ReviewAction.MANAGER_REVIEW_SUBMITTED: ({S.SELF_ASSESSMENT}, {MANAGER}),
    ReviewAction.APPROVED: ({S.MANAGER_REVIEW}, {HR}),
    ReviewAction.ACKNOWLEDGED: ({S.HR_APPROVAL}, {EMPLOYEE}),
    ReviewAction.APPEALED: ({S.HR_APPROVAL}, {EMPLOYEE}),
    ReviewAction.UPHELD: ({S.APPEALED}, {HR}),
    ReviewAction.RESCORED: ({S.APPEALED}, {HR}),
}

MOVES = [
    (ReviewAction.SELF_ASSESSMENT_SUBMITTED, S.DRAFT, S.SELF_ASSESSMENT),
    (ReviewAction.MANAGER_REVIEW_SUBMITTED, S.SELF_ASSESSMENT, S.MANAGER_REVIEW),
    (ReviewAction.APPROVED, S.MANAGER_REVIEW, S.HR_APPROVAL),
    (ReviewAction.ACKNOWLEDGED, S.HR_APPROVAL, S.ACKNOWLEDGED),
    (ReviewAction.APPEALED, S.HR_APPROVAL, S.APPEALED),
    (ReviewAction.UPHELD, S.APPEALED, S.RESOLVED),
    (ReviewAction.RESCORED, S.APPEALED, S.RESOLVED),
]


def test_the_table_has_a_row_for_every_step_the_audit_trail_records() -> None:
    assert set(STEPS) == set(ReviewAction) == set(ALLOWED)


@pytest.mark.parametrize("action", list(ALLOWED), ids=str)
def test_each_step_is_taken_by_one_of_its_people_from_one_of_its_statuses(action: ReviewAction) -> None:
    sources, people = ALLOWED[action]

    taken = {
        (status, actor)
        for status in ReviewStatus
        for actor in Actor
        if step_follows(action=action, status=status) and step_permits(action=action, actors={actor})
    }

    assert taken == {(status, actor) for status in sources for actor in people}


@pytest.mark.parametrize(("action", "source", "target"), MOVES, ids=[str(move[0]) for move in MOVES])
def test_a_step_moves_the_review_from_one_status_to_the_next(
    action: ReviewAction, source: ReviewStatus, target: ReviewStatus
) -> None:
    assert step_move(action=action) == (source, target)


@pytest.mark.parametrize(
    "action",
    [ReviewAction.OPENED, ReviewAction.FEEDBACK_REQUESTED, ReviewAction.FEEDBACK_ANSWERED, ReviewAction.RATINGS_SAVED],
)
def test_opening_and_colleague_feedback_do_not_move_a_review_along(action: ReviewAction) -> None:
    with pytest.raises(ValueError, match="does not move a review"):
        step_move(action=action)


def test_a_person_who_is_two_people_to_the_review_may_take_the_steps_of_either() -> None:
    both = {HR, MANAGER}

    assert steps_open(status=S.SELF_ASSESSMENT, actors=both) == {
        ReviewAction.FEEDBACK_REQUESTED,
        ReviewAction.RATINGS_SAVED,
        ReviewAction.MANAGER_REVIEW_SUBMITTED,
    }
    assert steps_open(status=S.MANAGER_REVIEW, actors=both) == {ReviewAction.APPROVED}


@pytest.mark.parametrize(
    ("status", "actors", "buttons"),
    [
        (S.DRAFT, {EMPLOYEE}, {ReviewAction.SELF_ASSESSMENT_SUBMITTED}),
        (S.DRAFT, {HR}, set()),
        (S.HR_APPROVAL, {EMPLOYEE}, {ReviewAction.ACKNOWLEDGED, ReviewAction.APPEALED}),
        (S.HR_APPROVAL, {MANAGER}, set()),
        (S.APPEALED, {HR}, {ReviewAction.UPHELD, ReviewAction.RESCORED}),
        (S.APPEALED, set(), set()),
    ],
)
def test_the_steps_open_to_a_person_are_those_of_their_role_at_the_reviews_status(
    status: ReviewStatus, actors: set[Actor], buttons: set[ReviewAction]
) -> None:
    assert steps_open(status=status, actors=actors) == buttons


@pytest.mark.parametrize("status", [S.ACKNOWLEDGED, S.RESOLVED])
def test_an_acknowledged_or_resolved_review_takes_no_more_step(status: ReviewStatus) -> None:
    assert steps_open(status=status, actors=set(Actor)) == set()


def test_every_status_but_the_two_ends_has_a_step_out_of_it() -> None:
    waiting = {status for status in ReviewStatus if any(step_follows(action=a, status=status) for a in STEPS)}

    assert waiting == set(ReviewStatus) - {S.ACKNOWLEDGED, S.RESOLVED}


def test_each_step_on_an_open_review_belongs_to_one_person() -> None:
    """A refusal names that person ("Only HR can take this step.")."""
    assert {action: len(step.actors) for action, step in STEPS.items() if action != ReviewAction.OPENED} == {
        action: 1 for action in STEPS if action != ReviewAction.OPENED
    }


@pytest.mark.parametrize(
    ("shown", "beside"),
    [(ReviewAction.ACKNOWLEDGED, ReviewAction.APPEALED), (ReviewAction.UPHELD, ReviewAction.RESCORED)],
)
def test_the_steps_the_review_page_offers_together_are_open_to_the_same_people_at_once(
    shown: ReviewAction, beside: ReviewAction
) -> None:
    """The page shows the appeal beside the acknowledgement, and re-scoring in the uphold form."""
    assert (STEPS[shown].sources, STEPS[shown].actors) == (STEPS[beside].sources, STEPS[beside].actors)
