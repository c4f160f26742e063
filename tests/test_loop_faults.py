"""The loop keeps going through device and synthesis faults, and keeps time on the real clock."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from voicecare.audio.chunk import RATE, AudioChunk
from voicecare.audio.files import FileMicrophone
from voicecare.audio.wav import write_wav
from voicecare.cli import main
from voicecare.commands._common import config_from
from voicecare.errors import AudioError
from voicecare.runtime.assemble import LoopOptions, assemble
from voicecare.runtime.eventlog import EventLog

pytestmark = pytest.mark.speech


def _conversation(voices, tmp_path: Path, parts: list) -> Path:  # noqa: ANN001
    audio = voices.conversation(parts)
    path = tmp_path / "in.wav"
    write_wav(path, audio)
    return path


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[paths]\ndata_dir = "{tmp_path / "data"}"\n[safety]\nemergency_number = "999"\n')
    return path


class FlakyMicrophone:
    """A file microphone that is unplugged at ``fail_at`` seconds and refuses to reopen ``refusals`` times."""

    def __init__(self, inner: FileMicrophone, fail_at: float, refusals: int) -> None:
        self.inner = inner
        self.fail_at = fail_at
        self.refusals = refusals
        self.failed = False
        self.opens = 0

    def read(self, timeout: float | None = None) -> AudioChunk | None:
        block = self.inner.read(timeout)
        if block is not None and not self.failed and block.timestamp >= self.fail_at:
            self.failed = True
            raise AudioError("microphone disconnected", "plug it back in")
        return block

    def open(self) -> None:
        self.opens += 1
        if self.opens <= self.refusals:
            raise AudioError("no microphone found", "plug in a USB microphone")

    def close(self) -> None:
        pass


class FlakyVoice:
    """Synthesis fails on the first call only, as a busy sound server might."""

    def __init__(self, inner) -> None:  # noqa: ANN001
        self.inner = inner
        self.calls = 0

    def synthesize(self, text: str) -> AudioChunk:
        self.calls += 1
        if self.calls == 1:
            raise AudioError("speech synthesis failed", "apt-get install espeak-ng")
        return self.inner.synthesize(text)


def _args(tmp_path: Path):  # noqa: ANN202
    class Args:
        config = str(_config(tmp_path))
    return Args()


def test_an_unplugged_microphone_is_reopened_and_the_red_flag_after_it_still_heard(voices, tmp_path: Path) -> None:  # noqa: ANN001
    wav = _conversation(voices, tmp_path, [
        1.0, voices.speak("hey care how much water should I drink"), 6.0,
        voices.speak("my leg has gone numb", "awb"), 2.0,
    ])
    log = EventLog(keep=True)
    loop, _ = assemble(config_from(_args(tmp_path)), LoopOptions(input=str(wav)), log)
    flaky = FlakyMicrophone(loop.p.microphone, fail_at=5.0, refusals=2)
    loop.p.microphone = flaky
    flaky_voice = FlakyVoice(loop.p.voice)
    loop.p.voice = flaky_voice
    loop.run()
    assert flaky.failed and flaky.opens == 3
    intents = [e["intent"] for e in log.events if e["type"] == "understood"]
    assert intents == ["relief.hydration", "redflag.numbness"]
    assert [e["severity"] for e in log.events if e["type"] == "escalate"] == ["urgent"]
    assert flaky_voice.calls > 2, "speech stopped after one synthesis failure"


def test_realtime_event_times_count_from_the_first_sample(voices, tmp_path: Path) -> None:  # noqa: ANN001
    speech = voices.speak("hey care should I use ice")
    wav = _conversation(voices, tmp_path, [2.0, speech, 3.0])
    events = tmp_path / "events.jsonl"
    assert main(["--config", str(_config(tmp_path)), "run", "--input", str(wav), "--events", str(events),
                 "--realtime"]) == 0
    heard = [json.loads(line) for line in events.read_text().splitlines() if '"heard"' in line]
    assert len(heard) == 1
    assert abs(heard[0]["start"] - 2.0) < 0.35
    assert abs(heard[0]["end"] - (2.0 + speech.seconds)) < 0.5
    assert heard[0]["t"] >= heard[0]["end"]


def test_a_corrupt_input_wav_is_one_clear_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunkjunk")
    assert main(["--config", str(_config(tmp_path)), "run", "--input", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Error:") and "bad.wav" in err[0]


def test_silence_and_noise_never_make_the_assistant_speak(voices, tmp_path: Path) -> None:  # noqa: ANN001
    noise = voices.noise(20.0, kind="pink", level=0.05, seed=3)
    path = tmp_path / "noise.wav"
    quiet = np.zeros(int(5 * RATE), dtype=np.int16)
    write_wav(path, AudioChunk.from_array(np.concatenate([quiet, noise.array(), quiet])))
    events = tmp_path / "events.jsonl"
    assert main(["--config", str(_config(tmp_path)), "run", "--input", str(path), "--events", str(events),
                 "--wake", "off"]) == 0
    kinds = [json.loads(line)["type"] for line in events.read_text().splitlines()]
    assert "escalate" not in kinds and "session" not in kinds


class OnceBrokenSpeaker:
    """A speaker whose sound server restarted: the next play() reports the earlier failure, once."""

    def __init__(self) -> None:
        self.played: list[AudioChunk] = []
        self.pending_error = True
        self.speaking = False

    def play(self, chunk: AudioChunk) -> None:
        if self.pending_error:
            self.pending_error = False
            raise AudioError("speaker 'default' failed (stream lost)", "check the speaker")
        self.played.append(chunk)

    def stop(self) -> None:
        pass

    def close(self) -> None:
        pass


def test_a_sentence_is_not_lost_when_the_speaker_reports_an_earlier_failure() -> None:
    from voicecare.runtime.output import DeviceOutput

    speaker = OnceBrokenSpeaker()
    output = DeviceOutput(speaker)
    urgent = AudioChunk.silence(1.0)
    output.play(urgent, 0.0)
    assert speaker.played == [urgent]
