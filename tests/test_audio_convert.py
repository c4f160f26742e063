"""The conversion border keeps duration and pitch, in one shot and streaming."""

from __future__ import annotations

import numpy as np
import pytest

from voicecare.audio.chunk import RATE
from voicecare.audio.convert import Converter, from_float, to_internal


def _peak_hz(x: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / rate)[np.argmax(spectrum)])


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
@pytest.mark.parametrize("channels", [1, 2])
def test_to_internal_keeps_duration_and_frequency(rate, channels):
    seconds, freq = 2.0, 1000.0
    t = np.arange(int(rate * seconds)) / rate
    tone = np.repeat((0.4 * np.sin(2 * np.pi * freq * t))[:, None], channels, axis=1)
    out = to_internal(from_float(tone, rate, 2))
    assert out.is_internal
    assert abs(out.samples - seconds * RATE) <= 2
    assert _peak_hz(out.array() / 32768, RATE) == pytest.approx(freq, abs=2.0)
    assert np.abs(out.array()).max() / 32768 == pytest.approx(0.4, abs=0.02)


def test_stereo_is_downmixed_by_averaging():
    frames = np.array([[0.5, -0.5], [0.5, 0.5]] * 800)
    out = to_internal(from_float(frames, RATE, 2)).array()
    assert list(out[:2]) == [0, 16384]


def test_streaming_converter_matches_duration_and_timestamps():
    rate = 48000
    t = np.arange(rate * 2) / rate
    tone = 0.3 * np.sin(2 * np.pi * 440.0 * t)
    conv = Converter(rate, 2, 1)
    block = int(rate * 0.03)
    outs = []
    for i in range(0, len(tone), block):
        outs.append(conv.convert(from_float(tone[i : i + block], rate, 2), last=i + block >= len(tone)))
    total = sum(o.samples for o in outs)
    assert abs(total - 2 * RATE) <= 2
    assert outs[0].timestamp == 0.0
    for prev, nxt in zip(outs, outs[1:]):
        assert nxt.timestamp == pytest.approx(prev.timestamp + prev.seconds)
    joined = np.concatenate([o.array() for o in outs]) / 32768
    assert _peak_hz(joined, RATE) == pytest.approx(440.0, abs=2.0)


def test_converter_rejects_a_changed_format():
    conv = Converter(44100, 2, 2)
    with pytest.raises(ValueError, match="converter expects"):
        conv.convert(from_float(np.zeros(100), 48000, 2))
