from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.figures.reminders import figures_reminders_send
from plans.periods import Period, PeriodError


class Command(BaseCommand):
    help = "Email the managers whose reports' figures of a month are missing, now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", help="The month, e.g. 2026-02 (default: last month).")

    def handle(self, *args: Any, month: str | None, **options: Any) -> None:
        if month:
            try:
                period = Period.parse(month)
            except PeriodError:
                period = None
            if period is None or not period.is_month:
                raise CommandError(_("“%(value)s” is not a month like 2026-02") % {"value": month})
        else:
            today = timezone.localdate()
            period = Period.of_month(today.year, today.month).shift(-1)
        sent = figures_reminders_send(period=period)
        self.stdout.write(
            _("%(period)s: reminded %(count)s managers: %(who)s")
            % {"period": period, "count": len(sent), "who": ", ".join(sent) or "-"}
        )
