"""What happens to a period's cycle, for the rooms above that act on it (the webhooks) without
this room importing them. Sent inside the transaction that makes the change: a receiver's
writes commit or roll back with it."""

from django.dispatch import Signal

# sender=Cycle, cycle=<Cycle>, part=<CyclePart> (the close just finished), period_closed=<bool>
cycle_closed = Signal()
# sender=Cycle, cycle=<Cycle> (open again, its new run), reason=<str>, user=<User | None>
cycle_reopened = Signal()
