"""Every page of the demo speaks the reader's language (issue #12, part 2).

Over the demo company (``load_demo`` as of today, the open quarter's reviews open), each role
signs in and opens every page it can reach by following the links of the pages it sees, from
the home page and the README's screenshots (the page discovery of ``test_csp_browser.py``, with
the test client: the pages are the same HTML). Each page's text nodes (not its attributes,
scripts or styles) are read:

- in Chinese, a Latin word fails the test unless it is a person's user name, a unit, a band
  label, a code column of a file (written in ``<code>``, where a page names a file's columns),
  or on the allow-list below;
- in English, Chinese text fails the test unless it is data (the names of people, departments,
  plans, goals and indicators, band labels, decisions and notes people typed) or on the list.

The allow-list names, for each entry, the part of issue #12 and the branch that removes it.
"""

from __future__ import annotations

import io
import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone
from pytest_django import Settings

from metrics.followups.models import FollowUpDecision
from people.management.commands.load_demo import EMPLOYEES, MANAGERS, DemoCalendar, demo_calendar
from people.management.commands.screenshots import shots
from people.models import Department, User
from plans.models import Band, Goal, Indicator, PlanTemplate, PlanVersion
from reviews.models import Review, ReviewEvent, ReviewFeedbackRequest
from reviews.opening import reviews_open_many

pytestmark = pytest.mark.usefixtures("celery_worker")  # load_demo closes months

MANAGER = MANAGERS[0].username
EMPLOYEE = EMPLOYEES[0].username
ROLES = ["hr", "admin", MANAGER, EMPLOYEE]
PER_ROUTE = 2  # each URL pattern opened at most this many times (two scorecards, not thirty)
MAX_PAGES = 150

