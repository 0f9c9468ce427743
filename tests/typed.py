"""Types the tests share.

``Response`` is what Django's test client answers: a response with the request, the templates and
the context added. django-stubs names it only in its stubs, so at run time it is the base class.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response
else:
    from django.http import HttpResponseBase as Response

__all__ = ["Response"]
