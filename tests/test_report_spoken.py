""""How was my week?" said aloud (synthetic speech) to the running assistant, answered from its journal."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from test_run_spoken import Conversation, Turn, after_say, at
from voicecare.journal import Journal

pytestmark = pytest.mark.speech


@pytest.fixture
def speak(voices):  # noqa: ANN001, ANN201 - pytest fixture
    from voicecare.testing.voices import speak as synthesize

    return synthesize


def fill(data: Path) -> None:
    """Two spasms yesterday, each with its pain before and after relief."""
    yesterday = datetime.combine(date.today() - timedelta(days=1), time(9, 0)).astimezone()
    with Journal.open(data / "journal.sqlite3") as journal:
        for minutes, (before, after) in ((0, (7, 4)), (240, (5, 2))):
            when = yesterday + timedelta(minutes=minutes)
            journal.record("episode", {"muscle": "glute", "side": "left"}, when)
            journal.record("pain", {"when": "start", "rating": before, "muscle": "glute"}, when)
            journal.record("pain", {"when": "end", "rating": after, "muscle": "glute"}, when + timedelta(minutes=9))


SUMMARY = ["In the last 7 days you had 2 spasms, on 1 day.", "With relief, your pain went from 6 to 3, on average."]


@pytest.mark.parametrize("voice", ["slt", "rms"])
def test_the_weekly_report_asked_for_aloud_is_spoken_from_the_journal(tmp_path: Path, speak, voice: str) -> None:  # noqa: ANN001
    fill(tmp_path / "data")
    talk = Conversation(tmp_path, speak)
    talk.run([Turn("hey care give me my weekly report", at(1.0), voice=voice)], tail=12.0)
    assert [e["intent"] for e in talk.of("understood")] == ["info.week"]
    assert [e["text"] for e in talk.of("say")][:2] == SUMMARY
    assert not talk.of("escalate")


def test_how_was_my_week_is_answered_at_once_though_week_sounds_like_weak(tmp_path: Path, speak) -> None:  # noqa: ANN001
    """"Week" and "weak" sound the same, but "how was my weak" describes no weak body: no check, the report."""
    fill(tmp_path / "data")
    talk = Conversation(tmp_path, speak)
    talk.run([Turn("hey care how was my week", at(1.0))], tail=12.0)
    assert not talk.of("check") and not talk.of("escalate")
    said = [e["text"] for e in talk.of("say")]
    first = said.index(SUMMARY[0])
    assert said[first:first + 3] == [*SUMMARY, "You did your stretches on 0 of the 7 days."]
