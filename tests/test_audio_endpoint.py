"""Endpointing real synthetic speech: boundaries near the truth, nothing from silence or steady noise."""

from __future__ import annotations

import numpy as np
import pytest

from voicecare.audio.chunk import RATE, AudioChunk
from voicecare.audio.endpoint import EndpointSettings, Endpointer


def _voiced_span(chunk: AudioChunk) -> tuple[float, float]:
    """Seconds from the chunk's start to the first and last 10 ms frame within 35 dB of its peak."""
    x = chunk.array().astype(float)
    frame = RATE // 100
    energy = (x[: len(x) // frame * frame].reshape(-1, frame) ** 2).mean(axis=1)
    loud = np.nonzero(energy > energy.max() * 10 ** -3.5)[0]
    return loud[0] * frame / RATE, (loud[-1] + 1) * frame / RATE


def _run(stream: AudioChunk, endpointer: Endpointer | None = None, block: float = 0.1):
    ep = endpointer or Endpointer()
    n = int(block * RATE) * 2
    found = []
    for i in range(0, len(stream.audio), n):
        found += ep.feed(AudioChunk(RATE, 2, 1, stream.audio[i : i + n]))
    return found + ep.flush()


def test_two_utterances_with_a_pause(voices):
    first = voices.speak("my hip is spasming", "slt")
    second = voices.speak("please start the stretches", "awb")
    stream = voices.conversation([1.0, first, 2.0, second, 1.0])
    a0, a1 = _voiced_span(first)
    b0, b1 = _voiced_span(second)
    truth = [(1.0 + a0, 1.0 + a1), (3.0 + first.seconds + b0, 3.0 + first.seconds + b1)]
    found = _run(stream)
    assert len(found) == 2
    for utt, (start, end) in zip(found, truth):
        assert utt.start == pytest.approx(start, abs=0.2)
        assert utt.end == pytest.approx(end, abs=0.35)
        # The audio keeps a little quiet either side of the speech, for the recognizer.
        pad = EndpointSettings().pad_seconds
        assert utt.audio.timestamp == pytest.approx(utt.start - pad)
        assert utt.audio.seconds == pytest.approx(utt.end - utt.start + 2 * pad)
        offset = int(round(utt.audio.timestamp * RATE))
        assert utt.audio.array()[:1000].tolist() == stream.array()[offset : offset + 1000].tolist()


def test_speech_in_noise_is_still_found(voices):
    speech = voices.speak("i need help with my hip", "rms")
    stream = voices.conversation([1.5, speech, 1.5])
    noisy = voices.mix(stream, voices.noise(stream.seconds, "pink", seed=2), snr_db=15)
    found = _run(noisy)
    assert len(found) == 1
    assert found[0].start == pytest.approx(1.5 + _voiced_span(speech)[0], abs=0.25)


@pytest.mark.parametrize("kind", ["white", "pink"])
@pytest.mark.parametrize("level", [0.003, 0.05, 0.3])
def test_steady_noise_gives_nothing(voices, kind, level):
    assert _run(voices.noise(6.0, kind, level=level, seed=1)) == []


def test_silence_gives_nothing():
    assert _run(AudioChunk.silence(5.0)) == []


def test_short_click_is_ignored():
    click = np.zeros(3 * RATE, dtype=np.int16)
    click[RATE : RATE + 80] = 20000
    assert _run(AudioChunk.from_array(click)) == []


def test_monologue_is_cut_at_the_maximum(voices):
    sentence = voices.speak("I have had trouble with my hip for a long time and it keeps on coming back", "rms")
    lo, hi = _voiced_span(sentence)
    voiced = AudioChunk.from_array(sentence.array()[int(lo * RATE) : int(hi * RATE)])
    stream = voices.conversation([voiced] * 8)
    assert stream.seconds > 25
    found = _run(stream, Endpointer(max_utterance_seconds=8.0))
    assert all(u.seconds <= 8.0 + 1e-6 for u in found)
    assert any(u.seconds == pytest.approx(8.0, abs=0.05) for u in found)
    covered = sum(u.seconds for u in found)
    assert covered > 0.8 * stream.seconds


def test_discard_drops_speech_and_keeps_the_clock(voices):
    speech = voices.speak("what can i take for the pain", "slt")
    ep = Endpointer()
    ep = Endpointer()
    ep.feed(AudioChunk.silence(1.0))
    ep.discard(voices.conversation([speech, 0.5]))
    assert not ep.in_speech
    after = ep.position
    assert after == pytest.approx(1.5 + speech.seconds, abs=0.03)
    found = ep.feed(voices.conversation([0.5, speech, 1.0])) + ep.flush()
    assert len(found) == 1
    assert found[0].start == pytest.approx(after + 0.5 + _voiced_span(speech)[0], abs=0.2)


def test_timestamps_follow_the_first_chunk(voices):
    speech = voices.speak("stop", "awb")
    stream = voices.conversation([1.0, speech, 1.0])
    stamped = AudioChunk(RATE, 2, 1, stream.audio, timestamp=100.0)
    ep = Endpointer()
    found = ep.feed(stamped) + ep.flush()
    assert len(found) == 1
    assert found[0].start == pytest.approx(101.0 + _voiced_span(speech)[0], abs=0.2)


def test_rejects_non_internal_audio():
    with pytest.raises(ValueError, match="convert"):
        Endpointer().feed(AudioChunk(44100, 2, 1, bytes(882)))


def test_settings_validation():
    with pytest.raises(ValueError):
        Endpointer(settings=EndpointSettings(max_utterance_seconds=0.1))


def _handed_over(stream: AudioChunk, settings: EndpointSettings) -> list[tuple[float, object]]:
    """(stream seconds when each utterance came out, the utterance), fed in 30 ms blocks as the loop does."""
    ep, n, out = Endpointer(settings=settings), int(0.03 * RATE) * 2, []
    for i in range(0, len(stream.audio), n):
        for utt in ep.feed(AudioChunk(RATE, 2, 1, stream.audio[i : i + n])):
            out.append(((i + n) / 2 / RATE, utt))
    return out


def test_quiet_after_speech_ends_the_utterance_sooner_than_the_vad_window(voices):
    speech = voices.speak("can I take ibuprofen", "rms")
    stream = voices.conversation([1.0, speech, 2.0])
    end = 1.0 + _voiced_span(speech)[1]
    quick = _handed_over(stream, EndpointSettings())
    slow = _handed_over(stream, EndpointSettings(end_quiet_seconds=None))
    assert len(quick) == len(slow) == 1
    assert quick[0][0] - end <= 0.35, "the quiet gate should end it about 0.25 s after the voice stops"
    assert slow[0][0] - end >= 0.4
    assert quick[0][1].end == pytest.approx(end, abs=0.1)
    assert quick[0][1].audio.seconds >= speech.seconds - 0.2, "all of the speech is handed to the recognizer"


def test_the_quiet_gate_end_leaves_the_next_utterance_intact(voices):
    first = voices.speak("pause", "slt")
    second = voices.speak("my leg has gone numb", "awb")
    stream = voices.conversation([1.0, first, 1.0, second, 1.5])
    found = [utt for _, utt in _handed_over(stream, EndpointSettings())]
    assert len(found) == 2
    assert found[1].start == pytest.approx(2.0 + first.seconds + _voiced_span(second)[0], abs=0.2)
    assert found[1].seconds == pytest.approx(_voiced_span(second)[1] - _voiced_span(second)[0], abs=0.3)
