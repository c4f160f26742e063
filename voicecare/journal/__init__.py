"""The journal: what happened (episodes, sessions, red flags, reminders), kept in SQLite.

The runtime hands every core ``Record(kind, data)`` action to ``Journal.record(kind,
data, when)`` with the wall-clock time, asks ``pattern_due(now)`` when a "see your GP"
would fit, and records ``("pattern", {"rule": ...})`` once it has been said. No audio
and no transcripts are stored: each record kind has a fixed set of fields.
"""

from voicecare.journal.patterns import MIN_EPISODE_DAYS, QUIET_DAYS, WINDOW_DAYS
from voicecare.journal.records import KINDS
from voicecare.journal.schema import CURRENT_VERSION
from voicecare.journal.store import Journal
from voicecare.journal.summary import Episode, WeekSummary

__all__ = [
    "CURRENT_VERSION",
    "KINDS",
    "MIN_EPISODE_DAYS",
    "QUIET_DAYS",
    "WINDOW_DAYS",
    "Episode",
    "Journal",
    "WeekSummary",
]
