"""The person in the room answers: a recording (the television) is played through the real loop while the
person, sitting beside it, answers every red-flag check with their own words once the question has been said.

The loop is the one ``voicecare run --input`` builds; only the microphone differs, as a room differs: the
file's blocks with the person's answer mixed in where they would say it. Run as
``python -m benchmarks.answering CONFIG IN.wav EVENTS.jsonl ANSWER.wav --wake PHRASE`` (``bench_broadcast
--answer no`` does it for each piece of the broadcast).
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

import numpy as np

from voicecare.audio.chunk import RATE, AudioChunk

ANSWER_AFTER_SECONDS = 0.8
"""How long after the question ends the person answers."""


class AnsweringRoom:
    """The microphone of a room with a television and a person who answers the assistant's red-flag checks."""

    def __init__(self, microphone: Any, answer: AudioChunk, after: float = ANSWER_AFTER_SECONDS) -> None:
        self.microphone = microphone
        self.answer = answer.array().astype(np.int32)
        self.after = after
        self._open = False
        """A red-flag check waits for its answer: every question said meanwhile is answered."""
        self._due: list[int] = []
        """Sample positions where an answer begins."""
        self.answers = 0

    def event(self, event: dict[str, Any]) -> None:
        """The loop's event log, as it is written: a check opens or closes; a question said while one is
        open is answered once it has been said."""
        if event["type"] == "check":
            self._open = event["state"] == "asked"
        elif event["type"] == "say" and self._open:
            self._due.append(int((event["t"] + event.get("seconds", 0.0) + self.after) * RATE))
            self.answers += 1

    def open(self) -> None:
        self.microphone.open()

    def close(self) -> None:
        self.microphone.close()

    def read(self, timeout: float | None = None) -> AudioChunk | None:
        block = self.microphone.read(timeout)
        if block is None or not self._due:
            return block
        first = int(round((block.timestamp or 0.0) * RATE))
        samples = block.array().astype(np.int32)
        for start in self._due:
            lo, hi = max(first, start), min(first + len(samples), start + len(self.answer))
            if lo < hi:
                samples[lo - first : hi - first] += self.answer[lo - start : hi - start]
        self._due = [s for s in self._due if s + len(self.answer) > first + len(samples)]
        mixed = np.clip(samples, -32768, 32767).astype(np.int16)
        return AudioChunk(rate=RATE, width=2, channels=1, audio=mixed.tobytes(), timestamp=block.timestamp)


def run(config_path: Path, wav: Path, events: Path, answer_wav: Path, wake: str) -> int:
    """One run of the loop on ``wav`` with the person answering; returns how many questions they answered."""
    from voicecare.audio.wav import load_wav
    from voicecare.config import load_config
    from voicecare.runtime.assemble import LoopOptions, assemble
    from voicecare.runtime.eventlog import EventLog

    config = load_config(config_path)
    room: AnsweringRoom | None = None

    def echo(event: dict[str, Any]) -> None:
        if room is not None:
            room.event(event)

    with events.open("w", encoding="utf-8") as stream:
        loop, _ = assemble(config, LoopOptions(input=str(wav), wake=wake), EventLog(stream, echo=echo))
        room = AnsweringRoom(loop.p.microphone, load_wav(answer_wav))
        loop.p.microphone = room
        loop.run()
    return room.answers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", type=Path)
    parser.add_argument("input", type=Path)
    parser.add_argument("events", type=Path)
    parser.add_argument("answer", type=Path, help="the person's answer (a WAV), said after every check's question")
    parser.add_argument("--wake", default="hey care")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    print(f"answered {run(args.config, args.input, args.events, args.answer, args.wake)} questions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
