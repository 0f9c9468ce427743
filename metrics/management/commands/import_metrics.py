from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from metrics.figures.services import metrics_import
from metrics.management.tables import table_file_import


class Command(BaseCommand):
    help = "Import monthly and quarterly figures from a metrics CSV: all rows or none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Say what would change and save nothing.")

    def handle(self, *args: Any, path: Path, dry_run: bool, **options: Any) -> None:
        outcome = table_file_import(path, lambda table: metrics_import(table=table, dry_run=dry_run))
        if dry_run:
            for change in outcome.changes:
                self.stdout.write(change)
        self.stdout.write(
            _("Figures: %(created)s new, %(changed)s changed, %(unchanged)s unchanged.")
            % {"created": outcome.created, "changed": outcome.changed, "unchanged": outcome.unchanged}
        )
