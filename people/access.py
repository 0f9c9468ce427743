"""Who may open what: role checks for views.

Views check roles with ``role_required``; which *objects* a user may touch is decided by
fetching them through the user's own scope (``people.selectors.people_visible`` and the like),
so another team's employee is simply not found.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from people.models import Role, User

# Any response, streamed ones (a download read a batch at a time) included.
View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind ``login_required`` or ``role_required``: its user is signed in."""

    user: User


def has_role(user: Any, *roles: Role) -> bool:
    """True when a signed-in ``user`` has one of ``roles``; a superuser counts as an admin. An API
    client signed in by its token (``metrics.api``) is no person and has no role."""
    if not getattr(user, "is_authenticated", False) or not isinstance(user, User):
        return False
    return user.role in roles or (user.is_superuser and Role.ADMIN in roles)


def role_required(*roles: Role) -> Callable[[View], View]:
    """Sign-in first (a redirect to the login page), then 403 for any other role."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return cast(View, wrapped)

    return decorator


HR_ROLES = (Role.HR, Role.ADMIN)
MANAGER_ROLES = (Role.MANAGER, Role.HR, Role.ADMIN)
