"""Reminder emails to managers whose reports' figures are missing: daily in the days before the
deadline, from the schedule once a month is due to close (``metrics.results.schedule``), and when
HR asks on the cycle page (``reminder_send``).

One mailer for the three (``reminders_mail``): each email is recorded (a ``Reminder``, with who
asked for it, nobody for the automatic ones), and a manager's team is reminded of a period at
most once an hour, whoever asks, even when two ask at the same moment (``ReminderClaim``).
Each email is in its reader's language (``people.User.language``, the site's when blank).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from metrics.cycles.models import CycleStatus
from metrics.cycles.selectors import cycle_status
from metrics.figures.models import Reminder, ReminderClaim
from metrics.figures.selectors import MissingFigure, figures_deadline, figures_missing
from metrics.figures.signals import figures_missing_found
from people.models import Role, User
from people.selectors import person_language
from plans.errors import ApplicationError
from plans.formats import period_text
from plans.models import Indicator
from plans.periods import Period

# A manager's team is reminded of a period at most this often, by HR or automatically.
REMINDER_INTERVAL = timedelta(hours=1)


class ReminderRefused(ApplicationError):
    """A reminder HR asked for that is not sent: too soon after the last one, nothing missing…"""


@dataclass(frozen=True)
class MissingPerson:
    name: str
    employee: str
    indicators: list[str]


@dataclass(frozen=True)
class _Team:
    """One email's worth: a manager's team (None: the people without a manager), who is written
    to about it and what its people lack."""

    manager: User | None
    recipients: list[User]
    people: list[MissingPerson]
    count: int  # values missing


def reminders_period(*, today: date) -> Period | None:
    """The month whose reminders are due ``today``: last month, from ``FIGURES_REMINDER_DAYS``
    days before its deadline until the deadline itself; None on any other day."""
    period = Period.of_month(today.year, today.month).shift(-1)
    deadline = figures_deadline(period=period).date()
    if deadline - timedelta(days=settings.FIGURES_REMINDER_DAYS) <= today <= deadline:
        return period
    return None


def figures_reminders_send(*, period: Period) -> list[str]:
    """Email every manager whose reports lack figures of ``period`` (an open month) the list of
    who and what; the user names of the managers emailed. Managers without an address are skipped."""
    if cycle_status(period=period) != CycleStatus.OPEN:
        return []
    missing = figures_missing(period=period)
    if missing:
        figures_missing_found.send(sender=None, period=period, missing=missing)
    return [user.username for user in reminders_mail(period=period, missing=missing)]


def reminder_send(*, period: Period, manager: User, user: User) -> Reminder:
    """HR's "remind now": one email to ``manager`` listing what their reports still lack of
    ``period``, recorded as sent by ``user``. Refused when the period is not open, nothing is
    missing, the manager has no address, or their team was reminded of it within the hour (the
    refusal says when and by whom)."""
    name = manager.display_name or manager.username
    if cycle_status(period=period) != CycleStatus.OPEN:
        raise ReminderRefused(
            _("%(period)s is not open: its figures can no longer be entered, nobody is reminded of them.")
            % {"period": period_text(period)}
        )
    if not manager.email:
        raise ReminderRefused(_("%(name)s has no email address: they cannot be reminded.") % {"name": name})
    reports = User.objects.filter(manager=manager).values_list("pk", flat=True)
    missing = figures_missing(period=period, employee_ids=reports)
    if not missing:
        raise ReminderRefused(
            _("Nothing of %(period)s is missing in %(name)s's team: no reminder is needed.")
            % {"period": period_text(period), "name": name}
        )
    if not reminders_mail(period=period, missing=missing, sent_by=user):
        raise _too_soon(period=period, manager=manager)
    return Reminder.objects.filter(period=str(period), manager=manager).latest("sent_at", "pk")


def _too_soon(*, period: Period, manager: User) -> ReminderRefused:
    """The refusal of a reminder within the hour of the last one: when it went, and by whom."""
    latest = (
        Reminder.objects.filter(period=str(period), manager=manager)
        .select_related("sent_by")
        .order_by("-sent_at", "-pk")
        .first()
    )
    claim = ReminderClaim.objects.get(period=str(period), manager=manager)
    at = latest.sent_at if latest else claim.at
    values = {
        "name": manager.display_name or manager.username,
        "period": period_text(period),
        "when": date_format(timezone.localtime(at), "DATETIME_FORMAT"),
        "next": date_format(timezone.localtime(at + REMINDER_INTERVAL), "DATETIME_FORMAT"),
    }
    if latest is not None and latest.sent_by is not None:
        values["who"] = latest.sent_by.display_name or latest.sent_by.username
        message = _(
            "%(name)s was already reminded of %(period)s by %(who)s at %(when)s: one reminder an hour, "
            "the next can go from %(next)s."
        )
    else:
        message = _(
            "%(name)s was already reminded of %(period)s automatically at %(when)s: one reminder an hour, "
            "the next can go from %(next)s."
        )
    return ReminderRefused(message % values)


def reminders_mail(
    *,
    period: Period,
    missing: Sequence[MissingFigure],
    unmanaged_to_hr: bool = False,
    sent_by: User | None = None,
) -> list[User]:
    """The reminder email, the daily reminders', the schedule's and HR's: each manager whose
    reports lack figures of ``period`` (``missing``) is told who and what, one email a manager.
    The people written to, an email each.

    A manager without an address is skipped; with ``unmanaged_to_hr`` (the schedule), each
    person of HR is written to in their place, and about the people without a manager too.
    Each team's email is recorded as a ``Reminder`` (``sent_by``: None for the automatic ones);
    a team reminded of ``period`` less than ``REMINDER_INTERVAL`` ago is skipped.
    """
    teams = _teams(period=period, missing=missing, unmanaged_to_hr=unmanaged_to_hr)
    if not teams:
        return []
    deadline = figures_deadline(period=period) if period.is_month else None
    sent: list[User] = []
    with get_connection() as connection:
        for team in teams:
            emails = [
                _reminder(recipient, period=period, deadline=deadline, people=team.people, sent_by=sent_by)
                for recipient in team.recipients
            ]
            if _team_remind(period=period, team=team, emails=emails, sent_by=sent_by, connection=connection):
                sent.extend(team.recipients)
    return sent


def _teams(*, period: Period, missing: Sequence[MissingFigure], unmanaged_to_hr: bool) -> list[_Team]:
    """The emails to write, a team each, by the manager's user name (the people without one first)."""
    by_manager: dict[str, dict[str, MissingPerson]] = {}
    for figure in missing:
        if figure.manager or unmanaged_to_hr:
            people = by_manager.setdefault(figure.manager, {})
            person = people.setdefault(
                figure.employee,
                MissingPerson(name=figure.name or figure.employee, employee=figure.employee, indicators=[]),
            )
            person.indicators.append(figure.indicator)
    names = dict(
        Indicator.objects.filter(code__in={f.indicator for f in missing})
        .order_by("-version_id")
        .values_list("code", "name")
    )
    managers = {user.username: user for user in User.objects.filter(username__in=by_manager)}
    hr: list[User] | None = None
    teams = []
    for username, people in sorted(by_manager.items()):
        manager = managers.get(username)
        if manager is not None and manager.email:
            recipients = [manager]
        elif unmanaged_to_hr:
            hr = _hr_people() if hr is None else hr
            recipients = hr
        else:
            continue
        listed = [
            MissingPerson(name=p.name, employee=p.employee, indicators=[names.get(code, code) for code in p.indicators])
            for p in people.values()
        ]
        if recipients:
            teams.append(_Team(manager, recipients, listed, count=sum(len(p.indicators) for p in listed)))
    return teams


