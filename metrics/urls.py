"""The figures' pages, the results' pages, the follow-ups and the webhooks, under one namespace (``metrics:``)."""

from metrics.figures.urls import urlpatterns as figures_urls
from metrics.followups.urls import urlpatterns as followups_urls
from metrics.results.urls import urlpatterns as results_urls
from metrics.webhooks.urls import urlpatterns as webhooks_urls

app_name = "metrics"
urlpatterns = figures_urls + results_urls + followups_urls + webhooks_urls
