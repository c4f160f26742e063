"""Typed messages passed between the stages of the assistant.

"Not understood" is a value (intent ``unknown``), never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Mapping


class Severity(str, Enum):
    """How urgently a red flag must be answered (CONTRACT.md)."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    ROUTINE = "routine"

    @property
    def rank(self) -> int:
        """0 for the most severe: sorting by rank puts an emergency first."""
        return ("emergency", "urgent", "routine").index(self.value)


RED_FLAG_SEVERITY: Mapping[str, Severity] = {
    "redflag.emergency": Severity.EMERGENCY,
    "redflag.numbness": Severity.URGENT,
    "redflag.weakness": Severity.URGENT,
    "redflag.fever": Severity.URGENT,
    "redflag.trauma": Severity.URGENT,
    "redflag.persistent": Severity.ROUTINE,
    "redflag.function": Severity.ROUTINE,
}

INTENTS: tuple[str, ...] = (
    "relief.general",
    "relief.hip_flexor",
    "relief.glute",
    "relief.adductor",
    "relief.heat",
    "relief.cold",
    "relief.hydration",
    "relief.medication",
    "routine.daily_stretch",
    "routine.strength",
    "routine.breathing",
    "routine.desk_break",
    "control.pause",
    "control.resume",
    "control.stop",
    "control.skip",
    "control.repeat",
    "control.help",
    "control.yes",
    "control.no",
    "reminder.start",
    "reminder.stop",
    "reminder.snooze",
    "info.causes",
    "info.prevention",
    "info.professional",
    "info.ergonomics",
    "info.sleep",
    "info.nutrition",
    *RED_FLAG_SEVERITY,
    "unknown",
)
"""Every intent ID of CONTRACT.md; the understanding layer answers with one of these."""


@dataclass(frozen=True, slots=True)
class Transcript:
    """What the recognizer heard. ``confidence`` is 0.0-1.0.

    ``alternatives`` are other ways the same audio could be heard, most likely first: a red flag
    among them is checked with the person rather than missed.
    """

    text: str
    confidence: float = 1.0
    engine: str = "text"
    alternatives: tuple[str, ...] = ()
    search: str = "open"
    """What the words were decoded against: ``open`` (the domain language model), or the grammar of
    the waiting state named (``pain``, ``side``...)."""
    open_text: str | None = None
    """When a grammar's answer was chosen: what the open model heard (the two agreeing is a clear answer)."""


@dataclass(frozen=True, slots=True)
class Understanding:
    """What an utterance means: one intent of ``INTENTS``, a score 0.0-1.0 and slots."""

    text: str
    intent: str
    score: float
    slots: Mapping[str, str] = field(default_factory=dict)

    @property
    def severity(self) -> Severity | None:
        """The red-flag severity, or None for anything that is not a red flag."""
        return RED_FLAG_SEVERITY.get(self.intent)

    @property
    def is_red_flag(self) -> bool:
        return self.intent in RED_FLAG_SEVERITY

    @property
    def side(self) -> str | None:
        return self.slots.get("side")

    def to_json(self) -> dict:
        """The CONTRACT.md shape (without ``input``)."""
        severity = self.severity
        return {
            "text": self.text,
            "intent": self.intent,
            "score": round(self.score, 3),
            "slots": dict(self.slots),
            "severity": severity.value if severity else None,
        }


def unknown(text: str, score: float = 0.0) -> Understanding:
    """The value for an utterance that matched nothing well enough."""
    return Understanding(text=text, intent="unknown", score=score)
