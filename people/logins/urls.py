from django.urls import path

from people.logins import views

app_name = "logins"

urlpatterns = [
    path("audit/", views.access_audit, name="audit"),
    path("lockouts/", views.lockouts_list, name="lockouts"),
    path("lockouts/<int:lockout_id>/lift/", views.lockout_lift_view, name="lockout_lift"),
]
