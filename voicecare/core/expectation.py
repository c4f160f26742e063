"""What the conversation is waiting to hear: the recognizer listens for it, the wake policy reads it.

The core knows which answer it expects (a pain rating, a side, a yes or a no...). The shell hands
that to the recognizer with each utterance, so it can decode against the answers that make sense
now (always with every red flag and stop/help), and to the listening policy: anything but
``IDLE`` is a conversation, where no wake phrase is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Expect(str, Enum):
    """The kind of answer the conversation waits for."""

    IDLE = "idle"
    """Nothing in particular: any request (the open domain language model)."""
    PAIN = "pain"
    """A pain rating from 0 to 10."""
    SIDE = "side"
    """Left, right (or both)."""
    YES_NO = "yes_no"
    """A yes or a no: confirming an unclear answer, or a session's own yes/no question."""
    SCREENING = "screening"
    """The screening question before a session: numbness, tingling or weakness?"""
    CHECK = "check"
    """A red flag that may have been said: "did you say ...?"."""
    EMERGENCY = "emergency"
    """An emergency instruction waiting to be acknowledged ("okay", "done")."""
    SESSION = "session"
    """A guided session: pause, resume, skip, repeat, stop, longer, shorter, "that hurts"."""

    @property
    def in_conversation(self) -> bool:
        """True when an answer is awaited: no wake phrase is needed for it."""
        return self is not Expect.IDLE


@dataclass(frozen=True, slots=True)
class Unconfirmed:
    """An answer heard with too little confidence to act on, waiting for a yes or a no.

    ``value`` is the pain rating (int) or the side (str) as heard.
    """

    value: int | str
    asked: int = 1


def confirmation_prompt(value: int | str) -> tuple[str, dict[str, object]]:
    """The dialog prompt key and its placeholder values that read an unsure answer back."""
    if isinstance(value, int):
        return "confirm_pain", {"value": value}
    return "confirm_side", {"side": value}
