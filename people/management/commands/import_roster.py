from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from people.staffing.roster import roster_import
from plans.tabular import TableError, table_read


class Command(BaseCommand):
    help = "Create and update people, managers, departments and plan assignments from a roster (CSV or XLSX)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            outcome = roster_import(table=table_read(path.read_bytes()))
        except OSError as error:
            raise CommandError(str(error)) from error
        except TableError as error:
            raise CommandError(
                _("%(path)s was not imported; nothing was saved:") % {"path": path} + "\n" + "\n".join(error.messages)
            ) from error
        self.stdout.write(
            _("People: %(created)s new, %(updated)s updated. Assignments: %(a_created)s new, %(a_updated)s updated.")
            % {
                "created": outcome.people_created,
                "updated": outcome.people_updated,
                "a_created": outcome.assignments_created,
                "a_updated": outcome.assignments_updated,
            }
        )
        for note in outcome.notes:
            self.stdout.write(note)
