"""A routine flattened into the parts a session walks through: say, hold, reps, rest, timer."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from voicecare.content.exercises import SIDES, Exercise, ExerciseKind, Programme, Routine, Sides, StepKind


class PartKind(str, Enum):
    """How a part is paced once its instructions have been spoken."""

    SAY = "say"
    HOLD = "hold"
    REPS = "reps"
    BREATHING = "breathing"
    TIMER = "timer"
    REST = "rest"


class Opening(str, Enum):
    """What is spoken before a part: full instructions, a side switch, or just the set number."""

    FULL = "full"
    SWITCH = "switch"
    NEXT_SET = "next_set"


@dataclass(frozen=True, slots=True)
class Part:
    """One side of one set of one exercise (or a spoken step, a rest, a timer)."""

    kind: PartKind
    step: int
    """Index of the routine step this part belongs to (0-based)."""
    exercise: Exercise | None = None
    side: str | None = None
    set_no: int = 1
    sets: int = 1
    opening: Opening = Opening.FULL
    lines: tuple[str, ...] = ()
    pause_seconds: float = 0.0
    ask: bool = False


def _kind_of(exercise: Exercise) -> PartKind:
    if exercise.kind is ExerciseKind.TIMER:
        return PartKind.TIMER
    if exercise.kind is ExerciseKind.BREATHING:
        return PartKind.BREATHING
    return PartKind.HOLD if exercise.timed else PartKind.REPS


def sides_for(exercise: Exercise, sides: Sides, side: str | None) -> list[str | None]:
    """The sides to work, in order: the affected one only, or both starting with the named one."""
    if not exercise.sided:
        return [None]
    if sides is Sides.AFFECTED:
        return [side]
    if side in SIDES:
        return [side, SIDES[1 - SIDES.index(side)]]
    return list(SIDES)


def build_plan(routine: Routine, programme: Programme, side: str | None) -> tuple[Part, ...]:
    """Every part of ``routine`` in the order it is done."""
    parts: list[Part] = []
    for index, step in enumerate(routine.steps):
        if step.kind is StepKind.SAY:
            parts.append(Part(PartKind.SAY, index, lines=step.lines, pause_seconds=step.pause_seconds))
            continue
        assert step.exercise is not None
        exercise = programme.exercises[step.exercise]
        if step.kind is StepKind.TIMER:
            parts.append(Part(PartKind.TIMER, index, exercise, lines=step.lines, ask=step.ask))
            continue
        kind = _kind_of(exercise)
        order = sides_for(exercise, step.sides, side)
        for set_no in range(1, exercise.sets + 1):
            for position, this_side in enumerate(order):
                opening = Opening.FULL if set_no == 1 and position == 0 else (
                    Opening.SWITCH if position > 0 else Opening.NEXT_SET)
                parts.append(Part(kind, index, exercise, this_side, set_no, exercise.sets, opening))
            if set_no < exercise.sets:
                parts.append(Part(PartKind.REST, index, exercise, None, set_no + 1, exercise.sets,
                                  pause_seconds=exercise.rest_seconds))
    return tuple(parts)
