"""Signals of what happens to logins, which the access audit records."""

from django.dispatch import Signal

invitation_sent = Signal()  # sender=None, user=<User>, by=<User | None>, request=<HttpRequest | None>
password_changed = Signal()  # sender=None, user=<User>, request=<HttpRequest | None>, reset=<bool>
sso_login_refused = Signal()  # sender=None, username=<str>, reason=<str>, request=<HttpRequest | None>
