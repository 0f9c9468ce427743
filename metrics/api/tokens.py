"""Writes and reads of the integrations' tokens: made (shown once), used, revoked.

A token is ``pp_`` and 43 random characters; only its SHA-256 is stored, so a copy of the
database gives nobody a working token. A token is looked up by that digest, an indexed equality.
"""

import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.api.models import ApiToken, Scope
from people.models import Department, User
from plans.errors import ApplicationError
from plans.models import PlanTemplate

TOKEN_PREFIX = "pp_"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# "Last used" is written at most this often per token: a busy integration does not write a row per request.
LAST_USE_PRECISION = timedelta(minutes=1)


class TokenRefused(ApplicationError):
    """A token that cannot be made or revoked, with why."""


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class TokenMade:
    token: ApiToken
    secret: str  # shown once, never stored


def api_token_create(
    *,
    name: str,
    scopes: Sequence[str],
    departments: Iterable[str] = (),
    plans: Iterable[str] = (),
    by: User | None = None,
) -> TokenMade:
    """A new token named ``name`` with ``scopes``, limited to the ``departments`` (names) and
    ``plans`` (codes) given, if any. Refused, with every reason, for a bad or taken name, an
    unknown scope, department or plan."""
    name = name.strip()
    department_names, plan_codes = sorted(set(departments)), sorted(set(plans))
    errors = []
    if not NAME_PATTERN.match(name):
        errors.append(
            _("The name “%(name)s” must be 1–64 letters, digits, “_”, “-” or “.”, starting with a letter or digit.")
            % {"name": name}
        )
    elif ApiToken.objects.filter(name=name).exists():
        errors.append(_("A token named “%(name)s” exists already: choose another name.") % {"name": name})
    known = set(Scope.values)
    errors += [_("Unknown scope “%(scope)s”.") % {"scope": scope} for scope in scopes if scope not in known]
    if not scopes:
        errors.append(_("Choose at least one scope."))
    found_departments = list(Department.objects.filter(name__in=department_names))
    errors += [
        _("Unknown department “%(name)s”.") % {"name": missing}
        for missing in sorted(set(department_names) - {d.name for d in found_departments})
    ]
    found_plans = list(PlanTemplate.objects.filter(code__in=plan_codes))
    errors += [
        _("Unknown plan “%(code)s”.") % {"code": missing}
        for missing in sorted(set(plan_codes) - {p.code for p in found_plans})
    ]
    if errors:
        raise TokenRefused(errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                name=name,
                prefix=secret[:10],
                digest=token_digest(secret),
                scopes=[scope for scope in Scope.values if scope in scopes],
                created_by=by,
            )
            token.departments.set(found_departments)
            token.plans.set(found_plans)
    except IntegrityError as error:  # the same name made at the same moment
        raise TokenRefused(
            _("A token named “%(name)s” exists already: choose another name.") % {"name": name}
        ) from error
    return TokenMade(token=token, secret=secret)


def api_token_revoke(*, token_id: int, by: User | None) -> ApiToken:
    """Revoke a token for good: every request with it is refused from now on."""
    changed = ApiToken.objects.filter(pk=token_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by
    )
    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None:
        raise TokenRefused(_("This token does not exist."))
    if not changed:
        raise TokenRefused(_("The token “%(name)s” was revoked already.") % {"name": token.name})
    return token


def api_token_find(*, secret: str) -> ApiToken | None:
    """The live token ``secret`` is, its last use noted (once a minute at most); None for any other."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.filter(digest=token_digest(secret), revoked_at__isnull=True)
        .prefetch_related("departments", "plans")
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@dataclass(frozen=True)
class TokenRow:
    pk: int
    name: str
    prefix: str
    scopes: tuple[str, ...]  # in words
    departments: tuple[str, ...]
    plans: tuple[str, ...]
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str


def api_tokens_list() -> list[TokenRow]:
    """Every token, live ones first, then by name: the tokens page."""
    labels = dict(Scope.choices)
    tokens = ApiToken.objects.select_related("created_by", "revoked_by").prefetch_related("departments", "plans")
    rows = [
        TokenRow(
            pk=token.pk,
            name=token.name,
            prefix=token.prefix,
            scopes=tuple(str(labels.get(scope, scope)) for scope in token.scopes),
            departments=tuple(d.name for d in token.departments.all()),
            plans=tuple(p.name for p in token.plans.all()),
            created_by=_person(token.created_by),
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            revoked_at=token.revoked_at,
            revoked_by=_person(token.revoked_by),
        )
        for token in tokens
    ]
    rows.sort(key=lambda row: (row.revoked_at is not None, row.name))
    return rows


def _person(user: User | None) -> str:
    if user is None:
        return ""
    return user.display_name or user.username
