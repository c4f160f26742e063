"""The numbers of a report, from the journal's rows: per day, per week, per relief flow, per exercise.

Pure: rows and content in, frozen values out. The charts, the HTML, the PDF and the spoken
summary all read these same values, so they cannot disagree with one another, and the weekly
counts follow ``voicecare history``'s rules so the two agree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Mapping, Sequence

from voicecare.journal.extract import Extract, PainRow, SessionRow
from voicecare.journal.summary import week_start
from voicecare.report import flags as clinic

MUSCLES = ("hip_flexor", "glute", "adductor", "general")
MUSCLE_NAMES = {"hip_flexor": "hip flexor", "glute": "glute", "adductor": "groin", "general": "hip (not said)"}
SIDES = ("left", "right", None)
STRETCH, STRENGTH = "daily_stretch", "strength"
NOT_EXERCISE = ("relief_", "cold", "heat")
"""Routines that answer a spasm rather than follow the plan: not counted as exercise sessions."""
FLAG_NAMES = {
    "redflag.emergency": "Loss of bladder or bowel control",
    "redflag.numbness": "Numbness or tingling in leg or foot",
    "redflag.weakness": "Weakness in leg or foot",
    "redflag.fever": "Fever or chills",
    "redflag.trauma": "Pain after a fall, accident or impact",
    "redflag.persistent": "Spasms not improving",
    "redflag.function": "Spasms limiting daily activities",
    "pain.severe": "Severe pain, cannot bear weight",
}
PAIR_WITHIN = timedelta(hours=2)
"""An end rating belongs to the start rating before it when it came within this time."""


@dataclass(frozen=True, slots=True)
class Day:
    """One local day of the report."""

    day: date
    episodes: Mapping[str, int] = field(default_factory=dict)
    """Spasms by muscle."""
    spasms: tuple[tuple[str, str | None], ...] = ()
    """(muscle, side) of each spasm in order; the side is None when it was not said."""
    stretch_done: int = 0
    stretch_cut: int = 0
    strength_done: int = 0
    strength_cut: int = 0
    other_sessions: int = 0
    """Breathing and movement breaks, completed or not."""
    relief_flows: int = 0
    reminders: Mapping[str, int] = field(default_factory=dict)
    """Movement reminders by state: spoken, answered, snoozed, missed."""
    hydration: Mapping[str, int] = field(default_factory=dict)
    hurts: int = 0

    @property
    def episode_count(self) -> int:
        return sum(self.episodes.values())

    @property
    def sessions(self) -> int:
        """Exercise sessions (relief flows not included)."""
        return self.stretch_done + self.stretch_cut + self.strength_done + self.strength_cut + self.other_sessions


@dataclass(frozen=True, slots=True)
class Flow:
    """One relief flow's pain ratings: before, and after when it was given."""

    at: datetime
    muscle: str | None
    before: float | None
    after: float | None


@dataclass(frozen=True, slots=True)
class Week:
    """One Monday-to-Sunday week within the report, counted as ``voicecare history`` counts it."""

    start: date
    first: date
    last: date
    episodes: Mapping[str, int]
    sides: Mapping[str, int]
    sessions_started: int
    sessions_completed: int
    stretch_days: int
    strength_sessions: int
    red_flags: Mapping[str, int]
    reminders_spoken: int
    reminders_acknowledged: int
    reminders_snoozed: int
    reminders_missed: int
    pain_start_average: float | None
    pain_end_average: float | None
    flags: tuple[str, ...]

    @property
    def episode_count(self) -> int:
        return sum(self.episodes.values())


@dataclass(frozen=True, slots=True)
class Trouble:
    """An exercise that was skipped, or stopped with "that hurts"."""

    routine: str
    exercise: str
    skipped: int
    hurt: int


@dataclass(frozen=True, slots=True)
class Escalation:
    """A red flag: when, what, how serious, and the first thing the assistant told them to do."""

    at: datetime
    flag: str
    name: str
    severity: str
    advised: str


@dataclass(frozen=True, slots=True)
class Report:
    """Everything a report shows."""

    first: date
    last: date
    made: datetime
    days: tuple[Day, ...]
    weeks: tuple[Week, ...]
    flows: tuple[Flow, ...]
    troubles: tuple[Trouble, ...]
    sessions_cut: Mapping[str, int]
    """Exercise sessions that ended before their last step, by routine name."""
    escalations: tuple[Escalation, ...]
    hits: tuple[clinic.Hit, ...]
    notes: tuple[str, ...] = ()
    """Anything the reader must know about the data itself (a damaged journal, say)."""

    @property
    def is_empty(self) -> bool:
        return not (any(d.episode_count or d.sessions or d.relief_flows or d.reminders or d.hydration or d.hurts
                        for d in self.days) or self.flows or self.escalations)

    @property
    def episode_count(self) -> int:
        return sum(d.episode_count for d in self.days)

    @property
    def has_hydration(self) -> bool:
        return any(d.hydration for d in self.days)


