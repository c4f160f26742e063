"""Hourly movement (and optional water) reminders: a pure state machine on two clocks.

Due times live on the wall clock, so they survive restarts and respect quiet hours in local
time; deadlines are re-derived from the monotonic clock on every call, so a clock jump (NTP,
a wrong clock at boot) neither plays a burst of reminders nor skips one. A reminder never
interrupts the person: while they are busy it waits, and it is spoken once they are free.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone, tzinfo
from enum import Enum
from typing import Any, ClassVar

from voicecare.content.reminder_texts import ReminderTexts
from voicecare.core.actions import Action, Event, Heard, Record, ReminderChanged, Say, Tick, Tone
from voicecare.core.reminder_schedule import (HYDRATION, MOVEMENT, WEEKDAYS, ReminderSettings, ReminderState,
                                              _parse_wall)

log = logging.getLogger(__name__)

JUMP_TOLERANCE_SECONDS = 90.0
"""Wall and monotonic clocks may drift apart this much before it counts as a clock jump."""

ANSWER_WINDOW_SECONDS = 90.0
"""How long a spoken reminder waits for "start", "done" or "later" before closing quietly."""

RECHECK_SECONDS = 3.0
"""While a reminder waits for the person to be free, how often to look again."""

MAX_SLEEP_SECONDS = 600.0
"""The longest deadline handed out, so UTC-offset changes and clock jumps are seen in time."""

ACCEPT_INTENTS = frozenset({"control.start", "control.yes", "routine.desk_break"})
"""Answers to an open reminder that take up its offer of a desk break."""

DONE_INTENTS = frozenset({"reminder.done", "control.no", "control.stop"})
"""Answers to an open reminder that close it: done, or no thanks."""

DESK_BREAK = "desk_break"


@dataclass(frozen=True, slots=True)
class StartRoutine(Action):
    """Ask the dialog to start a routine now: the person accepted the reminder's offer."""

    type: ClassVar[str] = ""
    name: str


class Phase(Enum):
    """Where the current reminder stands."""

    WAITING = "waiting"
    """Nothing due yet."""
    DEFERRED = "deferred"
    """Due, but the person is busy (a session, a question, an escalation)."""
    OPEN = "open"
    """Spoken; listening for start, done or later."""


