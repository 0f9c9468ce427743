"""The app's models, for Django: each room keeps its own (``metrics.cycles``, ``metrics.figures``,
``metrics.results``, ``metrics.followups``) and the code imports them from there, never from here."""

from metrics.cycles.models import Cycle, CycleAction, CycleEvent, CyclePart, CycleStatus, PartStatus
from metrics.figures.models import ChangeSource, MetricChange, MetricEntry, Reminder, ReminderClaim, UploadPreview
from metrics.followups.models import Decision, FollowUpDecision
from metrics.results.models import ChunkStatus, CycleChunk, Result, ResultLine

__all__ = [
    "ChangeSource",
    "ChunkStatus",
    "Cycle",
    "CycleAction",
    "CycleChunk",
    "CycleEvent",
    "CyclePart",
    "CycleStatus",
    "Decision",
    "FollowUpDecision",
    "MetricChange",
    "MetricEntry",
    "PartStatus",
    "Reminder",
    "ReminderClaim",
    "Result",
    "ResultLine",
    "UploadPreview",
]
