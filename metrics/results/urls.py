"""The results' pages: cycles, scorecards and dashboards (under the ``metrics:`` namespace)."""

from django.urls import path

from metrics.results import views

urlpatterns = [
    path("cycles/", views.cycles, name="cycles"),
    path("cycles/<period:period>/", views.cycle, name="cycle"),
    path("cycles/<period:period>/progress/", views.cycle_progress, name="cycle_progress"),
    path("cycles/<period:period>/close/", views.cycle_close, name="cycle_close"),
    path("cycles/<period:period>/force/", views.cycle_force, name="cycle_force"),
    path("cycles/<period:period>/reopen/", views.cycle_reopen_view, name="cycle_reopen"),
    path("cycles/<period:period>/remind/<str:username>/", views.cycle_remind, name="cycle_remind"),
    path("cycles/<period:period>/results/", views.cycle_results, name="cycle_results"),
    path(
        "cycles/<period:period>/results.csv", views.cycle_results_export, {"extension": "csv"}, name="cycle_results_csv"
    ),
    path(
        "cycles/<period:period>/results.xlsx",
        views.cycle_results_export,
        {"extension": "xlsx"},
        name="cycle_results_xlsx",
    ),
    path("scores/", views.scorecard_mine, name="scorecard_mine"),
    path("scores/<str:username>/", views.scorecard_of, name="scorecard"),
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("dashboard/export.csv", views.dashboard_export, {"extension": "csv"}, name="dashboard_csv"),
    path("dashboard/export.xlsx", views.dashboard_export, {"extension": "xlsx"}, name="dashboard_xlsx"),
]
