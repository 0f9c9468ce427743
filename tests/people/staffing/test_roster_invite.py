"""The roster's email column, and inviting the people it adds: `import_roster --invite` and the
upload page's checkbox."""

from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from people.logins.models import Invitation
from people.models import Role, User
from people.staffing.roster import roster_import
from plans.tabular import TableError, table_read
from tests.factories import csv_table
from tests.people.logins.conftest import page_text

# The invitations' emails are a task: written in the test's thread, broker or not.
pytestmark = pytest.mark.usefixtures("tasks_here")

HEADER = "employee,name,department,manager,plan,start,monthly_bonus,quarterly_bonus,email\n"
ROSTER = HEADER + (
    "li.lei,李雷,客户部,wang.fang,,,,,li.lei@example.com\n"  # wang.fang is created, without an address
    "han.mei,韩梅梅,客户部,wang.fang,,,,,\n"
)


def test_the_email_column_is_optional_kept_and_an_empty_cell_keeps_the_address(db: None) -> None:
    outcome = roster_import(table=csv_table(ROSTER))
    assert outcome.created == ["han.mei", "li.lei", "wang.fang"]
    assert User.objects.get(username="li.lei").email == "li.lei@example.com"

    again = roster_import(table=csv_table(HEADER + "li.lei,,,,,,,,\nhan.mei,,,,,,,,han@example.com\n"))

    assert (again.people_created, again.people_updated, again.created) == (0, 1, [])
    assert dict(User.objects.values_list("username", "email")) == {
        "li.lei": "li.lei@example.com",
        "han.mei": "han@example.com",
        "wang.fang": "",
    }


def test_a_bad_address_rejects_the_file_naming_the_row(db: None) -> None:
    with pytest.raises(TableError) as refused:
        roster_import(table=csv_table(HEADER + "li.lei,李雷,,,,,,,li.lei-at-example.com\n"))
    assert refused.value.messages == ["Row 2, email: “li.lei-at-example.com” is not an email address"]
    assert not User.objects.exists()


def test_import_roster_invite_invites_the_new_people_with_an_address(
    db: None, tmp_path: Path, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    User.objects.create_user(username="old.hand", email="old@example.com")  # no password, not in the file
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):  # the command's commits, in the test's transaction
        call_command("import_roster", str(path), "--invite", stdout=out)

    assert "Invitations sent: 1." in out.getvalue()
    assert "Not invited, no email address: han.mei, wang.fang." in out.getvalue()
    assert [m.to for m in mail.outbox] == [["li.lei@example.com"]]
    invitation = Invitation.objects.get()
    assert (invitation.user.username, invitation.sent_by) == ("li.lei", None)

    with django_capture_on_commit_callbacks(execute=True):  # nobody new: nobody invited
        call_command("import_roster", str(path), "--invite", stdout=StringIO())
    assert len(mail.outbox) == 1


def test_import_roster_without_invite_emails_nobody(db: None, tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    call_command("import_roster", str(path), stdout=StringIO())
    assert mail.outbox == []
    assert not Invitation.objects.exists()


def test_the_roster_page_invites_the_new_people_when_ticked(
    db: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    hr = User.objects.create_user(username="hr", role=Role.HR, display_name="孙丽")
    client = Client()
    client.force_login(hr)
    client.cookies["django_language"] = "zh-hans"
    page = page_text(client.get("/people/roster/").content)
    assert "邀请新加入的人" in page and "email" in page

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            "/people/roster/",
            {"file": SimpleUploadedFile("roster.csv", ROSTER.encode()), "invite": "on"},
            follow=True,
        )

    text = page_text(done.content)
    assert "已向 1 人发送邀请：李雷。" in text
    assert "未邀请，没有电子邮箱地址（添加后即可邀请）：韩梅梅、wang.fang。" in text
    assert [m.to for m in mail.outbox] == [["li.lei@example.com"]]
    assert Invitation.objects.get().sent_by == hr


def test_a_roster_that_excel_saved_in_gb18030_keeps_its_addresses(db: None) -> None:
    """Excel and WPS on a Chinese Windows save "CSV (逗号分隔)" as GB18030: read as every file is."""
    data = ROSTER.replace("li.lei@example.com", "ＬＩ.lei@example.com".lower()).encode("gb18030")
    with pytest.raises(TableError) as refused:
        roster_import(table=table_read(data))
    assert refused.value.messages == ["Row 2, email: “ｌｉ.lei@example.com” is not an email address"]

    roster_import(table=table_read(ROSTER.encode("gb18030")))
    assert dict(User.objects.values_list("username", "display_name"))["li.lei"] == "李雷"
    assert User.objects.get(username="li.lei").email == "li.lei@example.com"
