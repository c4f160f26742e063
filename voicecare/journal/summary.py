"""What the journal reports back: per-week summaries and recent episodes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Mapping


def week_start(day: date) -> date:
    """The Monday that starts the week holding ``day``."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True, slots=True)
class Episode:
    """One spasm episode: when (as recorded), the person's local date, muscle and side."""

    at: datetime
    day: date
    muscle: str
    side: str | None = None


@dataclass(frozen=True, slots=True)
class WeekSummary:
    """One week (Monday to Sunday, local dates) of the journal, counted."""

    week_start: date
    episodes: Mapping[str, int] = field(default_factory=dict)
    """Episodes by muscle (glute, hip_flexor, adductor, general)."""
    sessions_started: int = 0
    sessions_completed: int = 0
    red_flags: Mapping[str, int] = field(default_factory=dict)
    """Red flags by severity (emergency, urgent, routine)."""
    reminders_spoken: int = 0
    reminders_acknowledged: int = 0
    pain_start_average: float | None = None
    """Mean 0-10 rating given when relief began, or None if none was given."""
    pain_end_average: float | None = None
    """Mean 0-10 rating given when relief ended, or None if none was given."""

    @property
    def episode_count(self) -> int:
        return sum(self.episodes.values())

    @property
    def red_flag_count(self) -> int:
        return sum(self.red_flags.values())

    @property
    def is_empty(self) -> bool:
        """True when nothing at all was recorded that week."""
        return not (
            self.episode_count
            or self.sessions_started
            or self.sessions_completed
            or self.red_flag_count
            or self.reminders_spoken
            or self.reminders_acknowledged
            or self.pain_start_average is not None
            or self.pain_end_average is not None
        )

    def to_json(self) -> dict[str, Any]:
        """A plain dict for ``voicecare history --json``."""
        return {
            "week_start": self.week_start.isoformat(),
            "episodes": dict(self.episodes),
            "sessions": {"started": self.sessions_started, "completed": self.sessions_completed},
            "red_flags": dict(self.red_flags),
            "reminders": {"spoken": self.reminders_spoken, "acknowledged": self.reminders_acknowledged},
            "pain": {"start_average": _round(self.pain_start_average), "end_average": _round(self.pain_end_average)},
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
