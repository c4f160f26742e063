"""Weekly summaries, and ``voicecare history`` on real journal files."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from voicecare.cli import main
from voicecare.commands.history import format_table
from voicecare.journal import Journal

NOW = datetime.now().replace(microsecond=0)
MONDAY = (NOW - timedelta(days=NOW.weekday())).replace(hour=9, minute=0, second=0)
"""Monday of the current week, 09:00: the history command summarises up to today."""


def fill(journal: Journal) -> None:
    """Two weeks of use: last week and this week."""
    last_week = MONDAY - timedelta(days=7)
    journal.record("episode", {"muscle": "glute", "side": "left"}, last_week)
    journal.record("episode", {"muscle": "glute", "side": "right"}, last_week + timedelta(days=2))
    journal.record("episode", {"muscle": "hip_flexor", "side": None}, last_week + timedelta(days=6, hours=12))
    journal.record("pain", {"when": "start", "rating": 8}, last_week)
    journal.record("pain", {"when": "start", "rating": 6}, last_week + timedelta(days=2))
    journal.record("pain", {"when": "end", "rating": 3}, last_week + timedelta(days=2, minutes=10))
    journal.record("session", {"routine": "strength", "steps_done": 0, "steps_total": 6, "completed": False, "state": "started"}, last_week)
    journal.record("session", {"routine": "strength", "steps_done": 6, "steps_total": 6, "completed": True, "state": "completed"}, last_week + timedelta(minutes=20))
    journal.record("session", {"routine": "daily_stretch", "steps_done": 2, "steps_total": 8, "completed": False, "state": "stopped"}, last_week + timedelta(days=1))
    journal.record("red_flag", {"flag": "redflag.numbness", "severity": "urgent"}, last_week + timedelta(days=3))
    journal.record("red_flag", {"flag": "redflag.persistent", "severity": "routine"}, MONDAY)
    for hour in range(3):
        journal.record("reminder", {"state": "due", "kind": "movement"}, MONDAY + timedelta(hours=hour))
        journal.record("reminder", {"state": "spoken", "kind": "movement"}, MONDAY + timedelta(hours=hour))
    journal.record("reminder", {"state": "acknowledged", "kind": "movement"}, MONDAY + timedelta(hours=1))
    journal.record("episode", {"muscle": "adductor", "side": "left"}, MONDAY)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "journal.sqlite3"
    with Journal.open(path) as journal:
        fill(journal)
    return path


def test_history_counts_per_week(db: Path) -> None:
    with Journal.open(db) as journal:
        weeks = journal.history(NOW, weeks=3)
    assert [w.week_start for w in weeks] == [MONDAY.date() - timedelta(days=14), MONDAY.date() - timedelta(days=7), MONDAY.date()]
    assert all(w.week_start.weekday() == 0 for w in weeks)
    empty, last, this = weeks
    assert empty.is_empty and empty.pain_start_average is None
    assert dict(last.episodes) == {"glute": 2, "hip_flexor": 1} and last.episode_count == 3
    assert (last.sessions_started, last.sessions_completed) == (2, 1)
    assert dict(last.red_flags) == {"urgent": 1}
    assert last.pain_start_average == pytest.approx(7.0) and last.pain_end_average == pytest.approx(3.0)
    assert (last.reminders_spoken, last.reminders_acknowledged) == (0, 0)
    assert dict(this.episodes) == {"adductor": 1}
    assert dict(this.red_flags) == {"routine": 1}
    assert (this.reminders_spoken, this.reminders_acknowledged) == (3, 1)
    assert (this.sessions_started, this.sessions_completed) == (0, 0)


def test_history_read_only_snapshot_matches_and_leaves_the_file_alone(db: Path) -> None:
    with Journal.open_read_only(db) as snapshot:
        weeks = snapshot.history(NOW, weeks=2)
        snapshot.record("episode", {"muscle": "glute"}, NOW)  # a snapshot never writes to the file
    assert sum(w.episode_count for w in weeks) == 4
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM episodes").fetchone()[0] == 4
    with Journal.open(db) as journal:
        assert journal.history(NOW, weeks=2) == weeks


def test_table_has_one_line_per_week(db: Path) -> None:
    with Journal.open(db) as journal:
        table = format_table(journal.history(NOW, weeks=2))
    lines = table.splitlines()
    assert len(lines) == 4  # header, rule, two weeks
    assert lines[2].startswith((MONDAY.date() - timedelta(days=7)).isoformat())
    assert "3 (glute 2, hip flexor 1)" in lines[2] and "1 of 2 done" in lines[2] and "1 urgent" in lines[2]
    assert "7.0 → 3.0" in lines[2]
    assert "3 spoken, 1 acknowledged" in lines[3] and "1 routine" in lines[3]


def test_command_prints_the_table(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "--db", str(db), "--weeks", "2"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("Week of")
    assert MONDAY.date().isoformat() in out


def test_command_json(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "--db", str(db), "--weeks", "2", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["journal"] == str(db)
    last, this = report["weeks"]
    assert date.fromisoformat(this["week_start"]) == MONDAY.date()
    assert last["episodes"] == {"glute": 2, "hip_flexor": 1}
    assert last["sessions"] == {"started": 2, "completed": 1}
    assert this["reminders"] == {"spoken": 3, "acknowledged": 1}
    assert last["pain"] == {"start_average": 7.0, "end_average": 3.0}


def test_command_reads_the_journal_in_the_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["history"]) == 0  # nothing there yet: not an error
    assert "nothing recorded yet" in capsys.readouterr().out.lower()
    with Journal.open(tmp_path / "voicecare" / "journal.sqlite3") as journal:
        fill(journal)
    assert main(["history", "--json", "--weeks", "1"]) == 0
    (this,) = json.loads(capsys.readouterr().out)["weeks"]
    assert this["episodes"] == {"adductor": 1}


def test_command_on_an_empty_journal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "journal.sqlite3"
    Journal.open(path).close()
    assert main(["history", "--db", str(path)]) == 0
    assert "nothing recorded yet" in capsys.readouterr().out.lower()


def test_command_on_a_missing_journal_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "--db", str(tmp_path / "nope.sqlite3")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Error: ") and "nope.sqlite3" in err[0]


def test_command_on_a_corrupt_journal_is_one_clear_line_and_moves_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "journal.sqlite3"
    path.write_bytes(b"\x00not a database at all" * 300)
    assert main(["history", "--db", str(path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "damaged" in err[0]
    assert [p.name for p in tmp_path.iterdir()] == ["journal.sqlite3"]


def test_bad_weeks_is_a_usage_error(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["history", "--db", str(db), "--weeks", "0"])
    assert stopped.value.code == 2


def test_command_reads_an_older_journal_without_upgrading_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "journal.sqlite3"
    stamp = "ts REAL NOT NULL, at TEXT NOT NULL, day TEXT NOT NULL"
    with sqlite3.connect(path) as conn:
        conn.execute(f"CREATE TABLE episodes (id INTEGER PRIMARY KEY, {stamp}, muscle TEXT NOT NULL, side TEXT)")
        conn.execute(f"CREATE TABLE sessions (id INTEGER PRIMARY KEY, {stamp}, routine TEXT NOT NULL, steps_done INTEGER NOT NULL, steps_total INTEGER, completed INTEGER NOT NULL, state TEXT)")
        conn.execute(f"CREATE TABLE red_flags (id INTEGER PRIMARY KEY, {stamp}, flag TEXT NOT NULL, severity TEXT NOT NULL)")
        conn.execute(f"CREATE TABLE reminders (id INTEGER PRIMARY KEY, {stamp}, state TEXT NOT NULL, kind TEXT NOT NULL)")
        conn.execute(
            "INSERT INTO episodes (ts, at, day, muscle, side) VALUES (?, ?, ?, 'hip_flexor', NULL)",
            (MONDAY.timestamp(), MONDAY.isoformat(), MONDAY.date().isoformat()),
        )
        conn.execute("PRAGMA user_version = 1")
    assert main(["history", "--db", str(path), "--json", "--weeks", "1"]) == 0
    (this,) = json.loads(capsys.readouterr().out)["weeks"]
    assert this["episodes"] == {"hip_flexor": 1}
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
