"""Red-flag wording and the emergency alarm that repeats until it is acknowledged."""

from __future__ import annotations

from typing import Any

from voicecare.core.actions import Action, Say, Tone
from voicecare.messages import Severity


def escalation_lines(text: Any, number: str) -> list[str]:
    """What to say for a red flag: the instruction, then why (routine and urgent ones)."""
    lines = [line.format(number=number) for line in text.say]
    why = getattr(text, "why", None)
    if why and Severity(text.severity) is not Severity.EMERGENCY:
        lines.append(why)
    return lines


class EmergencyAlarm:
    """Repeats the emergency instruction every ``interval`` seconds after it was last spoken."""

    def __init__(self, text: Any, number: str, interval: float, now: float) -> None:
        self._text = text
        self._number = number
        self._interval = interval
        self._next: float | None = now + 3 * interval
        """Until the first speech has finished, a generous fallback deadline."""
        self.repeats = 0

    def next_deadline(self) -> float | None:
        return self._next

    def spoken(self, now: float) -> None:
        """The voice finished speaking: the next repeat is one interval from now."""
        self._next = now + self._interval

    def repeat(self, now: float) -> list[Action]:
        self.repeats += 1
        self._next = now + 3 * self._interval
        lines = self._text.repeat or self._text.say[:1]
        return [Tone("alert"), *(Say(line.format(number=self._number)) for line in lines)]

    def acknowledgement(self) -> list[str]:
        lines = self._text.acknowledge or ()
        return [line.format(number=self._number) for line in lines]
