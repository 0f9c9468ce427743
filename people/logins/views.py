"""The logins' pages: the lockout page that django-axes shows, the audit, the lockouts."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from people.access import HR_ROLES, AuthenticatedHttpRequest, role_required
from people.logins.forms import AccessFilterForm
from people.logins.lockouts import LockoutRefused, lockout_lift, lockouts_current
from people.logins.selectors import access_events_filtered, access_rows
from people.models import Role
from plans.refusals import refusal_show

EVENTS_PER_PAGE = 50
LOCKED_OUT_STATUS = 429  # Too Many Requests


def lockout_page(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """What a locked-out sign-in gets, on the site's login page and on /admin/ (``AXES_LOCKOUT_CALLABLE``)."""
    username = str((credentials or {}).get("username") or request.POST.get("username", ""))
    context = {"username": username, "minutes": settings.LOGIN_LOCKOUT_MINUTES}
    return render(request, "logins/locked_out.html", context, status=LOCKED_OUT_STATUS)


@require_GET  # the log is only read: nothing in it is changed or deleted
@role_required(*HR_ROLES)
def access_audit(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AccessFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        events = access_events_filtered().none()  # the form says which filter to fix
    else:
        filters = form.cleaned_data if form.is_bound else {}
        events = access_events_filtered(
            person=filters.get("person", ""), kind=filters.get("kind", ""), day=filters.get("day")
        )
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    rows = access_rows(events=page.object_list)
    return render(request, "logins/audit.html", {"form": form, "page": page, "rows": rows})


@role_required(Role.ADMIN)
def lockouts_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "logins/lockouts.html",
        {
            "lockouts": lockouts_current(),
            "limit": settings.LOGIN_FAILURE_LIMIT,
            "minutes": settings.LOGIN_LOCKOUT_MINUTES,
        },
    )


@require_POST
@role_required(Role.ADMIN)
def lockout_lift_view(request: AuthenticatedHttpRequest, lockout_id: int) -> HttpResponse:
    try:
        lockout = lockout_lift(lockout_id=lockout_id, by=request.user, request=request)
    except LockoutRefused as error:
        refusal_show(error, request=request)
    else:
        messages.success(
            request,
            _("%(name)s may sign in again from %(ip)s.") % {"name": lockout.name, "ip": lockout.ip or "—"},
        )
    return redirect("logins:lockouts")
