"""The main menu's links: ``{% load menu %}`` then ``{% menu_item "people:list" _("People") %}``.

Each link knows whether it is the page being read, so the menu marks it (``active`` and
``aria-current="page"``, which a screen reader says): the link's own page, or any page under its
address (``/people/li.lei/`` is in People), unless ``exact`` (My reviews is ``/reviews/``, a
prefix of every reviews page of HR and managers).
"""

from django import template
from django.template.context import Context
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def menu_current(path: str, url: str, *, exact: bool = False) -> bool:
    """True when the page at ``path`` is the one the link to ``url`` leads to (or under it)."""
    return path == url or (not exact and url != "/" and path.startswith(url))


@register.simple_tag(takes_context=True)
def menu_item(context: Context, name: str, label: str, *, exact: bool = False, dropdown: bool = False) -> SafeString:
    """One ``<li>`` of the menu: a nav link, or with ``dropdown`` an item of a dropdown menu."""
    url = reverse(name)
    request = context.get("request")
    current = request is not None and menu_current(request.path, url, exact=exact)
    css = "dropdown-item" if dropdown else "nav-link"
    return format_html(
        '<li{}><a class="{}{}" href="{}"{}>{}</a></li>',
        "" if dropdown else mark_safe(' class="nav-item"'),
        css,
        " active" if current else "",
        url,
        mark_safe(' aria-current="page"') if current else "",
        label,
    )


@register.simple_tag(takes_context=True)
def menu_section(context: Context, *names: str) -> bool:
    """True when the page is one of these links' (``{% menu_section ... as current %}``): marks a
    dropdown's toggle when the page is one of its items."""
    request = context.get("request")
    return request is not None and any(menu_current(request.path, reverse(name)) for name in names)
