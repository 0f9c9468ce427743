"""Calibration before release (SPEC.md section 10): HR moves a closed result to another band with
a reason, a manager proposes moves for their reports that HR applies or rejects, and HR releases
the period. Every move is kept; a released run takes no more moves.

A move and a release both lock the period's cycle row first, so a move never lands after the
release that would have refused it, and two HR users releasing at once release once.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from metrics.cycles.models import Cycle, CycleStatus
from metrics.results.models import CalibrationMove, MoveStatus, PeriodRelease, Result
from people.models import User
from people.selectors import sees_everyone
from plans.errors import ApplicationError
from plans.formats import period_text
from plans.models import Band
from plans.periods import Period
from plans.scoring import bonus_for

CALIBRATED_FLAG = "calibrated"
REASON_MAX_LENGTH = 1000


class CalibrationRefused(ApplicationError):
    """A move, proposal, decision or release refused, with a message for the person who asked."""


def _name(user: User) -> str:
    return user.display_name or user.username


def _locked(result: Result) -> tuple[Cycle, Result]:
    """The result's cycle and the result itself, locked in that order, after the checks every move needs."""
    cycle = Cycle.objects.select_for_update().get(pk=result.cycle_id)
    locked = Result.objects.select_for_update().select_related("version", "employee", "assignment").get(pk=result.pk)
    who, period = _name(locked.employee), locked.period
    if locked.superseded_at is not None or locked.run != cycle.run:
        raise CalibrationRefused(
            _("%(period)s was reopened: the result of %(name)s being moved is no longer current.")
            % {"period": period_text(period), "name": who}
        )
    if not locked.version.calibration:
        raise CalibrationRefused(
            _("The plan of %(name)s is not calibrated: its results are released as they close.") % {"name": who}
        )
    if PeriodRelease.objects.filter(cycle=cycle, run=cycle.run).exists():
        raise CalibrationRefused(
            _("%(period)s is released: its results can no longer be moved.") % {"period": period_text(period)}
        )
    return cycle, locked


def _band(result: Result, label: str) -> Band:
    band = Band.objects.filter(version_id=result.version_id, label=label).first()
    if band is None:
        raise CalibrationRefused(
            _("The plan of %(name)s has no band “%(band)s”.") % {"name": _name(result.employee), "band": label}
        )
    if label == result.band:
        raise CalibrationRefused(
            _("%(name)s is in band %(band)s already.") % {"name": _name(result.employee), "band": label}
        )
    return band


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise CalibrationRefused(_("A move needs a reason."))
    if len(reason) > REASON_MAX_LENGTH:
        raise CalibrationRefused(
            _("The reason is %(length)s characters long: at most %(max)s.")
            % {"length": len(reason), "max": REASON_MAX_LENGTH}
        )
    return reason


def _apply(result: Result, band: Band) -> None:
    """The result in ``band``: its payout and bonus follow it (SPEC.md section 2), its flags lose the
    old band's flag, take the new one's and ``calibrated``."""
    old_flag = Band.objects.filter(version_id=result.version_id, label=result.band).values_list("flag", flat=True)
    flags = set(result.flags) - {flag for flag in old_flag if flag}
    flags |= {band.flag} if band.flag else set()
    assignment = result.assignment
    if result.period.is_month:
        amount = assignment.monthly_bonus
    elif result.period.is_year:
        amount = assignment.annual_bonus
    else:
        amount = assignment.quarterly_bonus
    result.band = band.label
    result.payout = band.payout
    result.bonus = bonus_for(amount, band.payout)
    result.flags = sorted(flags | {CALIBRATED_FLAG})
    result.save(update_fields=["band", "payout", "bonus", "flags"])


