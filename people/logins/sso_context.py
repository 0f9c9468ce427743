from django.http import HttpRequest

from people.logins.sso import sso_settings


def sso(request: HttpRequest) -> dict[str, bool]:
    """Whether the login page offers the company's single sign-on (only when it is configured)."""
    return {"sso_enabled": sso_settings() is not None}
