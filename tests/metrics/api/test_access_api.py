"""Who reaches what through the API: tokens' scopes and limits, sessions, revocation, rate limits."""

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from metrics.api.models import ApiToken
from metrics.api.tokens import token_digest
from metrics.figures.models import MetricEntry
from people.models import Role, User
from plans.periods import Period
from tests.metrics.api.conftest import token_client
from tests.metrics.results.test_cycle_pages import client_for, close

# The close is not atomic (its task is enqueued on commit, inside the call): a refusal of it would
# mark the test's own transaction as broken, so these tests commit for real.
CLOSE_COMMITS = pytest.mark.django_db(transaction=True)


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def closed(company: None) -> None:
    close("2026-01")


def usernames(response: Any) -> list[str]:
    return [row["employee"] for row in response.json()["results"]]


def test_the_command_prints_the_token_last_and_keeps_only_its_hash(company: None) -> None:
    out = StringIO()
    call_command("api_token", "crm", "--scopes", "figures:write,results:read", "--departments", "客户部", stdout=out)

    secret = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get(name="crm")
    assert secret.startswith("pp_") and token.digest == token_digest(secret) and secret not in str(token.__dict__)
    assert token.scopes == ["figures:write", "results:read"]
    assert [d.name for d in token.departments.all()] == ["客户部"]
    reply = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/periods/2026-01/results/")
    assert reply.status_code == 200


def test_the_command_refuses_an_unknown_scope_or_department(company: None) -> None:
    with pytest.raises(Exception, match="Unknown scope “figures:delete”") as refused:
        call_command("api_token", "crm", "--scopes", "figures:delete", "--departments", "财务部")
    assert "Unknown department “财务部”" in str(refused.value)
    assert not ApiToken.objects.exists()


