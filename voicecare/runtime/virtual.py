"""The assistant on a virtual clock, with typed lines instead of speech (``voicecare chat``)."""

from __future__ import annotations

import logging
import re
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, Sequence

from voicecare.core.actions import Action, Heard, Record, Say, SpeechDone, StopSpeaking, Tick
from voicecare.core.session import SessionState
from voicecare.core.wake import WakePhrase
from voicecare.messages import Transcript
from voicecare.listening.alternatives import understand_alternatives
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
                 words_per_minute: float = 150.0, wall_start: datetime | None = None,
                 journal_watch: Any = None, log_as_spoken: bool = False,
                 understand_other: Callable[[str], Any] | None = None) -> None:
        self.assistant = assistant
        self._understand = understand
        self._understand_other = understand_other or understand
        """How other readings are understood (``Understander.understand_alternative``)."""
        self.log = log_
        self.journal = journal
        self._wake = wake
        self._wpm = words_per_minute
        self.wall_start = wall_start or datetime.now().astimezone()
        self.now = 0.0
        self._speech_until: float | None = None
        self._queued: deque[tuple[float, Say]] = deque()
        """Lines waiting for the voice (start second, line): logged when they begin, dropped if cut off."""
        self._as_spoken = log_as_spoken
        """Log a line when the voice begins it, as a listener hears it (``chat``): times never go back,
        and a line cut off before it began is not shown as said. Otherwise each line is logged
        when the core decides to say it, at the time it will begin (what the tests of the core read)."""
        self.journal_watch = journal_watch
        """Says once that the journal cannot keep records (``runtime.journal_watch``)."""

    @property
    def wall(self) -> datetime:
        return self.wall_start + timedelta(seconds=self.now)

    def type_line(self, text: str, at: float | None = None, alternatives: Sequence[str] = (),
                  confidence: float = 1.0, noisy: bool = False, voice: str | None = None,
                  wake_confirmed: bool = True, faint: bool = False) -> None:
        """The person types ``text`` at virtual second ``at`` (default: once the voice is quiet).

        ``alternatives`` stand for other ways a recognizer could have heard the same words;
        ``confidence`` and ``noisy`` for how sure it was and how loud the room; ``voice`` for whose voice
        the voice check heard (person, other, unsure; None: nobody enrolled); ``wake_confirmed`` False for
        a wake phrase only the first stage heard; ``faint`` for one the endpointer missed (said from afar).
        """
        if at is None:
            at = max(self.now, self._speech_until or self.now)
        self.advance_to(at)
        addressed, rest = self._wake.split(text) if self._wake else (True, text)
        self.log.heard(self.now, Transcript(text=text, confidence=confidence, alternatives=tuple(alternatives)))
        understanding = self._understand(rest)
        others = understand_alternatives(alternatives, self._understand_other, self._wake)
        self.log.understood(self.now, understanding)
        heard = Heard(understanding, addressed=addressed, alternatives=others, confidence=confidence, noisy=noisy,
                      wake_stage="transcript" if addressed and self._wake else None,
                      wake_confirmed=wake_confirmed, voice=voice, faint=faint)
        self._execute(self.assistant.handle(heard, self.now, self.wall))

    def advance_to(self, t: float) -> None:
        """Let virtual time pass up to ``t``: queued lines begin, speech ends and deadlines fire, in order."""
        while True:
            begins = self._queued[0][0] if self._queued else None
            speech = self._speech_until
            deadline = self.assistant.next_deadline(self.now, self.wall)
            upcoming = [d for d in (begins, speech, deadline) if d is not None]
            if not upcoming or min(upcoming) > t:
                break
            self.now = max(self.now, min(upcoming))
            if begins is not None and begins <= self.now:
                self._begin_queued()
            elif speech is not None and speech <= self.now:
                self._speech_until = None
                self._execute(self.assistant.handle(SpeechDone(), self.now, self.wall))
            else:
                self._execute(self.assistant.handle(Tick(), self.now, self.wall))
        self.now = max(self.now, t)

    def _begin_queued(self) -> None:
        """Lines are logged as they begin to be spoken, so a line cut off before it began is never shown as said."""
        while self._queued and self._queued[0][0] <= self.now:
            start, action = self._queued.popleft()
            self.log.action(start, action)

    def _silence(self) -> None:
        """StopSpeaking, or a line that interrupts: what was still waiting to be said is dropped."""
        if self._queued:
            log.debug("dropped %d queued lines", len(self._queued))
        self._queued.clear()
        if self._speech_until is not None:
            self._speech_until = min(self._speech_until, self.now)

    def _waiting_for_person(self, until_asked: bool) -> bool:
        """Nothing will happen until the person speaks: a paused session waits for "resume" (only
        reminders are scheduled then, hours away), and with ``until_asked`` an open question."""
        runner = getattr(self.assistant, "runner", None)
        if runner is not None and runner.state is SessionState.PAUSED and not self.assistant.awaiting_answer:
            return True
        return until_asked and self.assistant.awaiting_answer

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
            if speech is None and self._waiting_for_person(until_asked):
                return
            begins = self._queued[0][0] if self._queued else None
            upcoming = min(d for d in (begins, speech, deadline) if d is not None)
            self.advance_to(min(upcoming, end))

    def _execute(self, actions: list[Action]) -> None:
        for action in actions:
            if isinstance(action, StopSpeaking):
                self._silence()
            elif isinstance(action, Say):
                if action.interrupt:
                    self._silence()
                start = max(self.now, self._speech_until or self.now)
                self._speech_until = start + speech_seconds(action.text, self._wpm)
                if start <= self.now or not self._as_spoken:
                    self.log.action(start, action)
                else:
                    self._queued.append((start, action))
                continue
            elif isinstance(action, Record):
                if self.journal is not None:
                    self.journal.record(action.kind, action.data, self.wall)
            self.log.action(self.now, action)
        if self.journal_watch is not None:
            notice = self.journal_watch.notice(self.assistant.busy or self._speech_until is not None)
            if notice:
                self._execute(notice)