def build(extract: Extract, first: date, last: date, made: datetime, *, programme: Any = None, texts: Any = None,
          emergency_number: str = "999", today: date | None = None, notes: Sequence[str] = ()) -> Report:
    """The report of ``first`` to ``last`` from an extract that may reach back further (for the signs)."""
    names = _Names(programme)
    dates = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    inside = lambda row: first <= row.day <= last  # noqa: E731
    by_day = {name: _by_day(getattr(extract, name)) for name in ("episodes", "sessions", "reminders", "hurts")}
    days = tuple(_day(day, *(by_day[name].get(day, ()) for name in ("episodes", "sessions", "reminders", "hurts")))
                 for day in dates)
    evaluated = [d for d in dates if today is None or d <= today]
    hits = tuple(clinic.evaluate(_daily(extract, names), evaluated, extract.first_day))
    weeks = tuple(_weeks(dates, extract, hits))
    flows = tuple(_flows([p for p in extract.pain if inside(p)]))
    troubles, cut = _troubles([s for s in extract.sessions if inside(s)], [h for h in extract.hurts if inside(h)], names)
    escalations = tuple(
        Escalation(row.at, row.flag, FLAG_NAMES.get(row.flag, row.flag), row.severity,
                   _advice(texts, row.flag, emergency_number))
        for row in extract.red_flags if inside(row)
    )
    return Report(first, last, made, days, weeks, flows, troubles, cut, escalations, hits, tuple(notes))


def _exercise_session(routine: str) -> bool:
    return not routine.startswith(NOT_EXERCISE)


def _by_day(rows: Sequence[Any]) -> dict[date, list[Any]]:
    grouped: dict[date, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row.day, []).append(row)
    return grouped


def _day(day: date, episode_rows: Sequence[Any], session_rows: Sequence[SessionRow], reminders: Sequence[Any],
         hurts: Sequence[Any]) -> Day:
    episodes = Counter(e.muscle for e in episode_rows)
    sessions = [s for s in session_rows if s.is_end]
    return Day(
        day=day,
        episodes=dict(episodes),
        spasms=tuple((e.muscle, e.side) for e in episode_rows),
        stretch_done=sum(1 for s in sessions if s.routine == STRETCH and s.completed),
        stretch_cut=sum(1 for s in sessions if s.routine == STRETCH and not s.completed),
        strength_done=sum(1 for s in sessions if s.routine == STRENGTH and s.completed),
        strength_cut=sum(1 for s in sessions if s.routine == STRENGTH and not s.completed),
        other_sessions=sum(1 for s in sessions if s.routine not in (STRETCH, STRENGTH) and _exercise_session(s.routine)),
        relief_flows=sum(1 for s in sessions if not _exercise_session(s.routine)),
        reminders=_reminder_counts(r.state for r in reminders if r.kind == "movement"),
        hydration=_reminder_counts(r.state for r in reminders if r.kind == "hydration"),
        hurts=len(hurts),
    )


def _reminder_counts(states: Any) -> dict[str, int]:
    named = {"spoken": "spoken", "acknowledged": "answered", "snoozed": "snoozed", "unanswered": "missed"}
    return dict(Counter(named[s] for s in states if s in named))


def _daily(extract: Extract, names: _Names) -> clinic.Daily:
    starts: dict[date, list[float]] = {}
    for row in extract.pain:
        if row.phase == "start":
            starts.setdefault(row.day, []).append(row.rating)
    return clinic.Daily(
        episode_days=frozenset(e.day for e in extract.episodes),
        pain={day: sum(r) / len(r) for day, r in starts.items()},
        session_days=frozenset(s.day for s in extract.sessions if _exercise_session(s.routine)),
        hurts=tuple((h.day, names.exercise(h.exercise) if h.exercise else names.routine(h.routine)) for h in extract.hurts),
    )


