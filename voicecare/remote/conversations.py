"""One conversation per person (satellite, device, Home Assistant conversation or peer), on the same pure
core as ``voicecare run``.

Home Assistant sends what was said in a room; the answer goes back to that room. What the core says on
its own later (hold cues, releases, the emergency alarm's repeats, reminders) comes out of ``due`` for
whoever delivers it (announcements through Home Assistant). A conversation with no satellite to speak on
whose person has said nothing for the follow-up window is paused: its session waits and its questions
stop, so it never talks to nobody; a red flag or an alarm in it is still carried through. When every
place is taken, the least recently used idle conversation makes room (its journal records stay). Time is
passed in, so all of this runs on a virtual clock in tests; the satellite's speaking time is estimated
from the words, as ``chat`` does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from voicecare.core.actions import Action, Escalate, Heard, Record, Say, SpeechDone, StopSpeaking, Tick
from voicecare.core.dialog import Mode
from voicecare.core.expectation import Expect
from voicecare.messages import Understanding
from voicecare.runtime.virtual import speech_seconds

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Reply:
    """The answer to one transcript: the lines to say, and what was understood."""

    key: str
    lines: tuple[str, ...]
    intent: str
    severity: str | None = None
    awaiting: bool = False
    """The conversation waits for the person's answer (a question, an alarm to acknowledge)."""

    @property
    def text(self) -> str:
        return " ".join(self.lines)


@dataclass(frozen=True, slots=True)
class Spoken:
    """Lines a conversation says on its own, for the satellite it belongs to."""

    key: str
    satellite: str | None
    lines: tuple[str, ...]
    severity: str | None = None

    @property
    def text(self) -> str:
        return " ".join(self.lines)


@dataclass(slots=True)
class _Conversation:
    key: str
    assistant: Any
    satellite: str | None
    last_used: float
    speech_until: float | None = None
    paused: bool = False
    """Paused because its person went quiet with no satellite to speak on; cleared by the next turn."""