# Text nodes inside these are not words for people: scripts, styles, and codes of files.
SKIPPED = {"script", "style", "template", "code", "kbd", "noscript"}
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[._'’-][A-Za-z0-9]+)*")
CHINESE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")

# Latin words a Chinese page may show: units and the product's own marks.
LATIN_ALLOWED = {
    "%",
    # A web address's scheme, as the webhooks' form asks for one ("以 https:// 开头").
    "https",
    # Excel and CSV are the names of the file types (the Chinese Excel says Excel too).
    "Excel",
    "CSV",
    "UTF-8",
    "BOM",
    "JSON",
    "XLSX",
    "xlsx",
    "csv",
    "PNG",
    "ID",
    "Email",
    "English",  # the language switcher names each language in itself
}
# Known findings outside this branch's parts, each for its owner to remove after the merge.
_BUILDER = "h-builder (issue 12 parts 1, 3, 4): the plan pages, codes made from names, input labels"
LATIN_OWNED: dict[str, str] = {
    # The seed plan's formula inputs have no labels yet (SPEC 7 inputs objects): the plan page's
    # formula "lost / total * 100" and the grid's headers "客户流失率 · lost" show their names.
    "lost": _BUILDER,
    "total": _BUILDER,
    "ok": _BUILDER,
    # The plan code the builder asks for ("如 customer-manager"), the template library's English
    # plan on the plans page, the stretch target's "bonus 5" on a version's page.
    "customer-manager": _BUILDER,
    "Customer": _BUILDER,
    "account": _BUILDER,
    "manager": _BUILDER,
    "plan": _BUILDER,
    "bonus": _BUILDER,
}
# Chinese an English page may show that is not data.
CHINESE_ALLOWED = {
    "简体中文",  # the language switcher names each language in itself
}
CHINESE_OWNED: dict[str, str] = {}


class Text(HTMLParser):
    """The text nodes of a page a person reads, outside scripts, styles and codes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "source", "wbr"}:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if data.strip() and not SKIPPED.intersection(self.stack):
            self.parts.append(data.strip())


def page_text(html: str) -> list[str]:
    parser = Text()
    parser.feed(html)
    return parser.parts


@dataclass
class Findings:
    found: Counter[str] = field(default_factory=Counter)
    where: dict[str, str] = field(default_factory=dict)

    def add(self, word: str, page: str, context: str) -> None:
        self.found[word] += 1
        self.where.setdefault(word, f"{page}: …{context[:120]}…")

    def report(self) -> list[str]:
        return [f"{word!r} ({count}×), first at {self.where[word]}" for word, count in self.found.most_common()]


def route(url: str) -> str | None:
    """The URL pattern of a link (and the names of its query), or None for no page of the product."""
    parts = urlsplit(url)
    # Django's admin and the API's docs (Swagger UI, a developers' page in English) are not ours.
    if parts.netloc not in ("", "testserver") or parts.path.startswith(("/admin/", "/static/", "/api/docs/")):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    return match.route + "?" + "&".join(sorted({name for name, _value in parse_qsl(parts.query)}))


LINK = re.compile(r"""<a\s[^>]*href=["']([^"'#]+)""", re.IGNORECASE)


def crawl(client: Client, seeds: Iterable[str], language: str) -> Iterator[tuple[str, str]]:
    """(url, html) of every page reachable from the seeds by links, each pattern PER_ROUTE times."""
    opened: Counter[str] = Counter()
    queue = deque(seeds)
    seen = set(queue)
    count = 0
    while queue and count < MAX_PAGES:
        url = queue.popleft()
        pattern = route(url)
        if pattern is None or opened[pattern] >= PER_ROUTE or "logout" in url:
            continue
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        opened[pattern] += 1
        count += 1
        html = response.content.decode()
        yield url, html
        for href in LINK.findall(html):
            link = urljoin(url, href.replace("&amp;", "&"))
            link = urlsplit(link)._replace(scheme="", netloc="").geturl()
            if link not in seen:
                seen.add(link)
                queue.append(link)


def data_words() -> tuple[set[str], set[str]]:
    """(Latin words of data a Chinese page may show, Chinese text of data an English page may show)."""
    latin: set[str] = set(User.objects.values_list("username", flat=True))
    latin |= set(Band.objects.values_list("label", flat=True))
    latin |= {code for code in Indicator.objects.values_list("unit", flat=True) if code}
    chinese: set[str] = set()
    for values in (
        User.objects.values_list("display_name", flat=True),
        Department.objects.values_list("name", flat=True),
        PlanTemplate.objects.values_list("name", flat=True),
        PlanVersion.objects.values_list("name", flat=True),
        Goal.objects.values_list("name", flat=True),
        Indicator.objects.values_list("name", flat=True),
        Indicator.objects.values_list("unit", flat=True),
        Band.objects.values_list("label", flat=True),
        FollowUpDecision.objects.values_list("name", flat=True),
        FollowUpDecision.objects.values_list("note", flat=True),
        *(Review.objects.values_list(name, flat=True) for name in ("self_assessment", "manager_comment")),
        *(Review.objects.values_list(name, flat=True) for name in ("appeal_reason", "resolution")),
        ReviewFeedbackRequest.objects.values_list("comment", flat=True),
        ReviewEvent.objects.values_list("note", flat=True),
    ):
        chinese |= {value for value in values if value}
    return latin, chinese


def latin_findings(url: str, parts: list[str], allowed: set[str], findings: Findings) -> None:
    for part in parts:
        for word in LATIN.findall(part):
            if word in allowed or word in LATIN_ALLOWED or word in LATIN_OWNED:
                continue
            findings.add(word, url, part)


def chinese_findings(url: str, parts: list[str], data: list[str], findings: Findings) -> None:
    for part in parts:
        for value in data:  # the longest first: a plan's name before a goal's inside it
            part = part.replace(value, " ")
        for run in CHINESE.findall(part):
            if run in CHINESE_ALLOWED or run in CHINESE_OWNED:
                continue
            findings.add(run, url, part)


@pytest.fixture
def demo(settings: Settings) -> DemoCalendar:
    settings.CLOSE_WAIT_SECONDS = 60
    calendar = demo_calendar(timezone.localdate())
    call_command("load_demo", "--today", calendar.today.isoformat(), stdout=io.StringIO())
    reviews_open_many(period=calendar.open_quarter, user=User.objects.get(username="hr"))
    return calendar


@pytest.mark.django_db(transaction=True)
def test_every_page_of_every_role_speaks_chinese_in_chinese_and_english_in_english(demo: DemoCalendar) -> None:
    latin_data, chinese_data = data_words()
    chinese_data_longest = sorted(chinese_data, key=len, reverse=True)
    in_chinese, in_english = Findings(), Findings()
    pages: Counter[str] = Counter()
    for username in ROLES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        seeds = ["/", *(shot.path for shot in shots(demo) if shot.username == username)]
        for url, html in crawl(client, seeds, "zh-CN,zh;q=0.9"):
            assert '<html lang="zh-hans"' in html, url
            pages[f"{username} zh"] += 1
            latin_findings(f"{username} {url}", page_text(html), latin_data, in_chinese)
        for url, html in crawl(client, seeds, "en-US,en;q=0.9"):
            assert '<html lang="en"' in html, url
            pages[f"{username} en"] += 1
            chinese_findings(f"{username} {url}", page_text(html), chinese_data_longest, in_english)

    assert all(pages[f"{username} {language}"] >= 5 for username in ROLES for language in ("zh", "en")), pages
    chinese_pages, english_pages = in_chinese.report(), in_english.report()
    assert not chinese_pages + english_pages, "\n".join(
        ["Latin words on Chinese pages:", *chinese_pages, "Chinese text on English pages:", *english_pages]
    )


def test_the_text_is_read_from_text_nodes_outside_scripts_styles_and_codes() -> None:
    html = (
        '<html><head><title>方案</title><style>.a{color:red}</style></head><body data-x="code">'
        '<p title="churn">客户流失率 <b>lost</b></p><script>var churn = 1;</script>'
        "<p>列 <code>employee</code>、<code>period</code></p><br>尾 churn</body></html>"
    )

    assert page_text(html) == ["方案", "客户流失率", "lost", "列", "、", "尾 churn"]
    findings = Findings()
    latin_findings("/", page_text(html), {"li.lei"}, findings)
    assert list(findings.found) == ["churn"]  # "lost" is on the owned list until h-builder's labels
    english = Findings()
    chinese_findings("/", ["Figures of 李雷 in 客户一部: 未知"], ["客户一部", "李雷"], english)
    assert list(english.found) == ["未知"]
