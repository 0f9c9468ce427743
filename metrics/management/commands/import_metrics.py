from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from metrics.figures.services import metrics_import
from plans.tabular import TableError, table_read


class Command(BaseCommand):
    help = "Import monthly and quarterly figures from a metrics CSV: all rows or none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Say what would change and save nothing.")

    def handle(self, *args: Any, path: Path, dry_run: bool, **options: Any) -> None:
        try:
            outcome = metrics_import(table=table_read(path.read_bytes()), dry_run=dry_run)
        except OSError as error:
            raise CommandError(str(error)) from error
        except TableError as error:
            raise CommandError(
                _("%(path)s was not imported; nothing was saved:") % {"path": path} + "\n" + "\n".join(error.messages)
            ) from error
        if dry_run:
            for change in outcome.changes:
                self.stdout.write(change)
        self.stdout.write(
            _("Figures: %(created)s new, %(changed)s changed, %(unchanged)s unchanged.")
            % {"created": outcome.created, "changed": outcome.changed, "unchanged": outcome.unchanged}
        )
