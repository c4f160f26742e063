"""``voicecare doctor`` on real content, config, journal, voice and recognizer; fake PortAudio at the border."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from voicecare.config import reading as config_module
from voicecare import doctor
from voicecare.audio import devices
from voicecare.cli import main
from voicecare.content.loader import DEFAULT_CONTENT_DIR
from voicecare.doctor import CHECKS, Status

DEVICES = [
    {"name": "USB PnP Sound Device: Audio", "max_input_channels": 1, "max_output_channels": 0, "default_samplerate": 16000.0},
    {"name": "USB Speaker", "max_input_channels": 0, "max_output_channels": 2, "default_samplerate": 16000.0},
]


class FakePortAudioError(Exception):
    pass


class FakeInputStream:
    """Delivers one second of a sine wave at ``amplitude`` (0-1 of full scale) when started."""

    amplitude = 0.3

    def __init__(self, *, samplerate, blocksize, callback, **kwargs):
        self.rate, self.blocksize, self.callback = samplerate, blocksize, callback
        self.active = False

    def start(self):
        self.active = True
        t = np.arange(int(self.rate * 1.2)) / self.rate
        wave = (self.amplitude * 32767 * np.sin(2 * np.pi * 440 * t)).astype("<i2")
        for i in range(0, len(wave), self.blocksize):
            self.callback(wave[i : i + self.blocksize].tobytes(), self.blocksize, None, None)

    def close(self):
        self.active = False


class FakeOutputStream:
    written: list[bytes] = []

    def __init__(self, **kwargs):
        pass

    def start(self):
        pass

    def write(self, data: bytes):
        FakeOutputStream.written.append(bytes(data))

    def abort(self):
        pass

    def close(self):
        pass


@pytest.fixture
def sound(monkeypatch):
    """Install a fake sounddevice with the given devices."""
    FakeOutputStream.written = []

    def install(device_list=DEVICES, amplitude=0.3):
        FakeInputStream.amplitude = amplitude
        sd = SimpleNamespace(
            PortAudioError=FakePortAudioError,
            query_devices=lambda: device_list,
            default=SimpleNamespace(device=(0, 1)),
            check_input_settings=lambda **kw: None,
            check_output_settings=lambda **kw: None,
            RawInputStream=lambda **kw: FakeInputStream(**kw),
            RawOutputStream=lambda **kw: FakeOutputStream(**kw),
        )
        monkeypatch.setattr(devices, "_sd", lambda: sd)
        return sd

    return install


@pytest.fixture
def setup(tmp_path: Path, monkeypatch):
    """A config file in a scratch folder; the machine's own config files are not read."""
    monkeypatch.setattr(config_module, "SYSTEM_CONFIG", tmp_path / "absent-system.toml")
    monkeypatch.setattr(config_module, "USER_CONFIG", tmp_path / "absent-user.toml")
    monkeypatch.delenv("VOICECARE_MODELS_DIR", raising=False)

    def write(extra: str = "", data_dir: Path | None = None) -> Path:
        path = tmp_path / "config.toml"
        path.write_text(f'[paths]\ndata_dir = "{data_dir or tmp_path / "data"}"\n{extra}')
        return path

    return write


def _doctor(capsys, config: Path, *flags: str) -> tuple[int, str]:
    code = main(["--config", str(config), "doctor", *flags])
    return code, capsys.readouterr().out


def _report(capsys, config: Path, *flags: str) -> tuple[int, dict]:
    code, out = _doctor(capsys, config, "--json", *flags)
    return code, json.loads(out)


def _check(report: dict, name: str) -> dict:
    return next(c for c in report["checks"] if c["name"] == name)


@pytest.mark.speech
def test_everything_working_exits_zero_with_one_line_per_check(capsys, setup, sound, voices) -> None:
    sound()
    code, out = _doctor(capsys, setup(), "--play")
    lines = out.splitlines()
    assert code == 0, out
    assert [line.split()[1] for line in lines[:-1]] == list(CHECKS)
    assert all(line.startswith(("✓", "!")) for line in lines[:-1])
    assert "'USB PnP Sound Device: Audio' records" in out
    assert FakeOutputStream.written, "--play did not play the chime"
    assert lines[-1].startswith("Ready")


@pytest.mark.speech
def test_json_shape_and_measured_figures(capsys, setup, sound, voices) -> None:
    sound(amplitude=0.3)
    code, report = _report(capsys, setup())
    assert code == 0 and report["ok"] is True
    assert [c["name"] for c in report["checks"]] == list(CHECKS)
    for check in report["checks"]:
        assert set(check) == {"name", "status", "detail", "fix", "values"}
        assert check["status"] in ("ok", "warn", "fail")
    mic = _check(report, "microphone")["values"]
    expected = 20 * np.log10(0.3 / np.sqrt(2))  # RMS of a sine wave
    assert abs(mic["rms_dbfs"] - expected) < 0.5
    recognizer = _check(report, "recognizer")
    assert recognizer["status"] == "ok", recognizer
    assert recognizer["values"]["engine"] == "pocketsphinx"
    assert recognizer["values"]["load_seconds"] > 0
    assert _check(report, "tts")["values"]["audio_seconds"] > 1.0