@transaction.atomic
def calibration_move(*, result: Result, band: str, reason: str, user: User) -> CalibrationMove:
    """HR moves ``result`` to ``band``: applied at once and recorded."""
    if not sees_everyone(user):
        raise CalibrationRefused(_("Only HR moves a result; a manager proposes the move."))
    reason = _reason(reason)
    cycle, locked = _locked(result)
    target = _band(locked, band)
    now = timezone.now()
    move = CalibrationMove.objects.create(
        result=locked, cycle=cycle, run=locked.run, period=locked.period, employee=locked.employee,
        from_band=locked.band, to_band=target.label, reason=reason, status=MoveStatus.APPLIED,
        proposed_by=user, proposed_at=now, decided_by=user, decided_at=now,
    )  # fmt: skip
    # A proposal waiting for the same result is settled by HR's own move.
    CalibrationMove.objects.filter(result=locked, status=MoveStatus.PROPOSED).update(
        status=MoveStatus.REJECTED, decided_by=user, decided_at=now
    )
    _apply(locked, target)
    return move


@transaction.atomic
def calibration_propose(*, result: Result, band: str, reason: str, user: User) -> CalibrationMove:
    """A manager proposes to move one of their reports' results; HR applies or rejects it."""
    if result.employee_id == user.pk or result.employee.manager_id != user.pk:
        raise CalibrationRefused(_("You may propose moves only for the people you manage."))
    reason = _reason(reason)
    cycle, locked = _locked(result)
    target = _band(locked, band)
    if CalibrationMove.objects.filter(result=locked, status=MoveStatus.PROPOSED).exists():
        raise CalibrationRefused(
            _("A proposal for %(name)s is already waiting for HR.") % {"name": _name(locked.employee)}
        )
    return CalibrationMove.objects.create(
        result=locked, cycle=cycle, run=locked.run, period=locked.period, employee=locked.employee,
        from_band=locked.band, to_band=target.label, reason=reason, status=MoveStatus.PROPOSED,
        proposed_by=user, proposed_at=timezone.now(),
    )  # fmt: skip


@transaction.atomic
def calibration_proposal_decide(*, move: CalibrationMove, accept: bool, user: User) -> CalibrationMove:
    """HR applies a manager's proposal (the result moves from the band it is in now) or rejects it."""
    if not sees_everyone(user):
        raise CalibrationRefused(_("Only HR accepts or rejects a proposal."))
    move = CalibrationMove.objects.select_for_update().get(pk=move.pk)
    if move.status != MoveStatus.PROPOSED:
        raise CalibrationRefused(
            _("This proposal was decided already: %(status)s.") % {"status": move.get_status_display()}
        )
    now = timezone.now()
    if accept:
        _cycle, locked = _locked(move.result)
        target = _band(locked, move.to_band)
        move.from_band = locked.band  # where the result really was when it moved
        _apply(locked, target)
    move.status = MoveStatus.APPLIED if accept else MoveStatus.REJECTED
    move.decided_by = user
    move.decided_at = now
    move.save(update_fields=["from_band", "status", "decided_by", "decided_at"])
    return move


@dataclass(frozen=True)
class ReleaseOutcome:
    release: PeriodRelease
    created: bool  # False: the period was released already, nothing changed


@transaction.atomic
def period_release(*, period: Period, user: User) -> ReleaseOutcome:
    """Release the period's results to the employees; releasing again changes nothing."""
    if not sees_everyone(user):
        raise CalibrationRefused(_("Only HR releases a period."))
    cycle = Cycle.objects.select_for_update().filter(period=str(period)).first()
    if cycle is None or cycle.status != CycleStatus.CLOSED:
        raise CalibrationRefused(
            _("%(period)s is not closed for everybody: release it once it is.") % {"period": period_text(period)}
        )
    existing = PeriodRelease.objects.filter(cycle=cycle, run=cycle.run).first()
    if existing is not None:
        return ReleaseOutcome(release=existing, created=False)
    waiting = CalibrationMove.objects.filter(cycle=cycle, run=cycle.run, status=MoveStatus.PROPOSED).count()
    if waiting:
        raise CalibrationRefused(
            ngettext(
                "%(count)s proposal of a manager is waiting: accept or reject it before releasing %(period)s.",
                "%(count)s proposals of managers are waiting: accept or reject them before releasing %(period)s.",
                waiting,
            )
            % {"count": waiting, "period": period_text(period)}
        )
    release = PeriodRelease.objects.create(cycle=cycle, run=cycle.run, released_by=user, released_at=timezone.now())
    return ReleaseOutcome(release=release, created=True)
