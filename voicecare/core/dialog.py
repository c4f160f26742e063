"""The conversation's state: what it is doing, what it asked, the relief flow under way, and
small readings of what was heard."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from voicecare.core.actions import Heard
from voicecare.core.expectation import Unconfirmed
from voicecare.core.session import SessionRunner
from voicecare.messages import Understanding


ANSWERED_INTENTS = frozenset({
    "relief.heat", "relief.cold", "relief.hydration", "relief.medication",
    "info.causes", "info.prevention", "info.professional", "info.ergonomics", "info.sleep",
    "info.nutrition",
})
"""Intents answered with a few sentences from content, in any mode."""

RELIEF_FLOWS = {
    "relief.general": "general",
    "relief.hip_flexor": "hip_flexor",
    "relief.glute": "glute",
    "relief.adductor": "adductor",
    "control.hurts": "general",
}
HELP_CHECK = "help"
"""The check asked when a call was heard but its words could not be made out in a loud room
("Do you need help?"): a yes is acted on as urgent."""
SESSION_CONTROLS = frozenset({"control.pause", "control.skip", "control.stop"})
"""Once anyone is enrolled, these steer a session only in their voice (or after the wake phrase)."""
ACKNOWLEDGE_EMERGENCY = frozenset({"control.yes", "control.stop", "reminder.done"})
"""What confirms the person has heard the emergency instruction ("okay", "done", "stop")."""


class Mode(Enum):
    """What the conversation is doing now."""

    IDLE = "idle"
    ASKING = "asking"
    SESSION = "session"
    EMERGENCY = "emergency"


class Question(Enum):
    """The question the assistant is waiting to have answered."""

    SIDE = "side"
    PAIN_START = "pain_start"
    PAIN_END = "pain_end"


@dataclass(frozen=True, slots=True)
class DialogSettings:
    """Conversation timing and safety settings, from config."""

    answer_timeout_seconds: float = 12.0
    """How long to wait for an answer once the question has been spoken."""
    follow_up_seconds: float = 10.0
    """After the assistant speaks, how long the person may answer without the wake phrase."""
    emergency_repeat_seconds: float = 20.0
    """Seconds between repeats of the emergency instruction until it is acknowledged."""
    wake_enabled: bool = True
    emergency_number: str = "999"
    ask_pain_rating: bool = True
    confirm_below: float = 0.85
    """An answer (pain rating, side) heard with less recognizer confidence than this is read back
    ("Seven, is that right?") before it is acted on or journaled. The loop raises the confidence of an
    answer that the state's grammar and the open model both heard the same way; on its own, a
    decoding's confidence passed 0.6 for wrong numbers in babble (bench_answers), so little else
    clears this bar."""
    noisy_every_seconds: float = 300.0
    """Say that the room is too loud to hear well at most this often."""


@dataclass(slots=True)
class ReliefFlow:
    """An immediate-relief flow in progress: which muscle, which side, pain before and after."""

    muscle: str
    side: str | None = None
    pain_start: int | None = None
    cannot_bear_weight: bool = False

    @property
    def routine(self) -> str:
        return f"relief_{self.muscle}"


@dataclass(slots=True)
class PendingCheck:
    """A red flag that may have been said, waiting for a yes or a no.

    ``instead`` is what the best reading of the words meant: acted on after a "no" when nothing
    else was interrupted. ``resume`` is True when a session was paused to ask.
    """

    flag: str
    instead: Understanding
    addressed: bool
    resume: bool
    asked: int = 1
    deadline: float | None = None
    plainly: bool = False
    """Already asked again, plainly, because background talk drowned the answer."""
    voice: str | None = None
    """The voice check's verdict on the words asked about, when it was the reason for asking; None otherwise."""

    @property
    def other_voice(self) -> bool:
        """Asked because the voice was clearly not an enrolled person's: unanswered, it lapses (a yes in their
        voice still escalates). A television's actor never answers, and would otherwise escalate by silence."""
        return self.voice == "other"

    @property
    def voice_doubted(self) -> bool:
        """Asked because the voice may not have been the person's: a "no" also says whose it was not."""
        return self.voice in ("other", "unsure")


@dataclass(slots=True)
class OpenQuestion:
    """The open question and how many times it has been asked."""

    question: Question
    asked: int = 1
    deadline: float | None = None
    unsure: Unconfirmed | None = None
    """An answer heard unclearly, read back and waiting for a yes or a no."""


def says_yes(event: Heard) -> bool:
    """Yes, or unclear words with a yes in another reading of them (never a no heard best)."""
    intent = event.understanding.intent
    return intent == "control.yes" or (intent != "control.no"
                                       and any(a.intent == "control.yes" for a in event.alternatives))


def screening_answer(event: Heard, runner: SessionRunner | None) -> Understanding:
    """What was said, except that an unclear answer to the screening question with a "yes" in another
    reading is taken as yes: it stops the session before it starts, erring towards safety."""
    u = event.understanding
    if runner is None or not runner.screening_open or u.intent == "control.yes" or not says_yes(event):
        return u
    return Understanding(text=u.text, intent="control.yes", score=u.score, slots=u.slots)


def is_due(deadline: float | None, now: float) -> bool:
    return deadline is not None and deadline <= now


def rating_of(u: Understanding) -> int | None:
    value = u.slots.get("number")
    if value is None:
        return None
    try:
        rating = int(value)
    except ValueError:
        return None
    return rating if 0 <= rating <= 10 else None
