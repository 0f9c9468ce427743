"""The quarterly review's workflow as one table: each step, the statuses it is taken from, the
status it leads to and who may take it.

The services read it to refuse a step (the wrong person, the wrong status) and the review page
reads it to give each person the buttons of the steps they may take now, so the two cannot
disagree. Pure code: who a user is to a review is for the selectors to work out.
"""

from collections.abc import Mapping, Set
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from reviews.models import ReviewAction, ReviewStatus


class Actor(StrEnum):
    """Who a person is to a review; one can be several (HR who manage the employee are both)."""

    EMPLOYEE = "employee"  # the one reviewed
    MANAGER = "manager"  # the employee's manager
    HR = "hr"
    COLLEAGUE = "colleague"  # asked to rate one indicator of the review


@dataclass(frozen=True)
class Step:
    sources: tuple[ReviewStatus, ...]  # the statuses it is taken from; none: it opens the review
    target: ReviewStatus | None  # None: the review stays where it is
    actors: frozenset[Actor]  # any one of them may take it


def _step(sources: tuple[ReviewStatus, ...], target: ReviewStatus | None, *actors: Actor) -> Step:
    return Step(sources=sources, target=target, actors=frozenset(actors))


# Colleagues are asked, and answer, until the manager has rated; until then the manager may save
# ratings and a comment (the team's grid) before submitting them.
FEEDBACK_OPEN_STATUSES = (ReviewStatus.DRAFT, ReviewStatus.SELF_ASSESSMENT)

# Each step is named by the action its audit event records. A table, one step a line: ruff format
# would undo its columns.
# fmt: off
STEPS: Final[Mapping[ReviewAction, Step]] = MappingProxyType({
    # step                                  from                                   to                            who
    ReviewAction.OPENED:                    _step((),                              ReviewStatus.DRAFT,           Actor.HR, Actor.MANAGER),
    ReviewAction.SELF_ASSESSMENT_SUBMITTED: _step((ReviewStatus.DRAFT,),           ReviewStatus.SELF_ASSESSMENT, Actor.EMPLOYEE),
    ReviewAction.FEEDBACK_REQUESTED:        _step(FEEDBACK_OPEN_STATUSES,          None,                         Actor.MANAGER),
    ReviewAction.FEEDBACK_ANSWERED:         _step(FEEDBACK_OPEN_STATUSES,          None,                         Actor.COLLEAGUE),
    ReviewAction.RATINGS_SAVED:             _step(FEEDBACK_OPEN_STATUSES,          None,                         Actor.MANAGER),
    ReviewAction.MANAGER_REVIEW_SUBMITTED:  _step((ReviewStatus.SELF_ASSESSMENT,), ReviewStatus.MANAGER_REVIEW,  Actor.MANAGER),
    ReviewAction.APPROVED:                  _step((ReviewStatus.MANAGER_REVIEW,),  ReviewStatus.HR_APPROVAL,     Actor.HR),
    ReviewAction.ACKNOWLEDGED:              _step((ReviewStatus.HR_APPROVAL,),     ReviewStatus.ACKNOWLEDGED,    Actor.EMPLOYEE),
    ReviewAction.APPEALED:                  _step((ReviewStatus.HR_APPROVAL,),     ReviewStatus.APPEALED,        Actor.EMPLOYEE),
    ReviewAction.UPHELD:                    _step((ReviewStatus.APPEALED,),        ReviewStatus.RESOLVED,        Actor.HR),
    ReviewAction.RESCORED:                  _step((ReviewStatus.APPEALED,),        ReviewStatus.RESOLVED,        Actor.HR),
})
# fmt: on


def step_permits(*, action: ReviewAction, actors: Set[Actor]) -> bool:
    """Whether a person who is ``actors`` to the review may take the step, whatever its status."""
    return not STEPS[action].actors.isdisjoint(actors)


def step_follows(*, action: ReviewAction, status: str) -> bool:
    """Whether the step is taken from a review at ``status``."""
    return status in STEPS[action].sources


def step_move(*, action: ReviewAction) -> tuple[ReviewStatus, ReviewStatus]:
    """The status a step that moves a review follows, and the one it leads to."""
    step = STEPS[action]
    if len(step.sources) != 1 or step.target is None:
        raise ValueError(f"{action} does not move a review from one status to another")
    return step.sources[0], step.target


def steps_open(*, status: str, actors: Set[Actor]) -> frozenset[ReviewAction]:
    """The steps a person who is ``actors`` to a review at ``status`` may take now: their buttons."""
    return frozenset(
        action
        for action in STEPS
        if step_follows(action=action, status=status) and step_permits(action=action, actors=actors)
    )
