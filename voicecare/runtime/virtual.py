"""The assistant on a virtual clock, with typed lines instead of speech (``voicecare chat``)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, Sequence

from voicecare.core.actions import Action, Heard, Record, Say, SpeechDone, StopSpeaking, Tick
from voicecare.core.wake import WakePhrase
from voicecare.messages import Transcript
from voicecare.runtime.alternatives import understand_alternatives
from voicecare.runtime.eventlog import EventLog

log = logging.getLogger(__name__)

_SCRIPT_LINE = re.compile(r"^\s*(?:@\s*(?P<t>\d+(?:\.\d+)?)\s*s?\s+)?(?P<text>.*?)\s*$")


@dataclass(frozen=True, slots=True)
class ScriptLine:
    """One typed utterance; ``at`` is the virtual second it arrives, or None for "when free"."""

    at: float | None
    text: str


def parse_script(lines: Iterable[str]) -> list[ScriptLine]:
    """Parse ``[@SECONDS] utterance`` lines; blank lines and ``#`` comments are skipped."""
    parsed = []
    for raw in lines:
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        match = _SCRIPT_LINE.match(raw)
        assert match is not None
        at = float(match["t"]) if match["t"] is not None else None
        parsed.append(ScriptLine(at, match["text"]))
    return parsed


def speech_seconds(text: str, words_per_minute: float) -> float:
    """How long the voice takes to say ``text``: an estimate for the virtual clock."""
    words = max(1, len(text.split()))
    return 0.3 + words * 60.0 / words_per_minute


class VirtualConversation:
    """Drives the assistant core on a virtual clock: typed input, spoken lines as text.

    Deadlines fire in order as virtual time passes, and the voice takes an estimated time to
    speak, so holds, cues, timeouts and reminders behave as they would on the device.
    """

    def __init__(self, assistant: Any, understand: Callable[[str], Any], log_: EventLog, *,
                 journal: Any = None, wake: WakePhrase | None = None,
                 words_per_minute: float = 150.0, wall_start: datetime | None = None) -> None:
        self.assistant = assistant
        self._understand = understand
        self.log = log_
        self.journal = journal
        self._wake = wake
        self._wpm = words_per_minute
        self.wall_start = wall_start or datetime.now().astimezone()
        self.now = 0.0
        self._speech_until: float | None = None

    @property
    def wall(self) -> datetime:
        return self.wall_start + timedelta(seconds=self.now)

    def type_line(self, text: str, at: float | None = None, alternatives: Sequence[str] = (),
                  confidence: float = 1.0, noisy: bool = False) -> None:
        """The person types ``text`` at virtual second ``at`` (default: once the voice is quiet).

        ``alternatives`` stand for other ways a recognizer could have heard the same words;
        ``confidence`` and ``noisy`` for how sure it was and how loud the room.
        """
        if at is None:
            at = max(self.now, self._speech_until or self.now)
        self.advance_to(at)
        addressed, rest = self._wake.split(text) if self._wake else (True, text)
        self.log.heard(self.now, Transcript(text=text, confidence=confidence, alternatives=tuple(alternatives)))
        understanding = self._understand(rest)
        others = understand_alternatives(alternatives, self._understand, self._wake)
        self.log.understood(self.now, understanding)
        heard = Heard(understanding, addressed=addressed, alternatives=others, confidence=confidence, noisy=noisy)
        self._execute(self.assistant.handle(heard, self.now, self.wall))

    def advance_to(self, t: float) -> None:
        """Let virtual time pass up to ``t``, firing speech ends and deadlines in order."""
        while True:
            speech = self._speech_until
            deadline = self.assistant.next_deadline(self.now, self.wall)
            upcoming = [d for d in (speech, deadline) if d is not None]
            if not upcoming or min(upcoming) > t:
                break
            self.now = max(self.now, min(upcoming))
            if speech is not None and speech <= self.now:
                self._speech_until = None
                self._execute(self.assistant.handle(SpeechDone(), self.now, self.wall))
            else:
                self._execute(self.assistant.handle(Tick(), self.now, self.wall))
        self.now = max(self.now, t)

    def run_until_quiet(self, limit_seconds: float = 4 * 3600.0, *, until_asked: bool = False) -> None:
        """Advance until nothing is scheduled except far-off reminders, or ``limit_seconds``.

        With ``until_asked`` it also stops once the voice is quiet and a question is open,
        so an interactive user can answer it.
        """
        end = self.now + limit_seconds
        while self.now < end:
            speech = self._speech_until
            deadline = self.assistant.next_deadline(self.now, self.wall)
            if speech is None and (deadline is None or not self.assistant.busy):
                return
            if speech is None and until_asked and self.assistant.awaiting_answer:
                return
            upcoming = min(d for d in (speech, deadline) if d is not None)
            self.advance_to(min(upcoming, end))

    def _execute(self, actions: list[Action]) -> None:
        for action in actions:
            if isinstance(action, StopSpeaking):
                if self._speech_until is not None:
                    self._speech_until = self.now
            elif isinstance(action, Say):
                start = self.now if action.interrupt else max(self.now, self._speech_until or self.now)
                self._speech_until = start + speech_seconds(action.text, self._wpm)
                self.log.action(start, action)
                continue
            elif isinstance(action, Record):
                if self.journal is not None:
                    self.journal.record(action.kind, action.data, self.wall)
            self.log.action(self.now, action)
        if self._speech_until is None and any(isinstance(a, Say) for a in actions):
            self._speech_until = self.now
