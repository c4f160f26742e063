"""The synthesizer voice: real espeak-ng audio, settings honoured, failures reported clearly."""

from __future__ import annotations

import numpy as np
import pytest

from voicecare.errors import AudioError, BadInputError
from voicecare.speech import Voice

SENTENCE = "Lie on your back. Breathe in slowly."


def test_produces_speech_of_plausible_duration():
    chunk = Voice().synthesize(SENTENCE)
    assert chunk.is_internal
    words = len(SENTENCE.split())
    assert 0.5 * words * 60 / 150 < chunk.seconds < 2.5 * words * 60 / 150
    x = chunk.array().astype(float)
    assert np.sqrt(np.mean(x**2)) > 500


def test_rate_changes_duration_even_when_alternating():
    slow, fast = Voice(rate_wpm=100), Voice(rate_wpm=250)
    durations = [v.synthesize(f"{SENTENCE} Round {i}.").seconds for i, v in enumerate([slow, fast, slow, fast])]
    assert durations[0] > 1.8 * durations[1]
    assert durations[2] > 1.8 * durations[3]


def test_volume_scales_the_audio():
    loud = np.abs(Voice(volume=1.0).synthesize(SENTENCE).array()).max()
    quiet = np.abs(Voice(volume=0.3).synthesize(SENTENCE).array()).max()
    assert quiet < 0.6 * loud


def test_repeated_phrase_comes_from_the_cache():
    voice = Voice()
    first = voice.synthesize("Hold for thirty seconds.")
    assert voice.synthesize("Hold  for thirty seconds. ") is first


def test_cache_is_bounded():
    voice = Voice(cache_phrases=2)
    a = voice.synthesize("One.")
    voice.synthesize("Two.")
    voice.synthesize("Three.")
    assert voice.synthesize("One.") is not a


def test_bad_settings_and_text():
    with pytest.raises(BadInputError):
        Voice(rate_wpm=5)
    with pytest.raises(BadInputError):
        Voice(volume=1.5)
    with pytest.raises(BadInputError):
        Voice().synthesize("   ")
    with pytest.raises(AudioError, match="unknown speech voice"):
        Voice(voice="zzznone").synthesize("hello")


def test_synthesizer_failure_is_an_audio_error_and_recoverable(monkeypatch):
    from voicecare.speech import tts

    voice = Voice()
    real_run = tts.subprocess.run

    def broken(*args, **kwargs):
        return real_run(["sh", "-c", "echo 'out of memory' >&2; exit 3"], capture_output=True)

    monkeypatch.setattr(tts.subprocess, "run", broken)
    with pytest.raises(AudioError, match="espeak-ng") as err:
        voice.synthesize("This will fail.")
    assert "out of memory" in err.value.line()
    monkeypatch.undo()
    assert voice.synthesize("This will fail.").seconds > 0.3


def test_missing_synthesizer_says_how_to_install(monkeypatch):
    from voicecare.speech import tts

    monkeypatch.setattr(tts.shutil, "which", lambda name: None)
    with pytest.raises(AudioError, match="apt-get install espeak-ng"):
        Voice().synthesize("Hello.")
