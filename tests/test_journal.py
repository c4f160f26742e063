"""The journal on real SQLite files: migrations, every record kind, and failures that lose nothing."""

from __future__ import annotations

import logging
import random
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from voicecare.journal import CURRENT_VERSION, Journal

T0 = datetime(2026, 3, 2, 9, 30)  # a Monday


def count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def version_of(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA user_version").fetchone()[0]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "journal.sqlite3"


# --- opening and migrations ----------------------------------------------------


def test_new_file_is_created_migrated_and_in_wal_mode(path: Path) -> None:
    with Journal.open(path) as journal:
        assert journal.path == path
        assert journal.health() is None
    assert path.is_file()
    assert version_of(path) == CURRENT_VERSION
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"episodes", "sessions", "red_flags", "reminders", "pain", "patterns", "preferences", "state"} <= tables


def test_empty_existing_file_is_migrated(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    with Journal.open(path) as journal:
        journal.record("episode", {"muscle": "adductor", "side": None}, T0)
    assert version_of(path) == CURRENT_VERSION
    assert count(path, "episodes") == 1


def test_version_1_file_made_by_hand_is_upgraded_and_keeps_its_rows(path: Path) -> None:
    path.parent.mkdir(parents=True)
    stamp = "ts REAL NOT NULL, at TEXT NOT NULL, day TEXT NOT NULL"
    with sqlite3.connect(path) as conn:
        conn.execute(f"CREATE TABLE episodes (id INTEGER PRIMARY KEY, {stamp}, muscle TEXT NOT NULL, side TEXT)")
        conn.execute(
            f"CREATE TABLE sessions (id INTEGER PRIMARY KEY, {stamp}, routine TEXT NOT NULL, steps_done INTEGER NOT NULL,"
            " steps_total INTEGER, completed INTEGER NOT NULL, state TEXT)"
        )
        conn.execute(f"CREATE TABLE red_flags (id INTEGER PRIMARY KEY, {stamp}, flag TEXT NOT NULL, severity TEXT NOT NULL)")
        conn.execute(f"CREATE TABLE reminders (id INTEGER PRIMARY KEY, {stamp}, state TEXT NOT NULL, kind TEXT NOT NULL)")
        old = T0 - timedelta(days=1)
        conn.execute(
            "INSERT INTO episodes (ts, at, day, muscle, side) VALUES (?, ?, ?, 'glute', 'right')",
            (old.timestamp(), old.isoformat(), old.date().isoformat()),
        )
        conn.execute("PRAGMA user_version = 1")
    with Journal.open(path) as journal:
        assert journal.health() is None
        (episode,) = journal.recent_episodes(T0, days=2)
        assert (episode.muscle, episode.side, episode.day) == ("glute", "right", date(2026, 3, 1))
        journal.record("pain", {"when": "start", "rating": 6, "muscle": "glute"}, T0)
        journal.set_state("reminders", {"next_due": 3600})
    assert version_of(path) == CURRENT_VERSION
    assert count(path, "pain") == 1
    assert count(path, "episodes") == 1


def test_failed_migration_leaves_the_previous_version(path: Path) -> None:
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as conn:
        # A version 1 file that already has a table the next migration wants to create.
        conn.execute("CREATE TABLE pain (x)")
        conn.execute("PRAGMA user_version = 1")
    journal = Journal.open(path)
    journal.record("episode", {"muscle": "glute"}, T0)
    assert journal.health() is not None
    journal.close()
    assert version_of(path) == 1
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'patterns'").fetchone() is None


def test_newer_schema_is_not_written_and_is_reported(path: Path) -> None:
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE future (x)")
        conn.execute(f"PRAGMA user_version = {CURRENT_VERSION + 5}")
    journal = Journal.open(path)
    journal.record("episode", {"muscle": "glute"}, T0)
    problem = journal.health()
    journal.close()
    assert problem is not None and "newer" in problem and "update voicecare" in problem
    assert version_of(path) == CURRENT_VERSION + 5
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'episodes'").fetchone() is None


def test_unopenable_location_never_raises_and_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    journal = Journal.open(blocker / "journal.sqlite3")
    journal.record("episode", {"muscle": "glute"}, T0)
    assert journal.pattern_due(T0) is None
    assert [e.muscle for e in journal.recent_episodes(T0, 1)] == ["glute"]
    problem = journal.health()
    journal.close()
    assert problem is not None and "writable" in problem


# --- every record kind round-trips ---------------------------------------------------


def test_episode_round_trips(path: Path) -> None:
    with Journal.open(path) as journal:
        journal.record("episode", {"muscle": "hip_flexor", "side": "left"}, T0)
        journal.record("episode", {"muscle": "general", "side": None}, T0 + timedelta(hours=2))
    with Journal.open(path) as journal:
        episodes = journal.recent_episodes(T0 + timedelta(hours=3), days=1)
    assert [(e.at, e.day, e.muscle, e.side) for e in episodes] == [
        (T0, T0.date(), "hip_flexor", "left"),
        (T0 + timedelta(hours=2), T0.date(), "general", None),
    ]


def test_session_red_flag_reminder_and_pain_round_trip(path: Path) -> None:
    with Journal.open(path) as journal:
        journal.record("pain", {"when": "start", "rating": 8, "muscle": "glute"}, T0)
        journal.record("pain", {"when": "end", "rating": 3.5, "muscle": "glute"}, T0 + timedelta(minutes=5))
        journal.record(
            "session",
            {"routine": "daily_stretch", "steps_done": 4, "steps_total": 6, "completed": False, "state": "stopped"},
            T0,
        )
        journal.record("red_flag", {"flag": "redflag.fever", "severity": "urgent"}, T0)
        journal.record("reminder", {"state": "spoken", "kind": "hydration"}, T0)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT phase, rating, muscle FROM pain ORDER BY ts").fetchall() == [
            ("start", 8.0, "glute"),
            ("end", 3.5, "glute"),
        ]
        assert conn.execute("SELECT routine, steps_done, steps_total, completed, state FROM sessions").fetchall() == [
            ("daily_stretch", 4, 6, 0, "stopped")
        ]
        assert conn.execute("SELECT flag, severity, day FROM red_flags").fetchall() == [
            ("redflag.fever", "urgent", "2026-03-02")
        ]
        assert conn.execute("SELECT state, kind FROM reminders").fetchall() == [("spoken", "hydration")]


