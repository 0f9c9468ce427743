"""The access audit: the one writer of ``AccessEvent`` rows, and what it listens to.

Django's own signals (signed in, signed out, a failed sign-in), django-axes' lockout and our
``people.logins.signals`` each become a row: who, when, from which address and browser. Rows
are never changed or deleted here.
"""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from people.logins.clients import client_address, client_agent
from people.logins.models import DETAIL_MAX_LENGTH, AccessEvent, AccessKind
from people.logins.signals import invitation_sent, password_changed, sso_login_refused
from people.models import User


def access_record(
    *,
    kind: AccessKind,
    request: HttpRequest | None = None,
    user: User | None = None,
    username: str = "",
    detail: str = "",
) -> AccessEvent:
    """Record one access; the address and browser come from ``request`` when there is one."""
    if user is not None and not username:
        username = user.get_username()
    if user is None and username:
        user = User.objects.filter(username=username).first()
    return AccessEvent.objects.create(
        kind=kind,
        user=user,
        username=username[:150],
        ip=client_address(request) if request is not None else None,
        user_agent=client_agent(request) if request is not None else "",
        detail=detail[:DETAIL_MAX_LENGTH],
    )


def _refused_while_locked(request: HttpRequest | None) -> bool:
    """True when axes refused this attempt because the user and address were already locked out.

    Axes' backend marks such a request locked before the failure is signalled; a failure that
    reaches the limit is counted first (``axes_failures_since_start``), then marked.
    """
    return (
        bool(getattr(request, "axes_locked_out", False)) and getattr(request, "axes_failures_since_start", None) is None
    )


@receiver(user_logged_in, dispatch_uid="access_audit_login")
def _on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    access_record(kind=AccessKind.LOGIN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="access_audit_logout")
def _on_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:  # a visitor who was not signed in left nothing to record
        access_record(kind=AccessKind.LOGOUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="access_audit_login_failed")
def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    detail = "locked" if _refused_while_locked(request) else ""
    access_record(
        kind=AccessKind.LOGIN_FAILED, request=request, username=str(credentials.get("username") or ""), detail=detail
    )


def _on_lockout(sender: Any, request: HttpRequest | None, username: str | None, **kwargs: Any) -> None:
    # Axes signals again at each attempt refused while locked; only the failure that locks counts.
    # Axes hears a failed sign-in first (its receiver was connected first), so this row comes just
    # before the failure's own.
    if request is not None and _refused_while_locked(request):
        return
    failures = getattr(request, "axes_failures_since_start", None)
    access_record(kind=AccessKind.LOCKOUT, request=request, username=username or "", detail=str(failures or ""))


@receiver(invitation_sent, dispatch_uid="access_audit_invitation")
def _on_invitation(
    sender: Any, user: User, by: User | None = None, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    by_name = (by.display_name or by.get_username()) if by else ""
    access_record(kind=AccessKind.INVITATION, request=request, user=user, detail=by_name)


@receiver(password_changed, dispatch_uid="access_audit_password")
def _on_password_changed(
    sender: Any, user: User, request: HttpRequest | None = None, reset: bool = False, **kwargs: Any
) -> None:
    access_record(kind=AccessKind.PASSWORD_CHANGED, request=request, user=user, detail="reset" if reset else "")


@receiver(sso_login_refused, dispatch_uid="access_audit_sso_refused")
def _on_sso_refused(
    sender: Any, username: str, reason: str = "", request: HttpRequest | None = None, **kwargs: Any
) -> None:
    access_record(kind=AccessKind.SSO_REFUSED, request=request, username=username, detail=reason)


def receivers_connect() -> None:
    """Connect axes' lockout signal (axes is imported only once apps are ready)."""
    from axes.signals import user_locked_out

    user_locked_out.connect(_on_lockout, dispatch_uid="access_audit_lockout")
