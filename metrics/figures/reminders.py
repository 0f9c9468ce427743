"""Reminder emails to managers whose reports' figures are missing: daily in the days before the
deadline, and from the schedule once a month is due to close (``metrics.results.schedule``)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import translation

from metrics.cycles.models import CycleStatus
from metrics.cycles.selectors import cycle_status
from metrics.figures.selectors import MissingFigure, figures_deadline, figures_missing
from people.models import Role, User
from plans.models import Indicator
from plans.periods import Period


@dataclass(frozen=True)
class MissingPerson:
    name: str
    employee: str
    indicators: list[str]


def reminders_period(*, today: date) -> Period | None:
    """The month whose reminders are due ``today``: last month, from ``FIGURES_REMINDER_DAYS``
    days before its deadline until the deadline itself; None on any other day."""
    period = Period.of_month(today.year, today.month).shift(-1)
    deadline = figures_deadline(period=period).date()
    if deadline - timedelta(days=settings.FIGURES_REMINDER_DAYS) <= today <= deadline:
        return period
    return None


def _language(user: User) -> str:
    # People have no language of their own yet: the site's language until they do.
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def figures_reminders_send(*, period: Period) -> list[str]:
    """Email every manager whose reports lack figures of ``period`` (an open month) the list of
    who and what; the user names of the managers emailed. Managers without an address are skipped."""
    if cycle_status(period=period) != CycleStatus.OPEN:
        return []
    return [user.username for user in reminders_mail(period=period, missing=figures_missing(period=period))]


def reminders_mail(*, period: Period, missing: Sequence[MissingFigure], unmanaged_to_hr: bool = False) -> list[User]:
    """The reminder email, the daily reminders' and the schedule's: each manager whose reports
    lack figures of ``period`` (``missing``) is told who and what, in their language, one email a
    manager. The people written to, an email each.

    A manager without an address is skipped; with ``unmanaged_to_hr`` (the schedule), each
    person of HR is written to in their place, and about the people without a manager too.
    """
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
    managers = {user.username: user for user in User.objects.filter(username__in=by_manager).exclude(email="")}
    hr: list[User] | None = None
    deadline = figures_deadline(period=period)
    emails, sent = [], []
    for manager, people in sorted(by_manager.items()):
        if manager in managers:
            recipients = [managers[manager]]
        elif unmanaged_to_hr:
            hr = _hr_people() if hr is None else hr
            recipients = hr
        else:
            continue
        listed = [
            MissingPerson(name=p.name, employee=p.employee, indicators=[names.get(code, code) for code in p.indicators])
            for p in people.values()
        ]
        for recipient in recipients:
            emails.append(_reminder(recipient, period=period, deadline=deadline, people=listed))
            sent.append(recipient)
    if emails:
        get_connection().send_messages(emails)
    return sent


def _hr_people() -> list[User]:
    """Who of HR can be emailed, by user name."""
    return list(User.objects.filter(role=Role.HR, is_active=True).exclude(email="").order_by("username"))


def _reminder(recipient: User, *, period: Period, deadline: datetime, people: list[MissingPerson]) -> EmailMessage:
    # The template greets its reader as "manager": HR, written to in a manager's place, too.
    context = {"manager": recipient, "period": period, "deadline": deadline, "people": people}
    with translation.override(_language(recipient)):
        subject = render_to_string("emails/figures_reminder_subject.txt", context).strip()
        body = render_to_string("emails/figures_reminder.txt", context)
    return EmailMessage(subject=subject, body=body, to=[recipient.email])
