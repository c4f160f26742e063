"""Exercises, routines and session phrases: loaded strictly from content/ TOML."""

from __future__ import annotations

import dataclasses
import logging
import re
import string
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from voicecare.content.loader import DEFAULT_CONTENT_DIR, Entry, file_entry
from voicecare.errors import BadInputError

log = logging.getLogger(__name__)

EXERCISES_FILE = "exercises.toml"
ROUTINES_FILE = "routines.toml"
SIDES = ("left", "right")
MUSCLES = ("hip_flexor", "glute", "adductor", "core", "hip", "whole_body")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class ExerciseKind(str, Enum):
    """How an exercise is paced: a timed hold, counted reps, paced breaths or a timer."""

    STRETCH = "stretch"
    STRENGTH = "strength"
    BREATHING = "breathing"
    MOVEMENT = "movement"
    TIMER = "timer"


class StepKind(str, Enum):
    """What one routine step does."""

    SAY = "say"
    EXERCISE = "exercise"
    TIMER = "timer"


class Sides(str, Enum):
    """Which sides a sided exercise is done on within a routine."""

    BOTH = "both"
    AFFECTED = "affected"


@dataclass(frozen=True, slots=True)
class Exercise:
    """One exercise with the guide's numbers; ``hold_*`` in seconds, ``None`` when not timed."""

    id: str
    name: str
    kind: ExerciseKind
    muscle: str
    sided: bool
    instructions: tuple[str, ...]
    sided_instructions: tuple[str, ...] = ()
    caution: str | None = None
    hold_seconds: float | None = None
    hold_min: float | None = None
    hold_max: float | None = None
    reps: int | None = None
    reps_min: int | None = None
    reps_max: int | None = None
    sets: int = 1
    rest_seconds: float = 30.0
    rep_seconds: float = 3.0
    breaths: int | None = None
    inhale_seconds: float = 4.0
    exhale_seconds: float = 6.0
    ask: str | None = None
    done_lines: tuple[str, ...] = ()

    @property
    def timed(self) -> bool:
        """True when the exercise is a hold (or timer) whose length can be adjusted."""
        return self.hold_seconds is not None

    def lines_for(self, side: str | None) -> tuple[str, ...]:
        """The instructions to speak, made side-specific when the side is known."""
        if side in SIDES and self.sided_instructions:
            other = SIDES[1 - SIDES.index(side)]
            return tuple(line.format(side=side, other=other) for line in self.sided_instructions)
        return self.instructions

    def clamp_hold(self, seconds: float) -> float:
        """A hold length kept within the guide's range for this exercise."""
        if self.hold_min is None or self.hold_max is None:
            return seconds
        return min(self.hold_max, max(self.hold_min, seconds))


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a routine."""

    kind: StepKind
    lines: tuple[str, ...] = ()
    pause_seconds: float = 0.0
    exercise: str | None = None
    sides: Sides = Sides.BOTH
    ask: bool = False


@dataclass(frozen=True, slots=True)
class Routine:
    """A named sequence of steps; ``screening`` asks the red-flag question first."""

    id: str
    name: str
    screening: bool
    steps: tuple[Step, ...]
    intro: tuple[str, ...] = ()
    outro: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Phrases:
    """Every sentence a session speaks outside the exercises themselves."""

    first: str
    next: str
    get_ready: str
    hold_for: str
    reps_for: str
    breaths_for: str
    move_for: str
    timer_for: str
    hold: str
    move_start: str
    halfway: str
    remaining: str
    count: str
    release: str
    move_done: str
    reps_done: str
    other_side: str
    set_start: str
    rest: str
    rest_next: str
    breathe_in: str
    breathe_out: str
    breathing_done: str
    timer_started: str
    seconds: str
    minutes: str
    screening: str
    screening_again: str
    screening_ok: str
    screening_reminder: str
    ask_again: str
    declined: str
    ease_off: str
    offer_skip: str
    pain_continue: str
    paused: str
    resumed: str
    skipped: str
    stopped: str
    completed: str
    not_paused: str
    longer: str
    shorter: str
    at_longest: str
    at_shortest: str
    no_hold: str
    slower: str
    help: str
    numbers: tuple[str, ...]

    def number(self, n: int) -> str:
        """``n`` as a word when the content has one, else as digits."""
        return self.numbers[n - 1] if 1 <= n <= len(self.numbers) else str(n)

    def duration(self, seconds: float) -> str:
        """A spoken length: whole minutes from two minutes up, else seconds."""
        whole = int(round(seconds))
        if whole >= 120 and whole % 60 == 0:
            return self.minutes.format(count=self.number(whole // 60))
        return self.seconds.format(count=whole if whole > 20 else self.number(whole))

    def say(self, key: str, **values: object) -> str:
        """Phrase ``key`` with its placeholders filled, as a sentence (capital first letter)."""
        text = getattr(self, key).format(**values)
        return text[:1].upper() + text[1:]


_PHRASE_FIELDS = {f.name: f for f in dataclasses.fields(Phrases)}
_PLACEHOLDERS = frozenset({"name", "seconds", "duration", "count", "reps", "breaths", "set", "sets"})


@dataclass(frozen=True, slots=True)
class Programme:
    """Everything a session needs: exercises and routines by id, and the phrases."""

    exercises: Mapping[str, Exercise]
    routines: Mapping[str, Routine]
    phrases: Phrases

    def routine(self, name: str) -> Routine:
        """The routine called ``name``; a BadInputError lists the known names."""
        try:
            return self.routines[name]
        except KeyError:
            raise BadInputError(f"there is no routine called {name!r}",
                                f"use one of: {', '.join(sorted(self.routines))}") from None


def load_exercises(content_dir: Path = DEFAULT_CONTENT_DIR) -> Programme:
    """Read and check exercises.toml and routines.toml; one ContentError on any mistake."""
    exercises = _load_exercises(file_entry(Path(content_dir) / EXERCISES_FILE))
    routines_file = file_entry(Path(content_dir) / ROUTINES_FILE)
    routines = _load_routines(routines_file.table("routines"), exercises)
    phrases = _load_phrases(routines_file.table("phrases"))
    routines_file.done()
    log.debug("loaded %d exercises and %d routines", len(exercises), len(routines))
    return Programme(MappingProxyType(exercises), MappingProxyType(routines), phrases)


def _check_id(entry: Entry, key: str) -> None:
    if not _ID.match(key):
        raise entry.error(f"the id {key!r} is not lowercase_with_underscores", "rename it, e.g. figure_four")


def _load_exercises(top: Entry) -> dict[str, Exercise]:
    table = top.table("exercises")
    top.done()
    exercises: dict[str, Exercise] = {}
    for key, entry in table.children().items():
        _check_id(entry, key)
        exercises[key] = _load_exercise(key, entry)
    if not exercises:
        raise table.error("no exercises are defined", "add at least one [exercises.<id>] table")
    return exercises


def _range(entry: Entry, key: str, *, integer: bool, minimum: float) -> tuple[float, float, float]:
    value = entry.number(key, integer=integer, minimum=minimum)
    low = entry.number(f"{key}_min", value, integer=integer, minimum=minimum)
    high = entry.number(f"{key}_max", value, integer=integer, minimum=minimum)
    if low > high:
        raise entry.error(f"'{key}_min' ({low}) is larger than '{key}_max' ({high})", f"make {key}_min <= {key}_max")
    if not low <= value <= high:
        raise entry.error(f"'{key}' ({value}) is outside {key}_min..{key}_max ({low}..{high})",
                          f"set {key} between {low} and {high}")
    return value, low, high


def _load_exercise(key: str, entry: Entry) -> Exercise:
    kind = ExerciseKind(entry.str("kind", choices=[k.value for k in ExerciseKind]))
    fields: dict[str, object] = {
        "id": key,
        "name": entry.str("name"),
        "kind": kind,
        "muscle": entry.str("muscle", choices=MUSCLES),
        "sided": entry.bool("sided", False),
        "instructions": entry.lines("instructions"),
        "sided_instructions": entry.lines("sided_instructions", required=False, minimum=0),
        "caution": entry.str("caution", required=False),
    }
    if fields["sided_instructions"] and not fields["sided"]:
        raise entry.error("has sided_instructions but is not sided", "add sided = true or remove sided_instructions")
    for line in fields["sided_instructions"]:  # type: ignore[union-attr]
        _check_placeholders(entry, "sided_instructions", line, {"side", "other"})
    timed = kind in (ExerciseKind.STRETCH, ExerciseKind.MOVEMENT, ExerciseKind.TIMER) or entry.has("hold_seconds")
    if timed:
        fields["hold_seconds"], fields["hold_min"], fields["hold_max"] = _hold_range(entry)
    if kind is ExerciseKind.STRENGTH and not timed:
        fields["reps"], fields["reps_min"], fields["reps_max"] = (int(v) for v in _range(entry, "reps", integer=True, minimum=1))
        fields["sets"] = int(_range(entry, "sets", integer=True, minimum=1)[0]) if entry.has("sets") else 1
        fields["rest_seconds"] = entry.number("rest_seconds", 30.0, minimum=0)
        fields["rep_seconds"] = entry.number("rep_seconds", minimum=0.5)
    if kind is ExerciseKind.BREATHING:
        fields["breaths"] = int(entry.number("breaths", integer=True, minimum=1))
        fields["inhale_seconds"] = entry.number("inhale_seconds", minimum=1)
        fields["exhale_seconds"] = entry.number("exhale_seconds", minimum=1)
        if fields["exhale_seconds"] <= fields["inhale_seconds"]:  # type: ignore[operator]
            raise entry.error("exhale_seconds must be longer than inhale_seconds", "make the breath out longer than the breath in")
    if kind is ExerciseKind.TIMER:
        fields["ask"] = entry.str("ask")
        _check_placeholders(entry, "ask", fields["ask"], {"duration"})  # type: ignore[arg-type]
        fields["done_lines"] = entry.lines("done_lines")
    entry.done()
    return Exercise(**fields)  # type: ignore[arg-type]


def _hold_range(entry: Entry) -> tuple[float, float, float]:
    value = entry.number("hold_seconds", minimum=1)
    low = entry.number("hold_min", value, minimum=1)
    high = entry.number("hold_max", value, minimum=1)
    if low > high:
        raise entry.error(f"'hold_min' ({low}) is larger than 'hold_max' ({high})", "make hold_min <= hold_max")
    if not low <= value <= high:
        raise entry.error(f"'hold_seconds' ({value}) is outside hold_min..hold_max ({low}..{high})",
                          f"set hold_seconds between {low} and {high}")
    return value, low, high


def _load_routines(table: Entry, exercises: Mapping[str, Exercise]) -> dict[str, Routine]:
    routines: dict[str, Routine] = {}
    for key, entry in table.children().items():
        _check_id(entry, key)
        steps = tuple(_load_step(step, exercises) for step in entry.tables("steps"))
        if not steps:
            raise entry.error("has no steps", "add at least one [[routines.<id>.steps]] table")
        routines[key] = Routine(
            id=key,
            name=entry.str("name"),
            screening=entry.bool("screening"),
            intro=entry.lines("intro", required=False, minimum=0),
            outro=entry.lines("outro", required=False, minimum=0),
            steps=steps,
        )
        entry.done()
    return routines


def _load_step(entry: Entry, exercises: Mapping[str, Exercise]) -> Step:
    kind = StepKind(entry.str("kind", choices=[k.value for k in StepKind]))
    if kind is StepKind.SAY:
        step = Step(kind, lines=entry.lines("lines"), pause_seconds=entry.number("pause_seconds", 0.0, minimum=0))
    else:
        name = entry.str("exercise")
        exercise = exercises.get(name)
        if exercise is None:
            raise entry.error(f"names the exercise {name!r}, which exercises.toml does not define",
                              f"define [exercises.{name}] or use one of: {', '.join(sorted(exercises))}")
        is_timer = exercise.kind is ExerciseKind.TIMER
        if (kind is StepKind.TIMER) != is_timer:
            want = "timer" if is_timer else "exercise"
            raise entry.error(f"kind {kind.value!r} does not fit the {exercise.kind.value} {name!r}", f'use kind = "{want}"')
        if kind is StepKind.TIMER:
            step = Step(kind, exercise=name, lines=entry.lines("lines", required=False, minimum=0), ask=entry.bool("ask", False))
        else:
            sides = Sides(entry.str("sides", Sides.BOTH.value, choices=[s.value for s in Sides]))
            step = Step(kind, exercise=name, sides=sides)
    entry.done()
    return step


def _load_phrases(entry: Entry) -> Phrases:
    values: dict[str, object] = {}
    for name in _PHRASE_FIELDS:
        if name == "numbers":
            values[name] = entry.lines("numbers", minimum=15)
            continue
        values[name] = entry.str(name)
        _check_placeholders(entry, name, values[name], _PLACEHOLDERS)  # type: ignore[arg-type]
    entry.done()
    return Phrases(**values)  # type: ignore[arg-type]


def _check_placeholders(entry: Entry, key: str, text: str, allowed: set[str] | frozenset[str]) -> None:
    try:
        names = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError as exc:
        raise entry.error(f"'{key}' has a broken placeholder ({exc})", "write placeholders as {name}, or double the braces") from None
    unknown = sorted(n for n in names if n not in allowed)
    if unknown:
        raise entry.error(f"'{key}' uses the unknown placeholder {{{unknown[0]}}}",
                          f"use only: {', '.join('{' + a + '}' for a in sorted(allowed))}")
