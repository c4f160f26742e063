"""The most recently spoken phrases' audio, kept in memory: the assistant repeats itself."""

from __future__ import annotations

import threading
from collections import OrderedDict

from voicecare.audio.chunk import AudioChunk


class RecentPhrases:
    """A thread-safe map of text to audio that forgets the least recently used beyond ``capacity``."""

    def __init__(self, capacity: int = 64) -> None:
        self.capacity = capacity
        self._audio: OrderedDict[str, AudioChunk] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str) -> AudioChunk | None:
        with self._lock:
            chunk = self._audio.get(text)
            if chunk is not None:
                self._audio.move_to_end(text)
            return chunk

    def put(self, text: str, chunk: AudioChunk) -> None:
        with self._lock:
            self._audio[text] = chunk
            self._audio.move_to_end(text)
            while len(self._audio) > self.capacity:
                self._audio.popitem(last=False)


__all__ = ["RecentPhrases"]
