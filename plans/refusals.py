"""How a page shows a refusal: one helper for every view (``plans.errors.ApplicationError``)."""

from django.contrib import messages
from django.forms import BaseForm
from django.http import HttpRequest

from plans.errors import ApplicationError


def refusal_show(
    error: ApplicationError,
    *,
    form: BaseForm | None = None,
    field: str | None = None,
    request: HttpRequest | None = None,
) -> None:
    """Each message of ``error`` on ``form`` (under ``field``, or the form as a whole), or, with no
    form, as an error message of ``request``'s next page."""
    for message in error.messages:
        if form is not None:
            form.add_error(field, message)
        elif request is not None:
            messages.error(request, message)
        else:
            raise ValueError("refusal_show needs a form or a request")
