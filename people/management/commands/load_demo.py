"""`load_demo`: a small Chinese customer-service company to try the product with.

Everything goes through the services HR uses (the plan file, the roster and metrics imports,
closing a cycle), so the demo holds exactly what the product itself would write. Running it
again only adds what is missing: nothing HR has changed since is overwritten.

Its months are those of today (``--today`` for another day; see ``demo_calendar``): the last
full quarter that can be closed is closed, with its months and the months after it, the month
before the current one is open with some figures missing, and the current month is open, so a
newcomer sees every state of the product. The same day gives the same demo.
"""

import csv
import datetime
import io
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
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
# Where `make run` serves the demo: its HOST (the Makefile exports it to both commands).
DEFAULT_HOST = "127.0.0.1:8000"
PLAN_FILE = Path(apps.get_app_config("plans").path) / "templates_library" / "customer-manager.zh-hans.json"
SEED = 20260101
QUARTERLY_COLUMNS = ["employee", "period", "collaboration"]
# The month before the current one misses these figures (employee, indicator columns): a few in
# each team, so the grid, the home page, the cycle page and its reminders have something to show.
MISSING = {
    "zhou.min": ("satisfaction",),
    "he.yu": ("new_customers", "feedback.ok", "feedback.total"),
    "xie.lin": ("satisfaction",),
    "peng.bo": ("churn.lost", "churn.total"),
    "xiao.nan": ("satisfaction", "new_customers"),
}
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
class DemoCalendar:
    """The demo's periods, from the day it is loaded on.

    ``last`` is the month before the current one: open, with some figures missing. ``quarter`` is
    the latest quarter that ends before it: closed with its months (and any month between it and
    ``last``). Everybody is on the plan from the quarter's first month.
    """

    today: datetime.date
    quarter: Period
    last: Period
    current: Period

    @property
    def start(self) -> Period:
        return self.quarter.first_month()

    @property
    def months(self) -> tuple[Period, ...]:
        """Every month of figures, from the start to the current one."""
        count = (self.current.year - self.start.year) * 12 + self.current.month - self.start.month + 1
        return tuple(self.start.shift(index) for index in range(count))

    @property
    def closed_months(self) -> tuple[Period, ...]:
        return tuple(month for month in self.months if month < self.last)

    @property
    def open_quarter(self) -> Period:
        """The quarter of the open month before the current one (its reviews are the ones to do)."""
        return self.last.quarter_of()

    @property
    def closed(self) -> tuple[Period, ...]:
        """What the demo closes, in the order it closes them: the quarter once its months are."""
        months = self.closed_months
        inside = [month for month in months if month <= self.quarter.last_month()]
        after = [month for month in months if month > self.quarter.last_month()]
        return (*inside, self.quarter, *after)


def demo_calendar(today: datetime.date) -> DemoCalendar:
    """The demo's periods for ``today`` (deterministic: the same day, the same periods)."""
    current = Period.of_date(today)
    last = current.shift(-1)
    quarter_end = last.shift(-1)
    while quarter_end.month % 3:
        quarter_end = quarter_end.shift(-1)
    return DemoCalendar(today=today, quarter=quarter_end.quarter_of(), last=last, current=current)


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


def roster_text(people: list[DemoPerson], *, plan: str, start: Period) -> str:
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
                str(start) if assessed else "",
                person.monthly_bonus if assessed else "",
                person.quarterly_bonus if assessed else "",
            ]
        )
    return out.getvalue()


