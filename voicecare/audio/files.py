"""WAV files standing in for microphone and speaker, so the whole loop runs in tests."""

from __future__ import annotations

import logging
import os
import time

import numpy as np

from voicecare.audio.chunk import RATE, AudioChunk
from voicecare.audio.convert import to_internal
from voicecare.audio.wav import load_wav, write_wav

log = logging.getLogger(__name__)


class FileMicrophone:
    """Blocks of a WAV file in internal format, stamped with stream seconds; None at the end."""

    def __init__(self, path: str | os.PathLike[str], block_seconds: float = 0.03, realtime: bool = False) -> None:
        self.audio = load_wav(path)
        self.block_seconds = block_seconds
        self.realtime = realtime
        self._step = max(1, int(round(block_seconds * RATE))) * 2
        self._offset = 0
        self._t0: float | None = None

    @property
    def seconds(self) -> float:
        """Length of the whole file."""
        return self.audio.seconds

    def open(self) -> None:
        """Nothing to open; here so the runtime treats both microphones alike."""

    def read(self, timeout: float | None = None) -> AudioChunk | None:
        """The next block (paced like a sound card when ``realtime``), or None at the end of the file."""
        if self._offset >= len(self.audio.audio):
            return None
        start = self._offset // 2 / RATE
        data = self.audio.audio[self._offset : self._offset + self._step]
        self._offset += len(data)
        if self.realtime:
            now = time.monotonic()
            if self._t0 is None:
                self._t0 = now
            due = self._t0 + start + len(data) / 2 / RATE  # a block is available once it has been "recorded"
            if due > now:
                time.sleep(due - now)
        return AudioChunk(rate=RATE, width=2, channels=1, audio=data, timestamp=start)

    def __iter__(self):  # noqa: ANN204
        while (block := self.read()) is not None:
            yield block

    def close(self) -> None:
        """Nothing to release."""


class FileSpeaker:
    """Collects what is played at its stream position (gaps are silence) and writes one WAV on close()."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = path
        self._samples = np.zeros(0, dtype=np.int32)
        self._cursor = 0
        """Sample index where the next unpositioned sound starts."""
        self.last_sound_end = 0.0
        """Stream seconds where the last sound ends."""
        self.closed = False

    @property
    def speaking(self) -> bool:
        """Never: file output takes no time; use ``last_sound_end`` against the stream clock."""
        return False

    def play(self, chunk: AudioChunk, position_seconds: float | None = None) -> float:
        """Place the chunk at ``position_seconds`` (default: right after the previous sound); returns its end."""
        samples = to_internal(chunk).array().astype(np.int32)
        start = self._cursor if position_seconds is None else int(round(position_seconds * RATE))
        end = start + len(samples)
        if end > len(self._samples):
            self._samples = np.concatenate([self._samples, np.zeros(end - len(self._samples), dtype=np.int32)])
        self._samples[start:end] += samples  # overlapping sounds mix, as they would in the room
        self._cursor = max(self._cursor, end)
        self.last_sound_end = max(self.last_sound_end, end / RATE)
        return end / RATE

    def stop(self, position_seconds: float | None = None) -> None:
        """Cut off everything after ``position_seconds`` (an interruption); without it, nothing to cut."""
        if position_seconds is None:
            return
        cut = int(round(position_seconds * RATE))
        if cut < len(self._samples):
            self._samples[cut:] = 0
            self._samples = self._samples[: max(cut, 0)]
        self._cursor = min(self._cursor, cut)
        self.last_sound_end = min(self.last_sound_end, position_seconds)

    def wait(self, timeout: float | None = None) -> bool:
        """Always done at once."""
        return True

    def audio(self) -> AudioChunk:
        """Everything played so far as one chunk."""
        return AudioChunk.from_array(np.clip(self._samples, -32768, 32767).astype("<i2"), timestamp=0.0)

    def close(self) -> None:
        """Write the WAV (once)."""
        if not self.closed:
            write_wav(self.path, self.audio())
            self.closed = True
            log.debug("wrote %.2f s to %s", len(self._samples) / RATE, self.path)
