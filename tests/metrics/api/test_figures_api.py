"""Figures in through the API: the metrics import's checks, all or nothing, audited, idempotent."""

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from metrics.figures.models import ChangeSource, MetricChange, MetricEntry
from tests.metrics.api.conftest import token_client

JANUARY = {"employee": "li.lei", "period": "2026-01", "churn.lost": 3, "churn.total": "50", "satisfaction": 9.1}


def post(client: Client, body: Any, **headers: str) -> Any:
    return client.post("/api/v1/figures/", json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def crm(company: None) -> Client:
    return token_client("crm", ["figures:write"])


def test_a_month_of_figures_is_saved_and_audited_as_the_tokens(crm: Client) -> None:
    response = post(crm, {"rows": [JANUARY]})

    assert response.status_code == 200, response.content
    assert response.json() == {"created": 0, "changed": 2, "unchanged": 0, "dry_run": False, "changes": []}
    churn = MetricEntry.objects.get(assignment__employee__username="li.lei", period="2026-01", indicator__code="churn")
    assert churn.inputs == {"lost": "3", "total": "50"}
    change = MetricChange.objects.filter(indicator__code="churn").latest("pk")
    assert (change.source, change.client, change.user) == (ChangeSource.API, "crm", None)


def test_the_same_request_with_its_idempotency_key_changes_nothing_twice(crm: Client) -> None:
    first = post(crm, {"rows": [JANUARY]}, **{"Idempotency-Key": "jan-1"})
    audited = MetricChange.objects.count()
    again = post(crm, {"rows": [JANUARY]}, **{"Idempotency-Key": "jan-1"})

    assert again.status_code == 200 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert MetricChange.objects.count() == audited
    other = post(crm, {"rows": [{**JANUARY, "satisfaction": 7}]}, **{"Idempotency-Key": "jan-1"})
    assert other.status_code == 422 and "another request" in other.json()["detail"]


def test_every_bad_row_is_named_with_its_field_and_nothing_is_saved(crm: Client) -> None:
    before = MetricChange.objects.count()
    rows = [
        JANUARY,
        {"employee": "nobody", "period": "2026-01", "satisfaction": 9},
        {"employee": "han.mei", "period": "2026-02", "satisfaction": "many"},
    ]

    response = post(crm, {"rows": rows})

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert {(e["row"], e["index"], e["field"]) for e in errors} == {(3, 1, "employee"), (4, 2, "satisfaction")}
    assert "unknown employee “nobody”" in next(e["message"] for e in errors if e["index"] == 1)
    assert MetricChange.objects.count() == before


def test_a_value_neither_number_nor_text_is_refused_where_it_is(crm: Client) -> None:
    response = post(crm, {"rows": [{**JANUARY, "satisfaction": True}]})

    assert response.status_code == 422
    assert response.json()["errors"][0] | {"message": ""} == {
        "row": 2,
        "index": 0,
        "field": "satisfaction",
        "message": "",
    }


def test_a_dry_run_says_what_would_change_and_saves_nothing(crm: Client) -> None:
    response = post(crm, {"rows": [JANUARY], "dry_run": True})

    assert response.status_code == 200
    assert response.json()["changes"] == ["li.lei 2026-01 churn: 4 → 6", "li.lei 2026-01 satisfaction: 8.6 → 9.1"]
    assert not MetricChange.objects.filter(source=ChangeSource.API).exists()


def test_more_than_ten_thousand_rows_are_refused(crm: Client) -> None:
    response = post(crm, {"rows": [JANUARY] * 10_001})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "rows"


@override_settings(API_MAX_BODY_BYTES=1000)
def test_a_body_above_the_limit_is_refused_before_it_is_read(crm: Client) -> None:
    response = post(crm, {"rows": [JANUARY] * 20})

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert "larger than 1000 bytes" in response.json()["detail"]


def test_a_body_that_is_not_json_is_a_problem_not_a_page(crm: Client) -> None:
    response = crm.post("/api/v1/figures/", "rows=1", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["title"] == "Bad Request"


def test_a_nul_character_anywhere_is_refused_where_it_is_never_a_server_error(company: None) -> None:
    """No database column holds a NUL: figures, people and filters name where it is, and save nothing."""
    before = MetricChange.objects.count()
    figures = post(token_client("crm", ["figures:write"]), {"rows": [{**JANUARY, "employee": "li.lei\x00"}]})
    people = token_client("hr-system", ["people:write"]).post(
        "/api/v1/people/",
        json.dumps({"rows": [{"employee": "li.lei", "department": "客户\x00部"}]}),
        content_type="application/json",
    )
    results = token_client("payroll", ["results:read"]).get("/api/v1/periods/2026-01/results/", {"band": "A\x00"})

    assert figures.status_code == people.status_code == 422
    assert [(e["row"], e["field"]) for e in figures.json()["errors"]] == [(2, "employee")]
    assert [(e["row"], e["field"]) for e in people.json()["errors"]] == [(2, "department")]
    assert "NUL" in people.json()["errors"][0]["message"]
    assert results.status_code == 400 and results["Content-Type"] == "application/problem+json"
    assert MetricChange.objects.count() == before
