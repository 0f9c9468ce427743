"""Everything under /api/: the endpoints (v1), the OpenAPI schema and its docs, HR's tokens page.

Any other address under /api/ is a JSON 404, as every error of the API is.
"""

from csp.decorators import csp_update
from django.conf import settings
from django.db import transaction
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from metrics.api import pages, views
from metrics.api.problems import problem_not_found

# Swagger UI (drf-spectacular's sidecar, served from here) writes style attributes and style
# elements as it draws: on that one page, and only there, styles may be inline. Scripts stay
# files of this site, as everywhere.
docs_view = csp_update(
    {"style-src": ["'self'", "'unsafe-inline'"]},
    REPORT_ONLY=hasattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
)(SpectacularSwaggerSplitView.as_view(url_name="api:schema"))

app_name = "api"
urlpatterns = [
    path("v1/figures/", views.FiguresView.as_view(), name="figures"),
    path("v1/people/", views.PeopleView.as_view(), name="people"),
    path("v1/people/<str:employee>/scorecard/", views.ScorecardView.as_view(), name="scorecard"),
    path("v1/periods/<period:period>/results/", views.ResultsView.as_view(), name="results"),
    path("v1/cycles/", views.CyclesView.as_view(), name="cycles"),
    path("v1/cycles/<period:period>/", views.CycleView.as_view(), name="cycle"),
    # Not atomic: the close's task is enqueued when its request commits, inside the call, so an
    # unreachable queue is answered 503 with the period still open (as the cycle page does).
    path(
        "v1/cycles/<period:period>/close/",
        transaction.non_atomic_requests(views.CycleCloseView.as_view()),
        name="cycle_close",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs_view, name="docs"),
    path("tokens/", pages.tokens_page, name="tokens"),
    path("tokens/<int:token_id>/revoke/", pages.token_revoke, name="token_revoke"),
    re_path(r"^[\s\S]*$", problem_not_found),
]
