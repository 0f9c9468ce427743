"""Single sign-on through the company's OpenID Connect provider: off unless ``OIDC_ISSUER``,
``OIDC_CLIENT_ID`` and ``OIDC_CLIENT_SECRET`` are all set.

The client is authlib's: the provider's endpoints and keys come from its discovery document
(``<issuer>/.well-known/openid-configuration``); the browser goes through the authorization code
flow with PKCE (S256), state and nonce; the ID token's RS256 signature is checked against the
provider's JWKS, and its issuer, audience and expiry against ours. A login never creates anybody:
the roster decides who exists, and the person is found by the user name claim, else by the email
claim. Every refusal says why on the login page and sends ``sso_login_refused``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from joserfc.errors import JoseError

from people.logins.signals import sso_login_refused
from people.models import User
from plans.errors import ApplicationError

logger = logging.getLogger(__name__)

SCOPE = "openid email profile"
# The one signature algorithm an ID token may have, whatever else the provider lists: never "none"
# nor a shared-secret HS256 that anybody knowing the client secret could sign with.
SIGNING_ALGORITHMS = ["RS256"]
# Where the page asked for lies while the browser is at the provider.
NEXT_KEY = "sso_next"
# The session of a person signed in this way is Django's own, as with a password.
BACKEND = "django.contrib.auth.backends.ModelBackend"
PROVIDER_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class SsoSettings:
    issuer: str
    client_id: str
    client_secret: str
    username_claim: str
    email_claim: str

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"


class SsoRefused(ApplicationError):
    """A sign-in through the provider that lets nobody in: ``reason`` is what the audit records
    (``unknown``, ``ambiguous``, ``inactive``, ``token``, ``state``, ``provider``, ``unreachable``),
    ``detail`` what the log says."""

    def __init__(self, message: str, *, reason: str, username: str = "", detail: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.username = username
        self.detail = detail


def sso_settings() -> SsoSettings | None:
    """The provider's settings, or None when single sign-on is off (any of the three unset)."""
    issuer, client_id, secret = settings.OIDC_ISSUER, settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET
    if not (issuer and client_id and secret):
        return None
    return SsoSettings(
        issuer=issuer,
        client_id=client_id,
        client_secret=secret,
        username_claim=settings.OIDC_USERNAME_CLAIM,
        email_claim=settings.OIDC_EMAIL_CLAIM,
    )


class _CompanyProvider(DjangoOAuth2App):  # type: ignore[misc]  # authlib is untyped
    """authlib's Django client, accepting ID tokens signed with RS256 only."""

    def load_server_metadata(self) -> dict[str, Any]:
        metadata: dict[str, Any] = super().load_server_metadata()
        metadata["id_token_signing_alg_values_supported"] = SIGNING_ALGORITHMS
        return metadata


@lru_cache(maxsize=4)
def _provider(config: SsoSettings) -> _CompanyProvider:
    """One client per configuration, keeping the discovery document and the keys it fetched
    (an unknown key id makes it fetch the keys again, so a provider may rotate them)."""
    client: _CompanyProvider = OAuth().register(
        name="company",
        client_cls=_CompanyProvider,
        client_id=config.client_id,
        client_secret=config.client_secret,
        server_metadata_url=config.discovery_url,
        client_kwargs={"scope": SCOPE, "code_challenge_method": "S256", "default_timeout": PROVIDER_TIMEOUT_SECONDS},
    )
    return client


def _issuer(provider: _CompanyProvider, config: SsoSettings) -> str:
    """The issuer the discovery document names, which must be the one configured (OpenID Connect
    Discovery 1.0, section 4.3): a document naming another would let that other issue our tokens."""
    issuer = str(provider.load_server_metadata().get("issuer", ""))
    if issuer.rstrip("/") != config.issuer.rstrip("/"):
        raise SsoRefused(
            _token_message(), reason="token", detail=f"discovery names issuer {issuer!r}, not {config.issuer!r}"
        )
    return issuer


def _token_message() -> str:
    return _(
        "The company sign-in could not be verified, so nobody was signed in. Try again, or sign in with your password."
    )


def _unreachable_message() -> str:
    return _("The company sign-in service cannot be reached just now. Try again later, or sign in with your password.")


def _refused(request: HttpRequest, error: SsoRefused) -> SsoRefused:
    """``error``, logged with its detail and sent to the access audit as ``sso_login_refused``."""
    logger.warning("Single sign-on refused (%s) for %r: %s", error.reason, error.username, error.detail)
    sso_login_refused.send(sender=None, username=error.username, reason=error.reason, request=request)
    return error


