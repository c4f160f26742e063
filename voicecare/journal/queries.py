"""The journal's queries: patterns due, recent episodes, weekly history, preferences and stored
state, answered from the database together with the records still waiting to be written.
Part of ``Journal``."""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import date, datetime, timedelta
from typing import Any, Callable

from voicecare.journal.patterns import Evidence, due_rule, lookback_start
from voicecare.journal.records import Row, local_day
from voicecare.journal.summary import Episode, WeekSummary, summarise_weeks, week_start

log = logging.getLogger(__name__)


class QueriesMixin:
    """Reading the journal (the connection, lock and backlog live on ``Journal``)."""

    # --- reading ------------------------------------------------------------------

    def pattern_due(self, now: datetime) -> str | None:
        """``"recurring"``, ``"persistent"`` or None; see ``voicecare.journal.patterns`` for the rules."""
        with self._lock:
            self._drain()
            today = _day(now)
            first = lookback_start(today).isoformat()
            last = today.isoformat()
            episodes = self._stamps("SELECT day, ts FROM episodes WHERE day BETWEEN ? AND ?", (first, last), "episodes")
            reports = self._stamps(
                "SELECT day, ts FROM red_flags WHERE flag = 'redflag.persistent' AND day BETWEEN ? AND ?",
                (first, last),
                "red_flags",
                lambda row: row.get("flag") == "redflag.persistent",
            )
            announced = self._stamps("SELECT day, ts FROM patterns WHERE day BETWEEN ? AND ?", ("", last), "patterns")
        return due_rule(Evidence(tuple(episodes), tuple(reports), tuple(announced)), today)

    def recent_episodes(self, now: datetime, days: int) -> list[Episode]:
        """Spasm episodes on the last ``days`` local days (today included), oldest first."""
        with self._lock:
            self._drain()
            today = _day(now)
            first = (today - timedelta(days=max(1, days) - 1)).isoformat()
            rows = self._read(
                "SELECT ts, at, day, muscle, side FROM episodes WHERE day BETWEEN ? AND ? ORDER BY ts",
                (first, today.isoformat()),
            )
            pending = [
                (row.get("ts"), row.get("at"), row.get("day"), row.get("muscle"), row.get("side"))
                for row in self._pending("episodes")
                if first <= row.get("day") <= today.isoformat()
            ]
        ordered = sorted(list(rows) + pending, key=lambda item: item[0])
        return [Episode(datetime.fromisoformat(at), date.fromisoformat(day), muscle, side) for _, at, day, muscle, side in ordered]

    def history(self, now: datetime, weeks: int = 4) -> list[WeekSummary]:
        """One summary per week (Monday first), the last ``weeks`` weeks up to ``now``'s, oldest first."""
        weeks = max(1, int(weeks))
        this_week = week_start(_day(now))
        starts = [this_week - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
        span = (starts[0].isoformat(), (this_week + timedelta(days=6)).isoformat())
        with self._lock:
            self._drain()
            episodes = self._read("SELECT day, muscle, COUNT(*) FROM episodes WHERE day BETWEEN ? AND ? GROUP BY day, muscle", span)
            sessions = self._read(
                "SELECT day, state, completed, COUNT(*) FROM sessions WHERE day BETWEEN ? AND ? GROUP BY day, state, completed",
                span,
            )
            flags = self._read("SELECT day, severity, COUNT(*) FROM red_flags WHERE day BETWEEN ? AND ? GROUP BY day, severity", span)
            reminders = self._read("SELECT day, state, COUNT(*) FROM reminders WHERE day BETWEEN ? AND ? GROUP BY day, state", span)
            pain = self._read(
                "SELECT day, phase, SUM(rating), COUNT(*) FROM pain WHERE day BETWEEN ? AND ? GROUP BY day, phase", span
            )
        return summarise_weeks(starts, episodes, sessions, flags, reminders, pain)

    def preferences(self) -> dict[str, float]:
        """The hold length the person chose for each exercise, latest choice winning."""
        with self._lock:
            self._drain()
            chosen = {exercise: float(seconds) for exercise, seconds in self._read("SELECT exercise, hold_seconds FROM preferences", ())}
            for row in self._pending("preferences"):
                chosen[row.get("exercise")] = row.get("hold_seconds")
        return chosen

    def get_state(self, key: str) -> dict[str, Any] | None:
        """The mapping last stored under ``key``, or None."""
        with self._lock:
            for row in reversed(self._backlog):
                if row.table == "state" and row.get("key") == key:
                    return json.loads(row.get("value"))
            found = self._read("SELECT value FROM state WHERE key = ?", (key,))
        if not found:
            return None
        try:
            value = json.loads(found[0][0])
        except json.JSONDecodeError as exc:
            log.warning("journal: the stored state %r is not valid JSON (%s); ignoring it", key, exc)
            return None
        return value if isinstance(value, dict) else None

    def select(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows of one read-only query (reports); waiting records are written first; a failed read gives none."""
        with self._lock:
            self._drain()
            return self._read(sql, params)

    # --- internals ------------------------------------------------------------------

    def _read(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        conn = self._ensure_connection()
        if conn is None:
            return []
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            self._log_once("read", logging.ERROR, f"journal cannot be read ({exc}); answering from memory only")
            return []

    def _pending(self, table: str) -> list[Row]:
        return [row for row in self._backlog if row.table == table]

    def _stamps(
        self, sql: str, span: tuple[str, str], table: str, keep: Callable[[Row], bool] = lambda row: True
    ) -> list[tuple[date, float]]:
        """(local day, UTC seconds) of rows on days within ``span``, written or still waiting."""
        stamps = [(date.fromisoformat(day), float(ts)) for day, ts in self._read(sql, span)]
        for row in self._pending(table):
            if span[0] <= row.get("day") <= span[1] and keep(row):
                stamps.append((date.fromisoformat(row.get("day")), float(row.get("ts"))))
        return stamps


def _day(when: datetime) -> date:
    return date.fromisoformat(local_day(when))
