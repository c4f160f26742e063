"""What the journal reports back: per-week summaries and recent episodes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Mapping, Sequence


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


Rows = Sequence[tuple[Any, ...]]
"""Per-day query results, each row led by its local day (ISO date)."""


def summarise_weeks(starts: Sequence[date], episodes: Rows, sessions: Rows, flags: Rows, reminders: Rows, pain: Rows) -> list[WeekSummary]:
    """One summary per week start, from per-day counts of each table."""
    tables = [by_week(rows) for rows in (episodes, sessions, flags, reminders, pain)]
    return [summarise(start, *(table.get(start, []) for table in tables)) for start in starts]


def by_week(rows: Rows) -> dict[date, list[tuple[Any, ...]]]:
    """Rows led by a local day, grouped by the Monday of their week."""
    weeks: dict[date, list[tuple[Any, ...]]] = {}
    for row in rows:
        weeks.setdefault(week_start(date.fromisoformat(row[0])), []).append(row)
    return weeks


def summarise(
    start: date,
    episodes: Rows,
    sessions: Rows,
    flags: Rows,
    reminders: Rows,
    pain: Rows,
) -> WeekSummary:
    """Fold one week's per-day counts (rows led by their local day) into its summary."""
    by_muscle: dict[str, int] = {}
    for _, muscle, count in episodes:
        by_muscle[muscle] = by_muscle.get(muscle, 0) + count
    starts = ends = completed = 0
    for _, state, done, count in sessions:
        if state == "started":
            starts += count
        elif done or state in (None, "stopped", "completed"):  # the session runner records only its end
            ends += count
        if done:
            completed += count
    by_severity: dict[str, int] = {}
    for _, severity, count in flags:
        by_severity[severity] = by_severity.get(severity, 0) + count
    reminder_counts: dict[str, int] = {}
    for _, state, count in reminders:
        reminder_counts[state] = reminder_counts.get(state, 0) + count
    totals = {"start": [0.0, 0], "end": [0.0, 0]}
    for _, phase, total, count in pain:
        totals[phase][0] += total
        totals[phase][1] += count
    return WeekSummary(
        week_start=start,
        episodes=by_muscle,
        # A session may be recorded when it starts, when it ends, or both: count each once.
        sessions_started=max(starts, ends),
        sessions_completed=completed,
        red_flags=by_severity,
        reminders_spoken=reminder_counts.get("spoken", 0),
        reminders_acknowledged=reminder_counts.get("acknowledged", 0),
        pain_start_average=totals["start"][0] / totals["start"][1] if totals["start"][1] else None,
        pain_end_average=totals["end"][0] / totals["end"][1] if totals["end"][1] else None,
    )
