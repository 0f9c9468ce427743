from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from metrics.management.commands.close_cycle import parse_period
from metrics.results.exports import csv_pieces, simulated_rows
from metrics.results.simulation import SimulationRefused, plan_simulate
from plans.plan_file import PLAN_FILE_MAX_BYTES, PlanFileError, plan_file_loads


class Command(BaseCommand):
    help = (
        "Score everybody on a plan as if a plan file had been in force for a past month or quarter, "
        "from the figures stored today, and write the scores CSV (SPEC.md section 9). Saves nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("period")
        parser.add_argument("--output", type=Path, help="A file to write instead of standard output.")

    def handle(self, *args: Any, path: Path, period: str, output: Path | None, **options: Any) -> None:
        target = parse_period(period)
        try:
            if path.stat().st_size > PLAN_FILE_MAX_BYTES:  # not read into memory
                raise PlanFileError([_("The plan file is larger than 1 MB: a plan file is a few kilobytes.")])
            definition = plan_file_loads(path.read_bytes())
        except OSError as error:
            raise CommandError(str(error)) from error
        except PlanFileError as error:
            raise CommandError(
                _("%(path)s was not tried:") % {"path": path} + "\n" + "\n".join(error.messages)
            ) from error
        try:
            simulation = plan_simulate(definition=definition, period=target, stored=False)
        except SimulationRefused as refused:
            raise CommandError(refused.message) from refused
        text = "".join(csv_pieces(simulated_rows(simulation)))
        incomplete = sum(1 for item in simulation.results if item.result.incomplete)
        self.stderr.write(
            _(
                "%(code)s tried on %(period)s: %(count)s people scored, %(incomplete)s with values missing; nothing saved."
            )
            % {"code": definition.code, "period": target, "count": len(simulation.results), "incomplete": incomplete}
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
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(reason)s.") % {"path": output, "reason": error.strerror or error}
            ) from error
