"""Telling the person's words from the assistant's own, picked up again by the microphone."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from rapidfuzz import fuzz

from voicecare.nlu.normalize import normalize


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    start: float
    end: float


class RecentSpeech:
    """The last lines the voice spoke, with when they sounded (loop seconds)."""

    def __init__(self, keep: int = 32, min_similarity: float = 75.0, margin_seconds: float = 1.0) -> None:
        self._lines: deque[_Line] = deque(maxlen=keep)
        self.min_similarity = min_similarity
        """Percent (rapidfuzz partial ratio) above which a transcript counts as an echo."""
        self.margin_seconds = margin_seconds

    def add(self, text: str, start: float, end: float) -> None:
        self._lines.append(_Line(normalize(text), start, end))

    def echoes(self, transcript: str, start: float, end: float) -> bool:
        """True if ``transcript``, heard from ``start`` to ``end``, is what the voice was saying."""
        heard = normalize(transcript)
        if not heard:
            return False
        for line in self._lines:
            overlaps = line.start - self.margin_seconds <= end and start <= line.end + self.margin_seconds
            if overlaps and fuzz.partial_ratio(heard, line.text) >= self.min_similarity:
                return True
        return False
