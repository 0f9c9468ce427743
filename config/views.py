"""Project-wide pages: the home page, composed of every room's reads."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from config.home import home_overview
from metrics.followups.selectors import acknowledgements_pending
from people.access import AuthenticatedHttpRequest


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    overview = home_overview(user=request.user, page=request.GET.get("page"))
    pending = acknowledgements_pending(user=request.user)
    return render(request, "home.html", {"overview": overview, "acknowledgements": pending})
