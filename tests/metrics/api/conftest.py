"""The API's fixtures: a small company on the seed plan, and clients holding a token."""

import pytest
from django.test import Client

from metrics.api.tokens import api_token_create
from metrics.figures.services import metrics_import
from people.staffing.roster import roster_import
from tests.factories import csv_table, publish

ROSTER = """employee,name,department,manager,plan,start,monthly_bonus,quarterly_bonus
li.lei,李雷,客户部,wang.fang,customer-manager,2026-01,2000,6000
han.mei,韩梅梅,客户部,wang.fang,customer-manager,2026-02,2000,6000
wu.di,吴迪,客户二部,zhao.lei,customer-manager,2026-01,2000,6000
"""
METRICS = """employee,period,churn.lost,churn.total,satisfaction,new_customers,feedback.ok,feedback.total,collaboration
li.lei,2026-01,2,50,8.6,4,46,48,
wu.di,2026-01,1,30,9,3,20,20,
"""


@pytest.fixture
def company(db: None) -> None:
    """li.lei and han.mei in 客户部 (wang.fang's), wu.di in 客户二部 (zhao.lei's), January's figures in."""
    publish()
    roster_import(table=csv_table(ROSTER))
    metrics_import(table=csv_table(METRICS))


def token_client(
    name: str, scopes: list[str], departments: tuple[str, ...] = (), plans: tuple[str, ...] = ()
) -> Client:
    made = api_token_create(name=name, scopes=scopes, departments=departments, plans=plans)
    return Client(HTTP_AUTHORIZATION=f"Bearer {made.secret}")
