from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = _("Figures and cycles")

    def ready(self) -> None:
        # The scorecards show HR's follow-up decisions: the follow-ups sit above the results.
        from metrics.followups.scorecard import scorecard_decisions
        from metrics.results.scorecards import scorecard_notes_register

        scorecard_notes_register(scorecard_decisions)

        # The webhooks listen to the cycles' and the figures' signals: they sit above the results.
        from metrics.webhooks.events import webhooks_connect

        webhooks_connect()
