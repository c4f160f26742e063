"""The one small interface every speech recognizer engine offers."""

from __future__ import annotations

from enum import Enum
from typing import Protocol, runtime_checkable

from voicecare.audio.chunk import AudioChunk
from voicecare.core.expectation import Expect
from voicecare.messages import Transcript


class Engine(str, Enum):
    """Which recognizer to use; ``auto`` prefers Vosk when its model is installed."""

    AUTO = "auto"
    VOSK = "vosk"
    POCKETSPHINX = "pocketsphinx"


@runtime_checkable
class Recognizer(Protocol):
    """Turns one whole utterance into a transcript; empty text for silence or noise."""

    name: str
    load_seconds: float
    """Seconds it took to load the model and build the domain language model or grammar."""

    def transcribe(self, chunk: AudioChunk, expect: Expect = Expect.IDLE) -> Transcript:
        """Decode 16 kHz mono 16-bit audio; ``confidence`` is 0.0-1.0. ``expect`` is what the
        conversation waits to hear: its grammar is decoded too, beside the open model."""
        ...


def require_internal(chunk: AudioChunk) -> None:
    """Engines accept only the internal format; conversion happens once, at the audio border."""
    if not chunk.is_internal:
        raise ValueError(
            f"recognizer needs 16 kHz 16-bit mono audio, got {chunk.rate} Hz, "
            f"{8 * chunk.width}-bit, {chunk.channels} channel(s)"
        )
