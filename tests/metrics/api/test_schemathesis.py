"""The API tested from the outside (issue 14, part 8): Schemathesis reads the live schema and sends
every operation generated requests, valid and invalid, with a token of each scope and one of all.

It fails on any 5xx, a response (status, content type, headers, body) the schema does not
describe, or a request the schema forbids that is accepted. Bounded: ``MAX_EXAMPLES`` a mode and
operation. The schema defines no links, so there is no stateful run.
"""

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from metrics.api.models import Scope
from metrics.api.tokens import api_token_create

MAX_EXAMPLES = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture(autouse=True)
def _no_rate_limit() -> Iterator[None]:
    with override_settings(API_RATE_LIMIT=1_000_000):
        yield


@pytest.fixture
def tokens(company: None) -> dict[str, str]:
    """A token of each scope alone, one of every scope, and one of every scope limited to a department."""
    made = {scope: api_token_create(name=scope.replace(":", "-"), scopes=[scope]) for scope in Scope.values}
    made["all"] = api_token_create(name="all", scopes=Scope.values)
    made["second"] = api_token_create(name="second", scopes=Scope.values, departments=["客户二部"])
    return {name: token.secret for name, token in made.items()}


# The scope each operation needs; every case is sent with a token of that scope alone, one of
# another scope (refused), one of every scope and one limited to a department.
NEEDS = {
    "figures_send": Scope.FIGURES_WRITE,
    "people_send": Scope.PEOPLE_WRITE,
    "people_list": Scope.PEOPLE_READ,
    "cycle_close": Scope.CYCLES_WRITE,
}


def _live_schema() -> Any:
    """The schema /api/schema/ serves, made by its generator (collection has no database, and the
    view would open a request's transaction); the requests then go through the WSGI application."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document)))
    loaded.app = application
    return loaded


schema = _live_schema()


@pytest.mark.django_db(transaction=True)  # the close is not atomic: its refusals would break a test's transaction
@schema.parametrize()
@hypothesis_settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_its_schema_says(case: Any, tokens: dict[str, str]) -> None:
    scope = NEEDS.get(case.operation.definition.raw.get("operationId", ""), Scope.RESULTS_READ)
    other = Scope.RESULTS_READ if scope != Scope.RESULTS_READ else Scope.FIGURES_WRITE
    for name in (scope, other, "all", "second"):
        case.call_and_validate(headers={"Authorization": f"Bearer {tokens[name]}"}, checks=CHECKS)
