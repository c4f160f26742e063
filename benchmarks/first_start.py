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
PI4_FULL_BUILD_MINUTES = (12.0, 24.0)
"""The whole phrase cache on a Pi 4 (``bench_piper``: this machine's build time x the Pi's real-time factor)."""
FIXED = {"number": "999", "wake": "hey care"}
SCHEDULE = (0.0, 3.0, 8.0, 20.0, 40.0, 60.0)
"""Seconds after start-up at which a red-flag answer is asked for (the first minute)."""


@dataclass(frozen=True, slots=True)
class Said:
    """One red-flag answer during the first minute."""

    at: float
    first_ms: float
    by: str
    cpu_ms: float
    """CPU time this process spent before the first sound: the wall time on an idle machine when it
    speaks by itself (espeak-ng), whatever else the machine is doing."""


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


def one_way(folder: Path, *, espeak_for_urgent: bool, schedule: tuple[float, ...],
            watch_until: float = 0.0) -> FirstStart:
    """Start as ``voicecare run`` does on an empty cache and ask for red-flag answers on ``schedule``;
    then, up to ``watch_until`` seconds after start, wait for the red flags and relief flow to be cached."""
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
                  else "Piper, all cached" if all(s in voice.cache for s in sentences)
                  else "Piper, first sentence cached" if sentences[0] in voice.cache
                  else "Piper, rendered now")
            asked, cpu = time.perf_counter(), time.process_time()
            pieces = voice.pieces(text)
            out.play(next(pieces), 0.0)
            said.append(Said(asked - began, (time.perf_counter() - asked) * 1000, by,
                             (time.process_time() - cpu) * 1000))
            for more in pieces:
                out.play(more, 0.0)
        while espeak_for_urgent and "relief" not in marks and time.perf_counter() - began < watch_until:
            time.sleep(0.2)  # how long the build takes to cache what matters most
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
        return [one_way(Path(tmp) / "urgent", espeak_for_urgent=True, schedule=schedule,
                        watch_until=90.0 if quick else 300.0),
                one_way(Path(tmp) / "wait", espeak_for_urgent=False, schedule=schedule)]


def _s(value: float | None, factor: float = 1.0) -> str:
    return "not within the run" if value is None else f"{value * factor:.1f} s"


def _position(items: list, wanted: frozenset[str]) -> int:
    """How many items are rendered before every one of ``wanted`` is."""
    return max(i for i, item in enumerate(items) if isinstance(item, str) and item in wanted) + 1


def print_table(ways: list[FirstStart]) -> None:
    print(f"First start with Piper, empty phrase cache: red-flag answers in the first minute "
          f"(Pi 4 = this machine x {PI4_FACTOR:.0f})")
    print(f"{'asked at':>9}  {'way':<28} {'first sound':>12} {'CPU':>8} {'Pi 4 est.':>10}  spoken by")
    for way in ways:
        for s in way.said:
            cpu = f"{s.cpu_ms:>5.0f} ms" if s.by == "espeak-ng" else f"{'-':>8}"
            pi = s.cpu_ms if s.by == "espeak-ng" else s.first_ms
            print(f"{s.at:>8.1f}s  {way.label:<28} {s.first_ms:>9.0f} ms {cpu} {pi * PI4_FACTOR / 1000:>8.2f} s  {s.by}")
    for way in ways:
        firsts = [s.first_ms for s in way.said]
        print(f"{way.label:<38} median {statistics.median(firsts):>7.0f} ms, worst {max(firsts):>7.0f} ms")
    espeak = [s.cpu_ms for s in ways[0].said if s.by == "espeak-ng"]
    if espeak:
        print(f"{'espeak-ng, CPU before the first sound':<38} median {statistics.median(espeak):>7.0f} ms, worst "
              f"{max(espeak):>7.0f} ms (Pi 4: {statistics.median(espeak) * PI4_FACTOR / 1000:.2f} s, "
              f"{max(espeak) * PI4_FACTOR / 1000:.2f} s)")
    way = ways[0]
    print(f"{'all red-flag sentences cached after':<38} {_s(way.red_flags_cached_s)} in this run")
    print(f"{'red flags, emergency and relief cached':<38} {_s(way.relief_cached_s)} in this run "
          f"({way.items_per_s:.2f} items/s)")
    items = cache_items(DEFAULT_CONTENT_DIR, FIXED)
    safety, relief = tiers(DEFAULT_CONTENT_DIR, FIXED)
    red = _position(items, red_flag_sentences(DEFAULT_CONTENT_DIR, FIXED))
    urgent = _position(items, safety | relief)
    before, total = file_order_position()
    low, high = PI4_FULL_BUILD_MINUTES
    for label, n in (("red flags cached, in need order", red), ("red flags to relief, in need order", urgent),
                     ("red flags cached, in file order (before)", before)):
        print(f"{label:<42} after {n:>3} of {total} items: Pi 4 {n / total * low:.1f} to "
              f"{n / total * high:.1f} min of the {low:.0f}-{high:.0f} min build")
