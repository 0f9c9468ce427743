"""Lists of people in the order a Chinese reader expects (issue 12): by pinyin, 安 before 白 before 陈,
Latin names among them by their letters, then by user name."""

import importlib
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.test import Client

from metrics.api.tokens import api_token_create
from metrics.cycles.models import Cycle, CycleStatus
from metrics.results.models import Result
from people.models import Department, Role, User
from people.names import name_sort_key
from people.staffing.roster import ROSTER_COLUMNS, roster_import
from tests.factories import assign, csv_table, publish
from tests.test_home import page_text

# User names in the reverse of the names' order, so that an order by user name shows.
TEAM = {
    "e1": "张伟",
    "e2": "李娜",
    "e3": "陈明",
    "e4": "白雪",
    "e5": "安然",
    "e0": "Zoe Wang",
    "e6": "Alice Chen",
}
IN_ORDER = ["Alice Chen", "安然", "白雪", "陈明", "李娜", "张伟", "Zoe Wang"]


def by_key(names: list[str]) -> list[str]:
    return sorted(names, key=name_sort_key)


def test_chinese_names_sort_by_pinyin_not_by_code_point() -> None:
    assert by_key(["陈", "安", "白", "张", "李"]) == ["安", "白", "陈", "李", "张"]


def test_latin_names_sort_among_the_chinese_by_their_letters() -> None:
    assert by_key(["Zoe Wang", "陈明", "Alice Chen", "Bob", "安然"]) == [
        "Alice Chen",
        "安然",
        "Bob",
        "陈明",
        "Zoe Wang",
    ]
    assert by_key(["Émile", "李", "eve", "Anna"]) == ["Anna", "Émile", "eve", "李"]  # accents and case aside


def test_names_compare_syllable_by_syllable_then_by_tone() -> None:
    # 陈明 (chen ming) before 程 (cheng): the whole first syllable first, as Chinese software does.
    assert by_key(["程", "陈明", "陈"]) == ["陈", "陈明", "程"]
    # 吕 lǚ after 卢 lú; 李 lǐ (third tone) before 栗 lì (fourth).
    assert by_key(["吕", "卢"]) == ["卢", "吕"]
    assert by_key(["栗", "李"]) == ["李", "栗"]


def test_names_read_alike_stay_together() -> None:
    assert by_key(["陈明", "晨明", "陈明"]) == ["晨明", "陈明", "陈明"]


def test_a_surname_is_read_as_a_surname_and_numbers_as_numbers() -> None:
    assert by_key(["单田芳", "沙宝亮"]) == ["沙宝亮", "单田芳"]  # 单 shàn as a surname, not dān
    assert by_key(["员工10", "员工2"]) == ["员工2", "员工10"]
    assert name_sort_key("长孙无忌").startswith("zhang3sun1")  # a phrase pypinyin knows, read as one


def test_a_person_without_a_name_sorts_by_user_name() -> None:
    assert name_sort_key("", "li.lei") == name_sort_key("li lei")
    assert name_sort_key("  ", "e1") == name_sort_key("e1")


def test_the_key_is_plain_ascii_and_fits_its_column() -> None:
    key = name_sort_key("陈" * 200)
    assert key.isascii() and key.isalnum() and len(key) == 255


@pytest.mark.django_db
def test_saving_a_person_keeps_their_key() -> None:
    person = User.objects.create_user(username="e1", display_name="张伟")
    assert person.name_sort == name_sort_key("张伟")
    person.display_name = "安然"
    person.save(update_fields=["display_name"])
    assert User.objects.get(pk=person.pk).name_sort == name_sort_key("安然")


@pytest.mark.django_db
def test_the_migration_fills_the_key_of_everybody_there_already() -> None:
    for username, name in TEAM.items():
        User.objects.create_user(username=username, display_name=name)
    User.objects.update(name_sort="")
    migration = importlib.import_module("people.migrations.0006_name_sort")
    migration.fill_name_sort(apps, None)
    assert all(person.name_sort == name_sort_key(person.display_name) for person in User.objects.all())


@pytest.mark.django_db
def test_the_roster_import_keeps_the_key_of_newcomers_and_of_the_renamed() -> None:
    header = ",".join(ROSTER_COLUMNS) + "\n"
    roster_import(table=csv_table(header + "e1,张伟,客户部,,,,,\ne2,,客户部,boss,,,,\n"))
    keys = dict(User.objects.values_list("username", "name_sort"))
    assert keys == {"e1": name_sort_key("张伟"), "e2": name_sort_key("", "e2"), "boss": name_sort_key("", "boss")}
    roster_import(table=csv_table(header + "e1,安然,,,,,,\n"))
    assert User.objects.get(username="e1").name_sort == name_sort_key("安然")


@pytest.fixture
def team(db: None) -> None:
    """TEAM in one department, each on the plan, with a result of the closed January."""
    version = publish()
    department = Department.objects.create(name="客户部")
    cycle = Cycle.objects.create(period="2026-01", status=CycleStatus.CLOSED)
    for username, name in TEAM.items():
        person = User.objects.create_user(username=username, display_name=name, department=department)
        assignment = assign(person, version, "2026-01")
        Result.objects.create(
            cycle=cycle,
            run=1,
            period="2026-01",
            employee=person,
            assignment=assignment,
            version=version,
            score=Decimal("80.00"),
            band="B",
            payout=Decimal(70),
            bonus=Decimal("1400.00"),
            flags=[],
        )


def names_in(text: str) -> list[str]:
    """TEAM's names in the order a page shows them."""
    return sorted(TEAM.values(), key=text.index)


def hr_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_user(username="zz.hr", role=Role.HR, display_name="孙丽"))
    return client


def test_the_home_page_lists_the_scores_by_pinyin(team: None) -> None:
    response = hr_client().get("/")
    body = response.content.decode().split('aria-labelledby="scores-heading"')[1]
    assert names_in(page_text(body.encode())) == IN_ORDER


def test_the_people_list_is_by_pinyin(team: None) -> None:
    response = hr_client().get("/people/")
    body = response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    assert names_in(page_text(body.encode())) == IN_ORDER


@pytest.mark.django_db
def test_people_sent_through_the_api_get_their_key() -> None:
    made = api_token_create(name="hris", scopes=["people:write"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {made.secret}")
    rows = {"rows": [{"employee": "e1", "name": "张伟", "department": "客户部"}]}
    response = client.post("/api/v1/people/", json.dumps(rows), content_type="application/json")
    assert response.status_code == 200, response.content
    assert User.objects.get(username="e1").name_sort == name_sort_key("张伟")
    rows["rows"][0]["name"] = "安然"
    client.post("/api/v1/people/", json.dumps(rows), content_type="application/json")
    assert User.objects.get(username="e1").name_sort == name_sort_key("安然")
