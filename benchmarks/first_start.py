"""The first minute after install with Piper: an empty phrase cache, the voice's process loading and
then building the cache, and red-flag answers asked for meanwhile (``bench_piper --first-start``).

Each red-flag answer is said at a fixed time after start-up (as ``voicecare run`` starts: warm up,
then the background build). "First sound" is from the decision to speak to the first audio handed
to the output. Two ways are measured on the same schedule: urgent lines spoken by espeak-ng while
Piper cannot say them at once (what the assistant does), and every line waiting for Piper. The
Raspberry Pi 4 figures multiply this machine's by 8, the factor the project uses for a Pi 4.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from voicecare.content.loader import DEFAULT_CONTENT_DIR
from voicecare.runtime.output import FileOutput
from voicecare.speech.lines import split_sentences, spoken_sentences
from voicecare.speech.parts import cache_items
from voicecare.speech.priority import red_flag_sentences, tiers
from voicecare.speech.select import build_voice

PI4_FACTOR = 8.0
FIXED = {"number": "999", "wake": "hey care"}
SCHEDULE = (0.0, 3.0, 8.0, 20.0, 40.0, 60.0)
"""Seconds after start-up at which a red-flag answer is asked for (the first minute)."""


@dataclass(frozen=True, slots=True)
class Said:
    """One red-flag answer during the first minute."""

    at: float
    first_ms: float
    by: str


@dataclass(frozen=True, slots=True)
class FirstStart:
    """The first minute of one way of speaking."""

    label: str
    said: tuple[Said, ...]
    red_flags_cached_s: float | None
    relief_cached_s: float | None
    items_per_s: float


def red_flag_answers(content_dir: Path = DEFAULT_CONTENT_DIR) -> list[str]:
    """Each red flag's answer as the assistant says it, the emergency first."""
    with (content_dir / "redflags.toml").open("rb") as handle:
        flags = tomllib.load(handle)["redflags"]
    return [" ".join(entry["say"]).replace("{number}", FIXED["number"]) for entry in flags.values()]


def _all_cached(voice, sentences: frozenset[str]) -> bool:
    return all(s in voice.cache for s in sentences)


def one_way(folder: Path, *, espeak_for_urgent: bool, schedule: tuple[float, ...]) -> FirstStart:
    """Start as ``voicecare run`` does on an empty cache and ask for red-flag answers on ``schedule``."""
    red_flags = red_flag_sentences(DEFAULT_CONTENT_DIR, FIXED)
    safety, relief = tiers(DEFAULT_CONTENT_DIR, FIXED)
    answers = red_flag_answers()
    voice = build_voice("piper", data_dir=folder / "data", content_dir=DEFAULT_CONTENT_DIR, fixed=FIXED)
    if not espeak_for_urgent:
        voice.urgent = frozenset()
    out = FileOutput(None)
    marks: dict[str, float] = {}
    done = threading.Event()
    began = time.perf_counter()

    def watch() -> None:
        while not done.is_set():
            now = time.perf_counter() - began
            if "red" not in marks and _all_cached(voice, red_flags):
                marks["red"] = now
            if "relief" not in marks and _all_cached(voice, safety | relief):
                marks["relief"] = now
            time.sleep(0.05)

    threading.Thread(target=watch, daemon=True).start()
    voice.warm_up()
    voice.cache_in_background(DEFAULT_CONTENT_DIR, FIXED)
    said = []
    try:
        for i, at in enumerate(schedule):
            time.sleep(max(0.0, at - (time.perf_counter() - began)))
            text = answers[i % len(answers)]
            sentences = split_sentences(text)
            by = ("espeak-ng" if voice.cannot_wait(sentences)
                  else "Piper, cached" if all(s in voice.cache for s in sentences) else "Piper, rendered now")
            asked = time.perf_counter()
            pieces = voice.pieces(text)
            out.play(next(pieces), 0.0)
            said.append(Said(asked - began, (time.perf_counter() - asked) * 1000, by))
            for more in pieces:
                out.play(more, 0.0)
        elapsed = time.perf_counter() - began
        cached = voice.cache.size()[0]
    finally:
        done.set()
        voice.close()
    label = "espeak-ng for urgent lines" if espeak_for_urgent else "every line waits for Piper"
    return FirstStart(label, tuple(said), marks.get("red"), marks.get("relief"), cached / elapsed)


def file_order_position(content_dir: Path = DEFAULT_CONTENT_DIR) -> tuple[int, int]:
    """(items before the last red-flag sentence, all items) in content file order, as the cache was built."""
    red_flags = red_flag_sentences(content_dir, FIXED)
    plain = list(spoken_sentences(content_dir, FIXED))
    return max(i for i, s in enumerate(plain) if s in red_flags) + 1, len(cache_items(content_dir, FIXED))


def run(quick: bool) -> list[FirstStart]:
    schedule = SCHEDULE[:4] if quick else SCHEDULE
    with tempfile.TemporaryDirectory(prefix="bench-first-start-") as tmp:
        return [one_way(Path(tmp) / "urgent", espeak_for_urgent=True, schedule=schedule),
                one_way(Path(tmp) / "wait", espeak_for_urgent=False, schedule=schedule)]


def _s(value: float | None, factor: float = 1.0) -> str:
    return "not within the run" if value is None else f"{value * factor:.1f} s"


def print_table(ways: list[FirstStart]) -> None:
    print(f"First start with Piper, empty phrase cache: red-flag answers in the first minute "
          f"(Pi 4 = this machine x {PI4_FACTOR:.0f})")
    print(f"{'asked at':>9}  {'way':<28} {'first sound':>12} {'Pi 4 est.':>11}  spoken by")
    for way in ways:
        for s in way.said:
            print(f"{s.at:>8.1f}s  {way.label:<28} {s.first_ms:>9.0f} ms {s.first_ms * PI4_FACTOR / 1000:>9.2f} s  {s.by}")
    for way in ways:
        firsts = [s.first_ms for s in way.said]
        print(f"{way.label:<38} median {statistics.median(firsts):>7.0f} ms, worst {max(firsts):>7.0f} ms "
              f"(Pi 4: {statistics.median(firsts) * PI4_FACTOR / 1000:.2f} s, {max(firsts) * PI4_FACTOR / 1000:.2f} s)")
    way = ways[0]
    before, total = file_order_position()
    print(f"{'all red-flag sentences cached after':<38} {_s(way.red_flags_cached_s)} "
          f"(Pi 4: {_s(way.red_flags_cached_s, PI4_FACTOR)})")
    print(f"{'red flags, emergency and relief cached':<38} {_s(way.relief_cached_s)} "
          f"(Pi 4: {_s(way.relief_cached_s, PI4_FACTOR)})")
    rate = way.items_per_s
    print(f"{'in content file order (as before)':<38} red flags done after {before} of {total} items: "
          f"~{before / rate:.0f} s here, ~{before / rate * PI4_FACTOR / 60:.1f} min on a Pi 4 "
          f"(at {rate:.1f} items/s while answering)")
