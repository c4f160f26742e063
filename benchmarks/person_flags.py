"""The person's own red flags said during a guided session, with and without their enrollment.

Each row of benchmarks/data/person.tsv (written blind) that is a red flag is said by the person's voice,
clean, in 10 dB babble and from the floor (15 dB down with a reverberant tail over a room's rumble), into a
guided session the person started ("hey care, start my daily stretches", "no"). The audio goes through the
loop's own listening path (endpointer, the listening pipeline with the person's templates and voice print
when enrolled, the recognizer) into a fresh conversational core on a virtual clock. Acted on: escalated at
once, or asked about ("Did you say…?") and escalated when the person answers "yes" (said the same way).
"""

from __future__ import annotations

import copy
import csv
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from voicecare.testing import voices as tv
from voicecare.audio.endpoint import Endpointer
from voicecare.core.actions import CheckRedFlag, Escalate
from voicecare.messages import RED_FLAG_SEVERITY

DATA = Path(__file__).parent / "data" / "person.tsv"
MONDAY_10AM = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
CONDITIONS = ("clean", "10 dB babble", "from the floor")
LEAD_IN_SECONDS = 3.0
"""The room before the words: the endpointer has been listening to it (on the device it always has)."""


def red_flag_rows(path: Path = DATA) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [(r["text"].strip(), r["intent"].strip()) for r in rows if r["intent"].strip() in RED_FLAG_SEVERITY]


@dataclass
class PersonTally:
    total: int = 0
    direct: int = 0
    after_check: int = 0
    severity_right: int = 0
    unanswered: int = 0
    """Not counted as acted on: escalated only once the check went unanswered twice (the yes was lost)."""
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)

    @property
    def acted(self) -> int:
        return self.direct + self.after_check


def condition_audio(speech: Any, condition: str, seed: int) -> Any:
    """The words as the microphone hears them, with quiet (or the room) around them."""
    clip = tv.conversation([LEAD_IN_SECONDS, speech, 1.2])
    if condition == "clean":
        return clip
    if condition == "from the floor":
        return tv.from_the_floor(clip, seed=seed)
    noise = tv.babble(clip.seconds + 1.0, talkers=5, seed=seed)
    return tv.mix(clip, noise, 10.0)


class SessionBench:
    """One person (enrolled or not) in a guided session; ``said`` hears one clip and returns the core's actions."""

    def __init__(self, brain_factory: Callable[[], Any], pipeline: Any, recognizer: Any, wake: Any,
                 idle: bool = False) -> None:
        self._brain_factory = brain_factory
        self.idle = idle
        """No session: the red flag is said to an idle assistant, after the wake phrase."""
        self.pipeline = pipeline
        self.recognizer = recognizer
        self.wake = wake

    def fresh_session(self) -> Any:
        from voicecare.runtime.eventlog import EventLog
        from voicecare.runtime.virtual import VirtualConversation

        brain = self._brain_factory()
        chat = VirtualConversation(brain.assistant, brain.understander.understand, EventLog(keep=True),
                                   wake=self.wake, wall_start=MONDAY_10AM,
                                   understand_other=brain.understander.understand_alternative)
        voice = "person" if self.pipeline.voice.enrolled else None
        if self.idle:
            return chat
        chat.type_line("hey care start my daily stretches", voice=voice)
        chat.run_until_quiet(until_asked=True)
        chat.type_line("no", voice=voice)
        chat.advance_to(chat.now + 20.0)
        return chat

    def said(self, chat: Any, audio: Any) -> list[Any]:
        endpointer = Endpointer()
        actions: list[Any] = []
        for utterance in endpointer.feed(audio) + endpointer.flush():
            expect = chat.assistant.expecting()  # as the loop does: the waiting state's grammar too
            hearing = self.pipeline.hear(utterance, endpointer.noise_floor_dbfs,
                                         lambda audio, e=expect: self.recognizer.transcribe(audio, e))
            done = chat.assistant.handle(hearing.heard, chat.now, chat.wall)
            chat._execute(done)
            actions += done
        return actions


def measure_person(bench: SessionBench, voice: str, condition: str, rows: list[tuple[str, str]]) -> PersonTally:
    tally = PersonTally()
    started = bench.fresh_session()
    shared = {id(x): x for x in (started._understand, started._understand_other, started.assistant.texts,
                                 started.assistant.programme, started.log, started.assistant.recap,
                                 started.journal, started.journal_watch)}
    for n, (text, intent) in enumerate(rows):
        began = time.perf_counter()
        try:
            chat = copy.deepcopy(started, memo=dict(shared))  # the same session, afresh for each row
        except TypeError:
            chat = bench.fresh_session()
        said = f"hey care, {text}" if bench.idle else text
        actions = bench.said(chat, condition_audio(tv.speak(said, voice), condition, seed=n))
        escalated = [a for a in actions if isinstance(a, Escalate)]
        checked = [a for a in actions if isinstance(a, CheckRedFlag) and a.state == "asked"]
        how = "direct" if escalated else ""
        if not escalated and checked:
            chat.run_until_quiet(until_asked=True)
            answer = bench.said(chat, condition_audio(tv.speak("yes", voice), condition, seed=n + 1000))
            escalated = [a for a in answer if isinstance(a, Escalate)]
            how = "after check" if escalated else ""
            if not escalated:  # the yes was not made out: the check is asked again, then counts as unanswered
                mark = len(chat.log.events)
                chat.advance_to(chat.now + 120.0)
                late = [e for e in chat.log.events[mark:] if e["type"] == "escalate"]
                tally.unanswered += bool(late)
        tally.total += 1
        tally.direct += how == "direct"
        tally.after_check += how == "after check"
        if escalated:
            tally.severity_right += escalated[0].severity == RED_FLAG_SEVERITY[intent]
        else:
            tally.misses.append(f"{voice}, {condition}: {text!r} ({'checked, yes not taken' if checked else 'nothing'})")
        tally.seconds += time.perf_counter() - began
    return tally
