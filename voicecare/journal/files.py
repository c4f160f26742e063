"""The journal file itself: connecting, checking, snapshotting, and moving a damaged one aside."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

CORRUPT_SUFFIX = ".corrupt-"
"""A damaged journal is renamed to ``<name>.corrupt-<YYYYmmddTHHMMSS>``, never deleted."""


class Damaged(Exception):
    """The file opened but failed SQLite's integrity check."""


def connect(target: str, busy_timeout: float) -> sqlite3.Connection:
    """A connection in autocommit mode: the journal opens its own transactions."""
    return sqlite3.connect(target, timeout=busy_timeout, isolation_level=None, check_same_thread=False)


def copy_into(path: Path, snapshot: sqlite3.Connection) -> None:
    """Copy the file at ``path`` into ``snapshot`` without writing to it where possible."""
    try:
        source = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=2.0)
    except sqlite3.Error:
        source = sqlite3.connect(str(path), timeout=2.0)
    try:
        source.backup(snapshot)
    finally:
        source.close()


def check_integrity(conn: sqlite3.Connection) -> None:
    result = conn.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise Damaged(f"integrity check: {result}")


def move_aside(path: Path, now: datetime) -> Path:
    """Rename a damaged journal (with its WAL and shared-memory files) out of the way; return its new name."""
    stamp = now.strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}{CORRUPT_SUFFIX}{stamp}")
    number = 1
    while target.exists():
        target = path.with_name(f"{path.name}{CORRUPT_SUFFIX}{stamp}-{number}")
        number += 1
    for suffix in ("-wal", "-shm", ""):
        source = Path(f"{path}{suffix}")
        if source.exists():
            os.replace(source, Path(f"{target}{suffix}"))
    return target


def moved_aside(path: Path) -> list[Path]:
    """Damaged copies of ``path`` moved aside earlier, oldest first."""
    try:
        found = sorted(path.parent.glob(f"{path.name}{CORRUPT_SUFFIX}*"))
    except OSError:
        return []
    return [p for p in found if not p.name.endswith(("-wal", "-shm"))]
