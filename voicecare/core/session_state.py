"""The exercise session's state: where it is, the question it has open, the timeline under
way, and what a pause keeps. Shared by ``SessionRunner`` and its parts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from voicecare.core.session_timeline import Timeline


class SessionState(str, Enum):
    """Where the session is; the dialog and the tests read it."""

    IDLE = "idle"
    QUESTION = "question"
    INSTRUCTION = "instruction"
    READY = "ready"
    HOLD = "hold"
    REPS = "reps"
    REST = "rest"
    TIMER = "timer"
    PAUSED = "paused"
    STOPPED = "stopped"
    COMPLETED = "completed"


ACTIVE_STATES = frozenset({SessionState.HOLD, SessionState.REPS, SessionState.REST, SessionState.TIMER})
FINISHED_STATES = frozenset({SessionState.STOPPED, SessionState.COMPLETED})


class Question(str, Enum):
    """The yes/no questions a session asks."""

    SCREENING = "screening"
    TIMER = "timer"
    PAIN = "pain"


@dataclass(slots=True)
class _Activity:
    """A running timeline: began at ``t0`` (monotonic seconds), ``fired`` marks done."""

    timeline: Timeline
    t0: float
    fired: int = 0


@dataclass(slots=True)
class _Open:
    """An open yes/no question; ``deadline`` is set once it has been spoken."""

    kind: Question
    asked: int = 1
    deadline: float | None = None


@dataclass(slots=True)
class _Paused:
    """What was going on when the person said "pause"."""

    state: SessionState
    elapsed: float | None
    question: Question | None
