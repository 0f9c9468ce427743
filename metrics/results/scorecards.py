"""Reads behind the scorecards: each closed period of a person, and why each indicator scored what it did."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrics.results.models import Result, ResultLine
from metrics.results.periods import period_key
from people.models import User
from plans.models import Frequency, Indicator, Method
from plans.numbers import number_text as _number_text
from plans.scoring import CENTS, INCOMPLETE_FLAG


def number_text(value: Decimal | None) -> str:
    """A stored figure as people write it: 4.000000 -> 4, 95.833300 -> 95.8333; nothing for none."""
    # plans.numbers.number_text, but nothing for what a line or an indicator lacks (no actual, no floor).
    return "" if value is None else _number_text(value)


# --- what the rooms above add to a scorecard -------------------------------------------------------
#
# Results sit below the rooms that say something about a result (HR's follow-up decisions,
# metrics.followups), so they cannot ask those rooms directly: a room registers a lookup when
# Django starts (``AppConfig.ready``), and the scorecard page shows what the lookups return.


@dataclass(frozen=True)
class ScorecardNote:
    """A word about one period of a scorecard, for the person reading it."""

    period: str
    title: str
    text: str
    by: str
    at: datetime
    status: str = ""  # where it stands, in words ("acknowledged on …")
    action_url: str = ""  # a POST the reader may send now, e.g. to acknowledge it
    action_label: str = ""


# (employee, the person reading their scorecard) -> the notes that reader may see.
NotesLookup = Callable[[User, User], list[ScorecardNote]]

_notes_lookups: list[NotesLookup] = []


def scorecard_notes_register(lookup: NotesLookup) -> None:
    if lookup not in _notes_lookups:
        _notes_lookups.append(lookup)


def scorecard_notes(*, employee: User, viewer: User) -> dict[str, list[ScorecardNote]]:
    """The notes of ``employee``'s scorecard that ``viewer`` may read, by period."""
    notes: dict[str, list[ScorecardNote]] = {}
    for lookup in _notes_lookups:
        for note in lookup(employee, viewer):
            notes.setdefault(note.period, []).append(note)
    return notes


# --- scorecards --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScorecardLine:
    code: str
    name: str
    unit: str
    method: str
    weight: Decimal
    actual: str
    target: str
    points: Decimal
    reasons: list[str]


@dataclass(frozen=True)
class ScorecardPeriod:
    period: str
    is_quarter: bool
    plan: str
    score: Decimal
    band: str
    payout: Decimal
    bonus: Decimal
    flags: list[str]
    lines: list[ScorecardLine]
    notes: tuple[ScorecardNote, ...] = ()  # what the rooms above say about it, for the reader


def _line_reasons(line: ResultLine, indicator: Indicator, *, quarter: bool) -> list[str]:
    """Why an indicator scored what it did, in words."""
    reasons = []
    if quarter and indicator.frequency == Frequency.MONTHLY:
        if line.months:
            reasons.append(
                _("The mean of its monthly points over %(count)s months of the quarter.") % {"count": line.months}
            )
        else:
            reasons.append(_("No monthly score in this quarter: 0 points."))
        return reasons
    if line.missing:
        reasons.append(_("No figure was entered: it scores 0 (closed with figures missing)."))
        return reasons
    if line.floored:
        if indicator.method == Method.PROPORTIONAL:
            reasons.append(
                _("Below the floor of %(floor)s × target: it scores 0.") % {"floor": number_text(indicator.floor)}
            )
        else:
            reasons.append(_("The penalties take it below 0: it scores 0."))
    if line.capped:
        cap = indicator.cap if indicator.cap is not None else Decimal(1)
        reasons.append(
            _("Capped at %(max)s points (weight %(weight)s × cap %(cap)s).")
            % {
                "max": number_text(indicator.weight * cap),
                "weight": number_text(indicator.weight),
                "cap": number_text(cap),
            }
        )
    if line.stretched:
        reasons.append(
            _("Stretch target %(target)s reached: %(bonus)s extra points.")
            % {"target": number_text(indicator.stretch_target), "bonus": number_text(indicator.stretch_bonus)}
        )
    if not reasons:
        reasons.append(_method_reason(line, indicator))
    return reasons


def _method_reason(line: ResultLine, indicator: Indicator) -> str:
    """How the method turned the actual value into points, when nothing special happened."""
    reached = line.points >= indicator.weight
    if indicator.method == Method.RATING:
        return _("Rated %(actual)s out of %(scale)s: weight × rating ÷ scale.") % {
            "actual": number_text(line.actual),
            "scale": number_text(indicator.scale),
        }
    if indicator.method == Method.TIERS:
        if line.points > 0:
            return _("The best tier reached is worth %(points)s points.") % {"points": line.points}
        return _("No tier reached: 0 points.")
    if indicator.method == Method.BINARY:
        return _("Target met: full weight.") if reached else _("Target not met: 0 points.")
    if indicator.method == Method.PER_UNIT:
        if line.points > indicator.weight:
            return _("Above target: %(bonus)s extra points per unit.") % {
                "bonus": number_text(indicator.bonus_per_unit or Decimal(0))
            }
        if not reached:
            return _("Below target: %(penalty)s points off per unit short.") % {
                "penalty": number_text(indicator.penalty_per_unit or Decimal(0))
            }
    if reached:
        return _("Target reached: full weight or more.")
    return _("Below target: points in proportion to how close it came.")


def scorecard(*, employee: User, viewer: User | None = None) -> list[ScorecardPeriod]:
    """An employee's current results, newest period first, each indicator with its reasons, and
    the notes of the rooms above that ``viewer`` may read (none without a viewer)."""
    notes = scorecard_notes(employee=employee, viewer=viewer) if viewer is not None else {}
    results = list(
        Result.objects.filter(employee=employee, superseded_at__isnull=True)
        .select_related("version")
        .prefetch_related("lines__indicator")
    )
    results.sort(key=lambda r: period_key(r.period), reverse=True)
    methods = dict(Method.choices)
    periods = []
    for result in results:
        quarter = result.period.is_quarter
        lines = []
        for line in result.lines.all():
            indicator = line.indicator
            lines.append(
                ScorecardLine(
                    code=indicator.code,
                    name=indicator.name,
                    unit=indicator.unit,
                    method=str(methods.get(line.method, line.method)),
                    weight=indicator.weight.quantize(CENTS),
                    actual=number_text(line.actual),
                    target=number_text(line.target),
                    points=line.points,
                    reasons=_line_reasons(line, indicator, quarter=quarter),
                )
            )
        periods.append(
            ScorecardPeriod(
                period=str(result.period),
                is_quarter=quarter,
                plan=f"{result.version.name} v{result.version.number}",
                score=result.score,
                band=result.band,
                payout=result.payout,
                bonus=result.bonus,
                flags=list(flag_labels(result.flags)),
                lines=lines,
                notes=tuple(notes.get(str(result.period), ())),
            )
        )
    return periods


# Flags come from the plan file (a band's or the streak's) or from a forced close; the usual
# ones read better in words, any other is shown as it is written in the plan.
FLAG_LABELS = {
    "warning": gettext_lazy("Warning"),
    "promotion_candidate": gettext_lazy("Promotion candidate"),
    INCOMPLETE_FLAG: gettext_lazy("Incomplete"),
}


def flag_labels(flags: Iterable[str]) -> tuple[str, ...]:
    """A result's flags in words, sorted as the export sorts them."""
    return tuple(str(FLAG_LABELS.get(flag, flag)) for flag in sorted(flags))
