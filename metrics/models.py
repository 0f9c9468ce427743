"""The app's models, for Django: each room keeps its own (``metrics.cycles``, ``metrics.figures``,
``metrics.results``) and the code imports them from there, never from here."""

from metrics.cycles.models import Cycle, CycleAction, CycleEvent, CycleStatus
from metrics.figures.models import ChangeSource, MetricChange, MetricEntry, Reminder, ReminderClaim, UploadPreview
from metrics.results.models import ChunkStatus, CycleChunk, Result, ResultLine

__all__ = [
    "ChangeSource",
    "ChunkStatus",
    "Cycle",
    "CycleAction",
    "CycleChunk",
    "CycleEvent",
    "CycleStatus",
    "MetricChange",
    "MetricEntry",
    "Reminder",
    "ReminderClaim",
    "Result",
    "ResultLine",
    "UploadPreview",
]
