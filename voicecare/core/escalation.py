"""Red-flag wording and the emergency alarm that repeats until it is acknowledged."""

from __future__ import annotations

from typing import Any

from voicecare.core.actions import Action, Say, Tone
from voicecare.messages import Severity


def escalation_lines(text: Any, number: str) -> list[str]:
    """What to say for a red flag: the instruction first, then why it matters."""
    return [*text.lines(number), text.why]


class EmergencyAlarm:
    """Repeats the emergency instruction every ``interval`` seconds after it was last spoken."""

    def __init__(self, text: Any, number: str, interval: float, now: float) -> None:
        if Severity(text.severity) is not Severity.EMERGENCY:
            raise ValueError(f"{text.flag} is not an emergency")
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
        line = self._text.repeat_line(self._number) or self._text.lines(self._number)[0]
        return [Tone("alert"), Say(line)]

    def acknowledgement(self) -> list[str]:
        line = self._text.acknowledge_line(self._number)
        return [line] if line else []