class Reminders:
    """Movement and water reminders: ``handle(event, now, wall, busy)`` -> actions.

    ``now`` is monotonic seconds, ``wall`` a timezone-aware local datetime (a ``ZoneInfo``
    zone gives exact quiet hours across daylight-saving changes). ``busy`` is true while a
    session, a question or an escalation is running. Settings give the defaults; a restored
    ``state`` (voice on/off, due times) wins over them.
    """

    def __init__(self, settings: ReminderSettings, texts: ReminderTexts, state: ReminderState | None = None) -> None:
        self.settings = settings
        self.texts = texts
        self._enabled = settings.enabled if state is None else state.enabled
        self._due: dict[str, datetime | None] = {kind: None for kind in (MOVEMENT, HYDRATION)}
        self._snoozed = False
        self._last_spoken: datetime | None = None
        if state is not None:
            self._due[MOVEMENT] = _parse_wall(state.next_due, "next_due")
            self._due[HYDRATION] = _parse_wall(state.hydration_due, "hydration_due")
            self._snoozed = state.snoozed
            self._last_spoken = _parse_wall(state.last_spoken, "last_spoken")
        self._phase = Phase.WAITING
        self._open_kinds: tuple[str, ...] = ()
        self._open_until = 0.0
        self._reference: tuple[float, datetime] | None = None
        self._zone: tzinfo = timezone.utc
        self._spoken_count = 0

    # --- public -----------------------------------------------------------------------

    @property
    def state(self) -> ReminderState:
        """The persistent part, to be saved by the runtime after each call."""
        return ReminderState(
            enabled=self._enabled,
            next_due=self._iso(self._due[MOVEMENT]),
            snoozed=self._snoozed,
            last_spoken=self._iso(self._last_spoken),
            hydration_due=self._iso(self._due[HYDRATION]) if self.settings.hydration else None,
        )

    @property
    def pending(self) -> bool:
        """A reminder is due and waiting for the person to be free."""
        return self._phase is Phase.DEFERRED

    @property
    def phase(self) -> Phase:
        return self._phase

    def handle(self, event: Event, now: float, wall: datetime, busy: bool = False) -> list[Action] | None:
        """Feed one event; returns actions, or None for speech that is no reminder matter."""
        utc = self._sync(now, wall)
        if isinstance(event, Heard):
            return self._on_heard(event, now, utc)
        if isinstance(event, Tick):
            return self._on_tick(now, utc, busy)
        return []

    def next_deadline(self, now: float, wall: datetime) -> float | None:
        """When to call ``handle(Tick())`` next, in monotonic seconds (None: nothing planned)."""
        utc = self._sync(now, wall)
        candidates: list[float] = []
        if self._phase is Phase.OPEN:
            candidates.append(self._open_until)
        if self._enabled:
            if self._phase is Phase.DEFERRED:
                candidates.append(now + RECHECK_SECONDS)
            elif self._phase is Phase.WAITING:
                candidates += [now + max(0.0, (due - utc).total_seconds()) for due in self._active_dues()]
        if not candidates:
            return None
        return min(min(candidates), now + MAX_SLEEP_SECONDS)

    # --- clocks -----------------------------------------------------------------------

    def _sync(self, now: float, wall: datetime) -> datetime:
        """Note the clocks; on a wall-clock jump move interval due times so real time is kept."""
        if wall.tzinfo is None or wall.utcoffset() is None:
            raise ValueError("wall must be a timezone-aware datetime")
        self._zone = wall.tzinfo
        utc = wall.astimezone(timezone.utc)
        if self._reference is not None:
            last_now, last_utc = self._reference
            jump = (utc - (last_utc + timedelta(seconds=now - last_now))).total_seconds()
            if abs(jump) > JUMP_TOLERANCE_SECONDS:
                log.info("wall clock jumped by %+.0f s; keeping the reminder schedule in real time", jump)
                for kind, due in self._due.items():
                    # Shifting keeps a reached due time reached and a future one as far off in
                    # real time; one pinned to the end of quiet hours stays on the local clock.
                    if due is not None and not self._pinned(due):
                        self._due[kind] = due + timedelta(seconds=jump)
        self._reference = (now, utc)
        for kind in self.settings.kinds():
            due = self._due[kind]
            if due is None:
                due = utc + self.settings.interval(kind)
            elif self._pinned(due):
                # Keep the local time of day (08:00 stays 08:00 across a daylight-saving change).
                due = datetime.combine(due.date(), due.timetz().replace(tzinfo=None), tzinfo=self._zone)
            self._due[kind] = self._next_allowed(due)
        return utc

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(self._zone)

    def _fixed(self, moment: datetime) -> datetime:
        """``moment`` with the local UTC offset of that instant, as due times are kept."""
        local = self._local(moment)
        return local.astimezone(timezone(local.utcoffset() or timedelta(0)))

    def _allowed(self, moment: datetime) -> bool:
        local = self._local(moment)
        return WEEKDAYS[local.weekday()] not in self.settings.days_off and not self.settings.in_quiet_hours(local.time())

    def _pinned(self, due: datetime) -> bool:
        """A due time right at the end of quiet hours or a day off, judged at its own UTC offset."""
        before = due.replace(tzinfo=None) - timedelta(minutes=1)
        settings = self.settings
        return WEEKDAYS[before.weekday()] in settings.days_off or settings.in_quiet_hours(before.time())

    def _next_allowed(self, moment: datetime) -> datetime | None:
        """The first moment at or after ``moment`` outside quiet hours and days off."""
        settings = self.settings
        for _ in range(2 * len(WEEKDAYS) + 2):
            local = self._local(moment)
            if WEEKDAYS[local.weekday()] in settings.days_off:
                moment = _at(local.date() + timedelta(days=1), time(0), self._zone)
            elif settings.in_quiet_hours(local.time()):
                day = local.date() if local.time() < settings.quiet_end else local.date() + timedelta(days=1)
                moment = _at(day, settings.quiet_end, self._zone)
            else:
                return self._fixed(moment)
        return None  # every day is a day off

    def _active_dues(self) -> list[datetime]:
        return [due for kind in self.settings.kinds() if (due := self._due[kind]) is not None]

    def _iso(self, moment: datetime | None) -> str | None:
        return None if moment is None else moment.isoformat(timespec="seconds")

    # --- events -----------------------------------------------------------------------

    def _on_tick(self, now: float, utc: datetime, busy: bool) -> list[Action]:
        actions: list[Action] = []
        if self._phase is Phase.OPEN and now >= self._open_until:
            self._phase = Phase.WAITING
            actions.append(Record("reminder", {"state": "unanswered", "kinds": list(self._open_kinds)}))
        if not self._enabled or self._phase is Phase.OPEN:
            return actions
        due_kinds = [k for k in self.settings.kinds() if (d := self._due[k]) is not None and d <= utc]
        if not due_kinds:
            self._phase = Phase.WAITING
            return actions
        if not self._allowed(utc):
            # Quiet hours began while it waited: no backlog, start again when they end.
            for kind in due_kinds:
                self._due[kind] = self._next_allowed(utc)
            self._phase = Phase.WAITING
            actions.append(Record("reminder", {"state": "skipped", "kinds": due_kinds, "reason": "quiet hours"}))
            return actions
        if self._phase is Phase.WAITING:
            actions += [ReminderChanged("due", kind) for kind in due_kinds]
            if busy:
                self._phase = Phase.DEFERRED
                actions += [ReminderChanged("deferred", kind) for kind in due_kinds]
                return actions
        elif busy:
            return actions
        return actions + self._speak(due_kinds, now, utc)

    def _speak(self, kinds: list[str], now: float, utc: datetime) -> list[Action]:
        line = self._reminder_line(kinds, self._spoken_count)
        deferred = self._phase is Phase.DEFERRED
        for kind in kinds:
            self._due[kind] = self._next_allowed(utc + self.settings.interval(kind))
        self._spoken_count += 1
        self._snoozed = False
        self._last_spoken = self._fixed(utc)
        self._phase = Phase.OPEN
        self._open_kinds = tuple(kinds)
        self._open_until = now + ANSWER_WINDOW_SECONDS
        return [
            Tone("chime"),
            Say(line),
            *(ReminderChanged("spoken", kind) for kind in kinds),
            Record("reminder", {"state": "spoken", "kinds": list(kinds), "deferred": deferred,
                                "next_due": self._iso(self._due[MOVEMENT])}),
        ]

    def _reminder_line(self, kinds: tuple[str, ...] | list[str], index: int) -> str:
        """The words of one reminder: the movement line, the water line, then the offer."""
        texts = self.texts
        parts: list[str] = []
        if MOVEMENT in kinds:
            parts.append(texts.movement[index % len(texts.movement)])
        if HYDRATION in kinds:
            parts.append(texts.hydration[index % len(texts.hydration)])
        if MOVEMENT in kinds:
            parts.append(texts.offer)
        return " ".join(parts)

    def _on_heard(self, event: Heard, now: float, utc: datetime) -> list[Action] | None:
        intent = event.understanding.intent
        if intent == "reminder.start":
            return self._turn_on(utc)
        if intent == "reminder.stop":
            return self._turn_off()
        if intent == "reminder.snooze":
            return self._snooze(utc)
        if self._phase is not Phase.OPEN:
            return None
        kinds = self._open_kinds
        if intent in ACCEPT_INTENTS and MOVEMENT in kinds:
            self._phase = Phase.WAITING
            return [
                Say(self.texts.accepted),
                *(ReminderChanged("acknowledged", kind) for kind in kinds),
                Record("reminder", {"state": "acknowledged", "kinds": list(kinds), "answer": "break"}),
                StartRoutine(DESK_BREAK),
            ]
        if intent in DONE_INTENTS or intent in ACCEPT_INTENTS:
            self._phase = Phase.WAITING
            line = self.texts.declined if intent == "control.no" else self.texts.acknowledged
            return [
                Say(line.format(interval=spoken_minutes(self.settings.interval_minutes))),
                *(ReminderChanged("acknowledged", kind) for kind in kinds),
                Record("reminder", {"state": "acknowledged", "kinds": list(kinds), "answer": intent}),
            ]
        if intent == "control.repeat":
            return [Say(self._reminder_line(kinds, self._spoken_count - 1))]
        if event.understanding.text.strip():
            # They moved on to something else: the reminder was heard, do not nag.
            self._phase = Phase.WAITING
        return None

    def _turn_on(self, utc: datetime) -> list[Action]:
        self._enabled = True
        self._phase = Phase.WAITING
        self._snoozed = False
        for kind in self.settings.kinds():
            self._due[kind] = self._next_allowed(utc + self.settings.interval(kind))
        interval = spoken_minutes(self.settings.interval_minutes)
        return [
            Say(self.texts.enabled.format(interval=interval)),
            ReminderChanged("enabled"),
            Record("reminder", {"state": "enabled", "next_due": self._iso(self._due[MOVEMENT])}),
        ]

    def _turn_off(self) -> list[Action]:
        self._enabled = False
        self._phase = Phase.WAITING
        self._snoozed = False
        return [Say(self.texts.disabled), ReminderChanged("disabled"), Record("reminder", {"state": "disabled"})]

    def _snooze(self, utc: datetime) -> list[Action]:
        if not self._enabled:
            return [Say(self.texts.already_off)]
        if self._phase is Phase.OPEN:
            kinds = list(self._open_kinds)
        elif self._phase is Phase.DEFERRED:
            kinds = [k for k in self.settings.kinds() if (d := self._due[k]) is not None and d <= utc] or [MOVEMENT]
        else:
            kinds = [MOVEMENT]
        later = self._next_allowed(utc + timedelta(minutes=self.settings.snooze_minutes))
        for kind in kinds:
            self._due[kind] = later
        self._phase = Phase.WAITING
        self._snoozed = True
        return [
            Say(self.texts.snoozed.format(minutes=spoken_minutes(self.settings.snooze_minutes))),
            *(ReminderChanged("snoozed", kind) for kind in kinds),
            Record("reminder", {"state": "snoozed", "kinds": kinds, "next_due": self._iso(later)}),
        ]


def spoken_minutes(minutes: float) -> str:
    """A duration as it is said aloud: "an hour", "2 hours", "10 minutes"."""
    whole = round(minutes)
    if whole == 60:
        return "an hour"
    if whole % 60 == 0:
        return f"{whole // 60} hours"
    if whole == 1:
        return "a minute"
    return f"{whole} minutes"


def _at(day: Any, moment: time, zone: tzinfo) -> datetime:
    """A local date and time of day in ``zone``."""
    return datetime.combine(day, moment, tzinfo=zone)
