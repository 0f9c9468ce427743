from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.models import Assignment, Indicator, PlanVersion

PERIOD_MAX_LENGTH = 7  # "2026-01", "2026-Q1"


class CycleStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSING = "closing", _("Closing")
    CLOSED = "closed", _("Closed")


class Cycle(models.Model):
    """One period's assessment for everybody. A period with no row yet is open."""

    period = models.CharField(_("period"), max_length=PERIOD_MAX_LENGTH, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=CycleStatus.choices, default=CycleStatus.OPEN)
    # Each close is a run; reopening starts the next one and leaves the old results superseded.
    run = models.PositiveIntegerField(_("run"), default=1)
    forced = models.BooleanField(_("forced"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["period"]
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")

    def __str__(self) -> str:
        return self.period


class CycleAction(models.TextChoices):
    CLOSE_REQUESTED = "close_requested", _("Close requested")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


class CycleEvent(models.Model):
    """The audit trail of a cycle: who asked for what, when, and why."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=32, choices=CycleAction.choices)
    run = models.PositiveIntegerField(_("run"))
    reason = models.TextField(_("reason"), blank=True)
    forced = models.BooleanField(_("forced"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.cycle} {self.action} ({self.run})"


class ChunkStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")


class CycleChunk(models.Model):
    """A slice of a close's employees that one worker scores at a time.

    A worker takes a pending chunk by locking its row (skipping rows other workers hold) and
    marks it done in the same transaction as its results: a worker that dies leaves it pending.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="chunks")
    run = models.PositiveIntegerField()
    index = models.PositiveIntegerField()
    employee_ids = models.JSONField()
    status = models.CharField(max_length=16, choices=ChunkStatus.choices, default=ChunkStatus.PENDING)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cycle", "run", "index"]
        constraints = [models.UniqueConstraint(fields=["cycle", "run", "index"], name="unique_cycle_chunk")]

    def __str__(self) -> str:
        return f"{self.cycle} run {self.run} chunk {self.index}"


class MetricEntry(models.Model):
    """One figure: an employee's actual value for an indicator in a period.

    A formula's inputs are kept alongside the value they compute to; ``value`` stays empty
    until every input is in.
    """

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="entries")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="entries")
    period = models.CharField(_("period"), max_length=PERIOD_MAX_LENGTH)
    value = models.DecimalField(_("value"), max_digits=24, decimal_places=6, null=True, blank=True)
    inputs = models.JSONField(_("inputs"), default=dict, blank=True)  # {"lost": "2", "total": "50"}
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "indicator", "period"], name="unique_metric_entry")
        ]
        indexes = [models.Index(fields=["period", "assignment"])]
        verbose_name = _("figure")
        verbose_name_plural = _("figures")

    def __str__(self) -> str:
        return f"{self.assignment.employee} {self.period} {self.indicator.code}"


class Result(models.Model):
    """An employee's score for a period, from one run of its cycle.

    Unique per (cycle, run, employee): a redelivered close writes nothing twice. Reopening a
    cycle marks the run's results superseded instead of deleting them.
    """

    # No index of its own: the unique (cycle, run, employee) key starts with it. A close writes
    # a row a result, so every index on this table costs on each one.
    # Every result of a close shares its cycle and its version, as every line shares its
    # indicator. A database constraint would lock that one shared row (FOR KEY SHARE) for each
    # row written, and the workers of a close would queue on it (bench_close: a third of the
    # close, and two workers no faster than one). Django still refuses to delete them (PROTECT),
    # and only the close writes these rows, from the cycle, version and indicators it has read.
    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="results", db_index=False, db_constraint=False
    )
    run = models.PositiveIntegerField()
    period = models.CharField(_("period"), max_length=PERIOD_MAX_LENGTH)
    employee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="results")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="results")
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="results", db_constraint=False)
    score = models.DecimalField(_("score"), max_digits=12, decimal_places=2)
    band = models.CharField(_("band"), max_length=32, blank=True)
    payout = models.DecimalField(_("payout %"), max_digits=8, decimal_places=2)
    bonus = models.DecimalField(_("bonus"), max_digits=14, decimal_places=2)
    flags = models.JSONField(_("flags"), default=list, blank=True)  # sorted
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "run", "employee"], name="unique_result_per_run")]
        indexes = [
            models.Index(fields=["period", "employee"]),
            # The dashboard's best and worst ten of a period: read in score order, not sorted (bench_load).
            models.Index(
                fields=["period", "score"], condition=models.Q(superseded_at__isnull=True), name="result_current_score"
            ),
        ]
        verbose_name = _("result")
        verbose_name_plural = _("results")

    def __str__(self) -> str:
        return f"{self.employee} {self.period} {self.score}"


class ResultLine(models.Model):
    """Why one indicator scored what it did in a result."""

    # No index of its own: the unique (result, indicator) key starts with it. No database
    # constraints either (see Result.cycle): a line is written only with its result, in the
    # same COPY and transaction, and Django deletes lines with their result (CASCADE).
    result = models.ForeignKey(
        Result, on_delete=models.CASCADE, related_name="lines", db_index=False, db_constraint=False
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    position = models.PositiveSmallIntegerField()
    method = models.CharField(max_length=16)
    actual = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    target = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    points = models.DecimalField(max_digits=12, decimal_places=2)
    capped = models.BooleanField(default=False)
    floored = models.BooleanField(default=False)
    stretched = models.BooleanField(default=False)
    missing = models.BooleanField(default=False)
    months = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["result", "position"]
        constraints = [models.UniqueConstraint(fields=["result", "indicator"], name="unique_result_line")]

    def __str__(self) -> str:
        return f"{self.result} {self.method} {self.points}"


class ChangeSource(models.TextChoices):
    GRID = "grid", _("Team grid")
    UPLOAD = "upload", _("Upload")
    IMPORT = "import", _("Import command")
    REVIEW = "review", _("Quarterly review")


class MetricChange(models.Model):
    """The audit trail of figures: who changed which value, when, from what to what.

    Written by the one service every figure goes through, so the grid, uploads and the
    command are all covered; never edited afterwards.
    """

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="changes")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("period"), max_length=PERIOD_MAX_LENGTH)
    old_value = models.DecimalField(_("old value"), max_digits=24, decimal_places=6, null=True, blank=True)
    new_value = models.DecimalField(_("new value"), max_digits=24, decimal_places=6, null=True, blank=True)
    old_inputs = models.JSONField(_("old inputs"), default=dict, blank=True)
    new_inputs = models.JSONField(_("new inputs"), default=dict, blank=True)
    created = models.BooleanField(_("new"), default=False)  # there was no value before
    source = models.CharField(_("source"), max_length=16, choices=ChangeSource.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["assignment", "period"])]
        verbose_name = _("figure change")
        verbose_name_plural = _("figure changes")

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.period} {self.indicator_id} {self.old_value} → {self.new_value}"


class UploadPreview(models.Model):
    """A checked figures file waiting for its Apply, with what each cell it gives held then.

    Each preview has its own token, so that two tabs apply each its own file; its Apply is
    checked against ``expected`` as a stale grid is. A user keeps only their latest few.
    """

    token = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=255)
    data = models.BinaryField()
    expected = models.JSONField(default=list)  # [[employee, period, column, text], ...]
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.name}"
