"""The synthesizer voice: real pyttsx3 audio, settings honoured, the espeak-ng program as fallback."""

from __future__ import annotations

import logging
import struct

import numpy as np
import pytest

from voicecare.errors import AudioError, BadInputError
from voicecare.speech import Voice
from voicecare.speech import pyttsx3_backend, tts
from voicecare.speech.tts import Backend

SENTENCE = "Lie on your back. Breathe in slowly."


def _rms(chunk) -> float:
    x = chunk.array().astype(float)
    return float(np.sqrt(np.mean(x**2)))


@pytest.fixture
def broken_pyttsx3(monkeypatch):
    """pyttsx3 cannot start: its init raises (as with a missing libespeak-ng)."""
    import pyttsx3

    def refuse(*args, **kwargs):
        raise RuntimeError("could not initialize espeak")

    monkeypatch.setattr(pyttsx3_backend, "_engine", None)
    monkeypatch.setattr(pyttsx3_backend, "_init_error", None)
    monkeypatch.setattr(pyttsx3, "init", refuse)


def test_produces_speech_of_plausible_duration_through_pyttsx3():
    voice = Voice()
    assert voice.backend is None
    chunk = voice.synthesize(SENTENCE)
    assert voice.backend is Backend.PYTTSX3
    assert voice.fallback_reason is None
    assert chunk.is_internal
    words = len(SENTENCE.split())
    assert 0.5 * words * 60 / 150 < chunk.seconds < 2.5 * words * 60 / 150
    assert _rms(chunk) > 500


def test_rate_is_applied_to_every_sentence_when_alternating():
    slow, fast = Voice(rate_wpm=100), Voice(rate_wpm=250)
    voices = [slow, fast] * 4
    durations = [v.synthesize(f"{SENTENCE} Round {i}.").seconds for i, v in enumerate(voices)]
    assert slow.backend is fast.backend is Backend.PYTTSX3
    for i in range(0, len(durations), 2):
        assert durations[i] > 1.8 * durations[i + 1], durations


def test_volume_scales_the_audio():
    loud_voice, quiet_voice = Voice(volume=1.0), Voice(volume=0.3)
    for _ in range(2):  # alternate, so a lost volume change would show
        loud = np.abs(loud_voice.synthesize(f"{SENTENCE} {_}").array()).max()
        quiet = np.abs(quiet_voice.synthesize(f"{SENTENCE} {_}").array()).max()
        assert quiet < 0.6 * loud
    assert quiet_voice.backend is Backend.PYTTSX3


def test_repeated_phrase_comes_from_the_cache():
    voice = Voice()
    first = voice.synthesize("Hold for thirty seconds.")
    again = voice.synthesize("Hold  for thirty seconds. ")
    assert again is first
    assert again.audio == first.audio


def test_cache_is_bounded():
    voice = Voice(cache_phrases=2)
    a = voice.synthesize("One.")
    voice.synthesize("Two.")
    voice.synthesize("Three.")
    b = voice.synthesize("One.")
    assert b is not a
    assert abs(b.seconds - a.seconds) < 0.02  # rendered again, with the same settings


def test_bad_settings_and_text():
    with pytest.raises(BadInputError):
        Voice(rate_wpm=5)
    with pytest.raises(BadInputError):
        Voice(volume=1.5)
    with pytest.raises(BadInputError):
        Voice().synthesize("   ")
    with pytest.raises(AudioError, match="unknown speech voice"):
        Voice(voice="zzznone").synthesize("hello")
    # an unknown voice leaves the engine usable with a real one
    assert Voice(voice="en-us").synthesize("hello there").seconds > 0.3


def test_twenty_consecutive_sentences_all_complete():
    voice = Voice(cache_phrases=0)
    seconds = []
    for i in range(20):
        words = "Breathe in. " * (1 + i % 4)
        chunk = voice.synthesize(f"{words} Number {i}.")
        assert voice.backend is Backend.PYTTSX3
        assert _rms(chunk) > 300
        seconds.append((1 + i % 4, chunk.seconds))
    short = [s for n, s in seconds if n == 1]
    long = [s for n, s in seconds if n == 4]
    assert min(long) > max(short)


