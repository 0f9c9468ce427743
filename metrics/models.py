"""The app's models, for Django: each room keeps its own (``metrics.cycles``, ``metrics.figures``,
``metrics.results``, ``metrics.followups``, ``metrics.api``, ``metrics.webhooks``) and the code imports them from there, never from here."""

from metrics.api.models import ApiToken, IdempotentRequest
from metrics.cycles.models import Cycle, CycleAction, CycleEvent, CyclePart, CycleStatus, PartStatus
from metrics.figures.models import ChangeSource, MetricChange, MetricEntry, Reminder, ReminderClaim, UploadPreview
from metrics.followups.models import Decision, FollowUpDecision
from metrics.results.models import (
    CalibrationMove,
    ChunkStatus,
    CycleChunk,
    MoveStatus,
    PeriodRelease,
    Result,
    ResultLine,
)
from metrics.webhooks.models import DeliveryAttempt, Webhook, WebhookDelivery

__all__ = [
    "ApiToken",
    "CalibrationMove",
    "ChangeSource",
    "ChunkStatus",
    "Cycle",
    "CycleAction",
    "CycleChunk",
    "CycleEvent",
    "CyclePart",
    "CycleStatus",
    "Decision",
    "DeliveryAttempt",
    "FollowUpDecision",
    "IdempotentRequest",
    "MetricChange",
    "MetricEntry",
    "MoveStatus",
    "PartStatus",
    "PeriodRelease",
    "Reminder",
    "ReminderClaim",
    "Result",
    "ResultLine",
    "UploadPreview",
    "Webhook",
    "WebhookDelivery",
]
