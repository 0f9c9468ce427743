"""A real OpenID Connect provider for the tests, on the loopback.

authlib's authorization server (the authorization code grant with PKCE, and OpenID Connect's ID
token), served by wsgiref in a thread on 127.0.0.1 and a free port, signing with an RSA key made
for the test. It has its own sign-in page, a discovery document and a JWKS, as Keycloak does.
A test may make it misbehave the ways a token can be wrong: ``signing_key`` (a key other than the
one its JWKS publishes), ``audience`` (another client's), ``issuer_claimed`` (another issuer in
its discovery document).
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from authlib.common.security import generate_token
from authlib.oauth2 import AuthorizationServer, OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin, OAuth2Request
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from joserfc.jwk import KeySet, RSAKey

KEY_ID = "test-key-1"


def rsa_key() -> RSAKey:
    """A fresh 2048-bit signing key, named like the provider's own (so only its signature tells)."""
    return RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})


@dataclass
class Account:
    """A person at the provider: what they type on its sign-in page and what its ID token says."""

    username: str
    password: str
    email: str = ""
    claims: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Client(ClientMixin):  # type: ignore[misc]  # authlib is untyped
    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(word for word in scope.split() if word in ("openid", "email", "profile"))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return client_secret == self.client_secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class _Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str
    account: Account
    code_challenge: str
    code_challenge_method: str
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class _Request(OAuth2Request):  # type: ignore[misc]
    """An OAuth request read from a WSGI environ: the query and the posted form."""

    def __init__(self, environ: dict[str, Any], base_url: str) -> None:
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        form: dict[str, str] = {}
        if environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = dict(parse_qsl(environ["wsgi.input"].read(length).decode()))
        headers = {"Authorization": environ.get("HTTP_AUTHORIZATION", "")}
        uri = base_url + environ.get("PATH_INFO", "/") + (f"?{environ['QUERY_STRING']}" if query else "")
        super().__init__(environ["REQUEST_METHOD"], uri, headers=headers)
        self.payload = BasicOAuth2Payload({**query, **form})
        self._args, self._form = query, form

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class _CodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]
    def save_authorization_code(self, code: str, request: _Request) -> None:
        data = request.payload.data
        self.server.provider.codes[code] = _Code(
            code=code,
            client_id=request.client.get_client_id(),
            redirect_uri=data.get("redirect_uri", ""),
            scope=request.client.get_allowed_scope(data.get("scope", "")),
            nonce=data.get("nonce", ""),
            account=request.user,
            code_challenge=data.get("code_challenge", ""),
            code_challenge_method=data.get("code_challenge_method", ""),
        )

    def query_authorization_code(self, code: str, client: _Client) -> _Code | None:
        found: _Code | None = self.server.provider.codes.get(code)
        return found if found is not None and found.client_id == client.client_id else None

    def delete_authorization_code(self, authorization_code: _Code) -> None:
        self.server.provider.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: _Code) -> Account:
        return authorization_code.account


class _OpenIDCode(OpenIDCode):  # type: ignore[misc]
    def __init__(self, provider: Provider) -> None:
        super().__init__(require_nonce=True)
        self.provider = provider

    def exists_nonce(self, nonce: str, request: _Request) -> bool:
        return any(code.nonce == nonce for code in self.provider.codes.values())

    def resolve_client_private_key(self, client: _Client) -> RSAKey:
        return self.provider.signing_key

    def get_client_algorithm(self, client: _Client) -> str:
        return "RS256"

    def get_encode_header(self, client: _Client) -> dict[str, str]:
        return {"alg": "RS256", "kid": KEY_ID}

    def get_client_claims(self, client: _Client) -> dict[str, Any]:
        return {"iss": self.provider.issuer, "aud": [self.provider.audience or client.client_id]}

    def generate_user_info(self, user: Account, scope: str) -> UserInfo:
        info = UserInfo(sub=f"sub-{user.username}", preferred_username=user.username, name=user.username)
        if user.email:
            info["email"] = user.email
        info.update(user.claims)
        return info


