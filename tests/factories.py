"""factory_boy factories and small builders shared by the tests."""

import json
from decimal import Decimal
from typing import Any

import factory

from people.models import Department, Role, User
from plans.models import Assignment, PlanVersion
from plans.plan_file import plan_file_parse
from plans.services import plan_publish
from plans.tabular import Table, table_read
from tests.conftest import SEED_PLAN


class DepartmentFactory(factory.django.DjangoModelFactory[Department]):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Department {n}")


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"person{n:05d}")
    display_name = factory.Faker("name")
    role = Role.EMPLOYEE


def plan_data(**changes: Any) -> dict[str, Any]:
    """The seed plan of the shared examples as a dict, with top-level keys changed."""
    data: dict[str, Any] = json.loads(SEED_PLAN.read_text(encoding="utf-8"))
    data.update(changes)
    return data


def publish(data: dict[str, Any] | None = None) -> PlanVersion:
    return plan_publish(definition=plan_file_parse(data or plan_data())).version


def assign(
    user: User,
    version: PlanVersion,
    start: str = "2026-01",
    monthly_bonus: str = "2000",
    quarterly_bonus: str = "6000",
    annual_bonus: str = "0",
) -> Assignment:
    return Assignment.objects.create(
        employee=user,
        version=version,
        start=start,
        monthly_bonus=Decimal(monthly_bonus),
        quarterly_bonus=Decimal(quarterly_bonus),
        annual_bonus=Decimal(annual_bonus),
    )


def csv_table(text: str) -> Table:
    return table_read(text.encode())
