"""The catalogs: complete in both languages, up to date with the code, and used by the pages."""

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from people.models import Role
from tests.metrics.results.test_cycle_pages import client_for, close, examples_loaded, page_text, person

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("zh_Hans", "en")
GETTEXT_TOOLS = ("xgettext", "msgmerge", "msguniq", "msgattrib", "msgfmt")
# What `make messages` leaves out of the catalogs; the copy below leaves it out too.
NOT_SCANNED = {"node_modules", "tests", "docs", "locale", "staticfiles", "__pycache__", "mutants"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")


def catalog(locale: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / locale / "LC_MESSAGES" / "django.po"))


def live(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def key(entry: polib.POEntry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def msgstrs(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def gettext_tools() -> None:
    """Skip without GNU gettext, unless the services are required (CI), where it must be there."""
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing:
        reason = f"GNU gettext is missing ({', '.join(missing)}): apt-get install gettext"
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail(f"REQUIRE_SERVICES is set but {reason}")
        pytest.skip(reason)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_entry_is_translated_and_none_is_fuzzy(locale: str) -> None:
    entries = live(catalog(locale))

    assert entries
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []
    assert [e.msgid for e in entries if not all(msgstrs(e))] == []


@pytest.mark.parametrize("locale", LOCALES)
def test_every_translation_keeps_the_placeholders_of_its_message(locale: str) -> None:
    wrong = []
    for entry in live(catalog(locale)):
        given = set(PLACEHOLDER.findall(entry.msgid)) | set(PLACEHOLDER.findall(entry.msgid_plural or ""))
        for text in msgstrs(entry):
            used = set(PLACEHOLDER.findall(text))
            # A plural form may leave the count out ("This value…"), never invent a placeholder.
            if not used <= given or (not entry.msgid_plural and used != given):
                wrong.append((entry.msgid, text))

    assert wrong == []


def test_the_english_catalog_says_each_message_as_written() -> None:
    different = [
        e.msgid
        for e in live(catalog("en"))
        if msgstrs(e) != ([e.msgid, e.msgid_plural] if e.msgid_plural else [e.msgid])
    ]

    assert different == []


@pytest.mark.parametrize("locale", LOCALES)
def test_the_committed_mo_file_is_compiled_from_the_po_file(locale: str) -> None:
    folder = ROOT / "locale" / locale / "LC_MESSAGES"
    compiled = {key(e): msgstrs(e) for e in polib.mofile(str(folder / "django.mo")) if e.msgid}
    written = {key(e): msgstrs(e) for e in live(catalog(locale)) if e.translated()}

    assert compiled == written, "run `make messages` (compilemessages) and commit the .mo files"


@pytest.mark.parametrize("locale", LOCALES)
def test_msgfmt_finds_no_problem_in_the_catalog(locale: str) -> None:
    gettext_tools()
    po = ROOT / "locale" / locale / "LC_MESSAGES" / "django.po"

    done = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(po)], capture_output=True, text=True, check=False
    )

    assert done.returncode == 0, done.stderr
    assert "fuzzy" not in done.stderr and "untranslated" not in done.stderr, done.stderr


def test_the_catalogs_hold_exactly_the_messages_of_the_code(tmp_path: Path) -> None:
    """makemessages over a copy of the project finds the same messages as the committed catalogs."""
    gettext_tools()
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=lambda folder, names: [
            n
            for n in names
            if n in NOT_SCANNED or (Path(folder) == ROOT and n.startswith(".")) or ".sqlite3" in n or n.endswith(".pyc")
        ],
    )
    (copy / "locale").mkdir()
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "")}

    done = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "zh_Hans", "--ignore=.venv", "--ignore=node_modules"],
        cwd=copy,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr

    found = {key(e) for e in live(polib.pofile(str(copy / "locale/zh_Hans/LC_MESSAGES/django.po")))}
    for locale in LOCALES:
        committed = {key(e) for e in live(catalog(locale))}
        assert sorted(found - committed) == [], f"new messages not in the {locale} catalog: run `make messages`"
        assert sorted(committed - found) == [], f"messages no longer in the code, still in the {locale} catalog"


# The pages, in Chinese: a Chinese heading shows, its English original does not.


@pytest.fixture(autouse=True)
def _language_kept() -> Iterator[None]:
    """A request in Chinese leaves Chinese active in this thread: give the next tests theirs back."""
    with translation.override(translation.get_language()):
        yield


@pytest.fixture
def chinese(db: None, examples: Path) -> Client:
    """The shared examples with 2026-01 closed, and HR reading Chinese."""
    examples_loaded(examples)
    close("2026-01")
    client = client_for(person("hr.zh", Role.HR, "孙丽"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


@pytest.mark.parametrize(
    ("url", "chinese_text", "english_text"),
    [
        ("/", "已发布方案", "Published plans"),
        ("/plans/", "方案模板", "Plan templates"),
        ("/figures/2026-02/", "全部保存", "Save all"),
        ("/scores/li.lei/", "说明：", "Why:"),
        ("/dashboard/", "平均得分", "Average score"),
        ("/cycles/2026-01/", "重新开放", "Reopen"),
    ],
)
def test_a_page_reads_in_chinese(chinese: Client, url: str, chinese_text: str, english_text: str) -> None:
    response = chinese.get(url)

    assert response.status_code == 200
    text = page_text(response.content)
    assert '<html lang="zh-hans"' in response.content.decode()
    assert chinese_text in text
    assert english_text not in text
    assert "Log out" not in text and "退出登录" in text


def test_the_same_page_reads_in_english_when_english_is_chosen(chinese: Client) -> None:
    client = chinese
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    text = page_text(client.get("/dashboard/").content)

    assert "Average score" in text and "平均得分" not in text


def test_dates_are_written_the_chinese_way(chinese: Client) -> None:
    text = page_text(chinese.get("/cycles/").content)

    assert re.search(r"2026年1月 已关闭 \d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", text)
