from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from metrics.management.commands.close_cycle import parse_period
from metrics.results.closing import cycle_reopen
from metrics.results.parts import CloseRefused


class Command(BaseCommand):
    help = "Reopen a closed month, quarter or year; its results are kept, marked superseded."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("period")
        parser.add_argument("--reason", required=True, help="Why: kept in the cycle's audit trail.")

    def handle(self, *args: Any, period: str, reason: str, **options: Any) -> None:
        target = parse_period(period)
        try:
            cycle_reopen(period=target, reason=reason)
        except CloseRefused as refused:
            raise CommandError(refused.message) from refused
        self.stdout.write(_("%(period)s is open again.") % {"period": target})