def test_voices_on_several_threads_keep_their_own_rate():
    import threading

    seconds: dict[int, list[float]] = {}

    def speak(rate: int) -> None:
        voice = Voice(rate_wpm=rate, cache_phrases=0)
        seconds[rate] = [voice.synthesize(f"Breathe out slowly. Number {i}.").seconds for i in range(3)]

    threads = [threading.Thread(target=speak, args=(rate,)) for rate in (100, 250)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert min(seconds[100]) > 1.8 * max(seconds[250]), seconds


def test_driver_chatter_does_not_reach_stdout(capsys):
    Voice().synthesize("Nothing on the console, please.")
    print("our own line")
    out = capsys.readouterr().out
    assert "Audio saved to" not in out
    assert "our own line" in out


def test_fallback_to_the_program_when_pyttsx3_cannot_start(broken_pyttsx3, caplog):
    voice = Voice(rate_wpm=120)
    with caplog.at_level(logging.WARNING, logger="voicecare.speech.tts"):
        chunk = voice.synthesize(SENTENCE)
    assert voice.backend is Backend.ESPEAK_NG
    assert "could not initialize espeak" in voice.fallback_reason
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "could not initialize espeak" in warnings[0]
    assert _rms(chunk) > 500
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="voicecare.speech.tts"):
        voice.synthesize("A second sentence.")
    assert not [r for r in caplog.records if r.levelno == logging.WARNING]  # said once, not every time


def test_fallback_honours_rate_and_matches_pyttsx3_audio(monkeypatch):
    text = "Hold for thirty seconds."
    real = Voice(rate_wpm=130).synthesize(text)
    import pyttsx3

    monkeypatch.setattr(pyttsx3_backend, "_engine", None)
    monkeypatch.setattr(pyttsx3_backend, "_init_error", None)
    monkeypatch.setattr(pyttsx3, "init", lambda *a, **k: (_ for _ in ()).throw(OSError("no library")))
    voice = Voice(rate_wpm=130)
    fallback = voice.synthesize(text)
    assert voice.backend is Backend.ESPEAK_NG
    assert abs(fallback.seconds - real.seconds) < 0.05


def test_both_failing_gives_the_install_fix(broken_pyttsx3, monkeypatch):
    monkeypatch.setattr(tts.shutil, "which", lambda name: None)
    with pytest.raises(AudioError) as err:
        Voice().synthesize("Hello.")
    line = err.value.line()
    assert "apt-get install espeak-ng" in line
    assert "pyttsx3" in line and "could not initialize espeak" in line


def test_program_failure_is_reported_and_recoverable(broken_pyttsx3, monkeypatch):
    voice = Voice()
    real_run = tts.subprocess.run

    def broken(*args, **kwargs):
        return real_run(["sh", "-c", "echo 'out of memory' >&2; exit 3"], capture_output=True)

    monkeypatch.setattr(tts.subprocess, "run", broken)
    with pytest.raises(AudioError, match="espeak-ng") as err:
        voice.synthesize("This will fail.")
    assert "out of memory" in err.value.line()
    monkeypatch.setattr(tts.subprocess, "run", real_run)
    assert voice.synthesize("This will fail.").seconds > 0.3


def _wav(path, data: bytes, claimed: int | None = None) -> None:
    claimed = len(data) if claimed is None else claimed
    header = (b"RIFF" + struct.pack("<I", 36 + claimed) + b"WAVEfmt " +
              struct.pack("<IHHIIHH", 16, 1, 1, 22050, 44100, 2, 16) + b"data" + struct.pack("<I", claimed))
    path.write_bytes(header + data)


def test_wav_is_complete_only_when_its_header_matches_the_file(tmp_path):
    p = tmp_path / "x.wav"
    assert not pyttsx3_backend.wav_complete(p)  # not there yet
    _wav(p, b"", claimed=0)  # header written, no frames yet
    assert not pyttsx3_backend.wav_complete(p)
    _wav(p, b"\x01\x00" * 100, claimed=0)  # frames written, header not yet patched
    assert not pyttsx3_backend.wav_complete(p)
    _wav(p, b"\x01\x00" * 100)
    assert pyttsx3_backend.wav_complete(p)
