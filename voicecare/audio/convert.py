"""The single conversion border: any PCM format in, 16 kHz 16-bit mono out."""

from __future__ import annotations

import logging

import numpy as np
import soxr

from voicecare.audio.chunk import CHANNELS, RATE, WIDTH, AudioChunk

log = logging.getLogger(__name__)

_FULL_SCALE = {1: 128.0, 2: 32768.0, 3: 8388608.0, 4: 2147483648.0}
"""Magnitude of the most negative sample for each width in bytes."""


def to_float(chunk: AudioChunk) -> np.ndarray:
    """Samples as float32 in -1..1, shaped (frames, channels), whatever the width."""
    if chunk.width not in _FULL_SCALE:
        raise ValueError(f"unsupported sample width: {chunk.width} bytes")
    usable = chunk.samples * chunk.width * chunk.channels
    raw = chunk.audio[:usable]
    if chunk.width == 1:
        ints = np.frombuffer(raw, dtype="i1").astype(np.int32)
    elif chunk.width == 2:
        ints = np.frombuffer(raw, dtype="<i2").astype(np.int32)
    elif chunk.width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        ints = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        ints = np.where(ints >= 1 << 23, ints - (1 << 24), ints)
    else:
        ints = np.frombuffer(raw, dtype="<i4")
    floats = (ints.astype(np.float64) / _FULL_SCALE[chunk.width]).astype(np.float32)
    return floats.reshape(-1, chunk.channels)


def float_to_int16(samples: np.ndarray) -> np.ndarray:
    """Float samples in -1..1 to int16, clipped rather than wrapped."""
    return np.clip(np.round(samples * 32768.0), -32768, 32767).astype("<i2")


def from_float(samples: np.ndarray, rate: int, width: int, timestamp: float | None = None) -> AudioChunk:
    """Float samples (frames, channels) or (frames,) to a chunk of the given integer width."""
    frames = samples.reshape(len(samples), -1)
    channels = frames.shape[1]
    scale = _FULL_SCALE[width]
    ints = np.clip(np.round(frames.astype(np.float64) * scale), -scale, scale - 1).astype(np.int64).ravel()
    if width == 1:
        data = ints.astype("i1").tobytes()
    elif width == 2:
        data = ints.astype("<i2").tobytes()
    elif width == 3:
        u = (ints & 0xFFFFFF).astype("<u4").view(np.uint8).reshape(-1, 4)[:, :3]
        data = u.tobytes()
    else:
        data = ints.astype("<i4").tobytes()
    return AudioChunk(rate=rate, width=width, channels=channels, audio=data, timestamp=timestamp)


def to_internal(chunk: AudioChunk) -> AudioChunk:
    """Downmix, change width and resample (soxr) so the chunk is 16 kHz 16-bit mono."""
    if chunk.is_internal:
        return chunk
    mono = to_float(chunk).mean(axis=1, dtype=np.float32)
    if chunk.rate != RATE:
        mono = soxr.resample(mono, chunk.rate, RATE, quality="HQ")
    return AudioChunk(rate=RATE, width=WIDTH, channels=CHANNELS,
                      audio=float_to_int16(mono).tobytes(), timestamp=chunk.timestamp)


def resample(chunk: AudioChunk, rate: int) -> AudioChunk:
    """A 16-bit chunk at another rate (used on the way out, to a device's native rate)."""
    if chunk.rate == rate:
        return chunk
    floats = to_float(chunk)
    out = soxr.resample(floats, chunk.rate, rate, quality="HQ")
    return from_float(np.asarray(out), rate, 2, chunk.timestamp)


class Converter:
    """Streaming conversion of microphone blocks, keeping resampler state between blocks."""

    def __init__(self, in_rate: int, in_width: int = 2, in_channels: int = 1) -> None:
        self.in_rate = in_rate
        self.in_width = in_width
        self.in_channels = in_channels
        self._stream = soxr.ResampleStream(in_rate, RATE, 1, dtype="float32") if in_rate != RATE else None
        self._out_samples = 0

    @property
    def position_seconds(self) -> float:
        """Stream seconds of converted audio produced so far."""
        return self._out_samples / RATE

    def convert(self, chunk: AudioChunk, last: bool = False) -> AudioChunk:
        """One input block to internal format; the output timestamp follows the output stream."""
        if (chunk.rate, chunk.width, chunk.channels) != (self.in_rate, self.in_width, self.in_channels):
            raise ValueError(
                f"converter expects {self.in_rate} Hz {8 * self.in_width}-bit x{self.in_channels}, "
                f"got {chunk.rate} Hz {8 * chunk.width}-bit x{chunk.channels}"
            )
        mono = to_float(chunk).mean(axis=1, dtype=np.float32)
        if self._stream is not None:
            mono = self._stream.resample_chunk(mono, last=last)
        start = self._out_samples / RATE
        self._out_samples += len(mono)
        return AudioChunk(rate=RATE, width=WIDTH, channels=CHANNELS,
                          audio=float_to_int16(mono).tobytes(), timestamp=start)
