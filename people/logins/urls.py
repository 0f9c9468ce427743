from django.urls import path

from people.logins import sso_views

app_name = "logins"

urlpatterns = [
    path("oidc/login/", sso_views.oidc_login, name="oidc_login"),
    path("oidc/callback/", sso_views.oidc_callback, name="oidc_callback"),
]
