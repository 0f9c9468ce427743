from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config import views as project_views
from reviews.team_views import figures_quarter

urlpatterns = [
    path("", project_views.home, name="home"),
    path("favicon.ico", project_views.favicon, name="favicon"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("people.logins.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # A quarter's figures are its reviews' ratings: the team's grid of reviews rates them.
    path("figures/<quarter:period>/", figures_quarter, name="figures_quarter"),
    path("", include("metrics.urls")),
    path("people/", include("people.staffing.urls")),
    path("plans/", include("plans.urls")),
    path("reviews/", include("reviews.urls")),
    path("api/", include("metrics.api.urls")),  # the open API, its schema and docs, HR's tokens page
]
