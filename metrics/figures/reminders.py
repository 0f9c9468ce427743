"""Reminder emails to managers whose reports' figures are missing before the deadline."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import translation

from metrics.cycles.models import CycleStatus
from metrics.cycles.selectors import cycle_status
from metrics.figures.selectors import figures_deadline, figures_missing
from people.models import User
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
    missing = figures_missing(period=period)
    by_manager: dict[str, dict[str, MissingPerson]] = {}
    for figure in missing:
        if figure.manager:
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
    deadline = figures_deadline(period=period)
    emails, sent = [], []
    for manager in User.objects.filter(username__in=by_manager).exclude(email="").order_by("username"):
        listed = [
            MissingPerson(name=p.name, employee=p.employee, indicators=[names.get(code, code) for code in p.indicators])
            for p in by_manager[manager.username].values()
        ]
        context = {"manager": manager, "period": period, "deadline": deadline, "people": listed}
        with translation.override(_language(manager)):
            subject = render_to_string("emails/figures_reminder_subject.txt", context).strip()
            body = render_to_string("emails/figures_reminder.txt", context)
        emails.append(EmailMessage(subject=subject, body=body, to=[manager.email]))
        sent.append(manager.username)
    if emails:
        get_connection().send_messages(emails)
    return sent
