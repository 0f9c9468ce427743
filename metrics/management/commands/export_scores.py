from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from metrics.management.commands.close_cycle import parse_period
from metrics.results.dashboards import people_open
from metrics.results.exports import ExportRefused, scores_csv


class Command(BaseCommand):
    help = "Write the scores a period's closes wrote so far as CSV, to standard output or to --output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("period")
        parser.add_argument("--output", type=Path, help="A file to write instead of standard output.")

    def handle(self, *args: Any, period: str, output: Path | None, **options: Any) -> None:
        target = parse_period(period)
        try:
            text = scores_csv(period=target)
        except ExportRefused as refused:
            raise CommandError(str(refused)) from refused
        if still_open := people_open(period=target):
            self.stderr.write(
                _("Still open in %(period)s, so not in this export yet: %(count)s.")
                % {"count": still_open, "period": target}
            )
        if output is None:
            self.stdout.write(text, ending="")
            return
        if not output.parent.is_dir():
            raise CommandError(
                _("Cannot write %(path)s: the folder %(folder)s does not exist.")
                % {"path": output, "folder": output.parent}
            )
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:  # no such folder, a folder, no permission, disk full
            raise CommandError(
                _("Cannot write %(path)s: %(reason)s.") % {"path": output, "reason": error.strerror or error}
            ) from error
