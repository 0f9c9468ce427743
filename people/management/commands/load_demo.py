"""`load_demo`: a small Chinese customer-service company to try the product with.

Everything goes through the services HR uses (the plan file, the roster and metrics imports,
closing a cycle), so the demo holds exactly what the product itself would write. Running it
again only adds what is missing: nothing HR has changed since is overwritten.
"""

import csv
import io
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from metrics.cycles.models import CycleStatus
from metrics.cycles.selectors import cycle_status
from metrics.figures.models import MetricEntry
from metrics.figures.services import metrics_import
from metrics.management.commands.close_cycle import close_and_wait
from people.models import Role, User
from people.staffing.roster import ROSTER_COLUMNS, roster_import
from plans.models import PlanVersion, VersionStatus
from plans.periods import Period
from plans.plan_file import PlanFileError, plan_file_loads
from plans.services import plan_publish
from plans.tabular import TableError, table_read

PASSWORD = "demo12345"
URL = "http://127.0.0.1:8000"
PLAN_FILE = Path(apps.get_app_config("plans").path) / "templates_library" / "customer-manager.zh-hans.json"
START = "2026-01"
MONTHS = ("2026-01", "2026-02", "2026-03")
CLOSED_MONTH = "2026-01"
SEED = 20260101
FIGURE_COLUMNS = [
    "employee",
    "period",
    "churn.lost",
    "churn.total",
    "satisfaction",
    "new_customers",
    "feedback.ok",
    "feedback.total",
]


@dataclass(frozen=True)
class DemoPerson:
    username: str
    name: str
    department: str
    manager: str = ""
    monthly_bonus: int = 2000
    quarterly_bonus: int = 6000


MANAGERS = (
    DemoPerson("wang.fang", "王芳", "客户一部"),
    DemoPerson("zhao.lei", "赵磊", "客户二部"),
)


def _team(manager: DemoPerson, people: str, senior: set[str]) -> tuple[DemoPerson, ...]:
    """``people``: "user.name 姓名" pairs; seniors have larger bonuses."""
    pairs = [line.split() for line in people.strip().splitlines()]
    return tuple(
        DemoPerson(
            username,
            name,
            manager.department,
            manager.username,
            2500 if username in senior else 2000,
            7500 if username in senior else 6000,
        )
        for username, name in pairs
    )


EMPLOYEES = _team(
    MANAGERS[0],
    """
    li.lei 李雷
    han.meimei 韩梅梅
    zhang.wei 张伟
    liu.yang 刘洋
    chen.jing 陈静
    yang.fan 杨帆
    zhou.min 周敏
    wu.qiang 吴强
    xu.li 徐丽
    sun.hao 孙浩
    ma.chao 马超
    zhu.ting 朱婷
    hu.jun 胡军
    guo.xin 郭欣
    he.yu 何雨
    """,
    senior={"zhang.wei", "chen.jing", "hu.jun"},
) + _team(
    MANAGERS[1],
    """
    lin.feng 林峰
    luo.na 罗娜
    gao.peng 高鹏
    liang.yu 梁宇
    song.jia 宋佳
    zheng.kai 郑凯
    xie.lin 谢琳
    tang.jie 唐杰
    han.xue 韩雪
    feng.tao 冯涛
    deng.li 邓莉
    cao.yang 曹阳
    peng.bo 彭博
    zeng.xiaoqing 曾晓青
    xiao.nan 肖楠
    """,
    senior={"lin.feng", "song.jia"},
)


