from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from metrics.api.models import Scope
from metrics.api.tokens import TokenRefused, api_token_create


def _words(text: str) -> list[str]:
    return [word.strip() for word in text.split(",") if word.strip()]


class Command(BaseCommand):
    help = "Make a token for an integration of the API; the token is printed once, as the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The integration's name, e.g. crm (the figures' audit says api:crm).")
        parser.add_argument("--scopes", required=True, help=f"Comma-separated, among: {', '.join(Scope.values)}.")
        parser.add_argument("--departments", default="", help="Comma-separated names: only their people.")
        parser.add_argument("--plans", default="", help="Comma-separated codes: only the people on them.")

    def handle(self, *args: Any, name: str, scopes: str, departments: str, plans: str, **options: Any) -> None:
        try:
            made = api_token_create(
                name=name, scopes=_words(scopes), departments=_words(departments), plans=_words(plans)
            )
        except TokenRefused as refused:
            raise CommandError(refused.message) from refused
        self.stdout.write(
            _("Token “%(name)s” made. Keep it secret: it is shown only now, and only its hash is kept.")
            % {"name": made.token.name}
        )
        self.stdout.write(made.secret)
