"""A calibrated plan's closed month for the calibration tests: four people, one in each of A and
C and two in B, in two departments; the plan wants A at most 20 % and C at least 5 %."""

from typing import Any

from metrics.figures.services import metrics_import
from metrics.results.models import Result
from people.models import Role, User
from people.staffing.roster import roster_import
from tests.factories import csv_table, plan_data, publish
from tests.metrics.results.test_cycle_pages import close, person

GUIDELINE = [{"band": "A", "max": 20}, {"band": "C", "min": 5}]
ROSTER = (
    "employee,name,department,manager,plan,start,monthly_bonus,quarterly_bonus\n"
    "li.lei,李雷,客户部,wang.fang,customer-manager,2026-01,2000,6000\n"
    "han.mei,韩梅梅,客户部,wang.fang,customer-manager,2026-01,2000,6000\n"
    "zhao.min,赵敏,客户部,wang.fang,customer-manager,2026-01,3000,6000\n"
    "zhang.san,张三,客户二部,zhao.lei,customer-manager,2026-01,2000,6000\n"
)
METRICS = (
    "employee,period,churn.lost,churn.total,satisfaction,new_customers,feedback.ok,feedback.total\n"
    "li.lei,2026-01,2,50,8.6,4,46,48\n"  # 107.66, A
    "han.mei,2026-01,3,50,8,2,40,48\n"  # 76.91, B
    "zhao.min,2026-01,3,50,8,2,40,48\n"  # 76.91, B
    "zhang.san,2026-01,10,50,3,0,10,48\n"  # 14.81, C (warning)
)


def calibrated_month(**plan: Any) -> None:
    """The plan (calibrated, with the guideline, unless ``plan`` says otherwise), the roster, the
    figures of 2026-01, and 2026-01 closed."""
    person("hr", Role.HR, "孙丽")
    person("wang.fang", Role.MANAGER, "王芳")
    person("zhao.lei", Role.MANAGER, "赵雷")
    publish(plan_data(**{"calibration": True, "distribution": GUIDELINE, **plan}))
    roster_import(table=csv_table(ROSTER))
    metrics_import(table=csv_table(METRICS))
    close("2026-01")


def result_of(username: str, period: str = "2026-01") -> Result:
    return Result.objects.get(employee__username=username, period=period, superseded_at__isnull=True)


def user(username: str) -> User:
    return User.objects.get(username=username)
