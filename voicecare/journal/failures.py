"""Naming what went wrong with the database, and the one line that tells the person how to fix it."""

from __future__ import annotations

import sqlite3
from enum import Enum


class Failure(str, Enum):
    """Kinds of database trouble; each is logged once, not once per record."""

    LOCKED = "locked"
    FULL = "full"
    IO = "io"
    CORRUPT = "corrupt"
    UNWRITABLE = "unwritable"
    READ_ONLY = "read-only"
    NEWER = "newer"
    OTHER = "other"


_BY_CODE = {
    sqlite3.SQLITE_BUSY: Failure.LOCKED,
    sqlite3.SQLITE_LOCKED: Failure.LOCKED,
    sqlite3.SQLITE_FULL: Failure.FULL,
    sqlite3.SQLITE_IOERR: Failure.IO,
    sqlite3.SQLITE_CORRUPT: Failure.CORRUPT,
    sqlite3.SQLITE_NOTADB: Failure.CORRUPT,
    sqlite3.SQLITE_READONLY: Failure.READ_ONLY,
    sqlite3.SQLITE_CANTOPEN: Failure.UNWRITABLE,
    sqlite3.SQLITE_PERM: Failure.UNWRITABLE,
}


def classify(exc: sqlite3.Error) -> Failure:
    """The kind of ``exc``, from SQLite's primary result code."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return Failure.OTHER
    return _BY_CODE.get(code & 0xFF, Failure.OTHER)


def problem_line(failure: Failure, where: str, detail: str, waiting: int) -> str:
    """``<what> — <fix>`` for ``voicecare doctor``."""
    queued = f"; {waiting} record{'s' if waiting != 1 else ''} waiting" if waiting else ""
    if failure is Failure.LOCKED:
        return (
            f"the journal {where} is locked by another program{queued} — "
            "close the other program; waiting records are written automatically"
        )
    if failure is Failure.FULL:
        return (
            f"the disk holding the journal {where} is full{queued} — "
            "free some disk space; waiting records are written automatically"
        )
    if failure is Failure.IO:
        return f"the journal {where} cannot be written ({detail}){queued} — check the SD card or disk for errors"
    if failure is Failure.CORRUPT:
        return (
            f"the journal {where} is damaged and could not be moved aside ({detail}){queued} — "
            "move the file away by hand; a new journal is started on the next run"
        )
    if failure is Failure.UNWRITABLE:
        return (
            f"the journal {where} cannot be opened for writing ({detail}){queued} — "
            "check that its folder exists and is writable by this user"
        )
    if failure is Failure.READ_ONLY:
        return (
            f"the journal {where} is read-only ({detail}){queued} — make the file and its folder writable by "
            "this user (chmod u+w, or chattr -i if it was made immutable), remount its disk read-write, "
            "or set [paths] data_dir to a writable folder"
        )
    if failure is Failure.NEWER:
        return f"the journal {where} was written by a newer voicecare ({detail}) — update voicecare; nothing is recorded until then"
    return f"the journal {where} failed ({detail}){queued} — run with --debug and check the log"
