"""``voicecare run`` without its devices names every missing one at once, and points to ``make chat``."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from voicecare.config import reading as config_module
from voicecare.audio import devices
from voicecare.cli import main

MIC = {"name": "USB PnP Sound Device", "max_input_channels": 1, "max_output_channels": 0, "default_samplerate": 16000.0}
SPEAKER = {"name": "bcm2835 Headphones", "max_input_channels": 0, "max_output_channels": 2, "default_samplerate": 48000.0}


class FakeInputStream:
    """A microphone stream that opens, and records whether it was closed again."""

    opened: list["FakeInputStream"] = []

    def __init__(self, **kwargs) -> None:
        self.closed = False
        FakeInputStream.opened.append(self)

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def sound_cards(tmp_path, monkeypatch):
    """PortAudio (the hardware border) reporting the given devices; the machine's config kept out."""
    monkeypatch.setattr(config_module, "SYSTEM_CONFIG", tmp_path / "absent-system.toml")
    monkeypatch.setattr(config_module, "USER_CONFIG", tmp_path / "absent-user.toml")
    FakeInputStream.opened.clear()

    def install(*found: dict) -> None:
        inputs = [i for i, d in enumerate(found) if d["max_input_channels"]]
        outputs = [i for i, d in enumerate(found) if d["max_output_channels"]]
        sd = SimpleNamespace(
            PortAudioError=OSError, query_devices=lambda: list(found),
            default=SimpleNamespace(device=(inputs[0] if inputs else -1, outputs[0] if outputs else -1)),
            check_input_settings=lambda **kw: None, RawInputStream=FakeInputStream)
        monkeypatch.setattr(devices, "_sd", lambda: sd)

    return install


def test_no_devices_names_both_and_points_to_chat(sound_cards, capsys):
    sound_cards()
    assert main(["run"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("Error: no microphone found; no speaker found — ")
    assert "plug in a USB microphone and connect a speaker or headphones, then run `voicecare devices`" in err
    assert "`make chat`" in err


def test_only_the_missing_microphone_is_named(sound_cards, capsys):
    sound_cards(SPEAKER)
    assert main(["run"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: no microphone found — ") and "speaker" not in err and "`make chat`" in err


def test_only_the_missing_speaker_is_named_and_the_microphone_is_released(sound_cards, capsys):
    sound_cards(MIC)
    assert main(["run"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: no speaker found — ") and "microphone" not in err.split(" — ")[0]
    assert "`make chat`" in err
    assert len(FakeInputStream.opened) == 1 and FakeInputStream.opened[0].closed
