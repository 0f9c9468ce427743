from django.urls import path

from reviews import team_views, views

app_name = "reviews"

urlpatterns = [
    path("", views.my_reviews, name="mine"),
    path("team/", views.team, name="team"),
    path("team/<period:period>/", team_views.team_grid_page, name="team_grid"),
    path("hr/", views.hr_reviews, name="hr"),
    path("open/", views.review_open, name="open"),
    path("open-all/", views.reviews_open_many, name="open_many"),
    path("feedback/", views.feedback_requests, name="feedback"),
    path("feedback/<int:pk>/", views.feedback_answer, name="feedback_answer"),
    path("<int:pk>/", views.review_page, name="detail"),
    path("<int:pk>/self-assessment/", views.self_assessment_submit, name="self_assessment"),
    path("<int:pk>/ask-colleague/", views.feedback_request, name="feedback_request"),
    path("<int:pk>/rating/", views.manager_submit, name="rating"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/appeal/", views.appeal, name="appeal"),
    path("<int:pk>/resolve/", views.resolve, name="resolve"),
]
