"""Figures found missing by the daily reminders and the schedule, for the rooms above that act on
it (the webhooks) without this room importing them."""

from django.dispatch import Signal

# sender=None, period=<Period>, missing=<Sequence[MissingFigure]> (never empty)
figures_missing_found = Signal()
