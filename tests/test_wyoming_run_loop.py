"""``voicecare run`` on files with ``engine = "wyoming"``: real speech through the real loop, recognized by
voicecare's asr service in another process, and by the local recognizer alone when that service is gone."""

from __future__ import annotations

import json

import pytest

from tests.wyoming_peers import free_port, start_cli_service, stop, write_config
from voicecare.audio.wav import write_wav
from voicecare.cli import main

pytestmark = pytest.mark.speech


def _run(tmp_path, voices, port: int, name: str) -> list[dict]:
    (tmp_path / name).mkdir()
    config = write_config(tmp_path / name,
                          f'[speech]\nengine = "wyoming"\n[wyoming]\nasr_uri = "tcp://127.0.0.1:{port}"\n'
                          'timeout_seconds = 20.0\n')
    speech = voices.conversation([1.0, voices.speak("my leg has gone numb"), 3.0])
    wav, events = tmp_path / f"{name}.wav", tmp_path / f"{name}.jsonl"
    write_wav(wav, speech)
    assert main(["--config", str(config), "run", "--input", str(wav), "--events", str(events), "--wake", "off"]) == 0
    return [json.loads(line) for line in events.read_text().splitlines()]


def _escalated(events: list[dict]) -> list[tuple[str, str]]:
    return [(e["severity"], e["flag"]) for e in events if e["type"] == "escalate"]


def test_a_red_flag_through_the_remote_recognizer_and_without_it(tmp_path, voices, caplog):
    port = free_port()
    server = start_cli_service(tmp_path, port)
    try:
        events = _run(tmp_path, voices, port, "remote")
    finally:
        stop(server)
    assert _escalated(events) == [("urgent", "redflag.numbness")]
    assert "failed" not in caplog.text

    events = _run(tmp_path, voices, port, "fallback")  # the service is gone: the local recognizer hears it
    assert _escalated(events) == [("urgent", "redflag.numbness")]
    assert "remote speech recognition" in caplog.text and "failed" in caplog.text
