"""Where the voice goes: the speaker device, or a WAV file on the loop's clock."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from voicecare.audio.chunk import AudioChunk
from voicecare.errors import AudioError

log = logging.getLogger(__name__)


class Output(Protocol):
    """The loop's view of the speaker: play, stop, and whether it is still sounding."""

    def play(self, chunk: AudioChunk, now: float) -> float:
        """Queue ``chunk``; return the loop time its first sample sounds."""

    def stop(self, now: float) -> None:
        """Silence everything now."""

    def busy_until(self, now: float) -> float:
        """Loop time the last queued sound ends (``now`` or earlier when quiet)."""

    def close(self) -> None: ...


class FileOutput:
    """Speech written into a WAV at the loop's clock position (``run --output``), or dropped."""

    def __init__(self, speaker: Any | None) -> None:
        self._speaker = speaker
        self._until = 0.0

    def play(self, chunk: AudioChunk, now: float) -> float:
        start = max(now, self._until)
        if self._speaker is not None:
            self._speaker.play(chunk, position_seconds=start)
        self._until = start + chunk.seconds
        return start

    def stop(self, now: float) -> None:
        if self._until > now:
            if self._speaker is not None:
                self._speaker.stop(position_seconds=now)
            self._until = now

    def busy_until(self, now: float) -> float:
        return self._until

    def pad_to(self, seconds: float) -> None:
        """Make the output at least ``seconds`` long, so it lines up with the input."""
        if self._speaker is not None and seconds > 0.02:
            self._speaker.play(AudioChunk.silence(0.02), position_seconds=seconds - 0.02)

    def close(self) -> None:
        if self._speaker is not None:
            self._speaker.close()


class DeviceOutput:
    """Speech on the sound card through ``voicecare.audio.devices.Speaker``."""

    def __init__(self, speaker: Any) -> None:
        self._speaker = speaker
        self._until = 0.0

    def play(self, chunk: AudioChunk, now: float) -> float:
        start = max(now, self._until)
        try:
            self._speaker.play(chunk)
        except AudioError as exc:
            # An earlier block failed (sound server restarting): the worker reopens the device,
            # so this sentence is still queued rather than lost.
            log.warning("%s; reopening the speaker", exc.line())
            self._speaker.play(chunk)
        self._until = start + chunk.seconds
        return start

    def stop(self, now: float) -> None:
        self._speaker.stop()
        self._until = now

    def busy_until(self, now: float) -> float:
        if not self._speaker.speaking:
            self._until = min(self._until, now)
        return self._until

    def close(self) -> None:
        self._speaker.close()
