"""Requests made when nothing else is going on: answers, relief flows, sessions, reminders and controls
said when there is nothing to control. Part of ``Assistant``."""

from __future__ import annotations

import logging
from datetime import datetime

from voicecare.core.actions import Action, Heard, Record, Say, StopSpeaking
from voicecare.core.dialog import ANSWERED_INTENTS, RELIEF_FLOWS, Mode, Question, ReliefFlow
from voicecare.messages import Understanding

log = logging.getLogger(__name__)


class RequestsMixin:
    """Idle requests (state lives on ``Assistant``)."""

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

