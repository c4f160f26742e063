"""Voice-like signals made from numbers alone, so the encoder's reference needs no synthesizer."""

from __future__ import annotations

import numpy as np

RATE = 16_000

_VOWELS: tuple[tuple[float, float, float], ...] = (
    (730.0, 1090.0, 2440.0),  # a
    (270.0, 2290.0, 3010.0),  # i
    (300.0, 870.0, 2240.0),  # u
    (530.0, 1840.0, 2480.0),  # e
    (570.0, 840.0, 2410.0),  # o
)
"""Formant frequencies (Hz) of five vowels."""


def _resonator(x: np.ndarray, freq: float, bandwidth: float) -> np.ndarray:
    """A two-pole resonance at ``freq`` (the vocal tract's formant), unit gain at its peak."""
    r = np.exp(-np.pi * bandwidth / RATE)
    a1, a2 = 2.0 * r * np.cos(2.0 * np.pi * freq / RATE), -r * r
    y = np.zeros_like(x)
    y1 = y2 = 0.0
    gain = 1.0 - r
    for i, v in enumerate(x):
        y0 = gain * v + a1 * y1 + a2 * y2
        y[i] = y0
        y2, y1 = y1, y0
    return y


def synthetic_voice(seed: int, f0: float, seconds: float = 2.0) -> np.ndarray:
    """A glottal pulse train at pitch ``f0`` through changing vowel formants, with pauses (float32)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    pitch = f0 * (1.0 + 0.03 * np.sin(2.0 * np.pi * 5.0 * t) + 0.05 * np.sin(2.0 * np.pi * 0.7 * t))
    phase = np.cumsum(pitch / RATE)
    source = (np.diff(np.floor(phase), prepend=0.0) > 0).astype(np.float64)
    source += 0.02 * rng.standard_normal(n)
    segment = RATE // 4
    out = np.zeros(n)
    for start in range(0, n, segment):
        piece = source[start : start + segment]
        vowel = _VOWELS[int(rng.integers(len(_VOWELS)))]
        voiced = sum(_resonator(piece, f, 60.0 + 20.0 * k) for k, f in enumerate(vowel))
        envelope = np.hanning(len(piece)) if rng.random() > 0.2 else np.zeros(len(piece))
        out[start : start + segment] = voiced * envelope
    peak = float(np.max(np.abs(out))) or 1.0
    return (0.5 * out / peak).astype(np.float32)


REFERENCE_SIGNALS: tuple[tuple[int, float, float], ...] = ((1, 110.0, 1.2), (2, 210.0, 2.6))
"""(seed, pitch in Hz, seconds) of the signals whose embeddings the conversion script records."""
