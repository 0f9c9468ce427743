"""Django's admin shows figures, their changes, cycles and results, and never writes them.

Each of them changes only through its service, which keeps the audit trail: an admin's delete
or edit would leave none. A person or assignment whose delete would take figures with it stays.
"""

from pathlib import Path

import pytest
from django.db import models
from django.test import Client

from metrics.cycles.models import Cycle
from metrics.figures.models import MetricChange, MetricEntry
from metrics.results.models import Result, ResultLine
from people.models import Role, User
from plans.models import Assignment
from tests.metrics.results.test_cycle_pages import close, examples_loaded

# The records an admin reads and never writes.
Record = MetricEntry | MetricChange | Result | Cycle
MODELS: list[type[Record]] = [MetricEntry, MetricChange, Result, Cycle]


@pytest.fixture
def admin_client(db: None, examples: Path) -> Client:
    examples_loaded(examples)
    close("2026-01")
    root = User.objects.create_superuser(username="root", password="x", role=Role.ADMIN)
    client = Client()
    client.force_login(root)
    return client


def url(model: type[models.Model], view: str, pk: int | None = None) -> str:
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    return base + {"changelist": "", "add": "add/", "change": f"{pk}/change/", "delete": f"{pk}/delete/"}[view]


def counts() -> list[int]:
    every: list[type[Record | ResultLine | Assignment | User]] = [*MODELS, ResultLine, Assignment, User]
    return [model.objects.count() for model in every]


@pytest.mark.parametrize("model", MODELS)
def test_an_admin_reads_the_list_and_each_row(admin_client: Client, model: type[Record]) -> None:
    row = model.objects.first()
    assert row is not None

    assert admin_client.get(url(model, "changelist")).status_code == 200
    page = admin_client.get(url(model, "change", row.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # read-only: no Save button


@pytest.mark.parametrize("model", MODELS)
def test_an_admins_delete_is_refused_and_the_row_stays(admin_client: Client, model: type[Record]) -> None:
    row = model.objects.first()
    assert row is not None
    before = counts()

    assert admin_client.post(url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    admin_client.post(
        url(model, "changelist"), {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    )

    assert model.objects.filter(pk=row.pk).exists()
    assert counts() == before


@pytest.mark.parametrize("model", MODELS)
def test_an_admin_can_neither_add_nor_change_a_row(admin_client: Client, model: type[Record]) -> None:
    row = model.objects.first()
    assert row is not None
    before = list(model.objects.values())

    assert admin_client.get(url(model, "add")).status_code == 403
    admin_client.post(url(model, "change", row.pk), {"period": "2026-02", "status": "open", "score": "1", "value": "1"})

    assert list(model.objects.values()) == before


def test_a_figure_cannot_be_changed_to_another_value(admin_client: Client) -> None:
    entry = MetricEntry.objects.first()
    assert entry is not None

    response = admin_client.post(url(MetricEntry, "change", entry.pk), {"value": "999"})

    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.value != 999


@pytest.mark.parametrize("model", [User, Assignment])
def test_deleting_a_person_or_assignment_that_has_figures_is_refused(
    admin_client: Client, model: type[User | Assignment]
) -> None:
    person = User.objects.get(username="han.mei")  # February on: figures, no closed result
    row = person if model is User else person.assignments.get()
    assert MetricEntry.objects.filter(assignment__employee=person).exists()
    before = counts()

    response = admin_client.post(url(model, "delete", row.pk), {"post": "yes"})

    assert response.status_code == 403
    assert counts() == before
