"""The journal: a SQLite record of episodes, sessions, red flags and reminders that never stops the assistant.

Every write is a small transaction (WAL, synchronous=FULL, so a power cut keeps what was
acknowledged). When the database cannot be written (locked, full disk, I/O error) the
records wait in a bounded in-memory backlog and are written on the next ``record()`` or
``flush()``. A damaged file is moved aside, never deleted, and a fresh one is started.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import threading
from collections import deque
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from voicecare.errors import VoicecareError
from voicecare.journal import schema
from voicecare.journal.files import Damaged, check_integrity, connect, copy_into, move_aside, moved_aside
from voicecare.journal.failures import Failure, classify, problem_line
from voicecare.journal.patterns import Evidence, due_rule, lookback_start
from voicecare.journal.salvage import salvage
from voicecare.journal.records import BadRecord, Row, local_day, state_row, to_row
from voicecare.journal.summary import Episode, WeekSummary, summarise_weeks, week_start

log = logging.getLogger(__name__)

BACKLOG_LIMIT = 5000
"""Records kept in memory while the database cannot be written (days of typical use)."""
BUSY_TIMEOUT_SECONDS = 0.25
"""How long one write waits for another program's lock before it is left in the backlog."""
PROBE_KEY = "_write_probe"
"""The ``state`` key ``health()`` writes and deletes again to prove the journal can be written."""
LOW_DISK_BYTES = 5 * 1024 * 1024
"""Less free space than this on the journal's disk is worth a warning from ``doctor``."""


