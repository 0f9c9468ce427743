"""How a page writes a flag: ``{% load flags %}`` then ``{{ code|flag_text }}``.

``{{ code|flag_text:labels }}`` with the plan's labels (a mapping of code to label), when a page
has them; see ``plans.flags.flag_text``.
"""

from collections.abc import Mapping

from django import template

from plans.flags import flag_text as _flag_text

register = template.Library()


@register.filter
def flag_text(code: str | None, labels: Mapping[str, str] | None = None) -> str:
    """A flag's code in words; nothing for no flag."""
    if not code:
        return ""
    return _flag_text(str(code), labels)
