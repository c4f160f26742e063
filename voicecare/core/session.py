"""The guided session runner: a pure state machine on a clock that is passed in.

It speaks instructions, waits for the voice to finish (``SpeechDone``) before a hold's clock
starts, then fires cues at absolute offsets from the hold's start, so speech time never eats
into a hold. It answers the session's own voice commands and leaves everything else (return
value ``None``) to the dialog, which also owns red-flag wording and calls ``abort()``.
"""

from __future__ import annotations

import logging
from typing import Mapping

from voicecare.content.exercises import Exercise, Programme, Routine
from voicecare.core.actions import (Action, Cue, Event, Heard, Record, Say, SessionChanged, SpeechDone,
                                    StopSpeaking, Tick)
from voicecare.core.session_controls import SessionControlsMixin
from voicecare.core.session_plan import Opening, Part, PartKind, build_plan
from voicecare.core.session_questions import SessionQuestionsMixin
from voicecare.core.session_state import FINISHED_STATES, Question, SessionState, _Activity, _Open, _Paused
from voicecare.core.session_timeline import (CueSettings, Timeline, breathing_timeline, hold_timeline,
                                             reps_timeline, rest_timeline, timer_timeline)

__all__ = ["CueSettings", "SessionRunner", "SessionState", "Question"]

log = logging.getLogger(__name__)

_STATE_OF = {PartKind.HOLD: SessionState.HOLD, PartKind.REPS: SessionState.REPS,
             PartKind.BREATHING: SessionState.REPS, PartKind.TIMER: SessionState.TIMER,
             PartKind.REST: SessionState.REST}


