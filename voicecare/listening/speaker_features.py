"""The speaker encoder's input: volume-normalised, silence-trimmed audio as 40-band mel frames.

This follows the preprocessing the GE2E encoder was trained with (resemblyzer 0.1.4,
``audio.py`` and ``voice_encoder.py``): 16 kHz audio raised to -30 dBFS, long silences cut,
power mel frames of 25 ms every 10 ms, cut into 1.6 s partials at 1.3 partials a second.
Its voice-activity step used webrtcvad; here an energy gate with the same window, smoothing and
dilation does it in numpy, so nothing but numpy is needed at run time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RATE = 16_000
"""Hertz: the rate the encoder was trained at."""
N_FFT = 400
"""Samples per analysis window (25 ms)."""
HOP = 160
"""Samples between frames (10 ms)."""
PARTIAL_FRAMES = 160
"""Frames in one partial utterance (1.6 s)."""
TARGET_DBFS = -30.0
"""Quieter audio is raised to this level (never lowered), as in training."""
VAD_WINDOW = 480
"""Samples per voice-activity window (30 ms)."""
VAD_AVERAGE_WIDTH = 8
"""Windows averaged when smoothing the voice flags."""
VAD_MAX_SILENCE = 6
"""Windows of silence kept inside speech (the dilation is one more than this)."""


@dataclass(frozen=True, slots=True)
class TrimSettings:
    """The energy gate that stands in for webrtcvad when cutting long silences."""

    below_peak_db: float = 35.0
    """A window is speech when its level is within this many dB of the loudest windows."""
    floor_dbfs: float = -65.0
    """Windows quieter than this (after volume normalisation) are never speech."""
    speech_below_peak_db: float = 20.0
    """Stricter gate for counting how long the voice itself lasted (the duration rule)."""


def normalize_volume(wav: np.ndarray, target_dbfs: float = TARGET_DBFS, lower: bool = False) -> np.ndarray:
    """Raise quiet audio to the target RMS level; loud audio is lowered to it only if ``lower``.

    The encoder's input is a power (not log) spectrum, so its level changes the embedding:
    resemblyzer only raises quiet audio; lowering loud audio as well makes a voice across the
    room and the same voice close by look alike.
    """
    rms = float(np.sqrt(np.mean(np.square(wav, dtype=np.float64)))) if len(wav) else 0.0
    if rms <= 0.0:
        return wav
    change_db = target_dbfs - 20.0 * np.log10(rms)
    if change_db < 0.0 and not lower:
        return wav
    return (wav * np.float32(10.0 ** (change_db / 20.0))).astype(np.float32)


def _window_levels(wav: np.ndarray) -> np.ndarray:
    """Level in dBFS of each whole 30 ms window."""
    n = len(wav) // VAD_WINDOW
    frames = wav[: n * VAD_WINDOW].reshape(n, VAD_WINDOW).astype(np.float64)
    power = np.mean(frames * frames, axis=1)
    return 10.0 * np.log10(np.maximum(power, 1e-12))


def _reference_level(levels: np.ndarray) -> float:
    """The level of the loudest windows (95th percentile: one click does not set it)."""
    return float(np.percentile(levels, 95)) if len(levels) else -120.0


def _moving_average(flags: np.ndarray, width: int) -> np.ndarray:
    padded = np.concatenate((np.zeros((width - 1) // 2), flags, np.zeros(width // 2)))
    total = np.cumsum(padded, dtype=float)
    total[width:] = total[width:] - total[:-width]
    return total[width - 1 :] / width


def _dilate(mask: np.ndarray, size: int) -> np.ndarray:
    """Binary dilation with a centred structuring element of ``size`` ones."""
    if not len(mask):
        return mask
    before, after = size // 2, size - 1 - size // 2
    padded = np.concatenate((np.zeros(before, bool), mask, np.zeros(after, bool)))
    out = np.zeros_like(mask)
    for shift in range(size):
        out |= padded[shift : shift + len(mask)]
    return out


def trim_long_silences(wav: np.ndarray, settings: TrimSettings = TrimSettings()) -> np.ndarray:
    """The audio without silences longer than about 0.2 s (the voice keeps its own pauses)."""
    levels = _window_levels(wav)
    if not len(levels):
        return wav[:0]
    gate = max(_reference_level(levels) - settings.below_peak_db, settings.floor_dbfs)
    flags = (levels >= gate).astype(float)
    mask = np.round(_moving_average(flags, VAD_AVERAGE_WIDTH)).astype(bool)
    mask = _dilate(mask, VAD_MAX_SILENCE + 1)
    return wav[: len(mask) * VAD_WINDOW].reshape(len(mask), VAD_WINDOW)[mask].reshape(-1)


def speech_seconds(wav: np.ndarray, settings: TrimSettings = TrimSettings()) -> float:
    """How long the voice lasts: windows within ``speech_below_peak_db`` of the loudest ones."""
    levels = _window_levels(wav)
    if not len(levels):
        return 0.0
    gate = max(_reference_level(levels) - settings.speech_below_peak_db, settings.floor_dbfs)
    return float(np.count_nonzero(levels >= gate)) * VAD_WINDOW / RATE


def partial_starts(n_samples: int, limit: int | None = None, rate: float = 1.3, min_coverage: float = 0.75) -> list[int]:
    """First frame of each 1.6 s partial: ``rate`` partials a second, the last kept if 75% covered.

    With a ``limit``, a longer utterance gets that many partials spread evenly from its first
    to its last (the cost of the network grows with their number).
    """
    n_frames = int(np.ceil((n_samples + 1) / HOP))
    step = int(np.round((RATE / rate) / HOP))
    starts = list(range(0, max(1, n_frames - PARTIAL_FRAMES + step + 1), step))
    coverage = (n_samples - starts[-1] * HOP) / (PARTIAL_FRAMES * HOP)
    if coverage < min_coverage and len(starts) > 1:
        starts.pop()
    if limit is not None and len(starts) > limit:
        last = starts[-1]
        starts = [int(round(last * k / (limit - 1))) for k in range(limit)] if limit > 1 else [last // 2]
    return starts


def power_spectrum(wav: np.ndarray) -> np.ndarray:
    """|STFT|² of centred 25 ms Hann windows every 10 ms, zero-padded at both ends (frames × 201)."""
    padded = np.pad(wav.astype(np.float32), (N_FFT // 2, N_FFT // 2))
    n_frames = 1 + (len(padded) - N_FFT) // HOP
    index = np.arange(N_FFT)[None, :] + HOP * np.arange(n_frames)[:, None]
    window = (0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)
    spectrum = np.fft.rfft(padded[index] * window, axis=1)
    return (spectrum.real**2 + spectrum.imag**2).astype(np.float32)


def partial_mels(wav: np.ndarray, mel_basis: np.ndarray, limit: int | None = None, pad_short: bool = True) -> np.ndarray:
    """The utterance as (partials, 160, 40) power mel frames, padded with silence to whole partials.

    Without ``pad_short``, audio shorter than one partial is one shorter sequence instead: the
    network's last state then follows the voice, not a second of padded silence (measured
    better for "hey care" prints and short answers on flite and espeak-ng voices).
    """
    if pad_short is False and len(wav) < PARTIAL_FRAMES * HOP:
        return (power_spectrum(wav) @ mel_basis.T)[None].astype(np.float32)
    starts = partial_starts(len(wav), limit)
    needed = (starts[-1] + PARTIAL_FRAMES) * HOP
    if needed >= len(wav):
        wav = np.pad(wav, (0, needed - len(wav)))
    mel = power_spectrum(wav) @ mel_basis.T
    return np.stack([mel[s : s + PARTIAL_FRAMES] for s in starts]).astype(np.float32)
