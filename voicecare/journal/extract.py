"""Reading a span of days out of the journal, row by row, for reports.

``Journal.history`` counts per week; a report needs the rows themselves (each spasm's time
and side, each pain rating, each session's skipped steps). Only the journal's own columns
are read: there is nothing else in it to read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from voicecare.journal.store import Journal

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EpisodeRow:
    """A spasm the person reported."""

    at: datetime
    day: date
    muscle: str
    side: str | None


@dataclass(frozen=True, slots=True)
class PainRow:
    """A 0-10 rating given when a relief flow began (``start``) or ended (``end``)."""

    at: datetime
    day: date
    phase: str
    rating: float
    muscle: str | None


@dataclass(frozen=True, slots=True)
class SessionRow:
    """A guided session as it ended: how far it got, and which steps (1-based) were skipped."""

    at: datetime
    day: date
    routine: str
    steps_done: int
    steps_total: int | None
    completed: bool
    state: str | None
    skipped: tuple[int, ...]

    @property
    def is_end(self) -> bool:
        """True for the record of a session's end (the session runner writes only that one)."""
        return self.completed or self.state in (None, "stopped", "completed")


@dataclass(frozen=True, slots=True)
class HurtRow:
    """"That hurts" said during an exercise of a session."""

    at: datetime
    day: date
    routine: str
    step: int | None
    exercise: str | None
    side: str | None


@dataclass(frozen=True, slots=True)
class ReminderRow:
    """One step in a reminder's life: spoken, acknowledged, snoozed, unanswered..."""

    at: datetime
    day: date
    state: str
    kind: str


@dataclass(frozen=True, slots=True)
class RedFlagRow:
    """A red flag the assistant escalated, at its severity."""

    at: datetime
    day: date
    flag: str
    severity: str


@dataclass(frozen=True, slots=True)
class Extract:
    """Every journal row on the local days ``first`` to ``last``, oldest first."""

    first: date
    last: date
    episodes: tuple[EpisodeRow, ...]
    pain: tuple[PainRow, ...]
    sessions: tuple[SessionRow, ...]
    hurts: tuple[HurtRow, ...]
    reminders: tuple[ReminderRow, ...]
    red_flags: tuple[RedFlagRow, ...]
    first_day: date | None
    """The earliest day anything was ever recorded (before ``first`` too), or None for an empty journal."""

    @property
    def is_empty(self) -> bool:
        """True when nothing at all was recorded in the span."""
        return not (self.episodes or self.pain or self.sessions or self.hurts or self.reminders or self.red_flags)


_TABLES = ("episodes", "pain", "sessions", "hurts", "reminders", "red_flags")


def extract(journal: Journal, first: date, last: date) -> Extract:
    """The rows of ``first`` to ``last`` (local dates, both included); unreadable rows are skipped."""
    span = (first.isoformat(), last.isoformat())

    def rows(sql: str) -> list[tuple[Any, ...]]:
        return journal.select(f"{sql} WHERE day BETWEEN ? AND ? ORDER BY ts", span)

    episodes = _build(rows("SELECT at, day, muscle, side FROM episodes"),
                      lambda at, day, muscle, side: EpisodeRow(_at(at), _day(day), str(muscle), side))
    pain = _build(rows("SELECT at, day, phase, rating, muscle FROM pain"),
                  lambda at, day, phase, rating, muscle: PainRow(_at(at), _day(day), str(phase), float(rating), muscle))
    sessions = _build(
        rows("SELECT at, day, routine, steps_done, steps_total, completed, state, skipped FROM sessions"),
        lambda at, day, routine, done, total, completed, state, skipped: SessionRow(
            _at(at), _day(day), str(routine), int(done), None if total is None else int(total), bool(completed),
            state, _steps(skipped)),
    )
    hurts = _build(rows("SELECT at, day, routine, step, exercise, side FROM hurts"),
                   lambda at, day, routine, step, exercise, side: HurtRow(
                       _at(at), _day(day), str(routine), None if step is None else int(step), exercise, side))
    reminders = _build(rows("SELECT at, day, state, kind FROM reminders"),
                       lambda at, day, state, kind: ReminderRow(_at(at), _day(day), str(state), str(kind)))
    flags = _build(rows("SELECT at, day, flag, severity FROM red_flags"),
                   lambda at, day, flag, severity: RedFlagRow(_at(at), _day(day), str(flag), str(severity)))
    return Extract(first, last, episodes, pain, sessions, hurts, reminders, flags, _first_day(journal))


def _first_day(journal: Journal) -> date | None:
    union = " UNION ALL ".join(f"SELECT MIN(day) AS d FROM {table}" for table in _TABLES)
    found = [day for (day,) in journal.select(f"SELECT MIN(d) FROM ({union})") if day]
    if not found:
        return None
    try:
        return _day(found[0])
    except ValueError:
        return None


def _build(rows: list[tuple[Any, ...]], make: Any) -> tuple[Any, ...]:
    built = []
    for row in rows:
        try:
            built.append(make(*row))
        except (TypeError, ValueError) as exc:
            log.warning("report: skipped a journal row that cannot be read (%s): %r", exc, row)
    return tuple(built)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _steps(text: str | None) -> tuple[int, ...]:
    if not text:
        return ()
    return tuple(int(part) for part in str(text).split(",") if part.strip())
