"""What the person says during a session: a yes or a no to the open question, a red flag while
the screening question waits, and the controls (pause, resume, stop, skip, repeat, help, longer
or shorter, slower, "it hurts"). Part of ``SessionRunner``."""

from __future__ import annotations

from voicecare.content.exercises import Exercise
from voicecare.core.actions import Action, Cue, Escalate, Record, Say, SessionChanged, StopSpeaking, Tone
from voicecare.core.session_plan import PartKind
from voicecare.core.session_state import FINISHED_STATES, Question, SessionState, _Activity, _Open, _Paused
from voicecare.messages import Severity, Understanding


class SessionControlsMixin:
    """The session's voice commands (state lives on ``SessionRunner``)."""

    # --- what the person says ------------------------------------------------------------

    def _heard(self, u: Understanding, now: float) -> list[Action] | None:
        if self._state in FINISHED_STATES or self._state is SessionState.IDLE:
            return None
        intent = u.intent
        if u.is_red_flag:
            if self._open is not None and self._open.kind is Question.SCREENING:
                severity = u.severity or Severity.URGENT
                return [Escalate(severity.value, intent), *self.abort(now)]
            return None
        if intent in ("control.yes", "control.no"):
            if not self.awaiting_answer:
                return None
            return self._answer(intent == "control.yes", now)
        handler = {
            "control.pause": self._pause,
            "control.resume": self._resume,
            "control.start": self._resume_if_paused,
            "control.stop": self._stop,
            "control.skip": self._skip,
            "control.repeat": self._repeat,
            "control.help": self._help,
            "control.longer": lambda t: self._adjust(+1, t),
            "control.shorter": lambda t: self._adjust(-1, t),
            "control.slower": self._slower,
            "control.hurts": self._hurts,
        }.get(intent)
        return handler(now) if handler is not None else None

    def _pause(self, now: float, *, announce: bool = True) -> list[Action]:
        if self._state is SessionState.PAUSED:
            return [Say(self.phrases.say("paused"))]
        elapsed = now - self._activity.t0 if self._activity is not None else None
        self._paused = _Paused(self._state, elapsed, self._open.kind if self._open else None)
        self._state = SessionState.PAUSED
        self._activity = self._open = None
        self._speech_deadline = self._ready_until = None
        said = [Say(self.phrases.say("paused"))] if announce else []
        return [StopSpeaking(), *said, SessionChanged("paused", self.routine.id, self.step)]

    def _resume_if_paused(self, now: float) -> list[Action] | None:
        return self._resume(now) if self._state is SessionState.PAUSED else None

    def _resume(self, now: float) -> list[Action]:
        paused = self._paused
        if self._state is not SessionState.PAUSED or paused is None:
            return self._say([self.phrases.say("not_paused")], now)
        self._paused = None
        actions: list[Action] = [SessionChanged("resumed", self.routine.id, self.step)]
        resumed = self.phrases.say("resumed")
        if paused.question is not None:
            return actions + self._ask(paused.question, now, [resumed])
        if paused.elapsed is not None:
            actions.append(Say(resumed))
            return actions + self._start_activity(now, paused.elapsed)
        return actions + self._enter(self._index, now, [resumed], full=True)

    def _stop(self, now: float) -> list[Action]:
        return [StopSpeaking(), Say(self.phrases.say("stopped")), *self._end(SessionState.STOPPED, "stopped", now)]

    def _skip(self, now: float) -> list[Action]:
        state = self._paused.state if self._paused is not None else self._state
        question = self._paused.question if self._paused is not None else (self._open.kind if self._open else None)
        self._paused = None
        if question is Question.SCREENING:
            return [StopSpeaking(), *self._ask(Question.SCREENING, now, asked=2)]
        if question is not None:
            self._open = _Open(question)
            return [StopSpeaking(), *self._answer(question is Question.PAIN, now)]
        if state is SessionState.REST:
            self._activity = None
            return [StopSpeaking(), SessionChanged("skipped", self.routine.id, self.step), *self._finish_part(now)]
        return [StopSpeaking(), *self._skip_step(now, [self.phrases.say("skipped")])]

    def _repeat(self, now: float) -> list[Action]:
        if self._state is SessionState.PAUSED:
            return [Say(self.phrases.say("paused"))]
        if self._state is SessionState.QUESTION and self._open is not None:
            return [StopSpeaking(), *self._ask(self._open.kind, now, asked=self._open.asked)]
        return [StopSpeaking(), *self._enter(self._index, now, full=True)]

    def _help(self, now: float) -> list[Action]:
        lines = [self.phrases.say("help")]
        if self._state is SessionState.QUESTION and self._open is not None:
            lines += self._question_line(self._open.kind, again=False)
        elif self._state is SessionState.PAUSED:
            lines.append(self.phrases.say("paused"))
        return self._say(lines, now)

    def _adjustable(self) -> Exercise | None:
        part = self._part
        if part.kind in (PartKind.HOLD, PartKind.TIMER) and part.exercise is not None and part.exercise.timed:
            return part.exercise
        return None

    def _adjust(self, direction: int, now: float) -> list[Action]:
        ex = self._adjustable()
        if ex is None or self._state is SessionState.QUESTION:
            return self._say([self.phrases.say("no_hold")], now)
        current = self.hold_seconds(ex)
        step = self.cues.timer_adjust_seconds if ex.kind.value == "timer" else self.cues.adjust_seconds
        wanted = ex.clamp_hold(current + direction * step)
        if wanted == current:
            return self._say([self.phrases.say("at_longest" if direction > 0 else "at_shortest")], now)
        self.prefs[ex.id] = wanted
        actions: list[Action] = [Record("preference", {"exercise": ex.id, "hold_seconds": wanted})]
        actions += self._say([self.phrases.say("longer" if direction > 0 else "shorter",
                                               duration=self.phrases.duration(wanted))], now)
        if self._activity is not None:
            elapsed = now - self._activity.t0
            self._activity = _Activity(self._timeline(self._part), self._activity.t0, 0)
            self._activity.fired = self._activity.timeline.due_count(elapsed)
            actions += self._fire(now)
        return actions

    def _slower(self, now: float) -> list[Action]:
        if self._adjustable() is not None:
            return self._adjust(+1, now)
        if self._part.kind in (PartKind.REPS, PartKind.BREATHING, PartKind.REST):
            self._pace = min(self.cues.slowest_factor, self._pace * self.cues.slower_factor)
            return self._say([self.phrases.say("slower")], now)
        return self._say([self.phrases.say("no_hold")], now)

    def _hurts(self, now: float) -> list[Action]:
        part = self._part
        actions: list[Action] = [StopSpeaking()]
        if self._state is SessionState.QUESTION and self._open is not None:
            return actions + self._ask(self._open.kind, now, [self.phrases.say("ease_off")], self._open.asked)
        if self._state is SessionState.HOLD:
            actions += [Cue("release"), Tone("release")]
        self._paused = None
        actions.append(Record("pain", {"routine": self.routine.id, "step": part.step + 1,
                                       "exercise": part.exercise.id if part.exercise else None,
                                       "side": part.side}))
        return actions + self._ask(Question.PAIN, now, [self.phrases.say("ease_off")])
