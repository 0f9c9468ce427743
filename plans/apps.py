from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Plans")

    def ready(self) -> None:
        # Registers the <period:…> and <month:…> URL converters before any URLconf is read.
        from plans import converters  # noqa: F401
