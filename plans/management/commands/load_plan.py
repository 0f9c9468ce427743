from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from plans.plan_file import PLAN_FILE_MAX_BYTES, PlanFileError, plan_file_loads
from plans.services import plan_publish


class Command(BaseCommand):
    help = "Check a plan file (JSON) and publish it as the plan's next version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            if path.stat().st_size > PLAN_FILE_MAX_BYTES:  # not read into memory
                raise PlanFileError([_("The plan file is larger than 1 MB: a plan file is a few kilobytes.")])
            definition = plan_file_loads(path.read_bytes())
        except OSError as error:
            raise CommandError(str(error)) from error
        except PlanFileError as error:
            raise CommandError(
                _("%(path)s was not loaded:") % {"path": path} + "\n" + "\n".join(error.messages)
            ) from error
        outcome = plan_publish(definition=definition)
        if outcome.created:
            self.stdout.write(
                _("Published %(code)s version %(number)s.")
                % {"code": definition.code, "number": outcome.version.number}
            )
        else:
            self.stdout.write(
                _("%(code)s is unchanged: version %(number)s is already this plan.")
                % {"code": definition.code, "number": outcome.version.number}
            )
