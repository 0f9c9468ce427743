from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from metrics.management.tables import table_file_import
from people.logins.services import InvitationOutcome, invitations_send
from people.models import User
from people.staffing.roster import roster_import


class Command(BaseCommand):
    help = "Create and update people, managers, departments and plan assignments from a roster (CSV or XLSX)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--invite",
            action="store_true",
            help="Email each person the file adds an invitation to set a password (those with an address).",
        )

    def handle(self, *args: Any, path: Path, invite: bool = False, **options: Any) -> None:
        outcome = table_file_import(path, lambda table: roster_import(table=table))
        self.stdout.write(
            _("People: %(created)s new, %(updated)s updated. Assignments: %(a_created)s new, %(a_updated)s updated.")
            % outcome.counts()
        )
        for note in outcome.notes:
            self.stdout.write(note)
        if invite and outcome.created:
            people = User.objects.filter(username__in=outcome.created).order_by("username")
            self._invited(invitations_send(people=people, by=None))

    def _invited(self, outcome: InvitationOutcome) -> None:
        self.stdout.write(_("Invitations sent: %(count)s.") % {"count": len(outcome.invited)})
        if outcome.no_email:
            self.stdout.write(
                _("Not invited, no email address: %(usernames)s.")
                % {"usernames": ", ".join(person.username for person in outcome.no_email)}
            )
