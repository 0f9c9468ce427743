"""Project-wide pages: the home page, composed of every room's reads."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from config.home import home_overview
from metrics.followups.selectors import acknowledgements_pending
from people.access import AuthenticatedHttpRequest


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    overview = home_overview(user=request.user, page=request.GET.get("page"))
    pending = acknowledgements_pending(user=request.user)
    return render(request, "home.html", {"overview": overview, "acknowledgements": pending})


@require_GET
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """``/favicon.ico``, which browsers and tools ask for whatever the page links: the icon itself."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