def _team_remind(
    *, period: Period, team: _Team, emails: list[EmailMessage], sent_by: User | None, connection: BaseEmailBackend
) -> bool:
    """Send one team's emails and record them, unless the team was reminded within the hour.

    The outermost transaction, whose first statement claims the team's turn: on PostgreSQL a
    second claim waits for the row and then finds it taken; on SQLite the write lock keeps the
    two apart the same way. An email that cannot be sent leaves no record and no claim.
    """
    now = timezone.now()
    with transaction.atomic(durable=True):
        if team.manager is not None and not _claim(period=period, manager=team.manager, now=now):
            return False
        connection.send_messages(emails)
        Reminder.objects.create(
            period=str(period),
            manager=team.manager,
            sent_by=sent_by,
            sent_at=now,
            recipients=", ".join(user.email for user in team.recipients),
            missing=team.count,
        )
    return True


def _claim(*, period: Period, manager: User, now: datetime) -> bool:
    """Take ``manager``'s team's turn for a reminder of ``period``; False when one went less than
    ``REMINDER_INTERVAL`` ago (or is going now)."""
    if ReminderClaim.objects.filter(period=str(period), manager=manager, at__lte=now - REMINDER_INTERVAL).update(
        at=now
    ):
        return True
    # No claim yet, or a recent one: of two creating it at once, the second finds the first's.
    _claim_row, created = ReminderClaim.objects.get_or_create(period=str(period), manager=manager, defaults={"at": now})
    return created


def _hr_people() -> list[User]:
    """Who of HR can be emailed, by user name."""
    return list(User.objects.filter(role=Role.HR, is_active=True).exclude(email="").order_by("username"))


def _reminder(
    recipient: User, *, period: Period, deadline: datetime | None, people: list[MissingPerson], sent_by: User | None
) -> EmailMessage:
    # The template greets its reader as "manager": HR, written to in a manager's place, too.
    with translation.override(person_language(user=recipient)):
        context = {
            "manager": recipient,
            "period": period_text(period),
            "deadline": deadline,
            "people": people,
            "sent_by": sent_by,
        }
        subject = render_to_string("emails/figures_reminder_subject.txt", context).strip()
        body = render_to_string("emails/figures_reminder.txt", context)
    return EmailMessage(subject=subject, body=body, to=[recipient.email])
