"""Invitations: an email in the person's language with a link that sets a password once, within
INVITATION_DAYS; people without an address or with a password are not invited."""

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from people.logins.mail import invitation_emails_send
from people.logins.models import Invitation
from people.logins.services import InvitationRefused, invitations_send
from people.logins.signals import invitation_sent, password_changed
from people.logins.tasks import invitation_emails_task
from people.models import User
from tests.people.logins.conftest import link_path, newcomer, page_text

PASSWORD = "Blue-Harbour-2026"


def invite(people: list[User], by: User | None, capture: DjangoCaptureOnCommitCallbacks) -> None:
    with capture(execute=True):
        invitations_send(people=people, by=by)


def accept(client: Client, path: str, password: str = PASSWORD) -> Any:
    """Open an invitation's link and set ``password`` there; the last response."""
    opened = client.get(path, follow=True)
    form_path = opened.redirect_chain[-1][0] if opened.redirect_chain else path
    return client.post(form_path, {"new_password1": password, "new_password2": password}, follow=True)


def test_each_person_gets_the_email_in_their_own_language(
    team: list[User], hr: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    li, han, _wu = team
    invite([li, han], hr, django_capture_on_commit_callbacks)

    chinese = next(m for m in mail.outbox if m.to == ["li.lei@example.com"])
    english = next(m for m in mail.outbox if m.to == ["han.mei@example.com"])
    assert chinese.subject == "邀请您使用绩效方案管理：请设置密码"
    assert "李雷，您好：" in chinese.body
    assert "人力资源部的 孙丽 邀请您使用绩效方案管理" in chinese.body
    assert "您的用户名：li.lei" in chinese.body
    assert "请在 7 天内通过以下链接设置密码" in chinese.body
    assert english.subject == "You are invited to Performance plans: set your password"
    assert "Hello 韩梅梅," in english.body
    assert "孙丽 of HR invites you to Performance plans" in english.body
    assert "Your user name: han.mei" in english.body
    assert "within 7 days; it works once" in english.body
    assert link_path(chinese.body).startswith("/accounts/invitation/")
    assert Invitation.objects.filter(emailed_at__isnull=False).count() == 2


def test_a_blank_language_is_the_sites(
    team: list[User], settings: Settings, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    settings.LANGUAGE_CODE = "zh-hans"
    li = team[0]
    User.objects.filter(pk=li.pk).update(language="")
    li.refresh_from_db()
    invite([li], None, django_capture_on_commit_callbacks)
    assert "人力资源部邀请您使用绩效方案管理" in mail.outbox[0].body


def test_the_link_sets_a_password_once(
    team: list[User], client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    li = team[0]
    invite([li], None, django_capture_on_commit_callbacks)
    path = link_path(mail.outbox[0].body)
    changes: list[dict[str, Any]] = []

    def record(**kwargs: Any) -> None:
        changes.append(kwargs)

    password_changed.connect(record)
    try:
        done = accept(client, path)
    finally:
        password_changed.disconnect(record)

    assert done.redirect_chain[-1][0] == "/accounts/login/"
    assert "Your password is set. Sign in with your user name li.lei" in page_text(done.content)
    li.refresh_from_db()
    assert li.check_password(PASSWORD)
    assert [(c["user"], c["reset"]) for c in changes] == [(li, False)]

    again = Client().get(path, follow=True)
    assert "This invitation has been used already: your password is set." in page_text(again.content)
    assert "new_password1" not in again.content.decode()


@pytest.mark.parametrize(("days", "works"), [(6.9, True), (7.1, False)])
def test_the_link_expires_after_invitation_days(
    team: list[User],
    hr: User,
    days_pass: Callable[[float], None],
    days: float,
    works: bool,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    li = team[0]
    invite([li], None, django_capture_on_commit_callbacks)
    path = link_path(mail.outbox[0].body)

    days_pass(days)
    page = Client().get(path, follow=True)

    text = page_text(page.content)
    assert ("new_password1" in page.content.decode()) is works
    assert ("This invitation link has expired or is not valid any more." in text) is not works
    if not works:
        # It offers to ask HR again: a link to write to them.
        assert 'href="mailto:hr@example.com?subject=Please%20invite%20me%20again"' in page.content.decode()
        assert "孙丽" in text


def test_invitation_days_is_a_setting(
    team: list[User],
    settings: Settings,
    days_pass: Callable[[float], None],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.INVITATION_DAYS = 2
    invite([team[1]], None, django_capture_on_commit_callbacks)
    assert "within 2 days" in mail.outbox[0].body
    days_pass(2.1)
    page = Client().get(link_path(mail.outbox[0].body), follow=True)
    assert "This invitation link has expired" in page_text(page.content)


def test_a_reset_link_is_no_invitation_and_a_tampered_one_is_refused(
    team: list[User], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    invite([team[0]], None, django_capture_on_commit_callbacks)
    path = link_path(mail.outbox[0].body)
    uid, token = path.rstrip("/").split("/")[-2:]
    for bad in (f"{token[:-1]}x", "abc", "1-2-3", token.split("-")[1]):
        page = Client().get(f"/accounts/invitation/{uid}/{bad}/", follow=True)
        assert "This invitation link has expired or is not valid any more." in page_text(page.content)


def test_people_without_an_address_or_with_a_password_are_not_invited(
    team: list[User], hr: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    li, han, wu = team
    han.set_password(PASSWORD)
    han.save()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = invitations_send(people=[li, han, wu, hr], by=hr)

    assert outcome.invited == [li]
    assert outcome.no_email == [wu]
    assert outcome.has_login == [han, hr]
    assert [m.to for m in mail.outbox] == [["li.lei@example.com"]]
    assert list(Invitation.objects.values_list("user__username", flat=True)) == ["li.lei"]


def test_inviting_nobody_is_refused(db: None) -> None:
    with pytest.raises(InvitationRefused, match="Nobody was chosen"):
        invitations_send(people=[], by=None)


def test_invitation_sent_is_sent_for_each_invitation(
    team: list[User], hr: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    sent: list[tuple[User, User | None]] = []

    def record(**kwargs: Any) -> None:
        sent.append((kwargs["user"], kwargs["by"]))

    invitation_sent.connect(record)
    try:
        invite(team, hr, django_capture_on_commit_callbacks)
        invite([team[0]], hr, django_capture_on_commit_callbacks)  # a resend is an invitation too
    finally:
        invitation_sent.disconnect(record)
    assert sent == [(team[0], hr), (team[1], hr), (team[0], hr)]


def test_nothing_is_emailed_before_the_invitations_commit(team: list[User]) -> None:
    # Without the commit (the test's transaction stays open), the task is never enqueued.
    invitations_send(people=[team[0]], by=None)
    assert mail.outbox == []
    assert Invitation.objects.get().emailed_at is None


def test_the_task_takes_ids_and_emails_each_invitation_once(team: list[User]) -> None:
    invitations_send(people=team[:2], by=None)  # not committed: the task is run by hand below
    ids = list(Invitation.objects.values_list("pk", flat=True))

    invitation_emails_task.delay(ids)  # in-process: no broker in the tests
    invitation_emails_task.delay(ids)  # redelivered: nothing twice

    assert sorted(m.to[0] for m in mail.outbox) == ["han.mei@example.com", "li.lei@example.com"]


def test_someone_who_set_a_password_meanwhile_is_not_emailed(team: list[User]) -> None:
    invitations_send(people=[team[0]], by=None)
    team[0].set_password(PASSWORD)
    team[0].save()
    assert invitation_emails_send(invitation_ids=list(Invitation.objects.values_list("pk", flat=True))) == 0
    assert mail.outbox == []


def test_with_a_worker_the_emails_go_through_the_queue(celery_worker: object) -> None:
    li = newcomer("li.lei", name="李雷", email="li.lei@example.com", language="zh-hans")

    invitations_send(people=[li], by=None)  # committed at once: the task goes to the worker's queue

    deadline = time.monotonic() + 30
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [m.to for m in mail.outbox] == [["li.lei@example.com"]]
    assert mail.outbox[0].subject == "邀请您使用绩效方案管理：请设置密码"
    assert Invitation.objects.get().emailed_at is not None