def roster_text(people: list[DemoPerson], *, plan: str) -> str:
    """The roster CSV of SPEC.md section 4; managers get a row without a plan."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ROSTER_COLUMNS)
    for person in people:
        assessed = bool(person.manager)
        writer.writerow(
            [
                person.username,
                person.name,
                person.department,
                person.manager,
                plan if assessed else "",
                START if assessed else "",
                person.monthly_bonus if assessed else "",
                person.quarterly_bonus if assessed else "",
            ]
        )
    return out.getvalue()


def figures_text(*, seed: int = SEED) -> dict[str, str]:
    """Each month's metrics CSV; the same seed gives the same figures, whatever is imported."""
    rng = random.Random(seed)
    files = {}
    for month in MONTHS:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(FIGURE_COLUMNS)
        for person in EMPLOYEES:
            satisfaction = rng.randint(65, 100)  # tenths: 6.5 to 10.0
            feedback_total = rng.randint(20, 50)
            writer.writerow(
                [
                    person.username,
                    month,
                    rng.randint(0, 4),
                    rng.randint(30, 60),
                    f"{satisfaction // 10}.{satisfaction % 10}",
                    rng.randint(0, 6),
                    rng.randint((feedback_total * 8 + 9) // 10, feedback_total),  # 80 to 100 % in time
                    feedback_total,
                ]
            )
        files[month] = out.getvalue()
    return files


class Command(BaseCommand):
    help = "Load a demo company in Chinese: a plan, two departments, 30 people, three months of figures."

    def handle(self, *args: Any, **options: Any) -> None:
        plan = self._plan()
        hr = self._staff("hr", "孙丽", Role.HR)
        self._staff("admin", "系统管理员", Role.ADMIN)
        self._people(plan)
        self._figures()
        self._close(user=hr)
        self.stdout.write(self.style.SUCCESS(_("The demo is ready at %(url)s") % {"url": URL}))
        for role, username in ((_("HR"), "hr"), (_("Manager"), MANAGERS[0].username), (_("Administrator"), "admin")):
            self.stdout.write(
                _("  %(role)s: user name %(username)s, password %(password)s")
                % {"role": role, "username": username, "password": PASSWORD}
            )

    def _plan(self) -> str:
        try:
            definition = plan_file_loads(PLAN_FILE.read_bytes())
        except (OSError, PlanFileError) as error:
            raise CommandError(
                _("The demo plan %(path)s cannot be read: %(error)s") % {"path": PLAN_FILE, "error": error}
            ) from error
        # A plan that is there already stays as HR left it, even if they published a newer version.
        if PlanVersion.objects.filter(template__code=definition.code, status=VersionStatus.PUBLISHED).exists():
            self.stdout.write(_("Plan %(code)s: already published, kept.") % {"code": definition.code})
        else:
            outcome = plan_publish(definition=definition)
            self.stdout.write(
                _("Plan %(code)s: published version %(number)s.")
                % {"code": definition.code, "number": outcome.version.number}
            )
        return definition.code

    def _staff(self, username: str, name: str, role: Role) -> User:
        user = User.objects.filter(username=username).first()
        if user is not None:
            return user
        if role == Role.ADMIN:
            return User.objects.create_superuser(username, password=PASSWORD, display_name=name, role=role)
        return User.objects.create_user(username, password=PASSWORD, display_name=name, role=role)

    def _people(self, plan: str) -> None:
        people = [*MANAGERS, *EMPLOYEES]
        usernames = [person.username for person in people]
        present = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
        missing = [person for person in people if person.username not in present]
        if missing:
            try:
                outcome = roster_import(table=table_read(roster_text(missing, plan=plan)))
            except TableError as error:
                raise CommandError(
                    _("The demo roster was not imported; nothing was saved:") + "\n" + "\n".join(error.messages)
                ) from error
            self.stdout.write(
                _("People: %(created)s new, %(assigned)s assigned to the plan.")
                % {"created": outcome.people_created, "assigned": outcome.assignments_created}
            )
        else:
            self.stdout.write(_("People: all %(count)s already there, kept.") % {"count": len(people)})
        # The roster import creates people who cannot log in yet; a demo needs them to.
        for user in User.objects.filter(username__in=usernames):
            if not user.has_usable_password():
                user.set_password(PASSWORD)
                user.save(update_fields=["password"])
        # Managers have an address, so that HR can remind them (the local settings print emails).
        for manager in User.objects.filter(username__in=[m.username for m in MANAGERS], email=""):
            manager.email = f"{manager.username}@example.com"
            manager.save(update_fields=["email"])

    def _figures(self) -> None:
        usernames = [person.username for person in EMPLOYEES]
        for month, text in figures_text().items():
            if cycle_status(period=Period.parse(month)) != CycleStatus.OPEN:
                self.stdout.write(_("Figures of %(month)s: the month is closed, kept.") % {"month": month})
                continue
            if MetricEntry.objects.filter(period=month, assignment__employee__username__in=usernames).exists():
                self.stdout.write(_("Figures of %(month)s: already entered, kept.") % {"month": month})
                continue
            try:
                outcome = metrics_import(table=table_read(text))
            except TableError as error:
                raise CommandError(
                    _("The demo figures of %(month)s were not imported; nothing was saved:") % {"month": month}
                    + "\n"
                    + "\n".join(error.messages)
                ) from error
            self.stdout.write(
                _("Figures of %(month)s: %(count)s values entered.") % {"month": month, "count": outcome.created}
            )

    def _close(self, *, user: User) -> None:
        period = Period.parse(CLOSED_MONTH)
        cycle = close_and_wait(period=period, user=user)
        if cycle is None:
            self.stdout.write(_("%(period)s: already closed, kept.") % {"period": period})
            return
        count = cycle.results.filter(run=cycle.run).count()
        self.stdout.write(_("%(period)s: closed, %(count)s results.") % {"period": period, "count": count})
