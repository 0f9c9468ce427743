"""The figures' pages: the team grid, uploads and history (under the ``metrics:`` namespace)."""

from django.urls import path

from metrics.figures import views

urlpatterns = [
    path("figures/", views.figures_home, name="figures"),
    path("figures/upload/", views.figures_upload, name="figures_upload"),
    path("figures/upload/applied/", views.figures_upload_applied, name="figures_upload_applied"),
    path("figures/<month:period>/", views.figures_grid_page, name="figures_grid"),
    path("figures/<month:period>/template.csv", views.figures_template, {"extension": "csv"}, name="figures_csv"),
    path("figures/<month:period>/template.xlsx", views.figures_template, {"extension": "xlsx"}, name="figures_xlsx"),
    path("figures/<month:period>/<str:employee>/history/", views.figures_history, name="figures_history"),
]
