"""Audio as small frozen values."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RATE = 16_000
"""Hertz: the one internal sample rate; everything is converted to it at the border."""
WIDTH = 2
"""Bytes per sample internally (16-bit signed)."""
CHANNELS = 1


@dataclass(frozen=True, slots=True)
class AudioChunk:
    """PCM audio: ``audio`` is little-endian signed integer bytes, interleaved channels."""

    rate: int
    width: int
    channels: int
    audio: bytes
    timestamp: float | None = None
    """Seconds on the stream's clock at the first sample, when known."""

    @property
    def samples(self) -> int:
        """Samples per channel."""
        return len(self.audio) // (self.width * self.channels)

    @property
    def seconds(self) -> float:
        return self.samples / self.rate

    def array(self) -> np.ndarray:
        """The samples as int16 (only for the internal 16-bit format)."""
        if self.width != 2:
            raise ValueError(f"array() needs 16-bit audio, this chunk is {8 * self.width}-bit")
        return np.frombuffer(self.audio, dtype="<i2")

    @classmethod
    def from_array(cls, samples: np.ndarray, rate: int = RATE, timestamp: float | None = None) -> "AudioChunk":
        """Mono 16-bit audio from an int16 (or float in -1..1) array."""
        if samples.dtype.kind == "f":
            samples = np.clip(np.round(samples * 32767.0), -32768, 32767)
        data = np.asarray(samples, dtype="<i2").tobytes()
        return cls(rate=rate, width=2, channels=1, audio=data, timestamp=timestamp)

    @classmethod
    def silence(cls, seconds: float, rate: int = RATE) -> "AudioChunk":
        return cls(rate=rate, width=2, channels=1, audio=bytes(2 * int(round(seconds * rate))))

    @property
    def is_internal(self) -> bool:
        """True for 16 kHz, 16-bit mono: the format everything downstream expects."""
        return (self.rate, self.width, self.channels) == (RATE, WIDTH, CHANNELS)