def _month_rows(month: Period, *, seed: int) -> list[list[object]]:
    """One month's figures of everybody: the same month and seed give the same figures."""
    rng = random.Random(f"{seed}-{month}")
    rows: list[list[object]] = []
    for person in EMPLOYEES:
        satisfaction = rng.randint(65, 100)  # tenths: 6.5 to 10.0
        feedback_total = rng.randint(20, 50)
        rows.append(
            [
                person.username,
                str(month),
                rng.randint(0, 4),
                rng.randint(30, 60),
                f"{satisfaction // 10}.{satisfaction % 10}",
                rng.randint(0, 6),
                rng.randint((feedback_total * 8 + 9) // 10, feedback_total),  # 80 to 100 % in time
                feedback_total,
            ]
        )
    return rows


def figures_text(calendar: DemoCalendar, *, seed: int = SEED) -> dict[Period, str]:
    """The metrics CSV of each month up to the one before the current (the current month has no
    figures yet); the month before the current one lacks the ``MISSING`` figures."""
    files = {}
    for month in calendar.months:
        if month >= calendar.current:
            continue
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(FIGURE_COLUMNS)
        for row in _month_rows(month, seed=seed):
            if month == calendar.last:
                gaps = MISSING.get(str(row[0]), ())
                row = [("" if column in gaps else value) for column, value in zip(FIGURE_COLUMNS, row, strict=True)]
            writer.writerow(row)
        files[month] = out.getvalue()
    return files


def ratings_text(quarter: Period, *, seed: int = SEED) -> str:
    """The closed quarter's collaboration ratings (out of 10, one decimal), as a metrics CSV."""
    rng = random.Random(f"{seed}-{quarter}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(QUARTERLY_COLUMNS)
    for person in EMPLOYEES:
        rating = rng.randint(60, 100)  # tenths: 6.0 to 10.0
        writer.writerow([person.username, str(quarter), f"{rating // 10}.{rating % 10}"])
    return out.getvalue()


def demo_url(host: str = "") -> str:
    """The address the demo is served at, from the ``host`` runserver is given (`make run` passes
    its HOST; the environment's HOST otherwise): ``8001``, ``:8001``, ``0.0.0.0:8001`` or
    ``demo.example.com:80`` as runserver takes them."""
    host = host.strip() or os.environ.get("HOST", "").strip() or DEFAULT_HOST
    if "://" in host:
        return host.rstrip("/")
    name, _colon, port = host.rpartition(":")
    if not _colon:  # a bare port
        name, port = "", host
    if name in ("", "0", "0.0.0.0", "[::]", "::"):  # every address: this machine's own works
        name = "127.0.0.1"
    return f"http://{name}" + ("" if port == "80" else f":{port}")


class Command(BaseCommand):
    help = (
        "Load a demo company in Chinese: a plan, two departments, 30 people, their figures from the last "
        "full quarter (closed) to today's month."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            metavar="YYYY-MM-DD",
            help="Build the demo's months as on this day (default: today).",
        )
        parser.add_argument(
            "--host",
            default="",
            metavar="ADDRESS:PORT",
            help="Where the demo is served (runserver's address), for the address it prints.",
        )

    def handle(self, *args: Any, today: datetime.date | None = None, host: str = "", **options: Any) -> None:
        calendar = demo_calendar(today or timezone.localdate())
        plan = self._plan()
        hr = self._staff("hr", "孙丽", Role.HR)
        self._staff("admin", "系统管理员", Role.ADMIN)
        self._people(plan, start=calendar.start)
        self._figures(calendar)
        self._close(calendar, user=hr)
        self.stdout.write(self.style.SUCCESS(_("The demo is ready at %(url)s") % {"url": demo_url(host)}))
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

    def _people(self, plan: str, *, start: Period) -> None:
        people = [*MANAGERS, *EMPLOYEES]
        usernames = [person.username for person in people]
        present = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
        missing = [person for person in people if person.username not in present]
        if missing:
            try:
                outcome = roster_import(table=table_read(roster_text(missing, plan=plan, start=start)))
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
        # The roster import creates people who cannot log in yet; a demo needs them to. The one
        # password is hashed once for all of them (a hash costs a second on a busy machine).
        unusable = [user.pk for user in User.objects.filter(username__in=usernames) if not user.has_usable_password()]
        if unusable:
            User.objects.filter(pk__in=unusable).update(password=make_password(PASSWORD))
        # Managers have an address, so that HR can remind them (the local settings print emails).
        for manager in User.objects.filter(username__in=[m.username for m in MANAGERS], email=""):
            manager.email = f"{manager.username}@example.com"
            manager.save(update_fields=["email"])

    def _figures(self, calendar: DemoCalendar) -> None:
        files = figures_text(calendar)
        files[calendar.quarter] = ratings_text(calendar.quarter)
        for period, text in sorted(files.items(), key=lambda item: item[0].day_after()):
            if cycle_status(period=period) != CycleStatus.OPEN:
                self.stdout.write(_("Figures of %(month)s: the period is closed, kept.") % {"month": period})
                continue
            table = self._still_missing(period, text)
            if table is None:
                self.stdout.write(_("Figures of %(month)s: already entered, kept.") % {"month": period})
                continue
            try:
                outcome = metrics_import(table=table_read(table))
            except TableError as error:
                raise CommandError(
                    _("The demo figures of %(month)s were not imported; nothing was saved:") % {"month": period}
                    + "\n"
                    + "\n".join(error.messages)
                ) from error
            self.stdout.write(
                _("Figures of %(month)s: %(count)s values entered.") % {"month": period, "count": outcome.created}
            )

    def _still_missing(self, period: Period, text: str) -> str | None:
        """The rows of ``text`` with only the cells nobody has entered yet (an empty cell changes
        nothing), or None when every one of them is there: what HR or a manager entered is kept."""
        entered = set(
            MetricEntry.objects.filter(
                period=period,
                value__isnull=False,
                assignment__employee__username__in=[person.username for person in EMPLOYEES],
            ).values_list("assignment__employee__username", "indicator__code")
        )
        rows = list(csv.reader(io.StringIO(text)))
        header, kept = rows[0], []
        for row in rows[1:]:
            cells = [
                "" if index > 1 and (row[0], header[index].split(".")[0]) in entered else value
                for index, value in enumerate(row)
            ]
            if any(cells[2:]):
                kept.append(cells)
        if not kept:
            return None
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([header, *kept])
        return out.getvalue()

    def _close(self, calendar: DemoCalendar, *, user: User) -> None:
        for period in calendar.closed:
            cycle = close_and_wait(period=period, user=user)
            if cycle is None:
                self.stdout.write(_("%(period)s: already closed, kept.") % {"period": period})
                continue
            count = cycle.results.filter(run=cycle.run).count()
            self.stdout.write(_("%(period)s: closed, %(count)s results.") % {"period": period, "count": count})
