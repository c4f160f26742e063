"""Cue timelines: what a hold, a rep set, paced breathing, a rest or a timer says, and when.

Every mark is an offset in seconds from the absolute moment the activity began, so speech
never stretches or shortens a hold.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicecare.content.exercises import Exercise, Phrases
from voicecare.core.actions import Action, Cue, Hold, Say, Tone


@dataclass(frozen=True, slots=True)
class CueSettings:
    """Which cues a hold gets, and the session's timing (all in seconds)."""

    start: bool = True
    halfway: bool = True
    halfway_min_seconds: float = 20.0
    """Holds shorter than this get no "halfway" cue."""
    remaining_seconds: int | None = 10
    """Say "N seconds left" this long before the end (None: never)."""
    countdown_from: int = 3
    """Count down the last N seconds aloud (0: no countdown)."""
    release: bool = True
    get_ready_seconds: float = 3.0
    """Quiet time after "Get ready." before the clock starts."""
    answer_seconds: float = 8.0
    """How long a yes/no question waits for an answer before asking again."""
    adjust_seconds: float = 5.0
    """How much "longer" / "shorter" changes a hold."""
    timer_adjust_seconds: float = 60.0
    """How much "longer" / "shorter" changes a heat or cold timer."""
    slower_factor: float = 1.25
    """"Slower" multiplies the counting cadence by this (up to ``slowest_factor``)."""
    slowest_factor: float = 2.0
    words_per_second: float = 2.0
    """A slow speaking rate, for the safety deadline when the voice never reports back."""
    speech_grace_seconds: float = 5.0


@dataclass(frozen=True, slots=True)
class Mark:
    """Actions due ``offset`` seconds after the activity began."""

    offset: float
    actions: tuple[Action, ...]


@dataclass(frozen=True, slots=True)
class Timeline:
    """An activity's marks in time order; it ends with its last mark at ``seconds``."""

    marks: tuple[Mark, ...]
    seconds: float

    def due_count(self, elapsed: float) -> int:
        """How many marks are due once ``elapsed`` seconds have passed."""
        return sum(1 for mark in self.marks if mark.offset <= elapsed)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def hold_timeline(seconds: float, exercise: Exercise, side: str | None, phrases: Phrases,
                  cues: CueSettings, *, movement: bool = False) -> Timeline:
    """A timed hold: start, halfway, N seconds left, a countdown and the release."""
    marks = [Mark(0.0, (Hold(seconds, exercise.id, side), Tone("start"), Cue("start"),
                        *((Say(phrases.say("move_start" if movement else "hold")),) if cues.start else ())))]
    last = 0.0
    if cues.halfway and seconds >= cues.halfway_min_seconds:
        last = seconds / 2
        marks.append(Mark(last, (Cue("halfway"), Say(phrases.say("halfway")))))
    count = cues.countdown_from if seconds >= cues.countdown_from + 5 else 0
    left = cues.remaining_seconds
    if left and seconds - left >= last + 4 and left > count + 1:
        last = seconds - left
        marks.append(Mark(last, (Cue("remaining", left),
                                 Say(phrases.say("remaining", count=phrases.number(left))))))
    for n in range(count, 0, -1):
        if seconds - n > last:
            marks.append(Mark(seconds - n, (Cue("countdown", n), Say(_cap(phrases.say("count", count=phrases.number(n)))))))
    end: list[Action] = [Cue("release"), Tone("release")]
    if cues.release:
        end.append(Say(phrases.say("move_done" if movement else "release")))
    marks.append(Mark(seconds, tuple(end)))
    return Timeline(tuple(marks), seconds)


def reps_timeline(reps: int, cadence: float, phrases: Phrases) -> Timeline:
    """Counted repetitions at a steady cadence, then "rest"."""
    marks = [Mark(0.0, (Tone("start"), Cue("start")))]
    for n in range(1, reps + 1):
        offset = (n - 1) * cadence
        action = (Cue("rep", n), Say(_cap(phrases.say("count", count=phrases.number(n)))))
        if n == 1:
            marks[0] = Mark(0.0, marks[0].actions + action)
        else:
            marks.append(Mark(offset, action))
    seconds = reps * cadence
    marks.append(Mark(seconds, (Cue("release"), Tone("release"), Say(phrases.say("reps_done")))))
    return Timeline(tuple(marks), seconds)


def breathing_timeline(breaths: int, inhale: float, exhale: float, phrases: Phrases) -> Timeline:
    """Paced breathing: "breathe in", then a longer "and out", ``breaths`` times."""
    marks: list[Mark] = []
    cycle = inhale + exhale
    for n in range(breaths):
        start = n * cycle
        first: tuple[Action, ...] = (Tone("start"), Cue("start")) if n == 0 else ()
        marks.append(Mark(start, first + (Cue("inhale", n + 1), Say(phrases.say("breathe_in")))))
        marks.append(Mark(start + inhale, (Cue("exhale", n + 1), Say(phrases.say("breathe_out")))))
    seconds = breaths * cycle
    marks.append(Mark(seconds, (Cue("release"), Say(phrases.say("breathing_done")))))
    return Timeline(tuple(marks), seconds)


def rest_timeline(seconds: float, lines: tuple[str, ...]) -> Timeline:
    """A rest between sets: what comes next is said at once, the clock runs meanwhile."""
    return Timeline((Mark(0.0, (Cue("rest", int(round(seconds))), *(Say(line) for line in lines))),
                     Mark(seconds, ())), seconds)


def timer_timeline(seconds: float, exercise: Exercise, phrases: Phrases) -> Timeline:
    """A heat or cold timer: started, then the done lines ("time to remove the ice")."""
    return Timeline((
        Mark(0.0, (Hold(seconds, exercise.id, None), Tone("start"), Cue("start"), Say(phrases.say("timer_started")))),
        Mark(seconds, (Cue("release"), Tone("chime"), *(Say(line) for line in exercise.done_lines))),
    ), seconds)
