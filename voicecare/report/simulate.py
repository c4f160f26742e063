"""Weeks of a person's use, played through the real assistant core on a virtual clock into a journal.

What a report shows can only be checked against real journal rows written by the real core:
the tests, the report benchmark and the README's picture all fill journals this way. A day is
a plan of what the person says and when; the assistant answers as it would on the device
(screening questions, pain ratings, hourly reminders, escalations), only faster.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Sequence

from voicecare.runtime.eventlog import EventLog
from voicecare.runtime.virtual import VirtualConversation

log = logging.getLogger(__name__)

DAY_END = time(22, 0)
"""Each simulated day runs until the reminders' quiet hours begin."""


@dataclass(frozen=True, slots=True)
class Spasm:
    """The person reports a spasm and rates the pain before and after the relief flow."""

    at: time
    words: str
    before: int
    after: int | None = None


@dataclass(frozen=True, slots=True)
class Session:
    """The person starts a guided session; optionally says "that hurts" some seconds in and skips that step."""

    at: time
    words: str = "start my daily stretches"
    hurt_after_seconds: float | None = None
    stop_after_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class Said:
    """Anything else the person says (a red flag, a question)."""

    at: time
    words: str


@dataclass(frozen=True, slots=True)
class DayPlan:
    """One day: what is said, and how movement reminders are answered, in turn ("" lets one go unanswered)."""

    events: tuple[Spasm | Session | Said, ...] = ()
    reminder_answers: tuple[str, ...] = ("done", "later", "")


@dataclass
class Person:
    """The assistant on a virtual clock, with a journal, driven by day plans."""

    chat: VirtualConversation
    start: date
    events: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def build(cls, brain: Any, journal: Any, start: date) -> Person:
        """A person whose first simulated day is ``start`` (local time)."""
        events: list[dict[str, Any]] = []
        wall = datetime.combine(start, time(0, 0)).astimezone()
        chat = VirtualConversation(brain.assistant, brain.understander.understand, EventLog(echo=events.append),
                                   journal=journal, wall_start=wall,
                                   understand_other=brain.understander.understand_alternative)
        return cls(chat, start, events)

    def live(self, plans: Sequence[DayPlan]) -> None:
        """Play one plan per day, from the start day on."""
        for offset, plan in enumerate(plans):
            self.day(self.start + timedelta(days=offset), plan)

    def day(self, day: date, plan: DayPlan) -> None:
        """Play one day's plan, answering reminders between the things said."""
        answers = iter(plan.reminder_answers * 50)
        for event in sorted(plan.events, key=lambda e: e.at):
            self._reminders_until(self._seconds(day, event.at), answers)
            self._play(day, event)
        self._reminders_until(self._seconds(day, DAY_END), answers)

    # --- internals ---------------------------------------------------------------------

    def _seconds(self, day: date, at: time) -> float:
        moment = datetime.combine(day, at).astimezone()
        return max(self.chat.now, (moment - self.chat.wall_start).total_seconds())

    def _say(self, words: str, at: float | None = None) -> None:
        self.chat.type_line(words, at)

    def _answer(self, words: str) -> None:
        self.chat.run_until_quiet(until_asked=True)
        self._say(words)

    def _play(self, day: date, event: Spasm | Session | Said) -> None:
        start = self._seconds(day, event.at)
        self._say(event.words, start)
        if isinstance(event, Spasm):
            self._answer(str(event.before))
            self._answer_until_rated(event.after)
        elif isinstance(event, Session):
            self._answer("no")  # the screening question: no numbness, tingling or weakness
            if event.hurt_after_seconds is not None:
                self._say("that hurts", self.chat.now + event.hurt_after_seconds)
                self._answer("yes")  # "shall we skip this one?"
            if event.stop_after_seconds is not None:
                self._say("stop", self.chat.now + event.stop_after_seconds)
        self.chat.run_until_quiet(until_asked=True)
        if self.chat.assistant.awaiting_answer:
            self._answer("okay")
        self.chat.run_until_quiet()

    def _answer_until_rated(self, rating: int | None) -> None:
        """Say no to offers (a cold pack) until the closing pain question, then give ``rating``."""
        for _ in range(6):
            self.chat.run_until_quiet(until_asked=True)
            if not self.chat.assistant.awaiting_answer:
                return
            asked = next((e["text"] for e in reversed(self.events) if e["type"] == "say"), "")
            if "0 to 10" in asked:
                if rating is not None:
                    self._say(str(rating))
                return
            self._say("no")

    def _reminders_until(self, end: float, answers: Any) -> None:
        """Let time pass to ``end``; each movement reminder spoken meanwhile gets the next answer."""
        while True:
            deadline = self.chat.assistant.next_deadline(self.chat.now, self.chat.wall)
            if deadline is None or deadline > end:
                break
            seen = len(self.events)
            self.chat.advance_to(max(deadline, self.chat.now))
            spoken = any(e["type"] == "reminder" and e.get("state") == "spoken" for e in self.events[seen:])
            if spoken:
                answer = next(answers)
                if answer:
                    self._say(answer)
                    self.chat.run_until_quiet(until_asked=True)
                    if self.chat.assistant.awaiting_answer:
                        self._answer("no")
                    self.chat.run_until_quiet()
        self.chat.advance_to(max(end, self.chat.now))


def four_weeks() -> list[DayPlan]:
    """Four weeks with a known story, used by the tests (the signs each week should show are noted).

    1. A good week: stretches every day, strength 3 times, two mild spasms that ease.
    2. Spasms on Monday, Wednesday and Friday that do not improve: "spasms on 3 of 5 days" and
       "no improvement" fire; a persistent-spasm report.
    3. "That hurts" in the same stretch on Monday and Tuesday, then no sessions Wednesday to
       Saturday: "that hurts twice" and "no sessions for 3 days" fire.
    4. Pain up from 3 on Tuesday to 6 on Sunday: "pain rising" fires; numbness on Thursday.
    """
    stretch = Session(time(8, 20))
    strength = Session(time(17, 0), "start my strengthening exercises")

    def normal(*extra: Spasm | Session | Said, strong: bool = False) -> DayPlan:
        return DayPlan((stretch, *((strength,) if strong else ()), *extra))

    week1 = [
        normal(Spasm(time(11, 0), "my left glute is cramping", 6, 3), strong=True),
        normal(Spasm(time(15, 0), "my right hip flexor is in spasm", 5, 2)),
        normal(strong=True), normal(), normal(strong=True), normal(), normal(),
    ]
    week2 = [
        normal(Spasm(time(11, 0), "my left glute is cramping", 6, 5), strong=True),
        normal(),
        normal(Spasm(time(11, 0), "my left glute is cramping again", 6, 5)),
        normal(strong=True),
        normal(Spasm(time(11, 0), "my left glute is cramping", 7, 6),
               Said(time(19, 0), "these spasms are not getting better after days of stretching")),
        normal(), normal(strong=True),
    ]
    hurting = Session(time(8, 20), hurt_after_seconds=20.0)
    week3 = [
        DayPlan((hurting,)), DayPlan((hurting,)),
        DayPlan(), DayPlan(), DayPlan(), DayPlan(reminder_answers=("",)),
        normal(),
    ]
    week4 = [
        normal(strong=True),
        normal(Spasm(time(11, 0), "my groin is in spasm on the left", 3, 1)),
        normal(strong=True),
        normal(Said(time(12, 0), "my leg has gone numb")),
        normal(strong=True),
        normal(),
        normal(Spasm(time(11, 0), "my right glute is cramping", 6, 4)),
    ]
    return [*week1, *week2, *week3, *week4]
