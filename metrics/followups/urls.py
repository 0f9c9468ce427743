"""The follow-ups pages (under the ``metrics:`` namespace)."""

from django.urls import path

from metrics.followups import views

urlpatterns = [
    path("cycles/<period:period>/follow-ups/", views.follow_ups, name="follow_ups"),
    path(
        "cycles/<period:period>/follow-ups/export.csv",
        views.follow_ups_export,
        {"extension": "csv"},
        name="follow_ups_csv",
    ),
    path(
        "cycles/<period:period>/follow-ups/export.xlsx",
        views.follow_ups_export,
        {"extension": "xlsx"},
        name="follow_ups_xlsx",
    ),
    path("cycles/<period:period>/follow-ups/<str:username>/", views.follow_up_decide_view, name="follow_up"),
    path("cycles/<year:period>/ranking/", views.year_ranking_page, name="year_ranking"),
    path("cycles/<year:period>/ranking.csv", views.year_ranking_export, {"extension": "csv"}, name="year_ranking_csv"),
    path(
        "cycles/<year:period>/ranking.xlsx", views.year_ranking_export, {"extension": "xlsx"}, name="year_ranking_xlsx"
    ),
    path("follow-ups/<int:pk>/acknowledge/", views.follow_up_acknowledge_view, name="follow_up_acknowledge"),
]
