"""Reads behind the scorecards: each closed period of a person, and why each indicator scored what it did."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from metrics.results.models import CalibrationMove, MoveStatus, Result, ResultLine
from metrics.results.periods import period_key
from metrics.results.release import released_exists, results_shown
from people.models import User
from plans.flags import PRODUCT_FLAGS, flag_texts
from plans.models import Band, Direction, Frequency, Indicator, Method, version_label
from plans.numbers import number_text as _number_text
from plans.scoring import CENTS
from plans.selectors import flag_labels as plan_flag_labels


def number_text(value: Decimal | None) -> str:
    """A stored figure as people write it: 4.000000 -> 4, 95.833300 -> 95.8333; nothing for none."""
    # plans.numbers.number_text, but nothing for what a line or an indicator lacks (no actual, no floor).
    return "" if value is None else _number_text(value)


# A value read on a scorecard: two decimals say enough of a rate or an amount (12.9032 % reads
# 12.9 %); the exact value stays in the line's ``actual_exact`` (the page's tooltip).
SHOWN_PLACES = Decimal("0.01")


def shown_text(value: Decimal | None) -> str:
    """A line's actual or target as people read it: at most two decimals, no trailing zeros."""
    if value is None:
        return ""
    return _number_text(value.quantize(SHOWN_PLACES, rounding=ROUND_HALF_UP))


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
    actual_exact: str = ""  # the stored value, when the shown one is rounded


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
    is_year: bool = False
    calibration: tuple[str, ...] = ()  # each move applied before release: "Calibration: B → A, reason: …"
    result_id: int = 0
    proposable: tuple[str, ...] = ()  # the bands a manager may propose for it, while it is held
    explanation: str = ""  # how the lines' points make the score, written out


def _line_reasons(line: ResultLine, indicator: Indicator, *, quarter: bool, year: bool = False) -> list[str]:
    """Why an indicator scored what it did, in words."""
    reasons = []
    if year:
        if line.months:
            reasons.append(_("The mean of its points over %(count)s quarters of the year.") % {"count": line.months})
        else:
            reasons.append(_("No quarterly score in this year: 0 points."))
        return reasons
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
            reasons.append(_floor_reason(indicator))
        else:
            reasons.append(_("The penalties take it below 0: it scores 0."))
    if line.capped:
        cap = indicator.cap if indicator.cap is not None else Decimal(1)
        reasons.append(
            _("Capped at %(max)s points: at most %(cap)s%% of its weight %(weight)s.")
            % {
                "max": number_text(indicator.weight * cap),
                "weight": number_text(indicator.weight),
                "cap": number_text(cap * 100),
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


def _floor_reason(indicator: Indicator) -> str:
    """Why a proportional indicator scored nothing: its achievement fell below the plan's floor."""
    floor = indicator.floor if indicator.floor is not None else Decimal(0)
    if indicator.direction == Direction.LOWER:
        # achievement = 1 - (actual - target) / target: below the floor when the actual exceeds
        # the target by more than (1 - floor) of it.
        return _("The actual value is more than %(excess)s%% above the target: no points.") % {
            "excess": number_text((1 - floor) * 100)
        }
    return _("The actual value is below %(floor)s%% of the target: no points.") % {"floor": number_text(floor * 100)}


def _explanation(result: Result, lines: list[ResultLine]) -> str:
    """How the lines' points make the period's score (SPEC.md: a month's points scaled to 100 by
    its weights; a quarter's and a year's points added)."""
    points = sum((line.points for line in lines), Decimal(0)).quantize(CENTS)
    if result.period.is_quarter or result.period.is_year:
        return _("Sum of the points: %(points)s points = %(score)s points.") % {
            "points": points,
            "score": result.score,
        }
    weights = sum((line.indicator.weight for line in lines), Decimal(0))
    if not weights:
        return ""
    return _("%(points)s points ÷ the weights of the month %(weights)s × 100 = %(score)s points.") % {
        "points": points,
        "weights": number_text(weights),
        "score": result.score,
    }


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
    current = Result.objects.filter(employee=employee, superseded_at__isnull=True)
    if viewer is not None:
        current = results_shown(current, viewer=viewer)  # held for calibration: not the employee's yet
    results = list(
        current.select_related("version")
        .annotate(released=released_exists())
        .prefetch_related(
            "lines__indicator",
            Prefetch(
                "calibration_moves",
                queryset=CalibrationMove.objects.filter(status=MoveStatus.APPLIED),
                to_attr="moves_applied",
            ),
        )
    )
    proposer = viewer is not None and employee.manager_id == viewer.pk and viewer.pk != employee.pk
    labels = _band_labels({r.version_id for r in results}) if proposer else {}
    flag_words = plan_flag_labels(version_ids={r.version_id for r in results})
    results.sort(key=lambda r: period_key(r.period), reverse=True)
    methods = dict(Method.choices)
    periods = []
    for result in results:
        quarter = result.period.is_quarter
        lines = []
        stored = list(result.lines.all())
        for line in stored:
            indicator = line.indicator
            lines.append(
                ScorecardLine(
                    code=indicator.code,
                    name=indicator.name,
                    unit=indicator.unit,
                    method=str(methods.get(line.method, line.method)),
                    weight=indicator.weight.quantize(CENTS),
                    actual=shown_text(line.actual),
                    target=shown_text(line.target),
                    points=line.points,
                    reasons=_line_reasons(line, indicator, quarter=quarter, year=result.period.is_year),
                    actual_exact=number_text(line.actual),
                )
            )
        periods.append(
            ScorecardPeriod(
                period=str(result.period),
                is_quarter=quarter,
                is_year=result.period.is_year,
                plan=version_label(result.version.name, result.version.number),
                score=result.score,
                band=result.band,
                payout=result.payout,
                bonus=result.bonus,
                flags=list(flag_labels(result.flags, flag_words.get(result.version_id))),
                lines=lines,
                explanation=_explanation(result, stored),
                notes=tuple(notes.get(str(result.period), ())),
                calibration=tuple(
                    _("Calibration: %(from)s → %(to)s, reason: %(reason)s")
                    % {"from": move.from_band or "—", "to": move.to_band, "reason": move.reason}
                    for move in result.moves_applied
                ),
                result_id=result.pk,
                proposable=tuple(label for label in labels.get(result.version_id, ()) if label != result.band)
                if result.version.calibration and not result.released
                else (),
            )
        )
    return periods


def _band_labels(version_ids: set[int]) -> dict[int, list[str]]:
    labels: dict[int, list[str]] = {pk: [] for pk in version_ids}
    for version_id, label in (
        Band.objects.filter(version_id__in=version_ids).order_by("-min").values_list("version_id", "label")
    ):
        labels[version_id].append(label)
    return labels


# Flags come from the plan file (a band's or the streak's) or from a forced close; they read in
# words through the one display function, plans.flags.flag_text.
FLAG_LABELS = PRODUCT_FLAGS


def flag_labels(flags: Iterable[str], labels: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """A result's flags in words (the plan's labels when given), sorted as the export sorts them."""
    return flag_texts(flags, labels)