def test_red_flag_without_severity_takes_the_contract_severity(path: Path) -> None:
    with Journal.open(path) as journal:
        journal.record("red_flag", {"flag": "redflag.emergency"}, T0)
        (week,) = journal.history(T0, weeks=1)
    assert dict(week.red_flags) == {"emergency": 1}


def test_escalations_without_a_red_flag_intent_are_kept_too(path: Path) -> None:
    """A yes to "Do you need help?" and severe pain in a session were escalated: the journal keeps them."""
    with Journal.open(path) as journal:
        journal.record("red_flag", {"flag": "help", "severity": "urgent"}, T0)
        journal.record("red_flag", {"flag": "pain.severe"}, T0)
        (week,) = journal.history(T0, weeks=1)
    assert dict(week.red_flags) == {"urgent": 2}


def test_preferences_survive_a_restart_and_the_latest_wins(path: Path) -> None:
    with Journal.open(path) as journal:
        journal.record("preference", {"exercise": "pigeon", "hold_seconds": 45}, T0)
        journal.record("preference", {"exercise": "kneeling_lunge", "hold_seconds": 20.5}, T0)
        journal.record("preference", {"exercise": "pigeon", "hold_seconds": 30}, T0 + timedelta(minutes=1))
    with Journal.open(path) as journal:
        assert journal.preferences() == {"pigeon": 30.0, "kneeling_lunge": 20.5}


def test_state_survives_a_restart(path: Path) -> None:
    with Journal.open(path) as journal:
        assert journal.get_state("reminders") is None
        journal.set_state("reminders", {"on": True, "next_due": "2026-03-02T10:00"})
        journal.set_state("reminders", {"on": False})
        journal.set_state("other", {"n": 1})
    with Journal.open(path) as journal:
        assert journal.get_state("reminders") == {"on": False}
        assert journal.get_state("other") == {"n": 1}
        assert journal.get_state("missing") is None


