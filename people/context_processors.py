from django.http import HttpRequest

from people.access import has_role
from people.models import Role


def roles(request: HttpRequest) -> dict[str, bool]:
    """What the navigation shows: each role sees its own links."""
    user = getattr(request, "user", None)
    return {
        "is_hr": has_role(user, Role.HR, Role.ADMIN),
        "is_manager": has_role(user, Role.MANAGER),
        "is_admin": has_role(user, Role.ADMIN),
    }
