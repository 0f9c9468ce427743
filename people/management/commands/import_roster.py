from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from metrics.management.tables import table_file_import
from people.staffing.roster import roster_import


class Command(BaseCommand):
    help = "Create and update people, managers, departments and plan assignments from a roster (CSV or XLSX)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        outcome = table_file_import(path, lambda table: roster_import(table=table))
        self.stdout.write(
            _("People: %(created)s new, %(updated)s updated. Assignments: %(a_created)s new, %(a_updated)s updated.")
            % outcome.counts()
        )
        for note in outcome.notes:
            self.stdout.write(note)
