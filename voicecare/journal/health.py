"""The journal's health: whether records are being kept, and the one line ``voicecare doctor``
shows when they are not (or when disk space runs low). Part of ``Journal``."""

from __future__ import annotations

import shutil
import sqlite3

from voicecare.journal.failures import classify, problem_line
from voicecare.journal.files import moved_aside

PROBE_KEY = "_write_probe"
"""The ``state`` key ``health()`` writes and deletes again to prove the journal can be written."""
LOW_DISK_BYTES = 5 * 1024 * 1024
"""Less free space than this on the journal's disk is worth a warning from ``doctor``."""


class HealthMixin:
    """Reporting the journal's health (the connection, lock and failure state live on ``Journal``)."""

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
