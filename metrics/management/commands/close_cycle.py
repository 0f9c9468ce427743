from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from metrics.cycles.models import Cycle, CycleStatus, PartStatus
from metrics.figures.selectors import close_scope
from metrics.results.closing import cycle_close_request, cycle_part_wait
from metrics.results.parts import CloseRefused, Selection
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
            _("“%(value)s” is not a month like 2026-01, a quarter like 2026-Q1 or a year like 2026.") % {"value": text}
        ) from error


class Command(BaseCommand):
    help = (
        "Close a month, a quarter or a year, or part of it (SPEC.md section 8): score the people chosen "
        "through the Celery workers and wait for them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("period")
        parser.add_argument("--force", action="store_true", help="Close even with figures missing: they score 0.")
        parser.add_argument(
            "--department", action="append", default=[], metavar="NAME", help="Close only this department's people."
        )
        parser.add_argument(
            "--plan", action="append", default=[], metavar="CODE", help="Close only the people on this plan."
        )
        parser.add_argument(
            "--complete", action="store_true", help="Close only those whose figures are all in; leave the rest open."
        )

    def handle(
        self,
        *args: Any,
        period: str,
        force: bool,
        department: list[str],
        plan: list[str],
        complete: bool,
        **options: Any,
    ) -> None:
        target = parse_period(period)
        selection = Selection(departments=tuple(department), plans=tuple(plan), complete=complete)
        cycle = close_and_wait(period=target, force=force, selection=selection)
        if cycle is None:
            self.stdout.write(_("%(period)s is already closed: nothing changed.") % {"period": target})
            return
        count = cycle.results.filter(run=cycle.run).count()
        if cycle.status == CycleStatus.CLOSED:
            self.stdout.write(_("%(period)s is closed: %(count)s results.") % {"period": target, "count": count})
            return
        self.stdout.write(
            _("%(period)s is closed in part: %(closed)s closed, %(open)s still open.")
            % {"period": target, "closed": count, "open": len(close_scope(period=target))}
        )


def close_and_wait(
    *, period: Period, force: bool = False, user: User | None = None, selection: Selection | None = None
) -> Cycle | None:
    """Request the close, wait for the workers: the cycle once the close is done, or None when
    the period was closed already.

    Every refusal is a CommandError with a message for the person at the terminal.
    """
    try:
        request = cycle_close_request(
            period=period, force=force, user=user, enqueue=cycle_close_enqueue, selection=selection
        )
    except CloseRefused as refused:
        lines = [refused.message, *(f"  {m}" for m in refused.missing)]
        if refused.missing:
            lines.append(_("Enter them, close with --force to score them 0, or with --complete to close the others."))
        raise CommandError("\n".join(lines)) from refused
    except BrokerError as error:
        raise CommandError(
            _(
                "The task queue cannot be reached (%(error)s): %(period)s stays open and nothing was lost. Try again when it is back."
            )
            % {"error": error, "period": period}
        ) from error
    if request.already_closed or request.part is None:
        return None
    part = cycle_part_wait(part_id=request.part.pk, timeout=settings.CLOSE_WAIT_SECONDS)
    if part.status != PartStatus.CLOSED:
        raise CommandError(
            _("%(period)s is still %(status)s after %(seconds)s s: are the workers running?")
            % {"period": period, "status": part.get_status_display(), "seconds": settings.CLOSE_WAIT_SECONDS}
        )
    return Cycle.objects.get(pk=part.cycle_id)
