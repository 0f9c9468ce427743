"""The logins' pages: HR's invitations from the People page, forgetting and changing a password,
a person's language, and the sessions a password change ends."""

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from people.logins.models import Invitation
from people.logins.signals import password_changed
from people.models import Department, Role, User
from tests.people.logins.conftest import link_path, newcomer, page_text

PASSWORD = "Blue-Harbour-2026"


def chinese(client: Client) -> Client:
    client.cookies["django_language"] = "zh-hans"
    return client


# --- Invitations from the People page ------------------------------------------------------------


def test_hr_invites_one_person_and_sees_when_and_by_whom(
    hr_client: Client, team: list[User], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    chinese(hr_client)
    before = page_text(hr_client.get("/people/").content)
    assert "未邀请" in before
    assert "没有电子邮箱地址，无法邀请" in before  # 吴迪

    with django_capture_on_commit_callbacks(execute=True):
        done = hr_client.post("/accounts/invite/", {"person": "li.lei", "next": "/people/"}, follow=True)

    text = page_text(done.content)
    assert done.redirect_chain == [("/people/", 302)]
    assert "已向 1 人发送邀请：李雷。" in text
    assert "已由 孙丽 于" in text and "邀请，尚未设置密码" in text
    assert [m.to for m in mail.outbox] == [["li.lei@example.com"]]
    assert "重新发送" in text  # li.lei's button is a resend now


def test_hr_invites_the_people_ticked_and_hears_who_could_not_be(
    hr_client: Client, team: list[User], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        done = hr_client.post(
            "/accounts/invite/", {"scope": "selected", "people": ["han.mei", "wu.di", "hr"]}, follow=True
        )
    text = page_text(done.content)
    assert "Invitation sent to 1 person: 韩梅梅." in text
    assert "Not invited, no email address (add one to invite them): 吴迪." in text
    assert "Not invited, they have a password already and sign in with it: 孙丽." in text
    assert [m.to for m in mail.outbox] == [["han.mei@example.com"]]


def test_hr_invites_a_department_or_everybody_without_a_login(
    hr_client: Client, team: list[User], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    other = Department.objects.create(name="客户二部")
    newcomer("lin.feng", name="林峰", email="lin.feng@example.com", department=other)

    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post("/accounts/invite/", {"scope": "department", "department": other.pk})
    assert [m.to for m in mail.outbox] == [["lin.feng@example.com"]]

    with django_capture_on_commit_callbacks(execute=True):
        done = hr_client.post("/accounts/invite/", {"scope": "everybody"}, follow=True)
    assert sorted(m.to[0] for m in mail.outbox[1:]) == [
        "han.mei@example.com",
        "li.lei@example.com",
        "lin.feng@example.com",  # invited again: nobody without a login is left out
    ]
    assert "Invitations sent to 3 people" in page_text(done.content)
    assert Invitation.objects.filter(user__username="hr").count() == 0


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"scope": "selected"}, "Nobody was chosen: tick people in the list, or choose a department."),
        ({"scope": "department"}, "Choose a department."),
        ({}, "Choose whom to invite."),
        ({"person": "nobody"}, "Nobody was chosen"),
    ],
)
def test_an_invitation_of_nobody_is_refused_and_says_why(
    hr_client: Client, team: list[User], post: dict[str, str], message: str
) -> None:
    done = hr_client.post("/accounts/invite/", post, follow=True)
    assert message in page_text(done.content)
    assert not Invitation.objects.exists()


def test_an_invitation_goes_back_to_the_people_page_only(hr_client: Client, team: list[User]) -> None:
    post = {"person": "li.lei"}
    assert hr_client.post("/accounts/invite/", {**post, "next": "/people/?department=1"})["Location"] == (
        "/people/?department=1"
    )
    assert hr_client.post("/accounts/invite/", {**post, "next": "https://evil.example/people/"})["Location"] == (
        "/people/"
    )
    assert hr_client.post("/accounts/invite/", {**post, "next": "/admin/"})["Location"] == "/people/"


