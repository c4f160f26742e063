"""``voicecare chat`` on its virtual clock: time only moves forward, and only as far as it must."""

from __future__ import annotations

import io
import json
import sys

import pytest

from voicecare.config import reading as config_module
from voicecare.cli import main

START = ["--start", "2026-11-23T10:00"]


@pytest.fixture(autouse=True)
def no_machine_config(tmp_path, monkeypatch):
    monkeypatch.setattr(config_module, "SYSTEM_CONFIG", tmp_path / "absent-system.toml")
    monkeypatch.setattr(config_module, "USER_CONFIG", tmp_path / "absent-user.toml")


def _typed(monkeypatch, capsys, *lines: str) -> list[dict]:
    """Events of an interactive chat, the lines typed one by one (stdin is not a terminal)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(f"{line}\n" for line in lines)))
    assert main(["chat", "--json", *START]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def _scripted(tmp_path, capsys, text: str) -> list[dict]:
    script = tmp_path / "script.txt"
    script.write_text(text)
    assert main(["chat", "--json", "--script", str(script), *START]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_lines_typed_after_pause_come_when_typed_not_hours_later(monkeypatch, capsys):
    events = _typed(monkeypatch, capsys, "start my daily stretches", "pause", "how much water should I drink", "resume")
    heard = {e["text"]: e["t"] for e in events if e["type"] == "heard"}
    assert heard["pause"] < 30
    assert heard["how much water should I drink"] - heard["pause"] < 10  # once "Paused." has been said
    assert heard["resume"] - heard["how much water should I drink"] < 30  # once the answer has been said
    assert [e["state"] for e in events if e["type"] == "session"][:3] == ["started", "paused", "resumed"]
    assert not [e for e in events if e["type"] == "reminder"]  # no hours of reminders while paused


def test_a_script_ending_paused_does_not_run_on_for_hours(tmp_path, capsys):
    events = _scripted(tmp_path, capsys, "start my daily stretches\npause\n")
    assert events[-1]["t"] < 60 and not [e for e in events if e["type"] == "reminder"]


def test_script_times_never_go_backwards_and_cut_off_lines_are_not_said(tmp_path, capsys):
    events = _scripted(tmp_path, capsys, "start my daily stretches\nno\n@20 my leg has gone numb\n")
    times = [e["t"] for e in events]
    assert times == sorted(times)
    escalated = next(e["t"] for e in events if e["type"] == "escalate")
    assert escalated == 20.0
    said = [e for e in events if e["type"] == "say"]
    after = [e["text"] for e in said if e["t"] >= escalated]
    assert after and "medical help" in after[0]
    session_lines = {"Keep your left knee on the ground.", "Gently push your hips forward."}
    assert not session_lines & {e["text"] for e in said}  # queued for after 20 s, cut off by the red flag


def test_a_script_time_earlier_than_now_does_not_turn_the_clock_back(tmp_path, capsys):
    events = _scripted(tmp_path, capsys, "start my daily stretches\nno\n@2 how much water should I drink\n")
    times = [e["t"] for e in events]
    assert times == sorted(times)
    water = next(e for e in events if e["type"] == "heard" and e["text"].startswith("how much water"))
    assert water["t"] >= next(e["t"] for e in events if e["type"] == "heard" and e["text"] == "no")


def test_the_printed_transcript_is_in_time_order(tmp_path, capsys):
    script = tmp_path / "script.txt"
    script.write_text("start my daily stretches\nno\n@20 my leg has gone numb\n")
    assert main(["chat", "--script", str(script), *START]) == 0
    stamps = [float(line[1:line.index("s]")]) for line in capsys.readouterr().out.splitlines()]
    assert stamps == sorted(stamps)