def test_no_sound_card_fails_with_the_fixes(capsys, setup, sound) -> None:
    sound([])
    code, out = _doctor(capsys, setup(), "--only", "microphone,speaker")
    assert code == 1
    assert f"✗ microphone  no microphone found — {devices.NO_MIC_FIX}" in out
    assert f"✗ speaker     no speaker found — {devices.NO_SPEAKER_FIX}" in out
    assert out.splitlines()[-1] == "Not ready: fix microphone, speaker."


def test_a_silent_microphone_is_a_warning(capsys, setup, sound) -> None:
    sound(amplitude=0.0)
    code, report = _report(capsys, setup(), "--only", "microphone")
    mic = _check(report, "microphone")
    assert code == 0
    assert mic["status"] == "warn" and "silent" in mic["detail"] and "alsamixer" in mic["fix"]
    assert mic["values"]["rms_dbfs"] is None


def test_a_named_microphone_that_is_not_there(capsys, setup, sound) -> None:
    sound()
    code, report = _report(capsys, setup('[audio]\ninput_device = "Blue Yeti"\n'), "--only", "microphone")
    mic = _check(report, "microphone")
    assert code == 1 and mic["status"] == "fail"
    assert "'Blue Yeti'" in mic["detail"] and "USB PnP" in mic["detail"]


def test_bad_content_names_file_and_fix(capsys, setup, tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, content)
    answers = content / "answers.toml"
    answers.write_text(answers.read_text() + '\n[answers."relief.cold"]\nsya = ["Oops."]\n')
    code, out = _doctor(capsys, setup(f'content_dir = "{content}"\n'), "--only", "content")
    line = next(line for line in out.splitlines() if " content " in line)
    assert code == 1
    assert line.startswith("✗") and "answers.toml" in line and " — " in line


def test_every_config_mistake_gets_its_own_line(capsys, setup) -> None:
    config = setup('[audio]\nvolume = 3\n[speech]\nengine = "banana"\n')
    code, report = _report(capsys, config, "--only", "disk")
    problems = [c for c in report["checks"] if c["name"] == "config"]
    assert code == 1
    assert len(problems) == 2 and all(c["status"] == "fail" and c["fix"] for c in problems)
    assert any("volume" in c["detail"] for c in problems) and any("engine" in c["detail"] for c in problems)
    assert _check(report, "disk")["status"] == "ok"  # the other checks still run, on the defaults


def test_a_missing_config_file_is_reported(capsys, setup, tmp_path: Path) -> None:
    setup()
    code, out = _doctor(capsys, tmp_path / "nope.toml", "--only", "disk")
    assert code == 1
    assert "✗ config" in out and "not found" in out


def test_a_damaged_journal_is_moved_aside_and_only_warned_about(capsys, setup, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "journal.sqlite3").write_bytes(b"this is not a database" * 400)
    code, report = _report(capsys, setup(), "--only", "journal")
    journal = _check(report, "journal")
    assert code == 0
    assert journal["status"] == "warn" and "moved aside" in journal["detail"]
    assert journal["fix"].startswith("nothing to do")
    assert list(data.glob("journal.sqlite3.corrupt-*"))


def test_a_journal_that_cannot_be_written_fails(capsys, setup, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the data folder should be")
    code, report = _report(capsys, setup(data_dir=blocker / "data"), "--only", "journal")
    journal = _check(report, "journal")
    assert code == 1
    assert journal["status"] == "fail" and "cannot be opened" in journal["detail"] and journal["fix"]


def test_vosk_chosen_without_a_model_fails_with_the_install_command(capsys, setup, tmp_path: Path) -> None:
    empty = tmp_path / "models"
    empty.mkdir()
    config = setup(f'[speech]\nengine = "vosk"\nmodel_dir = "{empty}"\n')
    code, out = _doctor(capsys, config, "--only", "recognizer")
    line = next(line for line in out.splitlines() if "recognizer" in line)
    assert code == 1
    assert line.startswith("✗") and "no Vosk model" in line and "`voicecare model install`" in line


@pytest.mark.parametrize("free_mb, status", [(4, Status.FAIL), (50, Status.WARN), (500, Status.OK)])
def test_disk_space_thresholds(setup, free_mb: int, status: Status) -> None:
    config = config_module.load_config(setup())
    result = doctor.check_disk(config, usage=lambda path: SimpleNamespace(free=free_mb * 1024 * 1024))
    assert result.status is status
    assert f"{free_mb} MB free" in result.detail
    assert (result.fix != "") == (status is not Status.OK)


def test_an_unknown_check_name_is_a_usage_error(capsys, setup) -> None:
    assert main(["--config", str(setup()), "doctor", "--only", "micro"]) == 2
    assert "unknown check 'micro'" in capsys.readouterr().err


def test_doctor_reports_the_room_noise_and_warns_when_it_is_loud(capsys, setup, sound) -> None:
    sound(amplitude=0.3)  # a steady tone as loud as a television next to the microphone
    code, report = _report(capsys, setup(), "--only", "microphone")
    mic = _check(report, "microphone")
    assert code == 0
    assert mic["status"] == "warn" and "room noise" in mic["detail"] and "loud" in mic["detail"]
    assert "television" in mic["fix"]
    assert abs(mic["values"]["noise_floor_dbfs"] - 20 * np.log10(0.3 / np.sqrt(2))) < 1.0
    sound(amplitude=0.0005)  # a quiet room
    code, report = _report(capsys, setup(), "--only", "microphone")
    mic = _check(report, "microphone")
    assert mic["status"] == "ok" and "quiet" in mic["detail"], mic