@pytest.mark.parametrize("role", [Role.MANAGER, Role.EMPLOYEE])
def test_only_hr_invites(team: list[User], role: Role) -> None:
    client = Client()
    client.force_login(User.objects.create_user(username="someone", role=role))
    assert client.post("/accounts/invite/", {"person": "li.lei"}).status_code == 403
    assert Client().post("/accounts/invite/", {"person": "li.lei"})["Location"].startswith("/accounts/login/")
    assert client.get("/accounts/invite/").status_code == 405
    assert not Invitation.objects.exists()


def test_the_people_page_says_who_signed_in(hr_client: Client, hr: User, team: list[User]) -> None:
    chinese(hr_client)
    hr_client.get("/")
    # signing in sets last_login (through the login page: django-axes needs the request)
    Client().post("/accounts/login/", {"username": "hr", "password": "a-long-pass-1"})
    text = page_text(hr_client.get("/people/").content)
    assert "最近登录" in text


# --- Forgot password -----------------------------------------------------------------------------


def test_a_forgotten_password_is_reset_by_email_in_the_persons_language(client: Client, db: None) -> None:
    li = User.objects.create_user(
        username="li.lei",
        password="Old-Harbour-2026",
        email="li.lei@example.com",
        language="zh-hans",
        display_name="李雷",
    )
    changes: list[dict[str, Any]] = []

    def record(**kwargs: Any) -> None:
        changes.append(kwargs)

    sent = client.post("/accounts/password/reset/", {"email": "li.lei@example.com"}, follow=True)
    assert "Check your email" in page_text(sent.content)
    (email,) = mail.outbox
    assert email.subject == "重新设置绩效方案管理的密码"
    assert "李雷，您好：" in email.body and "您的用户名：li.lei" in email.body

    path = link_path(email.body)
    form = client.get(path, follow=True)
    password_changed.connect(record)
    try:
        done = client.post(
            form.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD}, follow=True
        )
    finally:
        password_changed.disconnect(record)
    assert "Your password is set" in page_text(done.content)
    li.refresh_from_db()
    assert li.check_password(PASSWORD)
    assert [(c["user"], c["reset"]) for c in changes] == [(li, True)]
    again = Client().get(path, follow=True)
    assert "This link has been used already or has expired" in page_text(again.content)


def test_the_reset_page_never_says_whether_an_address_is_known(client: Client, db: None) -> None:
    User.objects.create_user(username="li.lei", password="Old-Harbour-2026", email="li.lei@example.com")
    known = client.post("/accounts/password/reset/", {"email": "li.lei@example.com"}, follow=True)
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.com"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain == [("/accounts/password/reset/sent/", 302)]
    assert page_text(known.content) == page_text(unknown.content)  # the same words (the CSRF tokens differ)
    assert len(mail.outbox) == 1


def test_the_sign_in_page_offers_the_reset_in_chinese(client: Client, db: None) -> None:
    text = page_text(chinese(client).get("/accounts/login/").content)
    assert "忘记密码？" in text
    page = page_text(client.get("/accounts/password/reset/").content)
    assert "发送链接" in page and "电子邮件" in page


# --- Change password, the validators, the sessions -----------------------------------------------


