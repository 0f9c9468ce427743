"""The figures' pages, the results' pages and the follow-ups, under one namespace (``metrics:``)."""

from metrics.figures.urls import urlpatterns as figures_urls
from metrics.followups.urls import urlpatterns as followups_urls
from metrics.results.urls import urlpatterns as results_urls

app_name = "metrics"
urlpatterns = figures_urls + results_urls + followups_urls
