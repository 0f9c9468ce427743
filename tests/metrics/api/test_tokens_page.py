"""HR's tokens page: make a token (shown once), see its last use, revoke it."""

from django.test import Client

from metrics.api.models import ApiToken
from people.models import Department, Role, User
from tests.metrics.results.test_cycle_pages import client_for, page_text


def test_hr_makes_a_token_sees_it_once_then_its_last_use_and_revokes_it(db: None) -> None:
    department = Department.objects.create(name="客户部")
    hr = client_for(User.objects.create_user(username="hr", display_name="孙丽", role=Role.HR))

    made = hr.post(
        "/api/tokens/", {"name": "crm", "scopes": ["figures:write", "results:read"], "departments": [department.pk]}
    )

    text = page_text(made.content)
    secret = made.context["made"].secret
    assert "The token “crm” is made" in text and secret in made.content.decode()
    assert "crm Send figures、Read results and cycles 客户部" in text and "Never" in text
    assert secret not in hr.get("/api/tokens/").content.decode()  # shown once

    Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/cycles/")
    assert ApiToken.objects.get(name="crm").last_used_at is not None
    assert "Never" not in page_text(hr.get("/api/tokens/").content)

    revoked = hr.post(f"/api/tokens/{ApiToken.objects.get(name='crm').pk}/revoke/", follow=True)
    assert "The token “crm” is revoked" in page_text(revoked.content)
    assert "Revoked" in page_text(revoked.content) and "孙丽" in page_text(revoked.content)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/cycles/").status_code == 401


def test_a_taken_name_is_refused_on_the_form(db: None) -> None:
    hr = client_for(User.objects.create_user(username="hr", role=Role.HR))
    hr.post("/api/tokens/", {"name": "crm", "scopes": ["results:read"]})

    again = hr.post("/api/tokens/", {"name": "crm", "scopes": ["results:read"]})

    assert "A token named “crm” exists already" in page_text(again.content)
    assert ApiToken.objects.count() == 1


def test_only_hr_and_admins_manage_tokens(db: None) -> None:
    manager = client_for(User.objects.create_user(username="wang.fang", role=Role.MANAGER))

    assert manager.get("/api/tokens/").status_code == 403


def test_the_docs_and_schema_are_served_from_this_site(db: None) -> None:
    schema = Client().get("/api/schema/")
    docs = Client().get("/api/docs/").content.decode()

    assert schema.status_code == 200 and b"/api/v1/figures/" in schema.content
    assert "swagger-ui" in docs and "cdn" not in docs.lower() and "//unpkg" not in docs


def test_only_the_docs_page_may_have_inline_styles_and_no_page_inline_scripts(db: None) -> None:
    docs = Client().get("/api/docs/")["Content-Security-Policy"]
    tokens = Client().get("/api/tokens/")["Content-Security-Policy"]  # a redirect to sign in: the site's own policy

    directives = dict(part.strip().split(" ", 1) for part in docs.split(";") if part.strip())
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert "script-src" not in directives and directives["default-src"] == "'self'"
    assert "style-src" not in tokens and "unsafe-inline" not in tokens
