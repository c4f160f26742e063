"""Inputs to and outputs of the core state machines.

Every core component has the shape ``handle(event, now) -> list[Action]`` plus
``next_deadline() -> float | None``. ``now`` is seconds on a monotonic clock (real or
virtual). The runtime executes the actions; most of them also become one line of the
event log (CONTRACT.md), through ``event()``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Mapping

from voicecare.messages import Understanding

# --- events into the core ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Heard:
    """The person said something (already understood). Empty text means noise.

    ``addressed`` is True when the wake phrase was said (or the wake phrase is off).
    ``alternatives`` are other ways the recognizer could have heard the same words, understood.
    """

    understanding: Understanding
    addressed: bool = True
    alternatives: tuple[Understanding, ...] = ()
    background: bool = False
    """Long or unsure words without the wake phrase: how a television sounds to the recognizer. In a
    conversation they still answer questions and steer a session, but raise no red flag on their own."""
    confidence: float = 1.0
    """The recognizer's confidence in the words (1.0 for typed text): an unsure answer is confirmed."""
    noisy: bool = False
    """The room was loud when these words were heard (the microphone's noise floor)."""
    wake_stage: str | None = None
    """Which stage found the wake phrase: "template" (an enrolled person's), "generic" or "transcript";
    None when it was not said (or the wake phrase is off)."""
    wake_confirmed: bool = True
    """False when only the first, cheap stage heard the wake phrase: a red flag is then checked, not acted on."""
    voice: str | None = None
    """Whose voice it sounded like, when anyone is enrolled: "person", "other" or "unsure"; None otherwise."""
    voice_brief: bool = False
    """"unsure" only because the words were too short to tell a voice by (a one-word "stop")."""
    faint: bool = False
    """The wake phrase was too faint for the endpointer to take for speech (found in the audio before
    the words): the person is far from the microphone, and their next words may not be made out either."""

    @property
    def possible(self) -> Understanding | None:
        """A red flag only another reading holds: the core asks before acting on it."""
        if self.understanding.is_red_flag:
            return None
        return next((u for u in self.alternatives if u.is_red_flag), None)


@dataclass(frozen=True, slots=True)
class SpeechDone:
    """The voice has finished everything it was asked to say."""


@dataclass(frozen=True, slots=True)
class Tick:
    """A deadline the component asked for (``next_deadline()``) has been reached."""


@dataclass(frozen=True, slots=True)
class PatternFound:
    """The journal sees a pattern worth a GP visit: ``rule`` is recurring or persistent.

    ``days``: on how many of the last five days there were spasms.
    """

    rule: str
    days: int = 0


Event = Heard | SpeechDone | Tick | PatternFound

# --- actions out of the core ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Action:
    """Base of everything the core asks the shell to do."""

    type: ClassVar[str] = ""

    def event(self) -> dict[str, Any] | None:
        """The event-log record for this action, or None if it is not logged."""
        if not self.type:
            return None
        return {"type": self.type, **asdict(self)}


@dataclass(frozen=True, slots=True)
class Say(Action):
    """Speak one short sentence (or a few). ``interrupt`` cuts off current speech first."""

    type: ClassVar[str] = "say"
    text: str
    interrupt: bool = False


@dataclass(frozen=True, slots=True)
class StopSpeaking(Action):
    """Silence the voice now and drop anything queued (logged as ``silenced``)."""

    type: ClassVar[str] = "silenced"


@dataclass(frozen=True, slots=True)
class Tone(Action):
    """A short non-speech sound: ``listening``, ``chime``, ``start``, ``tick``, ``release``, ``alert``."""

    name: str


@dataclass(frozen=True, slots=True)
class Cue(Action):
    """A timing cue within a hold or rep set.

    ``kind``: start, halfway, remaining, countdown, release, switch_sides, rep.
    ``value``: seconds remaining, the countdown number or the rep number, if any.
    """

    type: ClassVar[str] = "cue"
    kind: str
    value: int | None = None


@dataclass(frozen=True, slots=True)
class Hold(Action):
    """A timed hold begins now; it lasts ``seconds``."""

    type: ClassVar[str] = "hold"
    seconds: float
    exercise: str
    side: str | None = None


@dataclass(frozen=True, slots=True)
class SessionChanged(Action):
    """The session changed state: started, paused, resumed, skipped, stopped, completed."""

    type: ClassVar[str] = "session"
    state: str
    routine: str
    step: int | None = None


@dataclass(frozen=True, slots=True)
class Escalate(Action):
    """A red flag is being answered at ``severity`` (emergency, urgent, routine)."""

    type: ClassVar[str] = "escalate"
    severity: str
    flag: str


@dataclass(frozen=True, slots=True)
class CheckRedFlag(Action):
    """A red flag that may have been said is being checked with the person.

    ``state``: asked, confirmed (escalated), cleared (they said no), unanswered (escalated).
    """

    type: ClassVar[str] = "check"
    flag: str
    state: str


@dataclass(frozen=True, slots=True)
class PainRated(Action):
    """A pain rating was taken: ``value`` 0-10, ``when`` start or end, ``confirmed`` when it was read
    back and agreed (False: heard clearly enough not to need it)."""

    type: ClassVar[str] = "pain"
    value: int
    when: str
    confirmed: bool = False


@dataclass(frozen=True, slots=True)
class ReminderChanged(Action):
    """A movement reminder changed state: due, spoken, snoozed, acknowledged, deferred."""

    type: ClassVar[str] = "reminder"
    state: str
    kind: str = "movement"


@dataclass(frozen=True, slots=True)
class AdaptVoice(Action):
    """The person surely said what was just heard: their voice print may learn from it (not logged)."""


@dataclass(frozen=True, slots=True)
class NotTheirVoice(Action):
    """The person said "no" to a check about words in a voice that may not have been theirs: the voice that
    said them is another's, and is remembered as one (not logged)."""


@dataclass(frozen=True, slots=True)
class Record(Action):
    """Write one fact to the journal: ``kind`` is episode, session, red_flag, pain or reminder."""

    kind: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def event(self) -> dict[str, Any] | None:
        return None
