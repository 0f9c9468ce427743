from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from metrics.cycles.models import Cycle, CycleStatus
from metrics.results.closing import cycle_close_request, cycle_wait
from metrics.results.parts import CloseRefused
from metrics.results.tasks import cycle_close_enqueue
from people.models import User
from plans.periods import Period, PeriodError


def parse_period(text: str) -> Period:
    try:
        return Period.parse(text)
    except PeriodError as error:
        if error.out_of_range:
            raise CommandError(
                _("“%(value)s” is outside the periods this product handles: 2000-01 to 2100-12.") % {"value": text}
            ) from error
        raise CommandError(
            _("“%(value)s” is not a month like 2026-01 or a quarter like 2026-Q1.") % {"value": text}
        ) from error


class Command(BaseCommand):
    help = "Close a month or a quarter: score everybody through the Celery workers and wait for them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("period")
        parser.add_argument("--force", action="store_true", help="Close even with figures missing: they score 0.")

    def handle(self, *args: Any, period: str, force: bool, **options: Any) -> None:
        target = parse_period(period)
        cycle = close_and_wait(period=target, force=force)
        if cycle is None:
            self.stdout.write(_("%(period)s is already closed: nothing changed.") % {"period": target})
            return
        count = cycle.results.filter(run=cycle.run).count()
        self.stdout.write(_("%(period)s is closed: %(count)s results.") % {"period": target, "count": count})


def close_and_wait(*, period: Period, force: bool = False, user: User | None = None) -> Cycle | None:
    """Request the close, wait for the workers: the closed cycle, or None when it was closed already.

    Every refusal is a CommandError with a message for the person at the terminal.
    """
    try:
        request = cycle_close_request(period=period, force=force, user=user, enqueue=cycle_close_enqueue)
    except CloseRefused as refused:
        lines = [refused.message, *(f"  {m}" for m in refused.missing)]
        if refused.missing:
            lines.append(_("Enter them, or close with --force to score them 0."))
        raise CommandError("\n".join(lines)) from refused
    except BrokerError as error:
        raise CommandError(
            _(
                "The task queue cannot be reached (%(error)s): %(period)s stays open and nothing was lost. Try again when it is back."
            )
            % {"error": error, "period": period}
        ) from error
    if request.already_closed:
        return None
    cycle = cycle_wait(cycle_id=request.cycle.pk, timeout=settings.CLOSE_WAIT_SECONDS)
    if cycle.status != CycleStatus.CLOSED:
        raise CommandError(
            _("%(period)s is still %(status)s after %(seconds)s s: are the workers running?")
            % {"period": period, "status": cycle.get_status_display(), "seconds": settings.CLOSE_WAIT_SECONDS}
        )
    return cycle
