"""Rescuing what can still be read from a damaged journal into the fresh one that replaces it."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from urllib.parse import quote

log = logging.getLogger(__name__)


def salvage(damaged: Path, fresh: sqlite3.Connection) -> int:
    """Copy every row still readable in ``damaged`` into ``fresh`` (autocommit mode); return how many.

    Reading stops at the first damaged page of each table; the damaged file itself is
    only read, so it stays as it was for anyone who wants to try a deeper recovery.
    """
    try:
        source = sqlite3.connect(f"file:{quote(str(damaged))}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        log.info("journal: nothing could be read from %s (%s)", damaged, exc)
        return 0
    saved = 0
    try:
        tables = [name for (name,) in fresh.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            saved += _copy_table(source, fresh, table)
    except sqlite3.Error as exc:
        log.info("journal: salvage from %s stopped (%s)", damaged, exc)
    finally:
        source.close()
    if saved:
        log.warning("journal: %d records were rescued from the damaged file %s", saved, damaged)
    return saved


def _copy_table(source: sqlite3.Connection, fresh: sqlite3.Connection, table: str) -> int:
    wanted = [row[1] for row in fresh.execute(f"PRAGMA table_info({table})")]
    try:
        present = {row[1] for row in source.execute(f"PRAGMA table_info({table})")}
    except sqlite3.Error:
        return 0
    columns = [name for name in wanted if name in present]
    if not columns:
        return 0
    names = ", ".join(columns)
    insert = f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({', '.join('?' for _ in columns)})"
    copied = 0
    fresh.execute("BEGIN")
    try:
        cursor = source.execute(f"SELECT {names} FROM {table}")
        while (row := cursor.fetchone()) is not None:
            try:
                copied += fresh.execute(insert, row).rowcount
            except sqlite3.IntegrityError:
                continue
    except sqlite3.DatabaseError as exc:
        log.info("journal: table %s could only be read in part (%s)", table, exc)
    fresh.execute("COMMIT")
    return copied
