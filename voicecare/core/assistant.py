"""The conversation: routes what the person says to answers, relief flows, sessions,
reminders and escalation. Pure: time comes in as arguments, actions go out."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Callable

from voicecare.core.actions import (
    Action,
    CheckRedFlag,
    Escalate,
    Heard,
    PainRated,
    PatternFound,
    Record,
    Say,
    SpeechDone,
    StopSpeaking,
    Tick,
    Tone,
)
from voicecare.core.escalation import EmergencyAlarm, escalation_lines
from voicecare.core.expectation import Expect, Unconfirmed, confirmation_prompt
from voicecare.core.reminders import Phase, Reminders, StartRoutine
from voicecare.core.session import SessionRunner
from voicecare.messages import Severity, Understanding

log = logging.getLogger(__name__)

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
class _Check:
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


@dataclass(slots=True)
class _Open:
    """The open question and how many times it has been asked."""

    question: Question
    asked: int = 1
    deadline: float | None = None
    unsure: Unconfirmed | None = None
    """An answer heard unclearly, read back and waiting for a yes or a no."""


class Assistant:
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
        self._open: _Open | None = None
        self._alarm: EmergencyAlarm | None = None
        self._check: _Check | None = None
        self._speaking = False
        self._listen_until = float("-inf")
        self._last_lines: tuple[str, ...] = ()
        self._pattern: PatternFound | None = None
        self._noisy_said = float("-inf")

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
            self._speaking = True
            self._last_lines = tuple(a.text for a in actions if isinstance(a, Say))
        return actions

    # --- events ---------------------------------------------------------------------

    def _heard(self, event: Heard, now: float, wall: datetime) -> list[Action]:
        """Only what is said to it counts: the wake phrase, or anything in a conversation. Idle, words
        without the wake phrase are ignored, red flags included: a television says them all day."""
        u = event.understanding
        if not (event.addressed or self.expects_speech(now)):
            log.debug("not addressed, ignored: %s", u.intent)
            return []
        if event.background and not event.addressed and (u.is_red_flag or event.possible is not None):
            log.debug("a red flag in background talk, not acted on: %r", u.text)
            return []
        if u.is_red_flag:
            return self._escalate(u.intent, now)
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
            return self._in_session(_screening_answer(event, self.runner), now, wall)
        if self.mode is Mode.ASKING:
            confidence = 0.0 if event.noisy else event.confidence  # heard in noise: always read back
            return self._noisy(event, now) + self._answer(u, now, confidence)
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
        if self.mode is Mode.IDLE:
            self._listen_until = now + self.settings.follow_up_seconds
        actions: list[Action] = []
        if self.runner is not None:
            actions += self._from_runner(self.runner.handle(SpeechDone(), now) or [], now)
        return actions

    def _tick(self, now: float, wall: datetime) -> list[Action]:
        actions: list[Action] = []
        if self.runner is not None and _due(self.runner.next_deadline(), now):
            actions += self._from_runner(self.runner.handle(Tick(), now) or [], now)
        if self._check is not None and _due(self._check.deadline, now):
            actions += self._check_unanswered(now)
        elif self._open is not None and _due(self._open.deadline, now):
            actions += self._no_answer(now)
        if self._alarm is not None and _due(self._alarm.next_deadline(), now):
            actions += self._alarm.repeat(now)
        if self.reminders is not None and _due(self.reminders.next_deadline(now, wall), now):
            actions += self._reminder_actions(self.reminders.handle(Tick(), now, wall, self.busy) or [], now)
        return actions

    # --- idle: answers, flows, sessions, reminders ---------------------------------

    def _idle(self, u: Understanding, now: float, wall: datetime) -> list[Action]:
        intent = u.intent
        if intent in RELIEF_FLOWS:
            return self._start_relief(RELIEF_FLOWS[intent], u.side, now)
        if intent in ANSWERED_INTENTS:
            return self._say_answer(intent)
        if intent == "info.week":
            lines = self.recap(wall) if self.recap is not None else (self.texts.prompt("week_nothing"),)
            return [Say(line) for line in lines]
        if intent.startswith("routine."):
            return self._start_session(intent.removeprefix("routine."), now)
        if self.reminders is not None and (intent.startswith("reminder.") or self.reminders.pending
                                           or intent in ("control.start", "control.yes", "control.no")):
            handled = self.reminders.handle(Heard(u), now, wall, self.busy)
            if handled is not None:
                return self._reminder_actions(handled, now)
        if intent.startswith("reminder."):
            return self._say_prompt("reminders_off")
        return self._control_when_idle(u)

    def _control_when_idle(self, u: Understanding) -> list[Action]:
        intent = u.intent
        if intent == "control.stop":
            return [StopSpeaking()] if self._speaking else []
        if intent == "control.repeat":
            if not self._last_lines:
                return self._say_prompt("nothing_to_repeat")
            return [Say(line) for line in self._last_lines]
        if intent == "control.pause":
            return self._say_prompt("nothing_to_pause")
        if intent in ("control.resume", "control.skip"):
            return self._say_prompt("nothing_to_resume")
        if intent == "unknown" and not u.text.strip():
            return self._say_prompt("didnt_catch")
        if intent == "unknown":
            return self._say_answer("unknown")
        return self._say_answer("control.help")

    def _start_relief(self, muscle: str, side: str | None, now: float) -> list[Action]:
        actions: list[Action] = [Record("episode", {"muscle": muscle, "side": side})]
        if self.runner is not None:
            actions += self.runner.abort(now, "stopped")
            self.runner = None
        self.flow = ReliefFlow(muscle=muscle, side=side)
        actions += self._say_prompt("relief_start")
        if side is None and self._needs_side(self.flow.routine):
            return actions + self._ask(Question.SIDE, now)
        return actions + self._ask_pain_or_start(now)

    def _ask_pain_or_start(self, now: float) -> list[Action]:
        if self.settings.ask_pain_rating:
            return self._ask(Question.PAIN_START, now)
        return self._begin_flow_session(now)

    def _begin_flow_session(self, now: float) -> list[Action]:
        assert self.flow is not None
        return self._start_session(self.flow.routine, now, side=self.flow.side)

    def _start_session(self, name: str, now: float, side: str | None = None) -> list[Action]:
        routine = self.programme.routines.get(name)
        if routine is None:
            log.warning("no routine named %s in content", name)
            return self._say_answer("control.help")
        self.runner = self._runner_factory(routine, self.programme, side=side, prefs=self.prefs)
        self.mode = Mode.SESSION
        self._open = None
        return self._from_runner(self.runner.start(now), now)

    # --- questions -------------------------------------------------------------------

    def _ask(self, question: Question, now: float, asked: int = 1) -> list[Action]:
        self.mode = Mode.ASKING
        self._open = _Open(question, asked, deadline=self._unspoken_deadline(now))
        key = {
            Question.SIDE: "ask_side" if asked == 1 else "ask_side_again",
            Question.PAIN_START: "pain_rating_start" if asked == 1 else "pain_not_number",
            Question.PAIN_END: "pain_rating_end" if asked == 1 else "pain_not_number",
        }[question]
        return self._say_prompt(key)

    def _answer(self, u: Understanding, now: float, confidence: float = 1.0) -> list[Action]:
        assert self._open is not None
        question = self._open.question
        if u.intent == "control.stop":
            return self._cancel_flow()
        if self._open.unsure is not None:
            return self._confirm_reply(u, now)
        if u.intent == "control.repeat":
            return self._ask(question, now, self._open.asked)
        if question is Question.SIDE:
            if u.side:
                if confidence < self.settings.confirm_below:
                    return self._read_back(u.side, now)
                return self._sided(u.side, now)
            if u.intent in ("control.no", "control.skip"):
                return self._ask_pain_or_start(now)
        else:
            rating = _rating(u)
            if rating is not None and confidence < self.settings.confirm_below:
                return self._read_back(rating, now)
            if rating is not None:
                return self._rated(question, rating, u.slots.get("weight") == "no", now)
            if u.intent in ("control.no", "control.skip"):
                return self._rated(question, None, False, now)
        if u.intent in RELIEF_FLOWS and u.intent != "control.hurts":
            return self._start_relief(RELIEF_FLOWS[u.intent], u.side, now)
        if u.intent in ANSWERED_INTENTS:
            return self._say_answer(u.intent) + self._ask(question, now, self._open.asked)
        return self._unclear(now)

    def _sided(self, side: str, now: float) -> list[Action]:
        assert self.flow is not None
        self.flow.side = side
        return self._ask_pain_or_start(now)

    def _read_back(self, value: int | str, now: float, asked: int = 1) -> list[Action]:
        """An answer heard unclearly: read it back and wait for a yes or a no before using it."""
        assert self._open is not None
        self._open.unsure = Unconfirmed(value, asked)
        self._open.deadline = self._unspoken_deadline(now)
        key, values = confirmation_prompt(value)
        return self._say_prompt(key, **values)

    def _confirm_reply(self, u: Understanding, now: float) -> list[Action]:
        """Yes: use the answer as read back; no: ask the question again; anything else: read it back
        once more, then ask the question afresh (an unconfirmed rating is never journaled)."""
        assert self._open is not None and self._open.unsure is not None
        unsure, self._open.unsure = self._open.unsure, None
        question = self._open.question
        if u.intent == "control.yes":
            if isinstance(unsure.value, str):
                return self._sided(unsure.value, now)
            return self._rated(question, unsure.value, u.slots.get("weight") == "no", now, confirmed=True)
        if u.intent == "control.no":
            return self._ask(question, now, 2)
        heard = u.side if question is Question.SIDE else _rating(u)
        if heard is not None and heard != unsure.value:
            return self._read_back(heard, now)  # they corrected it ("no, six")
        if unsure.asked < 2:
            return self._read_back(unsure.value, now, unsure.asked + 1)
        return self._unclear(now)

    def _unclear(self, now: float) -> list[Action]:
        assert self._open is not None
        if self._open.asked >= 2:
            return self._give_up(now)
        return self._say_prompt("didnt_catch") + self._ask(self._open.question, now, self._open.asked + 1)

    def _no_answer(self, now: float) -> list[Action]:
        assert self._open is not None
        if self._open.asked >= 2:
            return self._give_up(now)
        return self._ask(self._open.question, now, self._open.asked + 1)

    def _give_up(self, now: float) -> list[Action]:
        """Asked twice without an answer: carry on without it, and offer help."""
        assert self._open is not None
        question = self._open.question
        self._open = None
        if question is Question.PAIN_END:
            return self._finish_flow(None, now)
        actions = self._say_prompt("offer_help_after_retry")
        return actions + (self._ask_pain_or_start(now) if question is Question.SIDE
                          else self._begin_flow_session(now))

    def _rated(self, question: Question, rating: int | None, no_weight: bool, now: float,
               confirmed: bool = False) -> list[Action]:
        assert self.flow is not None
        self._open = None
        actions: list[Action] = []
        if rating is not None:
            when = "start" if question is Question.PAIN_START else "end"
            actions.append(PainRated(rating, when, confirmed))
            actions.append(Record("pain", {"when": when, "rating": rating, "muscle": self.flow.muscle}))
        if rating is not None and rating >= 9 and no_weight:
            return actions + self._escalate_severe_pain(now)
        if question is Question.PAIN_START:
            self.flow.pain_start = rating
            return actions + self._begin_flow_session(now)
        return actions + self._finish_flow(rating, now)

    def _finish_flow(self, rating: int | None, now: float) -> list[Action]:
        before = self.flow.pain_start if self.flow else None
        self.flow = None
        self.mode = Mode.IDLE
        if rating is None or before is None:
            return self._say_prompt("goodbye")
        key = "pain_better" if rating < before else "pain_worse" if rating > before else "pain_same"
        return self._say_prompt(key, before=before, after=rating)

    def _cancel_flow(self) -> list[Action]:
        self._open = None
        self.flow = None
        self.mode = Mode.IDLE
        return [StopSpeaking(), *self._say_prompt("stopped")]

    # --- sessions --------------------------------------------------------------------

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

    def _ask_check(self, event: Heard, now: float) -> list[Action]:
        """Another reading of the words holds a red flag: stop, and ask about it before anything else."""
        assert event.possible is not None
        flag = event.possible.intent
        actions: list[Action] = [StopSpeaking(), CheckRedFlag(flag, "asked")]
        paused = self.runner.interrupt(now) if self.runner is not None else []
        actions += paused
        self._check = _Check(flag, event.understanding, event.addressed, resume=bool(paused),
                             deadline=self._unspoken_deadline(now))
        return actions + [Say(self.texts.red_flags[flag].check, interrupt=True)]

    def _check_reply(self, event: Heard, now: float, wall: datetime) -> list[Action]:
        """Yes escalates, and so does a yes in another reading of unclear words (erring to safety);
        only a no that was heard best clears the check."""
        assert self._check is not None
        check = self._check
        u = event.understanding
        if _says_yes(event):
            return [CheckRedFlag(check.flag, "confirmed"), *self._escalate(check.flag, now)]
        if u.intent in ("control.no", "control.stop"):
            return self._check_cleared(now, wall)
        if u.intent == "control.repeat":
            check.deadline = self._unspoken_deadline(now)
            return [Say(self.texts.red_flags[check.flag].check)]
        return self._check_unanswered(now)

    def _check_unanswered(self, now: float) -> list[Action]:
        """Not a yes or a no: ask once more; then act on the red flag, since they may be unable to answer."""
        assert self._check is not None
        check = self._check
        if check.asked >= 2:
            return [CheckRedFlag(check.flag, "unanswered"), *self._escalate(check.flag, now)]
        check.asked += 1
        check.deadline = self._unspoken_deadline(now)
        return [*self._say_prompt("check_yes_no"), Say(self.texts.red_flags[check.flag].check)]

    def _check_cleared(self, now: float, wall: datetime) -> list[Action]:
        """They said no: carry on with whatever was interrupted, or act on the words as first heard."""
        assert self._check is not None
        check, self._check = self._check, None
        actions: list[Action] = [CheckRedFlag(check.flag, "cleared"), *self._say_prompt("check_cleared")]
        if check.resume and self.runner is not None:
            return actions + self._from_runner(self.runner.carry_on(now), now)
        if self.mode is Mode.ASKING and self._open is not None:
            return actions + self._ask(self._open.question, now, self._open.asked)
        if self.mode is Mode.IDLE and check.instead.intent != "unknown":
            return actions + self._heard(Heard(check.instead, addressed=check.addressed), now, wall)
        return actions

    def _unspoken_deadline(self, now: float) -> float:
        """A question's deadline until the voice has finished asking it (then ``answer_timeout_seconds``)."""
        return now + 2 * self.settings.answer_timeout_seconds + 20

    # --- escalation ----------------------------------------------------------------

    def _escalate(self, flag: str, now: float) -> list[Action]:
        """A red flag: stop everything and answer it at its severity."""
        self._check = None
        severity = Severity(self.texts.red_flags[flag].severity)
        if self.mode is Mode.EMERGENCY and severity is not Severity.EMERGENCY:
            assert self._alarm is not None
            return [Record("red_flag", {"flag": flag, "severity": severity.value}), *self._alarm.repeat(now)]
        actions: list[Action] = [StopSpeaking()]
        if self.runner is not None:
            actions += self.runner.abort(now, "stopped")
            self.runner = None
        self._open = None
        self.flow = None
        actions += [Escalate(severity.value, flag), Record("red_flag", {"flag": flag, "severity": severity.value})]
        return actions + self._escalation_speech(flag, now)

    def _escalation_speech(self, flag: str, now: float) -> list[Action]:
        text = self.texts.red_flags[flag]
        lines = escalation_lines(text, self.settings.emergency_number)
        if Severity(text.severity) is Severity.EMERGENCY:
            self.mode = Mode.EMERGENCY
            self._alarm = EmergencyAlarm(text, self.settings.emergency_number,
                                         self.settings.emergency_repeat_seconds, now)
        else:
            self.mode = Mode.IDLE
        return [Say(lines[0], interrupt=True), *(Say(line) for line in lines[1:])]

    def _escalate_severe_pain(self, now: float) -> list[Action]:
        self.flow = None
        self._open = None
        actions: list[Action] = [Escalate(Severity.URGENT.value, "pain.severe"),
                                 Record("red_flag", {"flag": "pain.severe", "severity": "urgent"})]
        self.mode = Mode.IDLE
        lines = self.texts.prompts("severe_pain")
        return actions + [Say(lines[0], interrupt=True), *(Say(line) for line in lines[1:])]

    def _emergency_reply(self, u: Understanding, now: float) -> list[Action]:
        assert self._alarm is not None
        if u.intent in ACKNOWLEDGE_EMERGENCY:
            alarm, self._alarm = self._alarm, None
            self.mode = Mode.IDLE
            return [Say(line) for line in alarm.acknowledgement()]
        if u.intent in ("control.resume", "control.start") or u.intent.startswith("routine."):
            return self._say_prompt("emergency_not_resumed", number=self.settings.emergency_number)
        return self._alarm.repeat(now)

    # --- reminders -------------------------------------------------------------------

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


def _says_yes(event: Heard) -> bool:
    """Yes, or unclear words with a yes in another reading of them (never a no heard best)."""
    intent = event.understanding.intent
    return intent == "control.yes" or (intent != "control.no"
                                       and any(a.intent == "control.yes" for a in event.alternatives))


def _screening_answer(event: Heard, runner: SessionRunner | None) -> Understanding:
    """What was said, except that an unclear answer to the screening question with a "yes" in another
    reading is taken as yes: it stops the session before it starts, erring towards safety."""
    u = event.understanding
    if runner is None or not runner.screening_open or u.intent == "control.yes" or not _says_yes(event):
        return u
    return Understanding(text=u.text, intent="control.yes", score=u.score, slots=u.slots)


def _due(deadline: float | None, now: float) -> bool:
    return deadline is not None and deadline <= now


def _rating(u: Understanding) -> int | None:
    value = u.slots.get("number")
    if value is None:
        return None
    try:
        rating = int(value)
    except ValueError:
        return None
    return rating if 0 <= rating <= 10 else None