def _weeks(dates: Sequence[date], extract: Extract, hits: Sequence[clinic.Hit]) -> list[Week]:
    weeks: list[Week] = []
    for start in sorted({week_start(d) for d in dates}):
        first, last = max(start, dates[0]), min(start + timedelta(days=6), dates[-1])
        pick = lambda rows: [r for r in rows if first <= r.day <= last]  # noqa: E731
        episodes, sessions, reminders = pick(extract.episodes), pick(extract.sessions), pick(extract.reminders)
        pain = pick(extract.pain)
        states = Counter(r.state for r in reminders)
        ends = [s for s in sessions if s.is_end]
        weeks.append(Week(
            start=start, first=first, last=last,
            episodes=dict(Counter(e.muscle for e in episodes)),
            sides=dict(Counter(e.side or "not said" for e in episodes)),
            # As in ``voicecare history``: a session recorded at its start and its end counts once.
            sessions_started=max(sum(1 for s in sessions if s.state == "started"), len(ends)),
            sessions_completed=sum(1 for s in sessions if s.completed),
            stretch_days=len({s.day for s in ends if s.routine == STRETCH}),
            strength_sessions=sum(1 for s in ends if s.routine == STRENGTH),
            red_flags=dict(Counter(r.severity for r in pick(extract.red_flags))),
            reminders_spoken=states["spoken"], reminders_acknowledged=states["acknowledged"],
            reminders_snoozed=states["snoozed"], reminders_missed=states["unanswered"],
            pain_start_average=_mean(p.rating for p in pain if p.phase == "start"),
            pain_end_average=_mean(p.rating for p in pain if p.phase == "end"),
            flags=tuple(hit.rule.id for hit in hits if hit.days_in(first, last)),
        ))
    return weeks


def _flows(pain: Sequence[PainRow]) -> list[Flow]:
    flows: list[Flow] = []
    open_start: PainRow | None = None
    for row in pain:
        if row.phase == "start":
            if open_start is not None:
                flows.append(Flow(open_start.at, open_start.muscle, open_start.rating, None))
            open_start = row
        elif open_start is not None and row.at - open_start.at <= PAIR_WITHIN:
            flows.append(Flow(open_start.at, open_start.muscle, open_start.rating, row.rating))
            open_start = None
        else:
            flows.append(Flow(row.at, row.muscle, None, row.rating))
    if open_start is not None:
        flows.append(Flow(open_start.at, open_start.muscle, open_start.rating, None))
    return flows


def _troubles(sessions: Sequence[SessionRow], hurts: Sequence[Any], names: _Names) -> tuple[tuple[Trouble, ...], dict[str, int]]:
    skipped: Counter[tuple[str, str]] = Counter()
    for session in sessions:
        for step in session.skipped:
            skipped[(session.routine, names.step(session.routine, step))] += 1
    hurt: Counter[tuple[str, str]] = Counter(
        (h.routine, names.exercise(h.exercise) if h.exercise else names.step(h.routine, h.step or 0)) for h in hurts)
    keys = sorted(set(skipped) | set(hurt), key=lambda k: (-(skipped[k] + hurt[k]), k))
    troubles = tuple(Trouble(names.routine(r), ex, skipped[(r, ex)], hurt[(r, ex)]) for r, ex in keys)
    cut = Counter(names.routine(s.routine) for s in sessions
                  if s.is_end and not s.completed and _exercise_session(s.routine))
    return troubles, dict(cut)


def _advice(texts: Any, flag: str, number: str) -> str:
    if texts is None:
        return ""
    try:
        if flag == "pain.severe":
            return " ".join(texts.prompts("severe_pain"))
        return texts.red_flags[flag].lines(number)[0]
    except (KeyError, IndexError, AttributeError):
        return ""


def _mean(values: Any) -> float | None:
    found = list(values)
    return sum(found) / len(found) if found else None


class _Names:
    """Readable names of routines, exercises and steps, from the content when it is there."""

    def __init__(self, programme: Any) -> None:
        self.programme = programme

    def routine(self, routine_id: str) -> str:
        found = self.programme.routines.get(routine_id) if self.programme else None
        name = found.name if found else routine_id.replace("_", " ")
        return name.removeprefix("the ")

    def exercise(self, exercise_id: str | None) -> str:
        found = self.programme.exercises.get(exercise_id) if self.programme and exercise_id else None
        return found.name if found else (exercise_id or "an exercise").replace("_", " ")

    def step(self, routine_id: str, number: int) -> str:
        routine = self.programme.routines.get(routine_id) if self.programme else None
        if routine is not None and 1 <= number <= len(routine.steps) and routine.steps[number - 1].exercise:
            return self.exercise(routine.steps[number - 1].exercise)
        return f"step {number}"