def test_memory_journal_works_without_a_file() -> None:
    journal = Journal.memory()
    journal.record("episode", {"muscle": "adductor", "side": "right"}, T0)
    journal.set_state("k", {"v": 2})
    assert journal.path is None
    assert [e.muscle for e in journal.recent_episodes(T0, 1)] == ["adductor"]
    assert journal.get_state("k") == {"v": 2}
    assert journal.health() is None
    journal.close()


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("episode", {"muscle": "elbow"}),
        ("episode", {"muscle": "glute", "side": "middle"}),
        ("pain", {"when": "start", "rating": 11}),
        ("pain", {"when": "start", "rating": True}),
        ("pain", {"when": "later", "rating": 3}),
        ("session", {"routine": "strength", "steps_done": -1, "completed": False}),
        ("session", {"routine": "strength", "steps_done": 1, "completed": "yes"}),
        ("red_flag", {"flag": "redflag.sneezing"}),
        ("red_flag", {"flag": "redflag.fever", "severity": "whenever"}),
        ("reminder", {"state": "shouted"}),
        ("preference", {"exercise": "pigeon", "hold_seconds": 0}),
        ("pattern", {"rule": "sometimes"}),
        ("transcript", {"text": "hello"}),
        ("episode", ["glute"]),
    ],
)
def test_bad_records_are_logged_and_ignored(path: Path, kind: str, data: object, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="voicecare.journal"):
        with Journal.open(path) as journal:
            journal.record(kind, data, T0)  # type: ignore[arg-type]
            assert journal.health() is None
    assert any("ignored" in message for message in caplog.messages)
    with sqlite3.connect(path) as conn:
        tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        assert sum(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables) == 0


def test_a_bad_time_is_ignored_not_raised(path: Path) -> None:
    with Journal.open(path) as journal:
        journal.record("episode", {"muscle": "glute"}, None)  # type: ignore[arg-type]
    assert count(path, "episodes") == 0


def test_no_speech_is_stored_even_when_handed_over(path: Path) -> None:
    secret = "my neighbour shouted about the parking again"
    with Journal.open(path) as journal:
        journal.record("episode", {"muscle": "glute", "side": "left", "text": secret, "transcript": secret}, T0)
        journal.record("red_flag", {"flag": "redflag.numbness", "utterance": secret}, T0)
    stored = b"".join(p.read_bytes() for p in path.parent.iterdir())
    assert b"neighbour" not in stored
    assert count(path, "episodes") == 1 and count(path, "red_flags") == 1
    with sqlite3.connect(path) as conn:
        columns = {row[1] for t in ("episodes", "red_flags") for row in conn.execute(f"PRAGMA table_info({t})")}
    assert not columns & {"text", "transcript", "utterance", "audio"}


# --- failures: corrupt, locked, full ---------------------------------------------


def test_corrupt_file_is_moved_aside_and_recording_continues(path: Path) -> None:
    path.parent.mkdir(parents=True)
    garbage = random.Random(7).randbytes(8192)
    path.write_bytes(garbage)
    journal = Journal.open(path)
    journal.record("episode", {"muscle": "glute"}, T0)
    problem = journal.health()
    journal.close()
    (moved,) = [p for p in path.parent.iterdir() if ".corrupt-" in p.name]
    assert moved.name.startswith("journal.sqlite3.corrupt-")
    assert moved.read_bytes() == garbage
    assert count(path, "episodes") == 1
    assert problem is not None and "moved aside" in problem and str(moved) in problem
    # A later start (as `voicecare doctor` does) still reports the moved-aside file.
    with Journal.open(path) as again:
        assert str(moved) in (again.health() or "")


def test_damaged_pages_are_detected_moved_aside_and_readable_rows_rescued(path: Path) -> None:
    with Journal.open(path) as journal:
        for n in range(300):
            journal.record("episode", {"muscle": "glute", "side": "left"}, T0 + timedelta(minutes=n))
        journal.set_state("reminders", {"on": True})
    size = path.stat().st_size
    with path.open("r+b") as handle:  # the header survives; two pages near the end do not
        handle.seek(size - 3 * 4096)
        handle.write(random.Random(3).randbytes(2 * 4096))
    journal = Journal.open(path)
    journal.record("pain", {"when": "start", "rating": 4}, T0)
    problem = journal.health()
    rescued = len(journal.recent_episodes(T0 + timedelta(days=1), 2))
    state = journal.get_state("reminders")
    journal.close()
    (moved,) = [p for p in path.parent.iterdir() if p.name.startswith("journal.sqlite3.corrupt-") and p.name[-4:] not in ("-wal", "-shm")]
    assert problem is not None and str(moved) in problem and f"with the {rescued + 1} records" in problem
    assert 0 < rescued <= 300
    assert state == {"on": True}
    assert count(path, "pain") == 1
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"