class SessionRunner(SessionQuestionsMixin, SessionControlsMixin):
    """Runs one routine: ``start(now)``, ``handle(event, now)``, ``next_deadline()``."""

    def __init__(self, routine: Routine, programme: Programme, *, side: str | None = None,
                 prefs: Mapping[str, float] | None = None, screening: bool | None = None,
                 cues: CueSettings = CueSettings()) -> None:
        self.routine = routine
        self.programme = programme
        self.phrases = programme.phrases
        self.side = side
        self.cues = cues
        self.prefs: dict[str, float] = dict(prefs or {})
        self.screening = routine.screening if screening is None else screening
        self._plan = build_plan(routine, programme, side)
        self._state = SessionState.IDLE
        self._index = 0
        self._speech_deadline: float | None = None
        self._ready_until: float | None = None
        self._activity: _Activity | None = None
        self._open: _Open | None = None
        self._paused: _Paused | None = None
        self._pace = 1.0
        self._done_steps: set[int] = set()
        self._skipped_steps: list[int] = []

    # --- public surface -------------------------------------------------------------

    @property
    def state(self) -> SessionState:
        return self._state

    @property
    def finished(self) -> bool:
        return self._state in FINISHED_STATES

    @property
    def awaiting_answer(self) -> bool:
        """True while a yes/no question is open."""
        return self._state is SessionState.QUESTION and self._open is not None

    @property
    def screening_open(self) -> bool:
        """True while the screening question (numbness, tingling or weakness?) waits for its answer."""
        return self.awaiting_answer and self._open is not None and self._open.kind is Question.SCREENING

    @property
    def step(self) -> int:
        """The current routine step, 1-based (as in the event log)."""
        return self._part.step + 1 if self._plan else 1

    @property
    def part(self) -> Part:
        return self._part

    def hold_seconds(self, exercise: Exercise) -> float:
        """The hold for ``exercise``: the remembered preference, kept within the guide's range."""
        assert exercise.hold_seconds is not None
        return exercise.clamp_hold(self.prefs.get(exercise.id, exercise.hold_seconds))

    def start(self, now: float) -> list[Action]:
        """Begin: the screening question first when the routine asks for it."""
        if self._state is not SessionState.IDLE:
            return []
        actions: list[Action] = [SessionChanged("started", self.routine.id, 1)]
        if self.screening:
            return actions + self._ask(Question.SCREENING, now)
        return actions + self._enter(0, now, self.routine.intro)

    def next_deadline(self) -> float | None:
        """The next moment this session needs a ``Tick`` (None: it waits for speech or input)."""
        if self._state in FINISHED_STATES or self._state in (SessionState.IDLE, SessionState.PAUSED):
            return None
        if self._speech_deadline is not None:
            return self._speech_deadline
        if self._state is SessionState.QUESTION:
            return self._open.deadline if self._open else None
        if self._state is SessionState.READY:
            return self._ready_until
        if self._activity is not None:
            marks = self._activity.timeline.marks
            if self._activity.fired < len(marks):
                return self._activity.t0 + marks[self._activity.fired].offset
        return None

    def handle(self, event: Event, now: float) -> list[Action] | None:
        """Feed one event; ``None`` means "not a session matter" (the dialog answers it)."""
        if isinstance(event, Heard):
            return self._heard(event.understanding, now)
        if self._state in FINISHED_STATES or self._state is SessionState.IDLE:
            return []
        if isinstance(event, SpeechDone):
            return self._speech_done(now)
        if isinstance(event, Tick):
            return self._tick(now)
        raise TypeError(f"unknown event {event!r}")

    def interrupt(self, now: float) -> list[Action]:
        """Pause without a word, because something more important needs the voice; ``carry_on``
        picks up where it left off (a hold resumes with the time it had left)."""
        if self._state in FINISHED_STATES or self._state in (SessionState.IDLE, SessionState.PAUSED):
            return []
        return self._pause(now, announce=False)

    def carry_on(self, now: float) -> list[Action]:
        """Resume after ``interrupt`` (or a spoken pause)."""
        return self._resume(now) if self._state is SessionState.PAUSED else []

    def abort(self, now: float, state: str = "stopped") -> list[Action]:
        """End at once (a red flag, or the dialog moving on): silence, then the final records."""
        if self.finished:
            return []
        return [StopSpeaking(), *self._end(SessionState.STOPPED, state, now)]

    # --- time ------------------------------------------------------------------------

    def _tick(self, now: float) -> list[Action]:
        actions: list[Action] = []
        for _ in range(10_000):
            deadline = self.next_deadline()
            if deadline is None or deadline > now:
                break
            actions += self._due(now)
        return actions

    def _due(self, now: float) -> list[Action]:
        if self._speech_deadline is not None and self._speech_deadline <= now:
            log.debug("no SpeechDone by the safety deadline; going on")
            return self._speech_done(now)
        if self._state is SessionState.QUESTION:
            return self._no_answer(now)
        if self._state is SessionState.READY:
            return self._ready_over(now)
        return self._fire(now)

    def _speech_done(self, now: float) -> list[Action]:
        if self._speech_deadline is None:
            return []
        self._speech_deadline = None
        if self._state is SessionState.QUESTION:
            assert self._open is not None
            self._open.deadline = now + self.cues.answer_seconds
            return []
        if self._state is not SessionState.INSTRUCTION:
            return []
        part = self._part
        if part.kind is PartKind.SAY:
            wait = part.pause_seconds
        elif part.kind in (PartKind.REST, PartKind.TIMER):
            wait = 0.0
        else:
            wait = self.cues.get_ready_seconds
        if wait <= 0:
            return self._ready_over(now)
        self._state = SessionState.READY
        self._ready_until = now + wait
        return []

    def _ready_over(self, now: float) -> list[Action]:
        self._ready_until = None
        if self._part.kind is PartKind.SAY:
            return self._finish_part(now)
        return self._start_activity(now)

    def _start_activity(self, now: float, elapsed: float = 0.0) -> list[Action]:
        timeline = self._timeline(self._part)
        self._activity = _Activity(timeline, now - elapsed, timeline.due_count(elapsed) if elapsed else 0)
        self._state = _STATE_OF[self._part.kind]
        return self._fire(now)

    def _fire(self, now: float) -> list[Action]:
        activity = self._activity
        if activity is None:
            return []
        actions: list[Action] = []
        marks = activity.timeline.marks
        while activity.fired < len(marks) and activity.t0 + marks[activity.fired].offset <= now:
            actions += marks[activity.fired].actions
            activity.fired += 1
        if activity.fired >= len(marks):
            self._activity = None
            actions += self._finish_part(now)
        return actions

    def _timeline(self, part: Part) -> Timeline:
        ex = part.exercise
        assert ex is not None
        if part.kind is PartKind.HOLD:
            return hold_timeline(self.hold_seconds(ex), ex, part.side, self.phrases, self.cues,
                                 movement=ex.kind.value == "movement")
        if part.kind is PartKind.REPS:
            assert ex.reps is not None
            return reps_timeline(ex.reps, ex.rep_seconds * self._pace, self.phrases)
        if part.kind is PartKind.BREATHING:
            assert ex.breaths is not None
            return breathing_timeline(ex.breaths, ex.inhale_seconds * self._pace, ex.exhale_seconds * self._pace,
                                      self.phrases)
        if part.kind is PartKind.TIMER:
            return timer_timeline(self.hold_seconds(ex), ex, self.phrases)
        lines = (self.phrases.say("rest", seconds=int(round(part.pause_seconds))),
                 self.phrases.say("rest_next", set=self.phrases.number(part.set_no),
                                  sets=self.phrases.number(part.sets), name=ex.name))
        return rest_timeline(part.pause_seconds, lines)

    # --- moving through the plan -------------------------------------------------------

    @property
    def _part(self) -> Part:
        return self._plan[min(self._index, len(self._plan) - 1)]

    def _say(self, lines: tuple[str, ...] | list[str], now: float) -> list[Action]:
        """Speak ``lines``; while the session waits for the voice, the safety deadline grows."""
        lines = [line for line in lines if line]
        if lines and self._speech_deadline is not None:
            self._speech_deadline = max(self._speech_deadline, now + self._estimate(lines))
        return [Say(line) for line in lines]

    def _estimate(self, lines: list[str] | tuple[str, ...]) -> float:
        words = sum(len(line.split()) for line in lines)
        return words / self.cues.words_per_second + self.cues.speech_grace_seconds

    def _speak_then(self, lines: list[str], now: float, state: SessionState) -> list[Action]:
        """Speak, and wait for ``SpeechDone`` (or the safety deadline) before going on."""
        self._state = state
        self._speech_deadline = now + self._estimate(lines)
        self._ready_until = None
        if not lines:
            self._speech_deadline = now
            return self._speech_done(now)
        return [Say(line) for line in lines]

    def _enter(self, index: int, now: float, prefix: tuple[str, ...] | list[str] = (), *,
               full: bool = False) -> list[Action]:
        """Begin part ``index``: speak its opening, then get ready (or ask, for a timer)."""
        if index >= len(self._plan):
            return self._complete(now, list(prefix))
        self._index = index
        self._activity = None
        part = self._part
        if part.kind is PartKind.TIMER and part.ask:
            assert part.exercise is not None
            return self._ask(Question.TIMER, now, [*prefix, *part.lines])
        opening = [*prefix, *self._opening(part, full)]
        actions: list[Action] = []
        if part.opening is Opening.SWITCH and not full:
            actions.append(Cue("switch_sides"))
        return actions + self._speak_then(opening, now, SessionState.INSTRUCTION)

    def _opening(self, part: Part, full: bool) -> list[str]:
        p, ex = self.phrases, part.exercise
        if part.kind is PartKind.SAY:
            return list(part.lines)
        if part.kind is PartKind.REST:
            return []
        assert ex is not None
        if part.kind is PartKind.TIMER:
            return [*part.lines, *ex.instructions, p.say("timer_for", duration=p.duration(self.hold_seconds(ex)))]
        if part.opening is Opening.SWITCH and not full:
            return [p.say("other_side"), *(ex.lines_for(part.side) if ex.sided_instructions else ()), p.say("get_ready")]
        if part.opening is Opening.NEXT_SET and not full:
            return [p.say("set_start", set=p.number(part.set_no), sets=p.number(part.sets)), p.say("get_ready")]
        first = not any(q.exercise is not None and q.kind is not PartKind.TIMER for q in self._plan[:self._index])
        lines = [p.say("first" if first else "next", name=ex.name), *ex.lines_for(part.side)]
        if ex.caution:
            lines.append(ex.caution)
        if part.sets > 1:
            lines.append(p.say("set_start", set=p.number(part.set_no), sets=p.number(part.sets)))
        lines.append(self._amount(part))
        lines.append(p.say("get_ready"))
        return lines

    def _amount(self, part: Part) -> str:
        p, ex = self.phrases, part.exercise
        assert ex is not None
        if part.kind is PartKind.HOLD:
            key = "move_for" if ex.kind.value == "movement" else "hold_for"
            return p.say(key, duration=p.duration(self.hold_seconds(ex)))
        if part.kind is PartKind.BREATHING:
            return p.say("breaths_for", breaths=p.number(ex.breaths or 0))
        return p.say("reps_for", reps=p.number(ex.reps or 0))

    def _finish_part(self, now: float, prefix: tuple[str, ...] | list[str] = ()) -> list[Action]:
        step = self._part.step
        nxt = self._index + 1
        if nxt >= len(self._plan) or self._plan[nxt].step != step:
            self._done_steps.add(step)
        return self._enter(nxt, now, prefix)

    def _skip_step(self, now: float, prefix: list[str]) -> list[Action]:
        step = self._part.step
        self._skipped_steps.append(step + 1)
        nxt = next((i for i in range(self._index, len(self._plan)) if self._plan[i].step != step), len(self._plan))
        return [SessionChanged("skipped", self.routine.id, step + 1), *self._enter(nxt, now, prefix)]

    def _complete(self, now: float, prefix: list[str]) -> list[Action]:
        lines = [*prefix, *self.routine.outro, self.phrases.say("completed")]
        return [*(Say(line) for line in lines), *self._end(SessionState.COMPLETED, "completed", now)]

    def _end(self, state: SessionState, label: str, now: float) -> list[Action]:
        self._state = state
        self._activity = self._open = self._paused = None
        self._speech_deadline = self._ready_until = None
        steps = len(self.routine.steps)
        return [SessionChanged(label, self.routine.id, min(self.step, steps)),
                Record("session", {"routine": self.routine.id, "side": self.side,
                                   "steps_done": len(self._done_steps), "steps_total": steps,
                                   "skipped": list(self._skipped_steps),
                                   "completed": state is SessionState.COMPLETED})]
