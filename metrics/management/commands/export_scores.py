from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from metrics.exports import ExportRefused, scores_csv
from metrics.management.commands.close_cycle import parse_period


class Command(BaseCommand):
    help = "Write a closed period's scores as CSV, to standard output or to --output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("period")
        parser.add_argument("--output", type=Path, help="A file to write instead of standard output.")

    def handle(self, *args: Any, period: str, output: Path | None, **options: Any) -> None:
        try:
            text = scores_csv(period=parse_period(period))
        except ExportRefused as refused:
            raise CommandError(str(refused)) from refused
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8")