class Journal:
    """What happened, kept on disk; every public method is safe to call from the assistant loop."""

    def __init__(
        self,
        path: Path | None,
        *,
        busy_timeout_seconds: float = BUSY_TIMEOUT_SECONDS,
        max_bytes: int | None = None,
        backlog_limit: int = BACKLOG_LIMIT,
    ) -> None:
        self.path = path
        self._busy_timeout = busy_timeout_seconds
        self._max_bytes = max_bytes
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._writable = True
        self._closed = False
        self._backlog: deque[Row] = deque()
        self._backlog_limit = backlog_limit
        self._dropped = 0
        self._failure: Failure | None = None
        self._detail = ""
        self._logged: set[str] = set()
        self._moved_aside: list[Path] = []
        self._rescued = 0

    # --- opening ------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        busy_timeout_seconds: float = BUSY_TIMEOUT_SECONDS,
        max_bytes: int | None = None,
        backlog_limit: int = BACKLOG_LIMIT,
    ) -> Journal:
        """Open (or create) the journal at ``path``; problems are reported by ``health()``, never raised.

        ``max_bytes`` caps the database size (useful on a small SD card); at the cap,
        writes wait in the backlog as they would on a full disk.
        """
        journal = cls(
            Path(path),
            busy_timeout_seconds=busy_timeout_seconds,
            max_bytes=max_bytes,
            backlog_limit=backlog_limit,
        )
        with journal._lock:
            journal._ensure_connection()
        return journal

    @classmethod
    def memory(cls) -> Journal:
        """A journal that lives in memory only (tests, and ``chat`` on a virtual clock)."""
        journal = cls(None)
        journal._conn = connect(":memory:", 0.0)
        schema.migrate(journal._conn)
        return journal

    @classmethod
    def open_read_only(cls, path: Path) -> Journal:
        """A snapshot of the journal at ``path`` for reading; raises ``VoicecareError`` if it cannot be read.

        The file is copied into memory (and upgraded there if it is older), so reading
        never changes, moves or locks the person's journal for longer than the copy.
        """
        path = Path(path)
        if not path.is_file():
            raise VoicecareError(f"there is no journal at {path}", "it is created when the assistant first records something")
        snapshot = connect(":memory:", 0.0)
        try:
            copy_into(path, snapshot)
            check_integrity(snapshot)
            found = schema.version(snapshot)
            if found > schema.CURRENT_VERSION:
                raise VoicecareError(
                    f"the journal {path} was written by a newer voicecare (schema {found}, this one reads {schema.CURRENT_VERSION})",
                    "update voicecare",
                )
            schema.migrate(snapshot)
        except (sqlite3.Error, Damaged) as exc:
            snapshot.close()
            if isinstance(exc, Damaged) or classify(exc) is Failure.CORRUPT:
                raise VoicecareError(
                    f"the journal {path} is damaged ({exc})",
                    "the assistant moves it aside and starts a new one on its next run",
                ) from None
            raise VoicecareError(f"the journal {path} cannot be read ({exc})", "check the file's permissions") from None
        except VoicecareError:
            snapshot.close()
            raise
        journal = cls(path)
        journal._conn = snapshot
        journal._writable = False
        return journal

    # --- writing ------------------------------------------------------------------

    def record(self, kind: str, data: Mapping[str, Any], when: datetime) -> None:
        """Keep one fact (a core ``Record`` action) at wall-clock ``when``; never raises."""
        try:
            row = to_row(kind, data, when)
        except BadRecord as exc:
            log.warning("journal: ignored a %r record: %s", kind, exc)
            return
        except (TypeError, AttributeError, ValueError, OverflowError) as exc:
            log.warning("journal: ignored a %r record with a bad time %r: %s", kind, when, exc)
            return
        self._write(row)

    def set_state(self, key: str, value: Mapping[str, Any], when: datetime | None = None) -> None:
        """Persist a small JSON-able mapping under ``key`` (replacing the old one); never raises."""
        try:
            row = state_row(key, value, when or datetime.now())
        except BadRecord as exc:
            log.warning("journal: ignored a state update: %s", exc)
            return
        self._write(row)

    def flush(self) -> None:
        """Try again to write whatever is waiting in the backlog; never raises."""
        with self._lock:
            self._drain()

    def close(self) -> None:
        """Write what can be written and close the file; records that still cannot be written are logged."""
        with self._lock:
            if self._closed:
                return
            self._drain()
            if self._backlog and self._writable:
                log.error("journal: %d records could not be written before closing", len(self._backlog))
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            self._closed = True

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

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

    @classmethod
    def salvaged(cls, path: Path) -> tuple[Journal, int]:
        """What can still be read from a damaged journal file, copied into memory; the file is only read."""
        journal = cls.memory()
        assert journal._conn is not None
        return journal, salvage(Path(path), journal._conn)

    # --- health -------------------------------------------------------------------

    @property
    def failing(self) -> bool:
        """True while writing fails: records wait in memory (and are lost if it never recovers)."""
        with self._lock:
            return self._failure is not None and (bool(self._backlog) or not self._writable)

    @property
    def unwritten(self) -> int:
        """Records not in the database: still waiting, or dropped from a full backlog."""
        with self._lock:
            return len(self._backlog) + self._dropped

    def health(self) -> str | None:
        """One line, ``<problem> — <fix>``, for ``voicecare doctor``; None when the journal is fine."""
        with self._lock:
            where = self._where()
            if self._failure is not None:
                return problem_line(self._failure, where, self._detail, len(self._backlog))
            if self._dropped:
                return (
                    f"the journal {where} lost {self._dropped} records that waited too long to be written — "
                    "fix the problem reported in the log so the journal can write again"
                )
            probe = self._probe()
            if probe is not None:
                return probe
            if self._moved_aside:
                return (
                    f"the journal was damaged and was moved aside to {self._moved_aside[-1]}; a new one was started"
                    f" with the {self._rescued} records that could still be read — nothing to do;"
                    " keep the moved file only if you want to try recovering more"
                )
            old = moved_aside(self.path) if self.path is not None else []
            if old:
                return (
                    f"a damaged journal was moved aside earlier to {old[-1]} — nothing to do;"
                    " delete it once you no longer want to try recovering more from it"
                )
            if self.path is not None and self._conn is not None:
                try:
                    free = shutil.disk_usage(self.path.parent).free
                except OSError:
                    free = None
                if free is not None and free < LOW_DISK_BYTES:
                    return (
                        f"only {free // 1024} KB are free on the disk holding the journal {where} — "
                        "free some space so the journal can keep recording"
                    )
        return None

    # --- internals ------------------------------------------------------------------

    def _write(self, row: Row) -> None:
        with self._lock:
            if self._closed:
                log.warning("journal: a %s record arrived after closing; ignored", row.table)
                return
            if row.key is not None:
                keyed = row.get(row.key)
                self._backlog = deque(r for r in self._backlog if not (r.table == row.table and r.get(r.key or "") == keyed))
            if len(self._backlog) >= self._backlog_limit:
                self._backlog.popleft()
                self._dropped += 1
                self._log_once("dropped", logging.ERROR, "journal backlog is full; the oldest waiting records are being dropped")
            self._backlog.append(row)
            self._drain()

    def _drain(self, after_recovery: bool = False) -> bool:
        """Write the whole backlog in one transaction; on failure keep it and remember why."""
        if not self._backlog:
            return True
        if not self._writable or self._closed:
            return False
        conn = self._ensure_connection()
        if conn is None:
            return False
        try:
            self._write_rows(conn, self._backlog)
        except sqlite3.Error as exc:
            failure = classify(exc)
            if failure is Failure.CORRUPT and not after_recovery and self.path is not None and self._recover_damaged(str(exc)):
                return self._drain(after_recovery=True)
            self._fail(failure, str(exc))
            return False
        written = len(self._backlog)
        self._backlog.clear()
        if self._failure is not None:
            log.warning("journal: writing works again; %d waiting records were written", written)
            self._failure = None
            self._logged.clear()
        return True

    @staticmethod
    def _write_rows(conn: sqlite3.Connection, rows: Iterable[Row]) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for row in rows:
                try:
                    conn.execute(row.sql(), row.params())
                except sqlite3.IntegrityError as exc:
                    log.warning("journal: skipped a %s row the database refused: %s", row.table, exc)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error as exc:
                    log.debug("journal: rollback failed: %s", exc)
            raise

    def _ensure_connection(self) -> sqlite3.Connection | None:
        """The open connection, opening (and migrating, or recovering) the file if needed."""
        if self._conn is not None or self.path is None or self._closed:
            return self._conn
        try:
            self._conn = self._open_file()
        except (sqlite3.Error, Damaged) as exc:
            failure = Failure.CORRUPT if isinstance(exc, Damaged) else classify(exc)
            if failure is Failure.CORRUPT and self._recover_damaged(str(exc)):
                return self._conn
            self._fail(failure, str(exc))
        except OSError as exc:
            self._fail(Failure.UNWRITABLE, exc.strerror or str(exc))
        return self._conn

    def _open_file(self) -> sqlite3.Connection:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = connect(str(self.path), self._busy_timeout)
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("journal: WAL mode is not available here (%s); using %s", self.path, mode)
            conn.execute("PRAGMA synchronous = FULL")
            check_integrity(conn)
            found = schema.version(conn)
            if found > schema.CURRENT_VERSION:
                self._writable = False
                self._failure = Failure.NEWER
                self._detail = f"schema {found}, this one knows {schema.CURRENT_VERSION}"
                self._log_once("newer", logging.ERROR, f"journal {self.path} is newer than this voicecare; not writing to it")
            else:
                schema.migrate(conn)
            if self._max_bytes is not None:
                page_size = conn.execute("PRAGMA page_size").fetchone()[0]
                conn.execute(f"PRAGMA max_page_count = {max(1, self._max_bytes // page_size):d}")
        except BaseException:
            conn.close()
            raise
        return conn

    def _recover_damaged(self, detail: str) -> bool:
        """Move a damaged file (and its WAL) aside and start afresh; False if that was impossible."""
        assert self.path is not None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        try:
            target = move_aside(self.path, datetime.now())
        except OSError as exc:
            self._fail(Failure.CORRUPT, f"{detail}; moving it failed: {exc.strerror or exc}")
            return False
        log.error("journal %s was damaged (%s); moved aside to %s and started a new one", self.path, detail, target)
        self._moved_aside.append(target)
        try:
            self._conn = self._open_file()
        except (sqlite3.Error, Damaged, OSError) as exc:
            self._fail(Failure.UNWRITABLE, str(exc))
            return False
        self._rescued += salvage(target, self._conn)
        return True

    def _fail(self, failure: Failure, detail: str) -> None:
        self._failure = failure
        self._detail = detail
        self._log_once(
            failure.value,
            logging.ERROR,
            f"journal cannot write ({detail}); {len(self._backlog)} records kept in memory and retried on the next write",
        )

    def _log_once(self, kind: str, level: int, message: str) -> None:
        if kind not in self._logged:
            self._logged.add(kind)
            log.log(level, "%s", message)

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

    def _probe(self) -> str | None:
        """Check by writing: a probe row written and deleted in one committed transaction.

        Taking the write lock alone succeeds on a read-only file or file system; only a real
        write (and its commit, which reaches the disk) shows that records would be kept.
        """
        if self._conn is None or not self._writable or self.path is None:
            return None
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute("INSERT OR REPLACE INTO state (key, value, ts) VALUES (?, '{}', 0)", (PROBE_KEY,))
            self._conn.execute("DELETE FROM state WHERE key = ?", (PROBE_KEY,))
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if self._conn.in_transaction:
                self._conn.rollback()
            return problem_line(classify(exc), self._where(), str(exc), len(self._backlog))
        return None

    def _where(self) -> str:
        return str(self.path) if self.path is not None else "(in memory)"


def _day(when: datetime) -> date:
    return date.fromisoformat(local_day(when))
