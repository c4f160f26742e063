"""The understanding stage: the words after the wake phrase → meaning, the other readings' meanings, how
sure the answer is, and whether the words sounded like a television rather than the person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from voicecare.core.wake import WakePhrase
from voicecare.listening.alternatives import clarity, understand_alternatives
from voicecare.messages import Transcript, Understanding


@dataclass(frozen=True, slots=True)
class BackgroundSettings:
    """When words without the wake phrase sound like a television rather than the person.

    Measured on the broadcast benchmark's first 25 minutes and on 95 red flags said by two voices
    (rms, Piper): of the red flags heard in broadcast talk, 96% came from utterances over 15 words or
    under 0.4 confidence, against 2.6% of the person's own; the wake phrase always counts.
    """

    max_words: int = 15
    min_confidence: float = 0.4


@dataclass(frozen=True, slots=True)
class Meaning:
    """The stage's value."""

    understanding: Understanding
    alternatives: tuple[Understanding, ...]
    confidence: float
    """The recognizer's confidence, raised where two decodings agree (``alternatives.clarity``)."""
    background: bool


class UnderstandingStage:
    """Transcript + the words after the wake phrase → ``Meaning``."""

    def __init__(self, understand: Callable[[str], Understanding], wake: WakePhrase | None,
                 understand_other: Callable[[str], Understanding] | None = None,
                 background: BackgroundSettings = BackgroundSettings(), agreed_confidence: float = 0.9) -> None:
        self._understand = understand
        self._understand_other = understand_other or understand
        """How the recognizer's other readings are understood (``Understander.understand_alternative``)."""
        self.wake = wake
        self.background = background
        self.agreed_confidence = agreed_confidence

    def sounds_like_background(self, transcript: Transcript) -> bool:
        return (len(transcript.text.split()) > self.background.max_words
                or transcript.confidence < self.background.min_confidence)

    def meaning(self, transcript: Transcript, words: str, addressed: bool) -> Meaning:
        u = self._understand(words)
        others = () if u.is_red_flag else understand_alternatives(
            transcript.alternatives, self._understand_other, self.wake)
        background = self.wake is not None and not addressed and self.sounds_like_background(transcript)
        confidence = clarity(transcript, u, self._understand, self.wake, self.agreed_confidence)
        return Meaning(u, others, confidence, background)
