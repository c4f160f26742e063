"""The synthetic test speakers produce real, cached, correctly formatted speech."""

from __future__ import annotations

import numpy as np
import pytest

from voicecare.audio.chunk import RATE, AudioChunk
from voicecare.errors import AudioError, BadInputError


@pytest.mark.parametrize(
    "voice", ["slt", "awb", "rms", "kal", "espeak:en-us", "espeak:en", "festival:slt-hts", "festival:kal", "piper:joe"]
)
def test_every_voice_speaks_internal_format(voices, voice):
    chunk = voices.speak("please start my stretches", voice)
    assert chunk.is_internal
    assert 0.8 < chunk.seconds < 4.0
    assert np.abs(chunk.array()).max() > 3000


def test_speak_is_cached_on_disk(voices, tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECARE_TESTVOICE_CACHE", str(tmp_path))
    first = voices.speak("my hip hurts", "kal")
    files = list(tmp_path.glob("kal-*.wav"))
    assert len(files) == 1
    assert voices.speak("my hip hurts", "kal").audio == first.audio


def test_different_voices_sound_different(voices):
    a = voices.speak("hello there", "slt").array()
    b = voices.speak("hello there", "awb").array()
    assert len(a) != len(b) or not np.array_equal(a, b)


def test_unknown_voice_is_clear(voices):
    with pytest.raises(BadInputError, match="unknown test voice"):
        voices.speak("hi", "nobody")


def test_missing_synthesizer_says_how_to_install(voices, monkeypatch, tmp_path):
    monkeypatch.setenv("VOICECARE_TESTVOICE_CACHE", str(tmp_path))
    monkeypatch.setattr(voices.shutil, "which", lambda name: None)
    with pytest.raises(AudioError, match="apt-get install flite"):
        voices.speak("hello", "slt")


def test_mix_hits_requested_snr(voices):
    speech = voices.speak("turn on my reminders", "rms")
    noisy = voices.mix(speech, voices.noise(1.0, "white", seed=3), snr_db=6.0)
    assert noisy.seconds == pytest.approx(speech.seconds)
    residual = noisy.array().astype(float) - speech.array().astype(float)
    s_level = voices.active_level(speech) * 32768
    snr = 20 * np.log10(s_level / np.sqrt(np.mean(residual**2)))
    assert snr == pytest.approx(6.0, abs=0.3)


def test_noise_levels_and_colour(voices):
    white = voices.noise(2.0, "white", level=0.1, seed=1).array() / 32768
    pink = voices.noise(2.0, "pink", level=0.1, seed=1).array() / 32768
    assert np.sqrt(np.mean(white**2)) == pytest.approx(0.1, rel=0.02)
    assert np.sqrt(np.mean(pink**2)) == pytest.approx(0.1, rel=0.02)
    low = lambda x: np.abs(np.fft.rfft(x)[: len(x) // 16]).mean()  # below 500 Hz
    high = lambda x: np.abs(np.fft.rfft(x)[len(x) // 4 :]).mean()  # above 2 kHz
    assert low(pink) / high(pink) > 3 * low(white) / high(white)


def test_fan_noise_is_a_low_rumble_with_a_hum(voices):
    fan = voices.noise(2.0, "fan", level=0.1, seed=2).array() / 32768
    assert np.sqrt(np.mean(fan**2)) == pytest.approx(0.1, rel=0.02)
    spectrum = np.abs(np.fft.rfft(fan))
    bins_per_hz = len(fan) / RATE
    hum = spectrum[int(98 * bins_per_hz) : int(102 * bins_per_hz)].max()
    assert hum > 10 * np.median(spectrum[: int(1000 * bins_per_hz)])
    assert spectrum[: len(spectrum) // 16].mean() > 5 * spectrum[len(spectrum) // 4 :].mean()


def test_babble_is_speech_like_and_repeatable(voices):
    a = voices.babble(2.0, talkers=3, seed=5)
    b = voices.babble(2.0, talkers=3, seed=5)
    assert a.samples == 2 * RATE
    assert a.audio == b.audio
    assert voices.babble(2.0, talkers=3, seed=6).audio != a.audio


def test_conversation_places_parts_in_order(voices):
    s = voices.speak("hello", "slt")
    conv = voices.conversation([s, 1.5, s])
    assert conv.samples == 2 * s.samples + int(1.5 * RATE)
    x = conv.array()
    assert np.all(x[s.samples : s.samples + int(1.5 * RATE)] == 0)
    assert np.array_equal(x[-s.samples :], s.array())
    with pytest.raises(ValueError):
        voices.conversation([AudioChunk(rate=8000, width=2, channels=1, audio=b"\0\0")])


def test_far_field_is_quieter_and_rings_on(voices):
    speech = voices.speak("my leg has gone numb", "rms")
    far = voices.far_field(speech)
    assert far.samples == speech.samples + int(voices.FAR_TAIL_SECONDS * RATE)
    assert 20 * np.log10(voices.active_level(speech) / voices.active_level(far)) == pytest.approx(15.0, abs=1.5)
    frame = RATE // 100

    def last_loud(chunk: AudioChunk) -> float:
        x = chunk.array().astype(float)
        level = 10 * np.log10((x[: len(x) // frame * frame].reshape(-1, frame) ** 2).mean(axis=1) + 1e-9)
        return (np.flatnonzero(level >= level.max() - 35)[-1] + 1) * frame / RATE

    assert 0.15 < last_loud(far) - last_loud(speech) < voices.FAR_TAIL_SECONDS  # the room's tail after the voice
