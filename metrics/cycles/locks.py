"""The lock that keeps a save and a close from interleaving (SPEC.md section 7, "Races")."""

from django.db import connection

from metrics.cycles.models import Cycle


def cycles_lock(*, periods: set[str] | None = None) -> dict[str, str]:
    """The status of each period's cycle, its row locked against a close until the transaction ends.

    A close claims its cycle with a conditional update (``metrics.results.closing``), which waits for
    this lock, and reads what it scores only after its claim commits: it scores what the locking
    transaction writes, or it claimed first and the period is seen here as closing. The lock is
    shared, so saves of the same month do not wait for each other.

    ``periods``: the periods a figures save writes; one with no cycle yet gets one, open, so that
    there is a row to lock. ``None``: every cycle there is (an assignment change, which may touch
    any open month).
    """
    if periods is not None:
        if not periods:
            return {}
        present = set(Cycle.objects.filter(period__in=periods).values_list("period", flat=True))
        if periods - present:
            Cycle.objects.bulk_create([Cycle(period=p) for p in sorted(periods - present)], ignore_conflicts=True)
    cycles = Cycle.objects.all() if periods is None else Cycle.objects.filter(period__in=periods)
    if connection.vendor == "postgresql":
        sql, params = cycles.order_by("period").values_list("period", "status").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} FOR SHARE", params)
            return dict(cursor.fetchall())
    # SQLite has one writer at a time: a close's claim cannot commit between this read and
    # this transaction's writes.
    return {str(period): status for period, status in cycles.values_list("period", "status")}
