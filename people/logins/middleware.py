"""The site speaks a signed-in person's own language (``User.language``), whatever the cookie says."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils import translation


class PersonLanguageMiddleware:
    """After ``AuthenticationMiddleware`` and ``LocaleMiddleware``: a person with a language of
    their own is spoken to in it; the others keep the cookie's or the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if getattr(user, "is_authenticated", False) else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
