"""Writes of the team's grid: a manager rates all their reports of a quarter at once, then submits
the rated ones together.

Each review is written through its own services (``review_ratings_save``, then
``review_manager_submit``), so each review's history and each figure's audit hold exactly what
rating it on its own page holds, and the values are read by the metrics import as every input
is. A save or a submit is all or nothing: one refused cell refuses all of it, and every problem
is named by the person and the indicator.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from people.models import User
from plans.formats import period_text
from plans.periods import Period
from plans.tabular import TableError
from reviews.models import Review, ReviewStatus
from reviews.selectors import review_ratings
from reviews.services import (
    COMMENT,
    RatingsRefused,
    ReviewRefused,
    review_manager_submit,
    review_ratings_save,
)
from reviews.team_grid import TeamGrid, team_grid, team_grid_reviews


@dataclass(frozen=True)
class GridChange:
    """A cell someone changed: the person (user name), the column (a code or ``COMMENT``), what is
    typed now and what the page showed when it was loaded."""

    employee: str
    column: str
    value: str
    loaded: str


class GridRefused(ReviewRefused):
    """A refused save or submit: ``messages`` name the person and the indicator; ``cells`` the
    same keyed by (employee, column), ``current`` a cell's value saved meanwhile."""

    def __init__(
        self,
        messages: list[str],
        cells: Mapping[tuple[str, str], list[str]] | None = None,
        current: Mapping[tuple[str, str], str] | None = None,
    ) -> None:
        super().__init__(messages)
        self.cells = dict(cells or {})
        self.current = dict(current or {})


@dataclass(frozen=True)
class GridSaved:
    reviews: int  # reviews with a change saved
    changed: int  # cells saved


@dataclass
class GridSubmitted:
    submitted: list[str] = field(default_factory=list)  # names
    waiting: list[str] = field(default_factory=list)  # "王芳: 内部协作评价, 评语", why each stays


def _where(grid: TeamGrid, employee: str, column: str) -> str:
    row = next(row for row in grid.rows if row.employee == employee)
    names = {c.code: c.name for c in grid.columns} | {COMMENT: _("comment")}
    return f"{row.name} · {names[column]}" if column in names else row.name


def _refusals(grid: TeamGrid, employee: str, refused: RatingsRefused) -> GridRefused:
    messages: list[str] = []
    cells: dict[tuple[str, str], list[str]] = {}
    current: dict[tuple[str, str], str] = {}
    for cell in refused.cells:
        column = cell.column if cell.column not in ("employee", "period") else ""
        message = cell.message
        if cell.current is not None:  # the metrics import's own words name the user by user name
            message = _("changed meanwhile to %(value)s: save again to replace it with yours") % {
                "value": cell.current or "—"
            }
            current[(employee, column)] = "" if cell.current == "—" else cell.current
        messages.append(_("%(where)s: %(message)s") % {"where": _where(grid, employee, column), "message": message})
        cells.setdefault((employee, column), []).append(message)
    return GridRefused(messages, cells, current)


def _grid_of(*, manager: User, period: Period, employees: set[str]) -> tuple[TeamGrid, dict[str, Review]]:
    reviews = list(team_grid_reviews(manager=manager, period=period).filter(employee__username__in=employees))
    found = {review.employee.username: review for review in reviews}
    unknown = sorted(employees - set(found))
    if unknown:
        raise GridRefused(
            [
                _("%(count)s of the people sent have no review of %(period)s in your team: reload the page.")
                % {"count": len(unknown), "period": period_text(period)}
            ]
        )
    return team_grid(period=period, reviews=reviews), found


@transaction.atomic
def team_ratings_save(*, manager: User, period: Period, changes: Sequence[GridChange], user: User) -> GridSaved:
    """Save the changed cells of ``manager``'s grid of ``period``, every review through its own
    service; refused as a whole (``GridRefused``) when any cell is."""
    by_employee: dict[str, list[GridChange]] = {}
    for change in changes:
        by_employee.setdefault(change.employee, []).append(change)
    grid, reviews = _grid_of(manager=manager, period=period, employees=set(by_employee))
    problems = GridRefused([])
    saved = GridSaved(reviews=0, changed=0)
    for employee, cells in by_employee.items():
        comment = next((c for c in cells if c.column == COMMENT), None)
        try:
            outcome = review_ratings_save(
                review=reviews[employee],
                ratings={c.column: c.value for c in cells if c.column != COMMENT},
                comment=comment.value if comment else None,
                loaded={c.column: c.loaded for c in cells},
                user=user,
            )
        except RatingsRefused as refused:
            found = _refusals(grid, employee, refused)
            problems.messages += found.messages
            problems.cells.update(found.cells)
            problems.current.update(found.current)
            continue
        saved = GridSaved(reviews=saved.reviews + bool(outcome.changed), changed=saved.changed + outcome.changed)
    if problems.messages:
        raise problems  # the transaction rolls back what the others saved
    return saved


@transaction.atomic
def team_reviews_submit(*, manager: User, period: Period, user: User) -> GridSubmitted:
    """Submit every review of the grid whose ratings and comment are all in (and whose employee
    has self-assessed) with what is saved; the others stay and are listed with what they lack."""
    reviews = list(
        team_grid_reviews(manager=manager, period=period).filter(
            status__in=[ReviewStatus.DRAFT, ReviewStatus.SELF_ASSESSMENT]
        )
    )
    grid = team_grid(period=period, reviews=reviews)
    outcome, problems = GridSubmitted(), []
    for row, review in zip(grid.rows, reviews, strict=True):
        if row.missing:
            outcome.waiting.append(_("%(name)s: %(missing)s") % {"name": row.name, "missing": ", ".join(row.missing)})
        elif review.status == ReviewStatus.DRAFT:
            outcome.waiting.append(_("%(name)s: the self-assessment") % {"name": row.name})
        else:
            ratings = {code: value for code, value in review_ratings(review=review).items() if value is not None}
            try:
                review_manager_submit(review=review, ratings=ratings, comment=review.manager_comment, user=user)
            except (ReviewRefused, TableError) as refused:
                problems += [_("%(where)s: %(message)s") % {"where": row.name, "message": m} for m in refused.messages]
                continue
            outcome.submitted.append(row.name)
    if problems:
        raise GridRefused(problems)
    return outcome


@dataclass(frozen=True)
class GridOutcome:
    saved: GridSaved
    submitted: GridSubmitted | None  # None: the grid was only saved


@transaction.atomic
def team_grid_apply(
    *, manager: User, period: Period, changes: Sequence[GridChange], submit: bool, user: User
) -> GridOutcome:
    """Save the grid's changed cells and, with ``submit``, then submit the rated reviews: both or
    neither (``GridRefused``)."""
    saved = team_ratings_save(manager=manager, period=period, changes=changes, user=user) if changes else None
    submitted = team_reviews_submit(manager=manager, period=period, user=user) if submit else None
    return GridOutcome(saved=saved or GridSaved(reviews=0, changed=0), submitted=submitted)