class _Server(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, provider: Provider) -> None:
        super().__init__(scopes_supported=["openid", "email", "profile"])
        self.provider = provider
        self.register_token_generator("default", BearerTokenGenerator(lambda *args, **kwargs: generate_token(42)))
        self.register_grant(_CodeGrant, [_OpenIDCode(provider), CodeChallenge(required=True)])

    def query_client(self, client_id: str) -> _Client | None:
        client = self.provider.client
        return client if client_id == client.client_id else None

    def save_token(self, token: dict[str, Any], request: _Request) -> None:
        self.provider.tokens_issued += 1

    def create_oauth2_request(self, request: _Request) -> _Request:
        return request

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> tuple[int, Any, list[Any]]:
        return status, body, list(headers)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


Response = tuple[int, Any, list[Any]]


class Provider:
    """The provider, serving on ``issuer`` until ``stop``; ``accounts`` are the people it knows."""

    def __init__(self, *, client_id: str, client_secret: str, redirect_uris: list[str]) -> None:
        self.key = rsa_key()
        self.signing_key = self.key
        self.audience = ""
        self.issuer_claimed = ""
        self.accounts: dict[str, Account] = {}
        self.codes: dict[str, _Code] = {}
        self.discovery_requests = 0
        self.tokens_issued = 0
        self.client = _Client(client_id, client_secret, redirect_uris)
        self.server = _Server(self)
        self._httpd: WSGIServer = make_server("127.0.0.1", 0, self._app, handler_class=_QuietHandler)
        self.issuer = f"http://127.0.0.1:{self._httpd.server_port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def add(self, account: Account) -> Account:
        self.accounts[account.username] = account
        return account

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _app(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        status, body, headers = self._route(environ)
        if isinstance(body, dict):
            body = json.dumps(body)
            if not any(name.lower() == "content-type" for name, _ in headers):
                headers = [*headers, ("Content-Type", "application/json")]
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [str(body).encode()]

    def _route(self, environ: dict[str, Any]) -> Response:
        path, method = environ.get("PATH_INFO", "/"), environ["REQUEST_METHOD"]
        if path == "/.well-known/openid-configuration":
            self.discovery_requests += 1
            return 200, self.discovery(), []
        if path == "/jwks":
            return 200, dict(KeySet([self.key]).as_dict(private=False)), []
        request = _Request(environ, self.issuer)
        if path == "/authorize":
            return self._authorize(request, method)
        if path == "/token" and method == "POST":
            response: Response = self.server.create_token_response(request)
            return response
        return 404, "not found", [("Content-Type", "text/plain")]

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer_claimed or self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        }

    def _authorize(self, request: _Request, method: str) -> Response:
        try:
            grant = self.server.get_consent_grant(request)
        except OAuth2Error as error:
            return 400, f"refused: {error.error}", [("Content-Type", "text/plain")]
        if method != "POST":
            return 200, self._sign_in_page(request.args, ""), [("Content-Type", "text/html; charset=utf-8")]
        account = self.accounts.get(request.form.get("username", ""))
        if account is None or account.password != request.form.get("password"):
            page = self._sign_in_page(request.args, "Wrong user name or password.")
            return 200, page, [("Content-Type", "text/html; charset=utf-8")]
        response: Response = self.server.create_authorization_response(request, grant_user=account, grant=grant)
        return response

    def _sign_in_page(self, query: dict[str, str], error: str) -> str:
        action = html.escape(f"/authorize?{urlencode(query)}")
        alert = f'<p role="alert">{html.escape(error)}</p>' if error else ""
        return (
            '<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><title>公司统一身份认证</title></head>'
            f'<body><h1>公司统一身份认证</h1>{alert}<form method="post" action="{action}">'
            '<label for="username">账号</label><input id="username" name="username">'
            '<label for="password">口令</label><input id="password" name="password" type="password">'
            '<button type="submit">登录公司账号</button></form></body></html>'
        )


@contextmanager
def provider_started(*, client_id: str, client_secret: str, redirect_uris: list[str]) -> Iterator[Provider]:
    provider = Provider(client_id=client_id, client_secret=client_secret, redirect_uris=redirect_uris)
    try:
        yield provider
    finally:
        provider.stop()
