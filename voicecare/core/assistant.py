"""The conversation: routes what the person says to answers, relief flows, sessions,
reminders and escalation. Pure: time comes in as arguments, actions go out."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Callable

from voicecare.core.actions import (
    Action,
    Escalate,
    Heard,
    PatternFound,
    Record,
    Say,
    SpeechDone,
    Tick,
    Tone,
)
from voicecare.core.dialog import (
    ANSWERED_INTENTS,
    RELIEF_FLOWS,
    Mode,
    Question,
    DialogSettings,
    ReliefFlow,
    PendingCheck,
    OpenQuestion,
    screening_answer,
    is_due,
)
from voicecare.core.addressing import AddressingMixin
from voicecare.core.escalation import EmergencyAlarm
from voicecare.core.expectation import Expect
from voicecare.core.questions import QuestionsMixin
from voicecare.core.requests import RequestsMixin
from voicecare.core.red_flag_dialog import RedFlagMixin
from voicecare.core.reminders import Phase, Reminders, StartRoutine
from voicecare.core.session import SessionRunner
from voicecare.messages import Understanding


log = logging.getLogger(__name__)

class Assistant(AddressingMixin, RequestsMixin, QuestionsMixin, RedFlagMixin):
    """The whole conversational core: ``handle(event, now, wall)`` and ``next_deadline``."""

    def __init__(
        self,
        texts: Any,
        programme: Any,
        reminders: Reminders | None = None,
        settings: DialogSettings = DialogSettings(),
        prefs: dict[str, float] | None = None,
        runner_factory: Callable[..., SessionRunner] = SessionRunner,
        recap: Callable[[datetime], tuple[str, ...]] | None = None,
    ) -> None:
        self.texts = texts
        self.programme = programme
        self.reminders = reminders
        self.settings = settings
        self.prefs: dict[str, float] = dict(prefs or {})
        self._runner_factory = runner_factory
        self.recap = recap
        """"How was my week?": the shell's summary of the journal for a wall-clock time (None: no journal)."""
        self.mode = Mode.IDLE
        self.runner: SessionRunner | None = None
        self.flow: ReliefFlow | None = None
        self._open: OpenQuestion | None = None
        self._alarm: EmergencyAlarm | None = None
        self._check: PendingCheck | None = None
        self._speaking = False
        self._listen_until = float("-inf")
        self._last_lines: tuple[str, ...] = ()
        self._pattern: PatternFound | None = None
        self._noisy_said = float("-inf")
        self._window_for_person = True
        """The last reply was to the person (not to background talk, nor another voice): the follow-up
        window opens when the voice has finished it."""
        self._window_tentative = False
        """The window was opened by a wake phrase only the first stage heard: a red flag in it is checked."""
        self._calling: str | None = None
        """The last reply was "I'm here. What's wrong?" ("heard", or "faint": its wake phrase was too faint
        for the endpointer): an answer still not made out in a loud room, or after a faint call, is met
        with "Do you need help?"."""

    # --- public surface -------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """True while a session, a question or an escalation runs, or the voice is speaking."""
        return self.mode is not Mode.IDLE or self._speaking or self._check is not None

    @property
    def awaiting_answer(self) -> bool:
        """True while a question (or an emergency acknowledgement) waits for the person."""
        return (self.mode in (Mode.ASKING, Mode.EMERGENCY) or self._check is not None
                or bool(self.runner is not None and self.runner.awaiting_answer))

    def expects_speech(self, now: float) -> bool:
        """True when the person may speak without the wake phrase: in a session, a question or an
        escalation, while the voice speaks ("stop"), and for a short while after it has spoken."""
        return (not self.settings.wake_enabled or self.mode is not Mode.IDLE or self._speaking
                or self._check is not None or now <= self._listen_until)

    def expecting(self) -> Expect:
        """What the conversation waits to hear now: the recognizer listens for it, and anything but
        ``Expect.IDLE`` is a conversation (no wake phrase needed)."""
        if self.mode is Mode.EMERGENCY:
            return Expect.EMERGENCY
        if self._check is not None:
            return Expect.CHECK
        if self.mode is Mode.ASKING and self._open is not None:
            if self._open.unsure is not None:
                return Expect.YES_NO
            return Expect.SIDE if self._open.question is Question.SIDE else Expect.PAIN
        if self.mode is Mode.SESSION and self.runner is not None:
            if self.runner.screening_open:
                return Expect.SCREENING
            return Expect.YES_NO if self.runner.awaiting_answer else Expect.SESSION
        if self.reminders is not None and self.reminders.phase is Phase.OPEN:
            return Expect.YES_NO  # a spoken reminder: yes, later, done
        return Expect.IDLE

    def next_deadline(self, now: float, wall: datetime) -> float | None:
        deadlines = [
            self.runner.next_deadline() if self.runner else None,
            self._check.deadline if self._check else None,
            self._open.deadline if self._open and not self._check else None,
            self._alarm.next_deadline() if self._alarm else None,
            self.reminders.next_deadline(now, wall) if self.reminders else None,
        ]
        found = [d for d in deadlines if d is not None]
        return min(found) if found else None

    def start_routine(self, name: str, now: float, side: str | None = None) -> list[Action]:
        """Begin a named routine directly (``voicecare routine NAME`` on the speaker)."""
        actions = self._start_session(name, now, side=side)
        if any(isinstance(a, Say) for a in actions):
            self._speaking = True
        return actions

    def handle(self, event: Any, now: float, wall: datetime) -> list[Action]:
        if isinstance(event, Heard):
            actions = self._heard(event, now, wall)
            actions += self._adapt(event)
        elif isinstance(event, SpeechDone):
            actions = self._speech_done(now, wall)
        elif isinstance(event, Tick):
            actions = self._tick(now, wall)
        elif isinstance(event, PatternFound):
            self._pattern = event
            actions = []
        else:
            raise TypeError(f"unknown event {event!r}")
        actions += self._when_free(now, wall, actions)
        if any(isinstance(a, Say) for a in actions):
            if not isinstance(event, Heard):
                self._window_for_person = True  # its own reminders and cues: the person may answer
            self._speaking = True
            self._last_lines = tuple(a.text for a in actions if isinstance(a, Say))
        return actions

    # --- events ---------------------------------------------------------------------

    def _heard(self, event: Heard, now: float, wall: datetime) -> list[Action]:
        """Only what is said to it counts: the wake phrase, or anything in a conversation. Idle, words
        without the wake phrase are ignored, red flags included: a television says them all day."""
        u = event.understanding
        if not self._for_me(event, now):
            log.debug("not addressed, ignored: %s", u.intent)
            return []
        if (event.background and not event.addressed and event.voice != "person"
                and (u.is_red_flag or event.possible is not None)):
            log.debug("a red flag in background talk, not acted on: %r", u.text)
            return []  # once anyone is enrolled, only a voice the check heard as theirs is never background
        self._note_speaker(event, now)
        if u.is_red_flag:
            return self._red_flag_heard(event, now)
        if self.mode is Mode.EMERGENCY:
            return self._emergency_reply(u, now)
        if self._check is not None:
            return self._check_reply(event, now, wall)
        if event.possible is not None:
            return self._ask_check(event, now)
        if event.addressed and not u.text.strip() and self.mode is Mode.IDLE:
            self._listen_until = now + self.settings.follow_up_seconds
            return [Tone("listening")]
        if self.mode is Mode.SESSION:
            if self._not_theirs(event):
                log.info("a session control in another voice, ignored: %r", u.text)
                return []
            halt = self._brief_halt(event)
            return self._in_session(halt or screening_answer(event, self.runner), now, wall)
        if self.mode is Mode.ASKING:
            confidence = 0.0 if event.noisy else event.confidence  # heard in noise: always read back
            return self._noisy(event, now) + self._answer(u, now, confidence)
        call = self._call_heard(event, now)
        if call is not None:
            return call
        return self._noisy(event, now) + self._idle(u, now, wall)

    def _noisy(self, event: Heard, now: float) -> list[Action]:
        """Words heard but not understood over a loud room: say so, once in a while."""
        if not event.noisy or event.understanding.intent != "unknown" or event.understanding.slots:
            return []
        if now - self._noisy_said < self.settings.noisy_every_seconds:
            return []
        self._noisy_said = now
        return self._say_prompt("noisy_room")

    def _speech_done(self, now: float, wall: datetime) -> list[Action]:
        self._speaking = False
        if self._check is not None:
            self._check.deadline = now + self.settings.answer_timeout_seconds
        elif self._open is not None:
            self._open.deadline = now + self.settings.answer_timeout_seconds
        if self._alarm is not None:
            self._alarm.spoken(now)
        if self.mode is Mode.IDLE and self._window_for_person:
            self._listen_until = now + self.settings.follow_up_seconds
        actions: list[Action] = []
        if self.runner is not None:
            actions += self._from_runner(self.runner.handle(SpeechDone(), now) or [], now)
        return actions

    def _tick(self, now: float, wall: datetime) -> list[Action]:
        actions: list[Action] = []
        if self.runner is not None and is_due(self.runner.next_deadline(), now):
            actions += self._from_runner(self.runner.handle(Tick(), now) or [], now)
        if self._check is not None and is_due(self._check.deadline, now):
            actions += self._check_unanswered(now)
        elif self._open is not None and is_due(self._open.deadline, now):
            actions += self._no_answer(now)
        if self._alarm is not None and is_due(self._alarm.next_deadline(), now):
            actions += self._alarm.repeat(now)
        if self.reminders is not None and is_due(self.reminders.next_deadline(now, wall), now):
            actions += self._reminder_actions(self.reminders.handle(Tick(), now, wall, self.busy) or [], now)
        return actions

    # --- questions -------------------------------------------------------------------

    def _in_session(self, u: Understanding, now: float, wall: datetime) -> list[Action]:
        assert self.runner is not None
        handled = self.runner.handle(Heard(u), now)
        if handled is not None:
            return self._from_runner(handled, now)
        if u.intent in RELIEF_FLOWS and u.intent != "control.hurts" and (self.flow is None or u.intent != "relief.general"):
            return self._start_relief(RELIEF_FLOWS[u.intent], u.side, now)
        if u.intent in ANSWERED_INTENTS:
            return self._say_answer(u.intent)
        if u.intent.startswith("reminder.") and self.reminders is not None:
            return self._reminder_actions(self.reminders.handle(Heard(u), now, wall, True) or [], now)
        return []

    def _after_runner(self, now: float) -> list[Action]:
        """Follow up on what the runner did: escalation wording, and the end of a session."""
        if self.runner is None or not self.runner.finished:
            return []
        runner, self.runner = self.runner, None
        self.prefs.update(getattr(runner, "prefs", {}) or {})
        self.mode = Mode.IDLE
        completed = getattr(runner.state, "value", runner.state) == "completed"
        if self.flow is not None and completed and self.settings.ask_pain_rating and self.flow.pain_start is not None:
            return self._ask(Question.PAIN_END, now)
        if self.flow is not None and not completed:
            self.flow = None
        if self.flow is not None:
            return self._finish_flow(None, now)
        return []

    def _from_runner(self, actions: list[Action], now: float) -> list[Action]:
        """Pass on the runner's actions, giving an Escalate (screening "yes") its wording."""
        out: list[Action] = []
        for action in actions:
            out.append(action)
            if isinstance(action, Escalate) and action.flag in self.texts.red_flags:
                out.append(Record("red_flag", {"flag": action.flag, "severity": action.severity}))
                self.flow = None
                out += self._escalation_speech(action.flag, now)
        return out + self._after_runner(now)

    # --- checking a red flag that may have been said ---------------------------------

    def _reminder_actions(self, actions: list[Any], now: float) -> list[Action]:
        out: list[Action] = []
        for action in actions:
            if isinstance(action, StartRoutine):
                out += self._start_session(action.name, now)
            else:
                out.append(action)
        return out

    def _when_free(self, now: float, wall: datetime, done: list[Action]) -> list[Action]:
        """Things that wait for a free moment: the journal's pattern notice, a deferred reminder."""
        if self.busy or any(isinstance(a, Say) for a in done):
            return []
        if self._pattern is not None:
            found, self._pattern = self._pattern, None
            if found.rule == "recurring":
                speech = self._say_prompt("pattern_see_gp", days=found.days)
            else:
                speech = self._say_prompt("pattern_persistent")
            return [Record("pattern", {"rule": found.rule}), *speech]
        if self.reminders is not None and self.reminders.pending:
            return self._reminder_actions(self.reminders.handle(Tick(), now, wall, False) or [], now)
        return []

    # --- speech helpers -------------------------------------------------------------

    def _say_answer(self, key: str) -> list[Action]:
        return [Say(line) for line in self.texts.answer(key)]

    def _say_prompt(self, key: str, **values: Any) -> list[Action]:
        return [Say(self.texts.prompt(key, **values))]

    def _needs_side(self, routine_name: str) -> bool:
        """True when the routine has a one-sided exercise done on the affected side."""
        routine = self.programme.routines.get(routine_name)
        if routine is None:
            return False
        for step in routine.steps:
            exercise = self.programme.exercises.get(step.exercise) if step.exercise else None
            if exercise is not None and exercise.sided and step.sides.value == "affected":
                return True
        return False


