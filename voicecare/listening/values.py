"""What each listening stage decided, as small frozen values: they travel one way, into the ``heard`` event."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from voicecare.audio.chunk import AudioChunk


@dataclass(frozen=True, slots=True)
class Sound:
    """The front end's value: one utterance's audio, where it lies in the stream, and the room around it."""

    audio: AudioChunk
    start: float
    end: float
    noisy: bool = False
    """The room was loud, or the speech rose little above its noise floor."""
    floor_dbfs: float | None = None
    lead: AudioChunk | None = None
    """The audio before the utterance that no earlier one held (the endpointer's ``Utterance.lead``)."""
    reached_seconds: float | None = None
    """The wake stage moved the start back this far, to a phrase the endpointer had missed."""


@dataclass(frozen=True, slots=True)
class WakeDecision:
    """The wake detector's value: was the wake phrase said, how sure, and which stage decided.

    ``how`` keeps the earlier one-word account: "said" (confirmed by the sound and the words), "text"
    (the transcript alone, no keyword search), "unconfirmed" (the transcript has it, the sound did not),
    "none" or "off". ``stage``: "template" (an enrolled person's phrase), "generic" (a model for anyone),
    "transcript" (the recognizer's words and keyword search), or None when nothing proposed it.
    """

    how: str
    score: float | None = None
    stage: str | None = None
    template: str | None = None
    person: str | None = None
    confirmed: bool = False
    """The second stage agreed with the first (only then is the phrase acted on)."""
    end_seconds: float | None = None
    """Where the phrase ended, seconds from the start of the utterance's audio, when the sound says."""
    reached_seconds: float | None = None
    """The phrase began before the endpointer's utterance: its audio was reached back for this far."""

    @property
    def found(self) -> bool:
        return self.how in ("said", "text")

    def event(self) -> dict[str, Any]:
        """The ``wake`` object of the ``heard`` event."""
        record: dict[str, Any] = {"how": self.how, "confirmed": self.confirmed}
        if self.score is not None:
            record["score"] = round(self.score, 3)
        if self.stage is not None:
            record["stage"] = self.stage
        if self.template is not None:
            record["template"] = self.template
        if self.person is not None:
            record["person"] = self.person
        if self.reached_seconds is not None:
            record["reached"] = round(self.reached_seconds, 2)
        return record


WAKE_OFF = WakeDecision("off")


@dataclass(frozen=True, slots=True)
class VoiceDecision:
    """The voice check's value: whose voice it sounded like. ``verdict``: person, other or unsure."""

    verdict: str
    similarity: float | None = None
    person: str | None = None
    closest: str | None = None
    """The enrolled person the voice was nearest to, whatever the verdict (whose print adapts)."""
    embedding: Any = field(default=None, repr=False, compare=False)
    """The utterance's speaker embedding, kept until the core says whether it was surely theirs."""
    heard_before: bool = False
    """"other" because it matched a voice already heard as another's, not by the print alone."""
    brief: bool = False
    """Too little voice to tell whose it is: "unsure" whatever it sounded like."""

    def event(self) -> dict[str, Any]:
        """The ``voice`` object of the ``heard`` event."""
        record: dict[str, Any] = {"similarity": None if self.similarity is None else round(self.similarity, 3),
                  "person": self.person, "verdict": self.verdict}
        if self.heard_before:
            record["heard_before"] = True
        if self.brief:
            record["brief"] = True
        return record
