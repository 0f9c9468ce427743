from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_create, name="create"),
    path("upload/", views.plan_upload, name="upload"),
    path("library/<str:key>/", views.library_start, name="library_start"),
    path("<slug:code>/", views.plan_detail, name="detail"),
    path("<slug:code>/edit/", views.plan_edit, name="edit"),
    path("<slug:code>/follow-up-decisions/", views.plan_follow_up_decisions, name="follow_up_decisions"),
    path("<slug:code>/clone/", views.plan_clone, name="clone"),
    path("<slug:code>/v<int:number>/", views.version_detail, name="version"),
    path("<slug:code>/v<int:number>/download/", views.version_download, name="download"),
    path("<slug:code>/indicators/<int:pk>/try/", views.indicator_try, name="try"),
    path("<slug:code>/draft/", views.draft_detail, name="draft"),
    path("<slug:code>/draft/guideline/", views.draft_guideline, name="guideline"),
    path("<slug:code>/draft/publish/", views.draft_publish, name="publish"),
    path("<slug:code>/draft/discard/", views.draft_discard, name="discard"),
    path("<slug:code>/draft/goals/new/", views.goal_edit, name="goal_new"),
    path("<slug:code>/draft/goals/<int:pk>/", views.goal_edit, name="goal_edit"),
    path("<slug:code>/draft/goals/<int:pk>/delete/", views.goal_delete, name="goal_delete"),
    path("<slug:code>/draft/formula-check/", views.formula_check, name="formula_check"),
    path("<slug:code>/draft/indicators/new/", views.indicator_edit, name="indicator_new"),
    path("<slug:code>/draft/indicators/<int:pk>/", views.indicator_edit, name="indicator_edit"),
    path("<slug:code>/draft/indicators/<int:pk>/delete/", views.indicator_delete, name="indicator_delete"),
    path("<slug:code>/draft/bands/new/", views.band_edit, name="band_new"),
    path("<slug:code>/draft/bands/<int:pk>/", views.band_edit, name="band_edit"),
    path("<slug:code>/draft/bands/<int:pk>/delete/", views.band_delete, name="band_delete"),
]