def test_no_token_is_a_401_that_says_how_to_authenticate(company: None) -> None:
    response = Client().get("/api/v1/periods/2026-01/results/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response["Content-Type"] == "application/problem+json"


def test_a_revoked_token_is_refused(company: None) -> None:
    client = token_client("crm", ["results:read"])
    ApiToken.objects.filter(name="crm").update(revoked_at="2026-02-01T00:00:00Z")

    response = client.get("/api/v1/cycles/")

    assert response.status_code == 401
    assert "unknown or was revoked" in response.json()["detail"]


@CLOSE_COMMITS
def test_a_token_does_only_what_its_scopes_say(company: None) -> None:
    reader = token_client("reader", ["results:read"])

    refused = post(reader, "/api/v1/figures/", {"rows": [{"employee": "li.lei", "period": "2026-01"}]})

    assert refused.status_code == 403
    assert refused.json()["detail"] == "This token lacks the scope “figures:write”."
    assert post(reader, "/api/v1/cycles/2026-01/close/", {}).status_code == 403
    assert reader.get("/api/v1/people/").status_code == 403
    assert reader.get("/api/v1/cycles/").status_code == 200


def test_a_token_for_one_department_neither_reads_nor_writes_another(closed: None) -> None:
    second = token_client("second", ["results:read", "figures:write", "people:read", "people:write"], ("客户二部",))

    assert usernames(second.get("/api/v1/periods/2026-01/results/")) == ["wu.di"]
    assert second.get("/api/v1/people/li.lei/scorecard/").status_code == 404
    assert second.get("/api/v1/people/wu.di/scorecard/").status_code == 200
    assert [p["employee"] for p in second.get("/api/v1/people/").json()["results"]] == ["wu.di"]
    written = post(
        second, "/api/v1/figures/", {"rows": [{"employee": "li.lei", "period": "2026-02", "satisfaction": 9}]}
    )
    assert written.status_code == 422
    assert written.json()["errors"][0]["field"] == "employee"
    assert not MetricEntry.objects.filter(period="2026-02", assignment__employee__username="li.lei").exists()
    moved = post(second, "/api/v1/people/", {"rows": [{"employee": "li.lei", "department": "客户二部"}]})
    assert moved.status_code == 422
    assert moved.json()["errors"][0] == {
        "row": 2,
        "index": 0,
        "field": "employee",
        "message": "“li.lei” is outside this token's departments",
    }
    assert User.objects.get(username="li.lei").department.name == "客户部"  # type: ignore[union-attr]


@CLOSE_COMMITS
def test_a_token_for_one_department_closes_only_that_department(company: None, monkeypatch: Any) -> None:
    from metrics.api import views
    from metrics.results.tasks import cycle_close_task

    monkeypatch.setattr(views, "cycle_close_enqueue", lambda *ids: cycle_close_task.apply(args=ids))
    closer = token_client("closer", ["cycles:write", "results:read"], ("客户二部",))

    assert post(closer, "/api/v1/cycles/2026-01/close/", {"departments": ["客户部"]}).status_code == 403
    response = post(closer, "/api/v1/cycles/2026-01/close/", {})

    assert response.status_code == 202, response.content
    cycle = closer.get("/api/v1/cycles/2026-01/").json()
    assert (cycle["results"], cycle["still_open"]) == (1, 1)
    assert usernames(closer.get("/api/v1/periods/2026-01/results/")) == ["wu.di"]


@CLOSE_COMMITS
def test_a_close_with_figures_missing_lists_them_and_forced_it_scores_them_0(company: None, monkeypatch: Any) -> None:
    from metrics.api import views
    from metrics.results.tasks import cycle_close_task

    monkeypatch.setattr(views, "cycle_close_enqueue", lambda *ids: cycle_close_task.apply(args=ids))
    hr_system = token_client("hr-system", ["cycles:write", "results:read"])

    refused = post(hr_system, "/api/v1/cycles/2026-02/close/", {})
    assert refused.status_code == 422
    assert {m["employee"] for m in refused.json()["missing"]} == {"li.lei", "han.mei", "wu.di"}

    forced = post(hr_system, "/api/v1/cycles/2026-02/close/", {"force": True})
    assert forced.status_code == 202
    flagged = hr_system.get("/api/v1/periods/2026-02/results/?flag=incomplete")
    assert usernames(flagged) == sorted(["li.lei", "han.mei", "wu.di"], key=lambda u: User.objects.get(username=u).pk)
    assert post(hr_system, "/api/v1/cycles/2026-02/close/", {"force": True}).json()["already_closed"] is True


@CLOSE_COMMITS
def test_a_close_through_a_token_is_written_down_under_the_tokens_name(company: None, monkeypatch: Any) -> None:
    from metrics.api import views
    from metrics.cycles.models import Cycle, CycleEvent, CycleStatus
    from metrics.results.closing import cycle_wait
    from metrics.results.tasks import cycle_close_task

    monkeypatch.setattr(views, "cycle_close_enqueue", lambda *ids: cycle_close_task.apply(args=ids))
    payroll = token_client("payroll-sync", ["cycles:write"])
    assert post(payroll, "/api/v1/cycles/2026-01/close/", {"force": True}).status_code == 202
    # The close's chunk tasks may be taken by the worker thread another test of this process
    # started: the close ends with whichever finishes last.
    cycle = cycle_wait(cycle_id=Cycle.objects.get(period="2026-01").pk, timeout=30)
    assert cycle.status == CycleStatus.CLOSED

    assert [(e.action, e.user, e.via) for e in CycleEvent.objects.order_by("pk")] == [
        ("close_requested", None, "payroll-sync"),
        ("closed", None, "payroll-sync"),
    ]
    hr = client_for(User.objects.create(username="hr.chen", role=Role.HR))
    hr.cookies["django_language"] = "zh-hans"
    page = hr.get("/cycles/2026-01/").content.decode()
    assert page.count("接口令牌“payroll-sync”") == 2
    assert "计划任务" not in page


def test_a_managers_session_reads_their_team_only_and_never_writes(closed: None) -> None:
    wang = User.objects.get(username="wang.fang")
    session = client_for(wang)

    assert usernames(session.get("/api/v1/periods/2026-01/results/")) == ["li.lei"]
    assert session.get("/api/v1/people/wu.di/scorecard/").status_code == 404
    card = session.get("/api/v1/people/li.lei/scorecard/").json()
    assert card["periods"][0]["lines"][0]["reasons"] == ["Target reached: full weight or more."]
    assert post(session, "/api/v1/figures/", {"rows": [{"employee": "li.lei", "period": "2026-02"}]}).status_code in (
        401,
        403,
    )
    hr = client_for(User.objects.create_user(username="hr", role=Role.HR))
    assert sorted(usernames(hr.get("/api/v1/periods/2026-01/results/"))) == ["li.lei", "wu.di"]


def test_results_come_in_cursor_pages_and_by_filters(closed: None) -> None:
    reader = token_client("reader", ["results:read"])

    first = reader.get("/api/v1/periods/2026-01/results/?page_size=1").json()
    second = reader.get(first["next"]).json()

    assert len(first["results"]) == 1 and len(second["results"]) == 1 and second["next"] is None
    row = first["results"][0]
    assert row["period"] == "2026-01" and row["plan"] == "customer-manager" and row["score"].count(".") == 1
    assert usernames(reader.get("/api/v1/periods/2026-01/results/?department=客户二部")) == ["wu.di"]
    assert usernames(reader.get("/api/v1/periods/2026-01/results/?department=财务部")) == []
    assert usernames(reader.get("/api/v1/periods/2026-01/results/?plan=other")) == []
    assert reader.get("/api/v1/periods/2026-01/results/?page_size=0").status_code == 400
    assert reader.get("/api/v1/periods/2026-13/results/").status_code == 404


@override_settings(API_RATE_LIMIT=2)
def test_a_token_over_its_rate_is_answered_429_with_retry_after(company: None) -> None:
    reader = token_client("reader", ["results:read"])

    statuses = [reader.get("/api/v1/cycles/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    response = reader.get("/api/v1/cycles/")
    assert int(response["Retry-After"]) > 0
    assert response["Content-Type"] == "application/problem+json"
    assert token_client("other", ["results:read"]).get("/api/v1/cycles/").status_code == 200  # its own count


def test_an_unknown_address_under_the_api_is_a_json_404(db: None) -> None:
    response = Client().get("/api/v1/nothing/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_the_roster_rows_go_through_the_roster_import(company: None) -> None:
    people = token_client("hris", ["people:write", "people:read"])
    rows = [{"employee": "lin.tao", "name": "林涛", "department": "客户部", "manager": "wang.fang"}]

    response = post(people, "/api/v1/people/", {"rows": rows})

    assert response.status_code == 200, response.content
    assert response.json()["created"] == ["lin.tao"]
    assert User.objects.get(username="lin.tao").manager.username == "wang.fang"  # type: ignore[union-attr]
    loop = post(people, "/api/v1/people/", {"rows": [{"employee": "wang.fang", "manager": "lin.tao"}]})
    assert loop.status_code == 422
    assert Period.parse("2026-01")  # the roster is unchanged
    assert User.objects.get(username="wang.fang").manager is None
