"""One HTTP request of a delivery: the signed POST, no redirect followed, a bounded wait and a
bounded read of the answer. Knows nothing of the database."""

import hashlib
import hmac
import time
from dataclasses import dataclass

import requests
import urllib3

SIGNATURE_HEADER = "X-Signature-256"
EVENT_ID_HEADER = "X-Webhook-Id"
EVENT_HEADER = "X-Webhook-Event"
TIMESTAMP_HEADER = "X-Webhook-Timestamp"
DELIVERY_HEADER = "X-Webhook-Delivery"
USER_AGENT = "performance-plans-webhooks/1"
READ_LIMIT = 64 * 1024  # bytes of an answer read at most; the log keeps an excerpt of them


# Why an attempt failed when the status does not say it (the log names them in the reader's language).
TIMEOUT = "timeout"
REDIRECT = "redirect"
CONNECTION = "connection"


@dataclass(frozen=True)
class Answer:
    """What one request got: a status and the start of the body, or why none came (``failure``,
    with the technical ``detail``)."""

    status_code: int | None
    body: str
    failure: str
    detail: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return not self.failure and self.status_code is not None and 200 <= self.status_code < 300


def signature(*, secret: str, body: bytes) -> str:
    """The value of ``X-Signature-256``: ``sha256=`` and the HMAC-SHA256 of the body, in hex."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed_post(
    *, url: str, body: str, secret: str, event: str, event_id: str, delivery_id: int, timeout: float
) -> Answer:
    """POST ``body`` to ``url`` signed with ``secret``; never raises for what the far end does."""
    data = body.encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signature(secret=secret, body=data),
        EVENT_HEADER: event,
        EVENT_ID_HEADER: event_id,
        TIMESTAMP_HEADER: str(int(time.time())),
        DELIVERY_HEADER: str(delivery_id),
    }
    started = time.monotonic()
    status: int | None = None
    text, failure, detail = "", "", ""
    try:
        with requests.post(
            url, data=data, headers=headers, timeout=timeout, allow_redirects=False, stream=True
        ) as response:
            status = response.status_code
            if response.is_redirect:
                # Never followed: a hook's address is what HR registered, not where it points.
                failure, detail = REDIRECT, response.headers.get("Location", "")
            raw = response.raw.read(READ_LIMIT, decode_content=True) or b""
            text = raw.decode(response.encoding or "utf-8", errors="replace")
    except (requests.Timeout, urllib3.exceptions.TimeoutError) as problem:
        failure, detail = TIMEOUT, str(problem)
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as problem:
        failure, detail = CONNECTION, f"{type(problem).__name__}: {problem}"
    duration = int((time.monotonic() - started) * 1000)
    return Answer(status_code=status, body=text, failure=failure, detail=detail[:500], duration_ms=duration)
