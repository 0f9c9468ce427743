"""The two steps of a sign-in through the company's provider: off (a 404) unless configured."""

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from people.logins.sso import SsoRefused, sso_login_finish, sso_login_start, sso_next, sso_settings
from plans.refusals import refusal_show


def _login_page(next_url: str) -> HttpResponseRedirect:
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    return HttpResponseRedirect(reverse("login") + query)


@require_GET
def oidc_login(request: HttpRequest) -> HttpResponse:
    """To the provider's sign-in page."""
    if sso_settings() is None:
        raise Http404
    next_url = request.GET.get("next", "")
    try:
        return sso_login_start(request=request, next_url=next_url)
    except SsoRefused as error:
        refusal_show(error, request=request)
        return _login_page(next_url)


@require_GET
def oidc_callback(request: HttpRequest) -> HttpResponse:
    """Back from the provider: signed in and on to the page asked for, or the login page saying why not."""
    if sso_settings() is None:
        raise Http404
    try:
        sso_login_finish(request=request)
    except SsoRefused as error:
        refusal_show(error, request=request)
        return _login_page(sso_next(request=request))
    return redirect(sso_next(request=request) or "home")
