"""HR's page of the integrations' tokens: make one (its token shown once), see their last use, revoke."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from metrics.api.forms import TokenForm
from metrics.api.tokens import TokenMade, TokenRefused, api_token_create, api_token_revoke, api_tokens_list
from people.access import HR_ROLES, AuthenticatedHttpRequest, role_required
from plans.refusals import refusal_show


@role_required(*HR_ROLES)
def tokens_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    made: TokenMade | None = None
    if request.method == "POST" and form.is_valid():
        try:
            made = api_token_create(
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                departments=[d.name for d in form.cleaned_data["departments"]],
                plans=[p.code for p in form.cleaned_data["plans"]],
                by=request.user,
            )
        except TokenRefused as refused:
            refusal_show(refused, form=form)
        else:
            form = TokenForm()
    # The new token is on this answer only (never in a URL, a message or the session): shown once.
    return render(request, "api/tokens.html", {"form": form, "made": made, "tokens": api_tokens_list()})


@role_required(*HR_ROLES)
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    try:
        token = api_token_revoke(token_id=token_id, by=request.user)
    except TokenRefused as refused:
        refusal_show(refused, request=request)
    else:
        messages.success(
            request, _("The token “%(name)s” is revoked: it is refused from now on.") % {"name": token.name}
        )
    return redirect("api:tokens")
