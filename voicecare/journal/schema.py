"""The journal's tables, and the migrations that bring any older file up to date.

The schema version lives in ``PRAGMA user_version``. Each migration runs in its own
transaction together with the version bump, so a crash mid-upgrade leaves the file at
the previous version, never half-migrated.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Sequence

log = logging.getLogger(__name__)

_STAMP = "ts REAL NOT NULL, at TEXT NOT NULL, day TEXT NOT NULL"
"""Every fact row carries: UTC seconds (ordering), the time as given, and the local date."""

MIGRATIONS: tuple[Sequence[str], ...] = (
    # 0 -> 1: the four things the assistant first kept.
    (
        f"CREATE TABLE episodes (id INTEGER PRIMARY KEY, {_STAMP}, muscle TEXT NOT NULL, side TEXT)",
        f"CREATE TABLE sessions (id INTEGER PRIMARY KEY, {_STAMP}, routine TEXT NOT NULL,"
        " steps_done INTEGER NOT NULL, steps_total INTEGER, completed INTEGER NOT NULL, state TEXT)",
        f"CREATE TABLE red_flags (id INTEGER PRIMARY KEY, {_STAMP}, flag TEXT NOT NULL, severity TEXT NOT NULL)",
        f"CREATE TABLE reminders (id INTEGER PRIMARY KEY, {_STAMP}, state TEXT NOT NULL, kind TEXT NOT NULL)",
        "CREATE INDEX episodes_day ON episodes (day)",
        "CREATE INDEX sessions_day ON sessions (day)",
        "CREATE INDEX red_flags_day ON red_flags (day)",
        "CREATE INDEX reminders_day ON reminders (day)",
    ),
    # 1 -> 2: pain ratings, hold preferences, pattern announcements, persisted state.
    (
        f"CREATE TABLE pain (id INTEGER PRIMARY KEY, {_STAMP}, phase TEXT NOT NULL,"
        " rating REAL NOT NULL, muscle TEXT)",
        "CREATE INDEX pain_day ON pain (day)",
        f"CREATE TABLE patterns (id INTEGER PRIMARY KEY, {_STAMP}, rule TEXT NOT NULL)",
        "CREATE TABLE preferences (exercise TEXT PRIMARY KEY, hold_seconds REAL NOT NULL, ts REAL NOT NULL)",
        "CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL, ts REAL NOT NULL)",
    ),
    # 2 -> 3: which steps of a session were skipped, and each "that hurts" during an exercise.
    (
        "ALTER TABLE sessions ADD COLUMN skipped TEXT",
        f"CREATE TABLE hurts (id INTEGER PRIMARY KEY, {_STAMP}, routine TEXT NOT NULL, step INTEGER,"
        " exercise TEXT, side TEXT)",
        "CREATE INDEX hurts_day ON hurts (day)",
    ),
)

CURRENT_VERSION = len(MIGRATIONS)
"""The schema version this code reads and writes."""


def version(conn: sqlite3.Connection) -> int:
    """The schema version recorded in the file (0 for a new, empty file)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the file up to ``CURRENT_VERSION``, one transaction per step; return the start version.

    ``conn`` must be in autocommit mode (``isolation_level=None``) so that the explicit
    transactions here are the only ones. A file newer than this code is left untouched.
    """
    start = version(conn)
    for target in range(start + 1, CURRENT_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[target - 1]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target:d}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        log.info("journal schema migrated to version %d", target)
    return start
