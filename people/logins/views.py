"""The logins' pages: the lockout page that django-axes shows, the audit, the lockouts; HR's
invitations, setting a password from an invitation, forgetting and changing one, and the
language a person keeps."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from people.access import HR_ROLES, AuthenticatedHttpRequest, role_required
from people.logins.forms import AccessFilterForm, InviteForm, PersonPasswordResetForm
from people.logins.lockouts import LockoutRefused, lockout_lift, lockouts_current
from people.logins.selectors import access_events_filtered, access_rows, hr_contacts, invitation_people
from people.logins.services import InvitationOutcome, InvitationRefused, invitations_send, person_language_set
from people.logins.signals import password_changed
from people.logins.tokens import invitation_tokens
from people.models import Role, User
from plans.errors import ApplicationError
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


NAMES_SHOWN = 20  # a message lists at most this many people by name, then says how many more


def _names(people: list[User]) -> str:
    names = [person.display_name or person.username for person in people[:NAMES_SHOWN]]
    more = len(people) - NAMES_SHOWN
    text = pgettext("between the items of a list", ", ").join(names)
    return text + (_(" and %(count)s more") % {"count": more} if more > 0 else "")


def invitation_messages(request: HttpRequest, outcome: InvitationOutcome) -> None:
    """What HR is told of an invitation: how many went, and who was not invited, and why."""
    if outcome.invited:
        count = len(outcome.invited)
        messages.success(
            request,
            ngettext(
                "Invitation sent to %(count)s person: %(names)s.",
                "Invitations sent to %(count)s people: %(names)s.",
                count,
            )
            % {"count": count, "names": _names(outcome.invited)},
        )
    skipped = [
        (outcome.no_email, _("Not invited, no email address (add one to invite them): %(names)s.")),
        (outcome.has_login, _("Not invited, they have a password already and sign in with it: %(names)s.")),
        (outcome.disabled, _("Not invited, their accounts are disabled: %(names)s.")),
    ]
    for people, message in skipped:
        if people:
            messages.warning(request, message % {"names": _names(people)})


def _back(request: HttpRequest) -> str:
    """The People page HR invited from (with its filters), never another site."""
    target = request.POST.get("next", "")
    people = reverse("people:list")
    if target.startswith(people) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return people


@require_POST
@role_required(*HR_ROLES)
def invite(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(_back(request))
    people = invitation_people(
        user=request.user,
        scope=form.cleaned_data["scope"],
        usernames=form.usernames(),
        department=form.cleaned_data["department"],
    )
    try:
        outcome = invitations_send(people=people, by=request.user, request=request)
    except InvitationRefused as refused:
        refusal_show(refused, request=request)
    else:
        invitation_messages(request, outcome)
    return redirect(_back(request))


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The invitation's link: set a password, once, within ``INVITATION_DAYS``."""

    token_generator = invitation_tokens
    form_class = SetPasswordForm
    template_name = "logins/invitation_accept.html"
    success_url = reverse_lazy("login")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # A link that no longer works was used (the person has a password now) or has expired.
        context["used"] = self.user is not None and self.user.has_usable_password()
        context["hr_contacts"] = hr_contacts()
        return context

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:  # type: ignore[type-arg]
        response = super().form_valid(form)
        password_changed.send(sender=None, user=form.user, request=self.request, reset=False)
        messages.success(
            self.request,
            _("Your password is set. Sign in with your user name %(username)s and the new password.")
            % {"username": form.user.get_username()},
        )
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PersonPasswordResetForm
    template_name = "logins/password_reset.html"
    email_template_name = "emails/password_reset.txt"
    subject_template_name = "emails/password_reset_subject.txt"
    success_url = reverse_lazy("logins:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "logins/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "logins/password_reset_confirm.html"
    success_url = reverse_lazy("logins:password_reset_complete")

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:  # type: ignore[type-arg]
        response = super().form_valid(form)
        password_changed.send(sender=None, user=form.user, request=self.request, reset=True)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "logins/password_reset_complete.html"


class PasswordChangeView(LoginRequiredMixin, auth_views.PasswordChangeView):
    """Django's change: the other sessions of the person end (their session hash no longer
    matches), this one stays signed in."""

    template_name = "logins/password_change.html"
    success_url = reverse_lazy("logins:password_change_done")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        password_changed.send(sender=None, user=form.user, request=self.request, reset=False)
        return response


class PasswordChangeDoneView(LoginRequiredMixin, auth_views.PasswordChangeDoneView):
    template_name = "logins/password_change_done.html"


@require_POST
def language(request: HttpRequest) -> HttpResponseBase:
    """The header's language switch: the cookie as Django sets it, and, for a signed-in person,
    their own language from now on (their emails too)."""
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        try:
            person_language_set(user=user, language=request.POST.get("language", ""))
        except ApplicationError as refused:
            refusal_show(refused, request=request)
    return set_language(request)
