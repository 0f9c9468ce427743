from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        # The figures' saves refuse the ratings a review holds to anyone but that review.
        from metrics.figures.holders import holders_register
        from reviews.holders import review_holders

        holders_register(review_holders)
