from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        # The access audit listens to the sign-ins, sign-outs, lockouts and our logins' signals.
        from people.logins import audit

        audit.receivers_connect()
