"""A journal on a read-only file: doctor finds it by writing, and run/chat say so rather than lose records quietly.

Tests run as root, which ignores permission bits, so the file is made immutable (``chattr +i``),
which stops root too; the fixture checks that writing really fails before any test relies on it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from voicecare.config import reading as config_module
from voicecare.audio.chunk import RATE, AudioChunk
from voicecare.audio.wav import write_wav
from voicecare.cli import main
from voicecare.content.texts import load_texts
from voicecare.journal import Journal

WHEN = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
NOTICE = load_texts().prompt("journal_unwritable")


def _writable(path: Path) -> bool:
    try:
        os.close(os.open(path, os.O_RDWR))
    except PermissionError:
        return False
    return True


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch):
    """A data folder whose journal exists and cannot be written, even by root; restored afterwards."""
    monkeypatch.setattr(config_module, "SYSTEM_CONFIG", tmp_path / "absent-system.toml")
    monkeypatch.setattr(config_module, "USER_CONFIG", tmp_path / "absent-user.toml")
    data = tmp_path / "data"
    path = data / "journal.sqlite3"
    with Journal.open(path) as journal:
        journal.record("episode", {"muscle": "glute", "side": "left"}, WHEN)
    for leftover in data.glob("journal.sqlite3-*"):
        leftover.unlink()
    root = os.geteuid() == 0
    if root:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
            pytest.skip("cannot make a file read-only for root here (chattr +i is not supported)")
    else:
        path.chmod(0o444)
    try:
        assert not _writable(path), "the journal file is still writable"
        yield data
    finally:
        if root:
            subprocess.run(["chattr", "-i", str(path)], check=False)
        else:
            path.chmod(0o644)


def _config(tmp_path: Path, data: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f'[paths]\ndata_dir = "{data}"\n')
    return config


def test_the_journal_reports_a_read_only_file_before_anything_is_lost(data_dir: Path) -> None:
    with Journal.open(data_dir / "journal.sqlite3") as journal:
        problem = journal.health()
        assert problem is not None and "is read-only" in problem and "writable" in problem.split(" — ")[1]
        assert not journal.failing and journal.unwritten == 0
        journal.record("episode", {"muscle": "glute", "side": "left"}, WHEN)
        assert journal.failing and journal.unwritten == 1


def test_a_healthy_journal_passes_the_write_check_and_keeps_no_trace_of_it(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "journal.sqlite3") as journal:
        assert journal.health() is None
        assert journal.get_state("_write_probe") is None and not journal.failing


def test_doctor_fails_the_journal_check_and_says_what_to_fix(tmp_path: Path, data_dir: Path, capsys) -> None:
    code = main(["--config", str(_config(tmp_path, data_dir)), "doctor", "--json", "--only", "journal"])
    journal = next(c for c in json.loads(capsys.readouterr().out)["checks"] if c["name"] == "journal")
    assert code == 1 and journal["status"] == "fail"
    assert "is read-only" in journal["detail"] and "attempt to write a readonly database" in journal["detail"]
    assert "writable" in journal["fix"] and "data_dir" in journal["fix"]


def test_chat_says_once_that_it_cannot_keep_its_journal_and_exits_1(tmp_path: Path, data_dir: Path, capsys) -> None:
    script = tmp_path / "script.txt"
    script.write_text("my left glute is cramping\nhow much water should I drink\nmy hip flexor is in spasm\nright\n")
    code = main(["--config", str(_config(tmp_path, data_dir)), "chat", "--journal", "--json",
                 "--script", str(script), "--start", "2026-11-23T10:00"])
    out, err = capsys.readouterr()
    events = [json.loads(line) for line in out.splitlines()]
    told = [e for e in events if e["type"] == "say" and e["text"] == NOTICE]
    assert len(told) == 1  # once, however many records fail
    assert code == 1
    assert err.strip().splitlines()[-1].startswith("Error: ")
    line = err.strip().splitlines()[-1]
    assert "could not be kept" in line and "is read-only" in line and " — " in line
    # said when the assistant was free, not in the middle of the relief flow it was running
    asked = [e["t"] for e in events if e["type"] == "say" and "0 to 10" in e["text"]]
    assert asked and told[0]["t"] > asked[0]


def test_an_escalation_is_never_interrupted_by_the_notice(tmp_path: Path, data_dir: Path, capsys) -> None:
    script = tmp_path / "script.txt"
    script.write_text("my leg has gone numb\n")
    code = main(["--config", str(_config(tmp_path, data_dir)), "chat", "--journal", "--json",
                 "--script", str(script), "--start", "2026-11-23T10:00"])
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    said = [e for e in events if e["type"] == "say"]
    assert code == 1 and "medical help" in said[0]["text"]
    notice = next(i for i, e in enumerate(said) if e["text"] == NOTICE)
    assert notice > 0 and said[notice]["t"] >= said[notice - 1]["t"] + said[notice - 1].get("seconds", 0)
    assert all(e["text"] != NOTICE for e in said[:notice])


@pytest.mark.speech
def test_run_on_real_speech_says_it_aloud_once_and_exits_1(tmp_path: Path, data_dir: Path, voices, capsys) -> None:
    speech = voices.speak("hey care how much water should I drink")
    samples = np.concatenate([np.zeros(RATE // 2, dtype=np.int16), speech.array(), np.zeros(4 * RATE, dtype=np.int16)])
    wav_in, events_path = tmp_path / "in.wav", tmp_path / "events.jsonl"
    write_wav(wav_in, AudioChunk.from_array(samples))
    code = main(["--config", str(_config(tmp_path, data_dir)), "run", "--input", str(wav_in),
                 "--output", str(tmp_path / "out.wav"), "--events", str(events_path)])
    events = [json.loads(line) for line in events_path.read_text().splitlines()]
    said = [e["text"] for e in events if e["type"] == "say"]
    assert said.count(NOTICE) == 1 and said.index(NOTICE) > 0  # after the answer, not over it
    assert any("water" in text.lower() for text in said[:said.index(NOTICE)])
    assert code == 1
    err = capsys.readouterr().err
    assert "could not be kept" in err and "is read-only" in err
