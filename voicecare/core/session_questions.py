"""The session's own yes/no questions: the screening question before it starts, "ready for
the timer?", "does it hurt?"; asking, asking again, and what an answer or silence leads to.
Part of ``SessionRunner``."""

from __future__ import annotations

import logging

from voicecare.core.actions import Action, Escalate, StopSpeaking
from voicecare.core.session_state import Question, SessionState, _Open
from voicecare.messages import Severity

log = logging.getLogger(__name__)

SCREENING_FLAG = "redflag.numbness"


class SessionQuestionsMixin:
    """Asking the session's questions and taking their answers (state lives on ``SessionRunner``)."""

    # --- questions --------------------------------------------------------------------

    def _question_line(self, kind: Question, again: bool) -> list[str]:
        p = self.phrases
        if kind is Question.SCREENING:
            return [p.say("screening_again" if again else "screening")]
        if kind is Question.PAIN:
            return ([p.say("ask_again")] if again else []) + [p.say("offer_skip")]
        ex = self._part.exercise
        assert ex is not None and ex.ask is not None
        ask = ex.ask.format(duration=self.phrases.duration(self.hold_seconds(ex)))
        return ([p.say("ask_again")] if again else []) + [ask]

    def _ask(self, kind: Question, now: float, prefix: list[str] | tuple[str, ...] = (), asked: int = 1) -> list[Action]:
        self._open = _Open(kind, asked)
        self._activity = None
        return self._speak_then([*prefix, *self._question_line(kind, asked > 1)], now, SessionState.QUESTION)

    def _no_answer(self, now: float) -> list[Action]:
        assert self._open is not None
        if self._open.asked < 2:
            return self._ask(self._open.kind, now, asked=self._open.asked + 1)
        kind, self._open = self._open.kind, None
        log.info("no answer to the %s question", kind.value)
        if kind is Question.SCREENING:
            return self._enter(0, now, [self.phrases.say("screening_reminder"), *self.routine.intro])
        if kind is Question.TIMER:
            return self._finish_part(now, [self.phrases.say("declined")])
        return self._skip_step(now, [self.phrases.say("skipped")])

    def _answer(self, yes: bool, now: float) -> list[Action]:
        assert self._open is not None
        kind, self._open = self._open.kind, None
        p = self.phrases
        if kind is Question.SCREENING:
            if yes:
                return [Escalate(Severity.URGENT.value, SCREENING_FLAG), *self.abort(now)]
            return [StopSpeaking(), *self._enter(0, now, [p.say("screening_ok"), *self.routine.intro])]
        if kind is Question.TIMER:
            if yes:
                part = self._part
                assert part.exercise is not None
                lines = [*part.exercise.instructions, p.say("timer_for", duration=p.duration(self.hold_seconds(part.exercise)))]
                return self._speak_then(lines, now, SessionState.INSTRUCTION)
            return self._finish_part(now, [p.say("declined")])
        if yes:
            return self._skip_step(now, [p.say("skipped")])
        return self._enter(self._index, now, [p.say("pain_continue")], full=True)
