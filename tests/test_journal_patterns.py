"""The journal's "see your GP" rules on a virtual clock: 3 of the last 5 days, or a persistent report, said once."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from voicecare.journal import MIN_EPISODE_DAYS, QUIET_DAYS, WINDOW_DAYS, Journal

DAY1 = datetime(2026, 5, 4, 8, 0)


def day(n: int, hour: int = 8) -> datetime:
    """Day ``n`` of the test (day 1 is DAY1), at ``hour`` o'clock local time."""
    return DAY1.replace(hour=hour) + timedelta(days=n - 1)


@pytest.fixture
def journal(tmp_path: Path):
    with Journal.open(tmp_path / "journal.sqlite3") as opened:
        yield opened


def spasm(journal: Journal, n: int, hour: int = 8) -> None:
    journal.record("episode", {"muscle": "glute", "side": "left"}, day(n, hour))


def test_the_rule_is_the_guides() -> None:
    assert (MIN_EPISODE_DAYS, WINDOW_DAYS) == (3, 5)
    assert QUIET_DAYS > WINDOW_DAYS


def test_fires_on_day_3_of_5_not_on_day_2_and_is_said_once(journal: Journal) -> None:
    spasm(journal, 1)
    assert journal.pattern_due(day(1, 20)) is None
    spasm(journal, 2)
    assert journal.pattern_due(day(2, 20)) is None
    assert journal.pattern_due(day(3, 7)) is None  # day 3, before any spasm that day
    spasm(journal, 3)
    assert journal.pattern_due(day(3, 9)) == "recurring"
    assert journal.pattern_due(day(3, 10)) == "recurring"  # still due until it has been said
    journal.record("pattern", {"rule": "recurring"}, day(3, 10))
    assert journal.pattern_due(day(3, 11)) is None
    spasm(journal, 4)
    assert journal.pattern_due(day(4)) is None


def test_distinct_days_count_not_episodes(journal: Journal) -> None:
    for hour in (8, 12, 16, 20):
        spasm(journal, 1, hour)
    spasm(journal, 2)
    assert journal.pattern_due(day(2, 21)) is None


def test_gaps_inside_the_window_still_count(journal: Journal) -> None:
    for n in (1, 3, 5):
        spasm(journal, n)
    assert journal.pattern_due(day(5, 9)) == "recurring"


def test_days_older_than_the_window_do_not_count(journal: Journal) -> None:
    for n in (1, 3, 6):
        spasm(journal, n)
    # Day 6's window is days 2-6: only days 3 and 6.
    assert journal.pattern_due(day(6, 9)) is None


def test_not_due_again_within_the_quiet_spell_then_needs_a_new_stretch(journal: Journal) -> None:
    for n in (1, 2, 3):
        spasm(journal, n)
    journal.record("pattern", {"rule": "recurring"}, day(3, 9))
    for n in range(4, 3 + QUIET_DAYS):
        spasm(journal, n)
        assert journal.pattern_due(day(n, 9)) is None, f"due again on day {n}"
    quiet_over = 3 + QUIET_DAYS
    assert journal.pattern_due(day(quiet_over, 9)) == "recurring"  # days 6..9 had spasms: a new stretch


def test_after_the_quiet_spell_old_episodes_alone_do_not_fire(journal: Journal) -> None:
    for n in (1, 2, 3):
        spasm(journal, n)
    journal.record("pattern", {"rule": "recurring"}, day(3, 9))
    spasm(journal, 3 + QUIET_DAYS - 1)
    spasm(journal, 3 + QUIET_DAYS)
    assert journal.pattern_due(day(3 + QUIET_DAYS, 9)) is None


def test_persistent_report_is_due_once(journal: Journal) -> None:
    assert journal.pattern_due(day(1)) is None
    journal.record("red_flag", {"flag": "redflag.persistent", "severity": "routine"}, day(1, 9))
    assert journal.pattern_due(day(1, 10)) == "persistent"
    assert journal.pattern_due(day(2, 10)) == "persistent"
    journal.record("pattern", {"rule": "persistent"}, day(2, 10))
    assert journal.pattern_due(day(2, 11)) is None
    assert journal.pattern_due(day(3, 11)) is None
    journal.record("red_flag", {"flag": "redflag.persistent"}, day(4, 9))
    assert journal.pattern_due(day(4, 10)) is None  # said two days ago: not again so soon


def test_other_red_flags_are_not_a_pattern(journal: Journal) -> None:
    journal.record("red_flag", {"flag": "redflag.function", "severity": "routine"}, day(1))
    journal.record("red_flag", {"flag": "redflag.numbness", "severity": "urgent"}, day(1))
    assert journal.pattern_due(day(1, 12)) is None


def test_an_old_persistent_report_expires(journal: Journal) -> None:
    journal.record("red_flag", {"flag": "redflag.persistent"}, day(1))
    assert journal.pattern_due(day(1 + QUIET_DAYS)) is None


def test_patterns_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    for n in (1, 2, 3):
        with Journal.open(path) as journal:
            spasm(journal, n)
    with Journal.open(path) as journal:
        assert journal.pattern_due(day(3, 9)) == "recurring"
        journal.record("pattern", {"rule": "recurring"}, day(3, 9))
    with Journal.open(path) as journal:
        assert journal.pattern_due(day(4, 9)) is None


def test_episodes_waiting_in_the_backlog_still_count(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    journal = Journal.open(path, busy_timeout_seconds=0.01)
    spasm(journal, 1)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        spasm(journal, 2)
        spasm(journal, 3)
        assert journal.health() is not None
        assert journal.pattern_due(day(3, 9)) == "recurring"
    finally:
        other.execute("ROLLBACK")
        other.close()
    journal.close()
