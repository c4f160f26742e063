"""The journal: a SQLite record of episodes, sessions, red flags and reminders that never stops the assistant.

Every write is a small transaction (WAL, synchronous=FULL, so a power cut keeps what was
acknowledged). When the database cannot be written (locked, full disk, I/O error) the
records wait in a bounded in-memory backlog and are written on the next ``record()`` or
``flush()``. A damaged file is moved aside, never deleted, and a fresh one is started.

Its queries are in ``voicecare.journal.queries``, its health in ``voicecare.journal.health``.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections import deque
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Mapping

from voicecare.errors import VoicecareError
from voicecare.journal import schema
from voicecare.journal.files import Damaged, check_integrity, connect, copy_into, move_aside
from voicecare.journal.failures import Failure, classify
from voicecare.journal.health import HealthMixin
from voicecare.journal.queries import QueriesMixin
from voicecare.journal.salvage import salvage
from voicecare.journal.records import BadRecord, Row, state_row, to_row

log = logging.getLogger(__name__)

BACKLOG_LIMIT = 5000
"""Records kept in memory while the database cannot be written (days of typical use)."""
BUSY_TIMEOUT_SECONDS = 0.25
"""How long one write waits for another program's lock before it is left in the backlog."""


class Journal(QueriesMixin, HealthMixin):
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

    @classmethod
    def salvaged(cls, path: Path) -> tuple[Journal, int]:
        """What can still be read from a damaged journal file, copied into memory; the file is only read."""
        journal = cls.memory()
        assert journal._conn is not None
        return journal, salvage(Path(path), journal._conn)

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
