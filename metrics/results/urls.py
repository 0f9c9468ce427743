"""The results' pages: cycles, scorecards and dashboards (under the ``metrics:`` namespace)."""

from django.urls import path

from metrics.results import calibration_views, simulation_views, views

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
    path("cycles/<period:period>/calibration/", calibration_views.calibration, name="calibration"),
    path(
        "cycles/<period:period>/calibration/<int:result_id>/move/",
        calibration_views.calibration_move_view,
        name="calibration_move",
    ),
    path(
        "cycles/<period:period>/calibration/proposals/<int:move_id>/",
        calibration_views.calibration_decide,
        name="calibration_decide",
    ),
    path(
        "cycles/<period:period>/calibration/release/", calibration_views.calibration_release, name="calibration_release"
    ),
    path("scores/propose/<int:result_id>/", calibration_views.calibration_propose_view, name="calibration_propose"),
    path("scores/", views.scorecard_mine, name="scorecard_mine"),
    path("scores/<str:username>/", views.scorecard_of, name="scorecard"),
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("dashboard/export.csv", views.dashboard_export, {"extension": "csv"}, name="dashboard_csv"),
    # Trying a draft: a builder's page, served here where the results are (plans is below results).
    path("plans/<slug:code>/draft/try/", simulation_views.plan_try, name="plan_try"),
    path("plans/<slug:code>/draft/try/<str:key>/", simulation_views.plan_try_progress, name="plan_try_progress"),
    path(
        "plans/<slug:code>/draft/try.csv", simulation_views.plan_try_export, {"extension": "csv"}, name="plan_try_csv"
    ),
    path(
        "plans/<slug:code>/draft/try.xlsx",
        simulation_views.plan_try_export,
        {"extension": "xlsx"},
        name="plan_try_xlsx",
    ),
    path("dashboard/export.xlsx", views.dashboard_export, {"extension": "xlsx"}, name="dashboard_xlsx"),
]
