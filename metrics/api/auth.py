"""Who is asking the API, and what they may reach.

A client is an integration's token (``Authorization: Bearer pp_…``: its scopes, and the
departments and plans it is limited to) or a signed-in person's session, which only reads,
with that person's own scope (a manager reads their team, HR everybody: ``people_visible``).
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from metrics.api.models import ApiToken, Scope
from metrics.api.tokens import api_token_find
from people.models import User
from people.selectors import people_visible, sees_everyone
from plans.models import Assignment


@dataclass(frozen=True)
class ApiClient:
    """The one asking: a token, or a person through their session (reads only)."""

    token: ApiToken | None = None
    user: User | None = None

    @property
    def is_authenticated(self) -> bool:  # what DRF's IsAuthenticated asks
        return True

    @property
    def name(self) -> str:
        """How the audit names it: the token's name, or the person's user name."""
        return self.token.name if self.token else self.user.username if self.user else ""

    @property
    def throttle_key(self) -> str:
        return f"token-{self.token.pk}" if self.token else f"user-{self.user.pk if self.user else ''}"

    def may(self, scope: Scope) -> bool:
        if self.token is not None:
            return scope.value in self.token.scopes
        return scope in (Scope.RESULTS_READ, Scope.PEOPLE_READ)  # a session reads, never writes

    @property
    def limited(self) -> bool:
        """Whether the client reaches only some people."""
        if self.token is not None:
            return bool(self.token.departments.all() or self.token.plans.all())
        return self.user is None or not sees_everyone(self.user)

    def people(self) -> QuerySet[User]:
        """The people this client reaches."""
        if self.token is None:
            return people_visible(user=self.user) if self.user else User.objects.none()
        people = User.objects.all()
        departments = [d.pk for d in self.token.departments.all()]
        plans = [p.pk for p in self.token.plans.all()]
        if departments:
            people = people.filter(department_id__in=departments)
        if plans:
            on_plan = Assignment.objects.filter(employee=OuterRef("pk"), version__template_id__in=plans)
            people = people.filter(Exists(on_plan))
        return people

    def department_names(self) -> set[str]:
        return {d.name for d in self.token.departments.all()} if self.token else set()

    def plan_codes(self) -> set[str]:
        return {p.code for p in self.token.plans.all()} if self.token else set()


def api_client(request: Request) -> ApiClient:
    """The client of a request that passed authentication."""
    client = request.user
    if not isinstance(client, ApiClient):
        raise exceptions.NotAuthenticated()
    return client


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>``; any other scheme is left to the session."""

    def authenticate(self, request: Request) -> tuple[ApiClient, ApiToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _space, secret = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        token = api_token_find(secret=secret.strip())
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is unknown or was revoked."))
        return ApiClient(token=token), token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class ReadOnlySessionAuthentication(SessionAuthentication):
    """A signed-in person's session, for reading only: writes need a token."""

    def authenticate(self, request: Request) -> tuple[ApiClient, None] | None:
        if request.method not in SAFE_METHODS:
            return None
        found = super().authenticate(request)
        if found is None:
            return None
        return ApiClient(user=found[0]), None


class HasScope(BasePermission):
    """The view's ``scope`` (for its method: ``scopes`` maps a method to one), else 403 naming it."""

    def has_permission(self, request: Request, view: Any) -> bool:
        client = request.user
        if not isinstance(client, ApiClient):
            return False
        scopes: dict[str, Scope] = getattr(view, "scopes", {})
        scope = scopes.get(request.method or "GET")
        if scope is None or client.may(scope):
            return True
        if client.token is None:
            self.message = _("A session only reads: send a token with the scope “%(scope)s”.") % {"scope": scope.value}
        else:
            self.message = _("This token lacks the scope “%(scope)s”.") % {"scope": scope.value}
        return False


class ClientRateThrottle(SimpleRateThrottle):
    """``API_RATE_LIMIT`` requests a minute per token (or person, or address when unknown)."""

    scope = "api"

    def get_rate(self) -> str:
        return f"{settings.API_RATE_LIMIT}/min"

    def get_cache_key(self, request: Request, view: Any) -> str:
        client = request.user
        if isinstance(client, ApiClient):
            return f"api-throttle-{client.throttle_key}"
        return f"api-throttle-address-{self.get_ident(request)}"


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "A token made by `api_token` or HR's tokens page."}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = ReadOnlySessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "A signed-in person's session: reads only.",
        }
