"""Closing part of a period (SPEC.md section 8): whom a close of some departments, some plans, or
of everybody whose figures are all in, covers; and why such a close is refused.

A close of a selection scores only people still open (``close_scope``), so later closes score
those left, and a period is closed once everybody assigned is.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from metrics.cycles.models import CyclePart
from metrics.cycles.selectors import closures
from metrics.figures.selectors import MissingFigure, close_scope, figures_missing
from people.models import Department, User
from people.selectors import by_name
from plans.errors import ApplicationError
from plans.formats import period_text, periods_text
from plans.models import PlanTemplate, PlanVersion
from plans.periods import Period

Scope = dict[int, tuple[int, int]]  # employee id -> (assignment id, version id), as close_scope gives it
NAMES_SHOWN = 10


class CloseRefused(ApplicationError):
    """A close or reopen refused; ``missing``, what keeps a month from closing."""

    def __init__(self, message: str, missing: list[MissingFigure] | None = None) -> None:
        super().__init__(message)
        self.missing = missing or []


@dataclass(frozen=True)
class Selection:
    """Whom a close is of: the people of these departments (names) and on these plans (codes),
    either or both; with ``complete``, only those whose figures are all in. Nothing chosen:
    everybody still open."""

    departments: tuple[str, ...] = ()
    plans: tuple[str, ...] = ()
    complete: bool = False

    @property
    def everyone(self) -> bool:
        return not (self.departments or self.plans or self.complete)

    @classmethod
    def of(cls, part: CyclePart) -> "Selection":
        return cls(departments=tuple(part.departments), plans=tuple(part.plans), complete=part.complete)

    def same(self, part: CyclePart) -> bool:
        return Selection.of(part) == Selection(
            tuple(sorted(self.departments)), tuple(sorted(self.plans)), self.complete
        )


def list_join(words: Iterable[str]) -> str:
    """Words listed, as the language lists them (、 in Chinese)."""
    return _(", ").join(words)


def selection_describe(selection: Selection) -> str:
    """The selection in words, for the pages, the events and the terminal."""
    if selection.everyone:
        return _("everybody still open")
    words = []
    if selection.departments:
        words.append(_("departments %(names)s") % {"names": list_join(selection.departments)})
    if selection.plans:
        names = dict(PlanTemplate.objects.filter(code__in=selection.plans).values_list("code", "name"))
        words.append(_("plans %(names)s") % {"names": list_join(names.get(code, code) for code in selection.plans)})
    if selection.complete:
        words.append(_("whoever has every figure in"))
    return _("; ").join(words)


@dataclass(frozen=True)
class Chosen:
    """Whom a requested close covers."""

    scope: Scope
    missing: list[MissingFigure]  # what they lack (scored 0 when forced)


def selection_choose(*, period: Period, selection: Selection, force: bool) -> Chosen:
    """Whom a close of ``selection`` in ``period`` covers, or why it cannot close now.

    Refused: a department or plan that does not exist; for a quarter, people of the selection
    whose months are not all closed, for a year whose quarters are not (``complete`` leaves them
    open instead); values missing,
    unless forced (``complete`` leaves those people open instead); nobody left to close.
    """
    scope = _selected(period, selection)
    if not period.is_month:
        waiting = _months_waiting(period, scope)
        if waiting and not selection.complete:
            months = periods_text(sorted({month for months in waiting.values() for month in months}))
            text = (
                _("%(quarter)s cannot close before its months: %(months)s not closed")
                if period.is_quarter
                else _("%(quarter)s cannot close before its quarters: %(months)s not closed")
            )
            message = text % {"quarter": period_text(period), "months": months}
            if not selection.everyone or len(waiting) < len(scope):
                message += _(" for %(names)s") % {"names": _names(waiting)}
            raise CloseRefused(message)
        for employee_id in waiting:
            scope.pop(employee_id)
    missing = figures_missing(period=period, scope=scope)
    if selection.complete and missing:
        lacking = {m.employee for m in missing}
        scope = {e: a for e, a in scope.items() if e not in _ids_of(lacking)}
        missing = []
    elif missing and not force:
        raise CloseRefused(
            _("%(period)s cannot close: %(count)s values are missing")
            % {"period": period_text(period), "count": len(missing)},
            missing,
        )
    if not scope and not selection.everyone:
        raise CloseRefused(
            _("Nobody of %(who)s is left to close in %(period)s.")
            % {"who": selection_describe(selection), "period": period_text(period)}
        )
    return Chosen(scope=scope, missing=missing)


def _selected(period: Period, selection: Selection) -> Scope:
    scope = close_scope(period=period)
    if selection.departments:
        known = set(Department.objects.filter(name__in=selection.departments).values_list("name", flat=True))
        if unknown := [name for name in selection.departments if name not in known]:
            raise CloseRefused(_("There is no department “%(name)s”.") % {"name": unknown[0]})
        people = set(
            User.objects.filter(pk__in=scope.keys(), department__name__in=selection.departments).values_list(
                "pk", flat=True
            )
        )
        scope = {e: a for e, a in scope.items() if e in people}
    if selection.plans:
        known = set(PlanTemplate.objects.filter(code__in=selection.plans).values_list("code", flat=True))
        if unknown := [code for code in selection.plans if code not in known]:
            raise CloseRefused(_("There is no plan “%(code)s”.") % {"code": unknown[0]})
        versions = set(
            PlanVersion.objects.filter(
                pk__in={v for _a, v in scope.values()}, template__code__in=selection.plans
            ).values_list("pk", flat=True)
        )
        scope = {e: a for e, a in scope.items() if a[1] in versions}
    return scope


def _months_waiting(quarter: Period, scope: Scope) -> dict[int, list[str]]:
    """The people of ``scope`` whose quarter (or year) cannot close yet, each with their months
    (or quarters) still open.

    A quarter closes for a person once each of its months is closed for them (or they were not
    assigned in it); a year once each of its quarters is.
    """
    parts = quarter.months() if quarter.is_quarter else quarter.quarters()
    statuses = closures(periods=[str(part) for part in parts])
    waiting: dict[int, list[str]] = {}
    for part in parts:
        if statuses[str(part)].everyone:
            continue
        for employee_id in close_scope(period=part).keys() & scope.keys():
            waiting.setdefault(employee_id, []).append(str(part))
    return waiting


def _ids_of(usernames: set[str]) -> set[int]:
    return set(User.objects.filter(username__in=usernames).values_list("pk", flat=True))


def _names(people: Sequence[int] | dict[int, list[str]]) -> str:
    """Some people by name, and how many more."""
    ids = sorted(people)
    names = [u.display_name or u.username for u in User.objects.filter(pk__in=ids[:NAMES_SHOWN]).order_by(*by_name())]
    text = list_join(names)
    if len(ids) > NAMES_SHOWN:
        text += _(" and %(count)s more") % {"count": len(ids) - NAMES_SHOWN}
    return text
