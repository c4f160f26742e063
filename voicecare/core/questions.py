"""Questions and their answers: the side, pain before and after a relief flow, answers read
back when heard unclearly, and what happens when no answer comes. Part of ``Assistant``."""

from __future__ import annotations

from voicecare.core.actions import (
    Action,
    PainRated,
    Record,
    StopSpeaking,
)
from voicecare.core.dialog import (
    ANSWERED_INTENTS,
    RELIEF_FLOWS,
    Mode,
    Question,
    OpenQuestion,
    rating_of,
)
from voicecare.core.expectation import Unconfirmed, confirmation_prompt
from voicecare.messages import Understanding


class QuestionsMixin:
    """Asking, reading back and taking answers (state lives on ``Assistant``)."""

    def _ask(self, question: Question, now: float, asked: int = 1) -> list[Action]:
        self.mode = Mode.ASKING
        self._open = OpenQuestion(question, asked, deadline=self._unspoken_deadline(now))
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
            rating = rating_of(u)
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
        heard = u.side if question is Question.SIDE else rating_of(u)
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