def sso_login_start(*, request: HttpRequest, next_url: str) -> HttpResponseRedirect:
    """The redirect to the provider's sign-in page (its address from discovery), with a fresh state,
    nonce and PKCE challenge kept in the session; ``next_url`` is where the person lands after."""
    config = sso_settings()
    if config is None:
        raise ValueError("single sign-on is not configured")
    allowed = url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure())
    request.session[NEXT_KEY] = next_url if next_url and allowed else ""
    provider = _provider(config)
    try:
        _issuer(provider, config)
        redirect_uri = request.build_absolute_uri(reverse("logins:oidc_callback"))
        response: HttpResponseRedirect = provider.authorize_redirect(request, redirect_uri)
    except SsoRefused as error:
        _refused(request, error)
        raise
    except (requests.RequestException, ValueError) as error:
        refusal = SsoRefused(_unreachable_message(), reason="unreachable", detail=repr(error))
        raise _refused(request, refusal) from error
    return response


def sso_login_finish(*, request: HttpRequest) -> User:
    """Signs in the person the provider's answer names, after checking that answer; else
    ``SsoRefused``, with ``sso_login_refused`` sent."""
    config = sso_settings()
    if config is None:
        raise ValueError("single sign-on is not configured")
    try:
        claims = _claims_verified(request, config)
        user = _person_find(claims, config)
    except SsoRefused as error:
        _refused(request, error)
        raise
    login(request, user, backend=BACKEND)
    return user


def sso_next(*, request: HttpRequest) -> str:
    """Where the person asked to go before signing in through the provider ("" for the home page)."""
    return str(request.session.pop(NEXT_KEY, "") or "")


def _claims_verified(request: HttpRequest, config: SsoSettings) -> Mapping[str, Any]:
    """The ID token's claims, once authlib has exchanged the code (with the PKCE verifier and the
    client secret) and checked the token's signature against the JWKS, its nonce, and here its
    issuer, audience and expiry."""
    provider = _provider(config)
    try:
        issuer = _issuer(provider, config)
        token = provider.authorize_access_token(
            request,
            claims_options={
                "iss": {"essential": True, "value": issuer},
                "aud": {"essential": True, "value": config.client_id},
                "exp": {"essential": True},
            },
        )
    except SsoRefused:
        raise
    except MismatchingStateError as error:
        message = _("This company sign-in had expired or was started in another browser. Please try again.")
        raise SsoRefused(message, reason="state", detail=repr(error)) from error
    except OAuthError as error:
        if request.GET.get("error"):
            message = _("The company sign-in service did not sign you in. Try again, or sign in with your password.")
            raise SsoRefused(message, reason="provider", detail=repr(error)) from error
        raise SsoRefused(_token_message(), reason="token", detail=repr(error)) from error
    except requests.RequestException as error:
        raise SsoRefused(_unreachable_message(), reason="unreachable", detail=repr(error)) from error
    except (AuthlibBaseError, JoseError, ValueError, KeyError) as error:
        raise SsoRefused(_token_message(), reason="token", detail=repr(error)) from error
    claims = token.get("userinfo")
    if not claims:
        raise SsoRefused(_token_message(), reason="token", detail="the token response has no ID token")
    return dict(claims)


def _claim_text(claims: Mapping[str, Any], name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def _person_find(claims: Mapping[str, Any], config: SsoSettings) -> User:
    """The person whose user name is the user name claim, else the one person whose email is the
    email claim (unless the provider says that email is unverified); active, or refused."""
    username = _claim_text(claims, config.username_claim)
    email = _claim_text(claims, config.email_claim)
    user = User.objects.filter(username=username).first() if username else None
    if user is None and email and claims.get("email_verified") is not False:
        user = _person_by_email(email, account=username or email)
    if user is None:
        account = username or email or str(claims.get("sub", ""))
        message = _(
            "Nobody here has the company account %(account)s: people are added by HR through the roster. Ask HR, or sign in with your password."
        )
        raise SsoRefused(message % {"account": account}, reason="unknown", username=account)
    if not user.is_active:
        message = _("The account of %(name)s is deactivated, so it cannot sign in. Ask HR.")
        raise SsoRefused(
            message % {"name": user.display_name or user.username}, reason="inactive", username=user.username
        )
    return user


def _person_by_email(email: str, *, account: str) -> User | None:
    """The one person with this email (compared without case); two or more are refused, never guessed."""
    matches = list(User.objects.filter(email__iexact=email)[:2])
    if len(matches) > 1:
        message = _(
            "Several people here have the email %(email)s, so the company sign-in cannot tell who you are. Ask HR to correct it."
        )
        raise SsoRefused(message % {"email": email}, reason="ambiguous", username=account)
    return matches[0] if matches else None
