"""Who is asking: the client's address and browser, as production is deployed.

gunicorn runs behind one proxy that ends TLS (README, "Running in production"); the proxy
appends the address it sees to ``X-Forwarded-For``, so the right-most entry is the client and
anything to its left was typed by the client. That entry is believed only when the request came
from the proxy itself (``LOGIN_TRUSTED_PROXIES``, by default gunicorn's ``FORWARDED_ALLOW_IPS``):
anybody reaching gunicorn directly could otherwise pick an address per guess and never be
locked out. django-axes reads the address through ``client_address`` (``AXES_CLIENT_IP_CALLABLE``),
and so does the audit, so both name the same address.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

from people.logins.models import USER_AGENT_MAX_LENGTH


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def _trusted(peer: str) -> bool:
    """Whether ``peer`` is a proxy of ``LOGIN_TRUSTED_PROXIES``: addresses, networks, or ``*`` (as gunicorn reads them)."""
    address = _address(peer)
    if address is None:
        return False
    for entry in settings.LOGIN_TRUSTED_PROXIES:
        if entry.strip() == "*":
            return True
        try:
            if ipaddress.ip_address(address) in ipaddress.ip_network(entry.strip(), strict=False):
                return True
        except ValueError:
            continue  # a misspelt entry trusts nobody
    return False


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address, or None when nothing readable was given."""
    peer = str(request.META.get("REMOTE_ADDR", ""))
    if _trusted(peer):
        forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return _address(forwarded[-1])
    return _address(peer)


def client_agent(request: HttpRequest) -> str:
    """The browser's own description of itself (its User-Agent), cut to what the audit keeps."""
    return str(request.META.get("HTTP_USER_AGENT", ""))[:USER_AGENT_MAX_LENGTH]
