"""Results: each person's score of a period, its lines, and the chunks a close is scored in."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from metrics.cycles.models import Cycle
from plans.fields import PeriodField
from plans.models import Assignment, Indicator, PlanVersion


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
    period = PeriodField(_("period"))
    employee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="results")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="results")
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="results", db_constraint=False)
    score = models.DecimalField(_("score"), max_digits=12, decimal_places=2)
    band = models.CharField(_("band"), max_length=32, blank=True)
    # Wide enough for the largest a plan and a roster accept (SPEC 7: below 10^9 each): a band's
    # payout to 2 decimals, and a bonus amount times that payout / 100, below 10^16.
    payout = models.DecimalField(_("payout %"), max_digits=14, decimal_places=2)
    bonus = models.DecimalField(_("bonus"), max_digits=20, decimal_places=2)
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
            # The results page sorted by bonus, most first: a page read in this order (bench_load). Ties
            # go by employee: a bonus is shared by many, and sorting them by name would sort them all.
            models.Index(
                "period",
                models.F("bonus").desc(),
                "employee",
                condition=models.Q(superseded_at__isnull=True),
                name="result_current_bonus",
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
    # Nor an index on the indicator: nothing reads the lines by indicator, and it was a quarter of
    # the time a close spends writing them (bench_close). Its only reader was the check that an
    # indicator being deleted has no lines, which cannot happen: only a draft's indicators are
    # deleted (with it, or in the builder), a draft is never scored, and the version of a result
    # cannot be deleted (Result.version).
    indicator = models.ForeignKey(
        Indicator, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
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


class MoveStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for HR")
    APPLIED = "applied", _("Applied")
    REJECTED = "rejected", _("Rejected")


class CalibrationMove(models.Model):
    """A move of one closed result to another band before its period is released (SPEC.md section 10).

    HR's moves apply at once; a manager's is a proposal that HR applies or rejects. Every move
    stays: a reopened period's results are superseded with their moves, which remain its history.
    """

    result = models.ForeignKey(Result, on_delete=models.PROTECT, related_name="calibration_moves")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="calibration_moves")
    run = models.PositiveIntegerField()
    period = PeriodField(_("period"))
    employee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_band = models.CharField(_("from band"), max_length=32, blank=True)
    to_band = models.CharField(_("to band"), max_length=32)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=16, choices=MoveStatus.choices)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("moved by")
    )
    proposed_at = models.DateTimeField(_("moved at"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposed_at", "pk"]
        indexes = [models.Index(fields=["cycle", "run", "status"])]
        constraints = [
            # One proposal waits for HR per result at a time.
            models.UniqueConstraint(
                fields=["result"], condition=models.Q(status="proposed"), name="one_waiting_proposal_per_result"
            )
        ]
        verbose_name = _("calibration move")
        verbose_name_plural = _("calibration moves")

    def __str__(self) -> str:
        return f"{self.employee} {self.period} {self.from_band} → {self.to_band} ({self.status})"


class PeriodRelease(models.Model):
    """HR released a run of a period's results to the employees: once, kept (SPEC.md section 10).

    A reopened period's next close is a new run, held again until it is released.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="releases")
    run = models.PositiveIntegerField()
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    released_at = models.DateTimeField(_("released"))

    class Meta:
        ordering = ["cycle", "run"]
        constraints = [models.UniqueConstraint(fields=["cycle", "run"], name="unique_period_release")]
        verbose_name = _("release")
        verbose_name_plural = _("releases")

    def __str__(self) -> str:
        return f"{self.cycle} run {self.run} released"
