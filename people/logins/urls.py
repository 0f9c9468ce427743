from django.urls import path

from people.logins import sso_views, views

app_name = "logins"

urlpatterns = [
    path("audit/", views.access_audit, name="audit"),
    path("lockouts/", views.lockouts_list, name="lockouts"),
    path("lockouts/<int:lockout_id>/lift/", views.lockout_lift_view, name="lockout_lift"),
    path("oidc/login/", sso_views.oidc_login, name="oidc_login"),
    path("oidc/callback/", sso_views.oidc_callback, name="oidc_callback"),
]
