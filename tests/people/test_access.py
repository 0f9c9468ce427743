"""Role checks for views."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from people.access import HR_ROLES, has_role, role_required
from people.models import Role, User


@role_required(*HR_ROLES)
def hr_only(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "superuser", "allowed"),
    [
        (Role.HR, False, True),
        (Role.ADMIN, False, True),
        (Role.EMPLOYEE, True, True),
        (Role.MANAGER, False, False),
        (Role.EMPLOYEE, False, False),
    ],
)
def test_an_hr_view_lets_in_hr_and_admins_only(role: Role, superuser: bool, allowed: bool) -> None:
    request = RequestFactory().get("/")
    request.user = User.objects.create_user(username="someone", role=role, is_superuser=superuser)
    if allowed:
        assert hr_only(request).content == b"ok"
    else:
        with pytest.raises(PermissionDenied):
            hr_only(request)


def test_an_anonymous_visitor_is_sent_to_sign_in() -> None:
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/plans/")
    request.user = AnonymousUser()
    response = hr_only(request)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not has_role(AnonymousUser(), Role.HR)