class Conversations:
    """The conversations of every satellite, each its own ``Assistant``, sharing content and journal."""

    def __init__(self, make_assistant: Callable[[], Any], understand: Callable[[str], Any], *,
                 journal: Any = None, hook: Any = None, words_per_minute: float = 150.0,
                 idle_seconds: float = 3600.0, max_conversations: int = 32, follow_up_seconds: float = 30.0,
                 default_satellite: str | None = None) -> None:
        self._make = make_assistant
        self._understand = understand
        self._journal = journal
        self._hook = hook
        self._wpm = words_per_minute
        self.idle_seconds = idle_seconds
        self.max_conversations = max_conversations
        self.follow_up_seconds = follow_up_seconds
        """A person who says nothing for this long, with no satellite to hear the conversation, has gone."""
        self.evicted = 0
        self.paused = 0
        self.default_satellite = default_satellite or None
        self._all: dict[str, _Conversation] = {}

    def __len__(self) -> int:
        return len(self._all)

    def keys(self) -> list[str]:
        return list(self._all)

    def assistant(self, key: str) -> Any:
        """The core of one conversation (tests and the benchmark look inside)."""
        return self._all[key].assistant

    def open(self, key: str, now: float, satellite: str | None = None) -> None:
        """Start a conversation before anyone speaks (the default satellite's, which keeps the reminders going)."""
        self._get(key, now, satellite)

    def reply(self, key: str, text: str, now: float, wall: datetime, satellite: str | None = None) -> Reply:
        """What to say back to ``text``, said on satellite ``key``; starts its conversation if new."""
        conversation = self._get(key, now, satellite)
        self._advance(conversation, now, wall)
        conversation.last_used = now
        conversation.paused = False
        understanding = self._understand(text)
        log.debug("%s heard %r → %s", key, text, understanding.intent)
        actions = conversation.assistant.handle(Heard(understanding, addressed=True), now, wall)
        lines, severity = self._execute(conversation, actions, now, wall)
        return Reply(key, lines, understanding.intent, severity, bool(conversation.assistant.awaiting_answer))

    def next_deadline(self, now: float, wall: datetime) -> float | None:
        """The earliest moment any conversation has something to do."""
        found = [d for c in self._all.values() if (d := self._deadline(c, now, wall)) is not None]
        return min(found) if found else None

    def due(self, now: float, wall: datetime) -> list[Spoken]:
        """Fire every speech end and deadline up to ``now``; what was said on its own, per satellite.

        Conversations are visited most recently used first, so a reminder (shared by all) is spoken
        where the person last was.
        """
        spoken: list[Spoken] = []
        for conversation in sorted(self._all.values(), key=lambda c: -c.last_used):
            quiet_at = self._quiet_at(conversation)
            if quiet_at is not None and quiet_at <= now:
                spoken += self._advance(conversation, quiet_at, wall)
                if self._quiet_at(conversation) is not None:
                    self._pause(conversation, quiet_at, wall)
            spoken += self._advance(conversation, now, wall)
        self._forget_idle(now)
        return spoken

    # --- inside ------------------------------------------------------------------------

    def _get(self, key: str, now: float, satellite: str | None) -> _Conversation:
        conversation = self._all.get(key)
        if conversation is None:
            self._forget_idle(now)
            while len(self._all) >= max(1, self.max_conversations):
                self._evict()
            conversation = _Conversation(key, self._make(), satellite or self.default_satellite, now)
            self._all[key] = conversation
            log.info("new conversation for %s", key)
        elif satellite:
            conversation.satellite = satellite
        return conversation

    def _evict(self) -> None:
        """Make room: the least recently used idle conversation goes first, then one without an alarm or
        a red flag being checked, and only then any; the default satellite's stays. What it did is already
        in the journal."""
        others = [c for c in self._all.values() if c.key != self.default_satellite] or list(self._all.values())

        def rank(c: _Conversation) -> tuple[int, float]:
            if c.assistant.expecting() in (Expect.EMERGENCY, Expect.CHECK):
                return 2, c.last_used
            return (0 if c.assistant.mode is Mode.IDLE else 1), c.last_used  # idle: at most still speaking

        chosen = min(others, key=rank)
        del self._all[chosen.key]
        self.evicted += 1
        log.info("conversation for %s let go to make room (%s)", chosen.key,
                 "idle" if rank(chosen)[0] == 0 else "still running")

    def _quiet_at(self, conversation: _Conversation) -> float | None:
        """When this conversation's person counts as gone, if it would then be paused: no satellite to
        speak on, a session or a question running, and no alarm or red flag check under way."""
        assistant = conversation.assistant
        if conversation.satellite is not None or conversation.paused:
            return None
        if assistant.mode not in (Mode.SESSION, Mode.ASKING):
            return None
        if assistant.expecting() in (Expect.EMERGENCY, Expect.CHECK):
            return None
        return conversation.last_used + self.follow_up_seconds

    def _pause(self, conversation: _Conversation, now: float, wall: datetime) -> None:
        """The person has gone quiet and nothing can reach them: the session waits (as if they had said
        "pause"), an open question is dropped (as if "stop"); nothing is said, the journal still records."""
        assistant = conversation.assistant
        intent = "control.pause" if assistant.mode is Mode.SESSION else "control.stop"
        heard = Understanding(text=intent.removeprefix("control."), intent=intent, score=1.0)
        actions = assistant.handle(Heard(heard, addressed=True), now, wall)
        self._execute(conversation, [a for a in actions if not isinstance(a, Say)], now, wall)
        if any(isinstance(a, Say) for a in actions):
            assistant.handle(SpeechDone(), now, wall)  # nothing was said out loud: the voice is free
        conversation.speech_until = None
        conversation.paused = True
        self.paused += 1
        log.info("%s: no turn for %.0f s and no satellite to speak on; %s", conversation.key,
                 self.follow_up_seconds, "session paused" if intent == "control.pause" else "question dropped")

    def _deadline(self, conversation: _Conversation, now: float, wall: datetime) -> float | None:
        found = [d for d in (conversation.speech_until, conversation.assistant.next_deadline(now, wall),
                             self._quiet_at(conversation)) if d is not None]
        return min(found) if found else None

    def _core_deadline(self, conversation: _Conversation, now: float, wall: datetime) -> float | None:
        found = [d for d in (conversation.speech_until, conversation.assistant.next_deadline(now, wall))
                 if d is not None]
        return min(found) if found else None

    def _advance(self, conversation: _Conversation, now: float, wall: datetime) -> list[Spoken]:
        """Speech ends and deadlines of one conversation up to ``now``, each at its own moment."""
        spoken: list[Spoken] = []
        assistant = conversation.assistant
        while True:
            deadline = self._core_deadline(conversation, now, wall)
            if deadline is None or deadline > now:
                return spoken
            at = deadline
            if conversation.speech_until is not None and conversation.speech_until <= at:
                conversation.speech_until = None
                actions = assistant.handle(SpeechDone(), at, wall)
            else:
                actions = assistant.handle(Tick(), at, wall)
            lines, severity = self._execute(conversation, actions, at, wall)
            if lines:
                if severity is None and assistant.mode is Mode.EMERGENCY:
                    severity = "emergency"  # the alarm's repeats
                spoken.append(Spoken(conversation.key, conversation.satellite, lines, severity))

    def _execute(self, conversation: _Conversation, actions: list[Action], now: float,
                 wall: datetime) -> tuple[tuple[str, ...], str | None]:
        lines: list[str] = []
        severity: str | None = None
        for action in actions:
            if isinstance(action, Say):
                start = now if action.interrupt else max(now, conversation.speech_until or now)
                conversation.speech_until = start + speech_seconds(action.text, self._wpm)
                lines.append(action.text)
            elif isinstance(action, StopSpeaking):
                if conversation.speech_until is not None:
                    conversation.speech_until = now
            elif isinstance(action, Escalate):
                severity = action.severity
                log.warning("%s: red flag %s (%s)", conversation.key, action.flag, action.severity)
                if action.severity == "emergency" and self._hook is not None:
                    self._hook.fire(action.flag)
            elif isinstance(action, Record) and self._journal is not None:
                self._journal.record(action.kind, dict(action.data), wall)
        return tuple(lines), severity

    def _forget_idle(self, now: float) -> None:
        """Conversations quiet for ``idle_seconds`` with nothing running are let go."""
        for key, conversation in list(self._all.items()):
            if key == self.default_satellite:
                continue
            if (now - conversation.last_used >= self.idle_seconds and not conversation.assistant.busy
                    and conversation.speech_until is None):
                del self._all[key]
                log.info("conversation for %s ended (idle)", key)
