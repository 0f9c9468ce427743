from django.urls import path

from metrics import views, views_results  # the figures; cycles, scorecards and dashboards

app_name = "metrics"

urlpatterns = [
    # Figures: the team grid, uploads and history.
    path("figures/", views.figures_home, name="figures"),
    path("figures/upload/", views.figures_upload, name="figures_upload"),
    path("figures/<month:period>/", views.figures_grid_page, name="figures_grid"),
    path("figures/<month:period>/template.csv", views.figures_template, {"extension": "csv"}, name="figures_csv"),
    path("figures/<month:period>/template.xlsx", views.figures_template, {"extension": "xlsx"}, name="figures_xlsx"),
    path("figures/<month:period>/<str:employee>/history/", views.figures_history, name="figures_history"),
    # Cycles, scorecards and dashboards.
    path("cycles/", views_results.cycles, name="cycles"),
    path("cycles/<period:period>/", views_results.cycle, name="cycle"),
    path("cycles/<period:period>/progress/", views_results.cycle_progress, name="cycle_progress"),
    path("cycles/<period:period>/close/", views_results.cycle_close, name="cycle_close"),
    path("cycles/<period:period>/force/", views_results.cycle_force, name="cycle_force"),
    path("cycles/<period:period>/reopen/", views_results.cycle_reopen_view, name="cycle_reopen"),
    path("scores/", views_results.scorecard_mine, name="scorecard_mine"),
    path("scores/<str:username>/", views_results.scorecard_of, name="scorecard"),
    path("dashboard/", views_results.dashboard_page, name="dashboard"),
    path("dashboard/export.csv", views_results.dashboard_export, {"extension": "csv"}, name="dashboard_csv"),
    path("dashboard/export.xlsx", views_results.dashboard_export, {"extension": "xlsx"}, name="dashboard_xlsx"),
]
