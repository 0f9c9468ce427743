from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from people.models import User
from people.selectors import home_overview


@login_required
def home(request: HttpRequest) -> HttpResponse:
    overview = home_overview(user=cast(User, request.user))
    return render(request, "home.html", {"overview": overview})