def test_locked_database_keeps_records_and_writes_them_after_release(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    Journal.open(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    journal = Journal.open(path, busy_timeout_seconds=0.01)
    other.execute("BEGIN EXCLUSIVE")
    with caplog.at_level(logging.ERROR, logger="voicecare.journal"):
        for hour in range(4):
            journal.record("episode", {"muscle": "glute"}, T0 + timedelta(hours=hour))
        journal.set_state("reminders", {"on": True})
    problem = journal.health()
    assert problem is not None and "locked" in problem and "5 records waiting" in problem
    assert len([m for m in caplog.messages if "cannot write" in m]) == 1
    # While locked, what is waiting is still visible to the assistant.
    assert len(journal.recent_episodes(T0 + timedelta(hours=5), 1)) == 4
    assert journal.get_state("reminders") == {"on": True}
    other.execute("COMMIT")
    other.close()
    journal.flush()
    assert journal.health() is None
    journal.close()
    assert count(path, "episodes") == 4
    assert count(path, "state") == 1


def test_lock_held_by_another_program_is_seen_by_health(path: Path) -> None:
    journal = Journal.open(path, busy_timeout_seconds=0.01)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        problem = journal.health()
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert problem is not None and "locked" in problem
    assert journal.health() is None
    journal.close()


def test_backlog_is_bounded(path: Path) -> None:
    Journal.open(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    journal = Journal.open(path, busy_timeout_seconds=0.01, backlog_limit=3)
    other.execute("BEGIN EXCLUSIVE")
    for minute in range(5):
        journal.record("reminder", {"state": "due"}, T0 + timedelta(minutes=minute))
    other.execute("COMMIT")
    other.close()
    journal.flush()
    problem = journal.health()
    journal.close()
    assert count(path, "reminders") == 3
    assert problem is not None and "lost 2 records" in problem


def test_full_disk_keeps_the_backlog_and_nothing_recorded_is_lost(path: Path) -> None:
    journal = Journal.open(path, max_bytes=1)  # capped at its current size: a disk with no room left
    written = 0
    for n in range(2000):
        journal.record("episode", {"muscle": "general", "side": "left"}, T0 + timedelta(seconds=n))
        if journal.health() is not None:
            break
        written += 1
    problem = journal.health()
    assert problem is not None and "full" in problem
    for n in range(3):
        journal.record("pain", {"when": "start", "rating": 5}, T0 + timedelta(minutes=n))
    assert "4 records waiting" in (journal.health() or "")
    assert count(path, "episodes") == written
    # Space is freed (the cap is lifted): the waiting records are written on the next flush.
    journal._conn.execute("PRAGMA max_page_count = 1000000")  # type: ignore[union-attr]
    journal.flush()
    assert journal.health() is None
    journal.close()
    assert count(path, "episodes") == written + 1
    assert count(path, "pain") == 3


def test_closing_twice_and_recording_after_close_do_not_raise(path: Path) -> None:
    journal = Journal.open(path)
    journal.close()
    journal.close()
    journal.record("episode", {"muscle": "glute"}, T0)
    assert count(path, "episodes") == 0


def test_every_record_the_reminders_write_is_kept(caplog: pytest.LogCaptureFixture) -> None:
    """The reminders core notes more states than the event log shows; the journal keeps them all."""
    from datetime import datetime, timezone

    from voicecare.content.reminder_texts import load_reminder_texts
    from voicecare.core.actions import Heard, Record, Tick
    from voicecare.core.reminders import Reminders, ReminderSettings
    from voicecare.messages import Understanding

    journal = Journal.memory()
    reminders = Reminders(ReminderSettings(interval_minutes=1, hydration=True, hydration_interval_minutes=1,
                                           quiet_start=datetime.min.time(), quiet_end=datetime.min.time()),
                          load_reminder_texts())
    start = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    records: list[Record] = []
    for minute in range(0, 30):
        wall = start.replace(minute=minute)
        records += [a for a in reminders.handle(Tick(), minute * 60.0, wall) or [] if isinstance(a, Record)]
        if minute == 5:
            said = reminders.handle(Heard(Understanding("done", "reminder.done", 1.0)), minute * 60.0 + 1, wall)
            records += [a for a in said or [] if isinstance(a, Record)]
    assert {r.data["state"] for r in records} >= {"spoken", "unanswered", "acknowledged"}
    with caplog.at_level(logging.WARNING):
        for record in records:
            journal.record(record.kind, record.data, start)
    assert "ignored" not in caplog.text
    assert journal.history(start, 1)[-1].reminders_spoken >= 1