def signed_in(user: User, password: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": password})
    assert response.status_code == 302  # signed in (the login page, as django-axes needs the request)
    return client


def test_changing_the_password_signs_out_the_other_sessions_and_keeps_this_one(db: None) -> None:
    li = User.objects.create_user(username="li.lei", password="Old-Harbour-2026", display_name="李雷")
    laptop, phone = signed_in(li, "Old-Harbour-2026"), signed_in(li, "Old-Harbour-2026")
    assert phone.get("/").status_code == 200
    changes: list[dict[str, Any]] = []

    def record(**kwargs: Any) -> None:
        changes.append(kwargs)

    password_changed.connect(record)
    try:
        done = laptop.post(
            "/accounts/password/change/",
            {"old_password": "Old-Harbour-2026", "new_password1": PASSWORD, "new_password2": PASSWORD},
            follow=True,
        )
    finally:
        password_changed.disconnect(record)

    assert "Your password is changed. Your other sessions are signed out." in page_text(done.content)
    assert laptop.get("/").status_code == 200  # still signed in
    assert phone.get("/")["Location"].startswith("/accounts/login/")  # signed out
    assert [(c["user"], c["reset"]) for c in changes] == [(li, False)]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1-xyz", "密码太短：至少需要 8 个字符。"),
        ("password123", "这个密码太常见了。"),
        ("83741029384756", "密码只包含数字。"),
        ("li.lei-2026", "密码跟 用户名 太相似了。"),
    ],
)
def test_every_password_validator_is_on_in_chinese(db: None, password: str, message: str) -> None:
    li = User.objects.create_user(username="li.lei", password="Old-Harbour-2026")
    client = chinese(signed_in(li, "Old-Harbour-2026"))
    page = client.post(
        "/accounts/password/change/",
        {"old_password": "Old-Harbour-2026", "new_password1": password, "new_password2": password},
    )
    assert message in page_text(page.content)
    li.refresh_from_db()
    assert li.check_password("Old-Harbour-2026")


def test_the_header_links_to_change_password(db: None) -> None:
    li = User.objects.create_user(username="li.lei", password="Old-Harbour-2026")
    html = chinese(signed_in(li, "Old-Harbour-2026")).get("/").content.decode()
    person_menu = html.split('aria-labelledby="menu-user">', 1)[1].split("</ul>", 1)[0]  # under their name
    assert '<a class="dropdown-item" href="/accounts/password/change/">修改密码</a>' in person_menu
    assert Client().get("/accounts/password/change/")["Location"].startswith("/accounts/login/")


def test_the_session_lasts_session_cookie_age(settings: Settings, db: None) -> None:
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    User.objects.create_user(username="li.lei", password="Old-Harbour-2026")
    client = Client()
    response = client.post("/accounts/login/", {"username": "li.lei", "password": "Old-Harbour-2026"})
    assert response.cookies["sessionid"]["max-age"] == 8 * 60 * 60


# --- A person's language -------------------------------------------------------------------------


def test_the_language_switch_keeps_a_persons_choice_and_the_site_speaks_it_after_login(db: None) -> None:
    li = User.objects.create_user(username="li.lei", password="Old-Harbour-2026")
    client = signed_in(li, "Old-Harbour-2026")
    client.post("/accounts/language/", {"language": "zh-hans", "next": "/"})
    li.refresh_from_db()
    assert li.language == "zh-hans"

    # Another browser, in English, signs in: the site speaks the person's language.
    other = Client(headers={"accept-language": "en"})
    other.cookies["django_language"] = "en"
    assert "Sign in" in page_text(other.get("/accounts/login/").content)
    home = other.post("/accounts/login/", {"username": "li.lei", "password": "Old-Harbour-2026"}, follow=True)
    assert '<html lang="zh-hans">' in home.content.decode()
    assert "退出登录" in page_text(home.content)


def test_the_switch_without_a_login_only_sets_the_cookie(client: Client, db: None) -> None:
    response = client.post("/accounts/language/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert response["Location"] == "/accounts/login/"
    assert response.cookies["django_language"].value == "zh-hans"


def test_an_unknown_language_is_not_kept(db: None) -> None:
    li = User.objects.create_user(username="li.lei", password="Old-Harbour-2026", language="en")
    client = signed_in(li, "Old-Harbour-2026")
    client.post("/accounts/language/", {"language": "xx", "next": "/"})
    li.refresh_from_db()
    assert li.language == "en"
