import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from metrics.results.closing import company_today
from metrics.results.schedule import schedule_run
from metrics.results.tasks import cycle_close_enqueue


class Command(BaseCommand):
    help = "Run the cycles schedule now: close the complete months past their closing day, remind the rest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="Pretend today is this date (YYYY-MM-DD).")

    def handle(self, *args: Any, today: str | None, **options: Any) -> None:
        try:
            day = datetime.date.fromisoformat(today) if today else company_today()
        except ValueError as error:
            raise CommandError(_("“%(value)s” is not a date like 2026-02-08.") % {"value": today}) from error
        if day > company_today():
            # Pretending a later day would close months that have not ended.
            raise CommandError(_("%(day)s is in the future: the schedule runs for today or a past day.") % {"day": day})
        outcome = schedule_run(today=day, enqueue=cycle_close_enqueue)
        lines = outcome.lines()
        if not lines:
            lines = [
                _("Nothing to do on %(day)s: no open month is %(days)s days past its end.")
                % {"day": day, "days": settings.CYCLE_AUTO_CLOSE_DAYS}
            ]
        for line in lines:
            self.stdout.write(line)
        if outcome.problems:
            raise CommandError(_("Some months could not be handled: see above."))
