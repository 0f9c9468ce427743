from django.urls import path  # noqa: F401

app_name = "metrics"

urlpatterns: list = [
    # Figures: the team grid, uploads and history.
    # Cycles, scorecards and dashboards.
]
