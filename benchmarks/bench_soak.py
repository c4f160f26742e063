"""Soak: the real assistant loop on endless looping audio for minutes of real time, days of virtual time.

The loop is built as ``voicecare run`` builds it (content, journal, PocketSphinx, espeak-ng
voice), with a looping file microphone at the hardware border: a few requests with the wake
phrase, then long stretches of quiet room noise, replayed forever on the stream clock. The
virtual day starts at 07:00 on a Monday. Reports memory (VmRSS) growth after warm-up and checks
every movement reminder against the schedule (hourly, quiet hours 22:00-08:00).

Run: ``python -m benchmarks.bench_soak [--minutes N | --quick]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from voicecare.audio.chunk import RATE, AudioChunk

ZONE = ZoneInfo("Europe/London")
START = datetime(2026, 3, 2, 7, 0, tzinfo=ZONE)  # a Monday
LOOP_SECONDS = 900.0
"""Length of the looping input: requests in its first minute, then quiet."""
REQUESTS = (
    (2.0, "hey care can I put an ice pack on it", "rms"),
    (30.0, "hey care what causes hip spasms", "kal"),
    (60.0, "hey care stop", "rms"),
)
BLOCK_SECONDS = 0.1
RSS_EVERY_SECONDS = 10.0
DEFERRAL_SLACK = timedelta(minutes=10)
"""A reminder may wait this long for the person to be free and still count as on time."""
EARLY_TOLERANCE = timedelta(minutes=1)


class LoopingMicrophone:
    """Replays one recording forever, stamping blocks with ever-growing stream seconds."""

    def __init__(self, audio: AudioChunk, block_seconds: float = BLOCK_SECONDS) -> None:
        self._audio = audio.audio
        self._step = int(block_seconds * RATE) * 2
        self._offset = 0
        self._played = 0
        """Samples delivered since the start."""

    def open(self) -> None:
        """Nothing to open."""

    def read(self, timeout: float | None = None) -> AudioChunk:
        data = self._audio[self._offset:self._offset + self._step]
        self._offset = (self._offset + len(data)) % len(self._audio)
        chunk = AudioChunk(rate=RATE, width=2, channels=1, audio=data, timestamp=self._played / RATE)
        self._played += len(data) // 2
        return chunk

    def close(self) -> None:
        """Nothing to release."""


def looping_input() -> AudioChunk:
    """The requests, spoken by flite voices, over quiet room noise."""
    from voicecare.testing.voices import noise, speak

    samples = noise(LOOP_SECONDS, kind="white", level=0.003, seed=1).array().astype(np.int32)
    for at, text, voice in REQUESTS:
        speech = speak(text, voice).array()
        first = int(at * RATE)
        samples[first:first + len(speech)] += speech
    return AudioChunk.from_array(np.clip(samples, -32768, 32767).astype(np.int16))


def rss_kib() -> int:
    """Resident memory of this process, from /proc/self/status."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


@dataclass(slots=True)
class Tally:
    """What the event log said, kept small: counts by type and the times reminders were spoken."""

    types: Counter = field(default_factory=Counter)
    spoken: list[float] = field(default_factory=list)

    def __call__(self, event: dict[str, Any]) -> None:
        self.types[event["type"]] += 1
        if event["type"] == "reminder" and event.get("state") == "spoken" and event.get("kind") == "movement":
            self.spoken.append(event["t"])


def build_loop(folder: Path, audio: AudioChunk, tally: Tally) -> Any:
    """The loop as ``voicecare run`` builds it, on the looping microphone and a speaker that drops audio."""
    from voicecare.asr.select import create_recognizer
    from voicecare.audio.endpoint import Endpointer
    from voicecare.audio.tones import tone
    from voicecare.config import load_config
    from voicecare.asr.transcribe import domain_language
    from voicecare.runtime.build import StateSaver, build_brain, open_journal
    from voicecare.runtime.eventlog import EventLog
    from voicecare.runtime.loop import AudioLoop, LoopParts, LoopSettings
    from voicecare.runtime.output import FileOutput
    from voicecare.speech.tts import Voice

    path = folder / "config.toml"
    path.write_text(f'[paths]\ndata_dir = "{folder / "data"}"\n[speech]\nengine = "pocketsphinx"\n')
    absent = folder / "absent.toml"
    config = load_config(path, system=absent, user=absent, env={"LANG": "en_GB.UTF-8"})
    journal = open_journal(config)
    brain = build_brain(config, journal)
    phrases, vocabulary = domain_language(Path(config.paths.content_dir),
                                          vocabulary=brain.understander.vocabulary())
    if brain.wake is not None:
        phrases = (*phrases, brain.wake.phrase)
    recognizer = create_recognizer("pocketsphinx", phrases=phrases, vocabulary=vocabulary)
    voice = Voice(rate_wpm=config.speech.voice_rate_wpm, volume=config.audio.volume)
    parts = LoopParts(
        assistant=brain.assistant, microphone=LoopingMicrophone(audio), output=FileOutput(None), voice=voice,
        recognizer=recognizer, understander=brain.understander, endpointer=Endpointer(), tones=tone,
        events=EventLog(None, echo=tally), journal=journal, wake=brain.wake, save_state=StateSaver(journal),
    )
    return AudioLoop(parts, LoopSettings(barge_in=config.audio.barge_in), stream_clock=True, finite=False,
                     wall_start=START), config.reminders


def next_allowed(moment: datetime, settings: Any) -> datetime:
    """The first moment at or after ``moment`` outside quiet hours (the schedule the guide asks for)."""
    local = moment.astimezone(ZONE)
    if settings.in_quiet_hours(local.time()):
        day = local.date() if local.time() < settings.quiet_end else local.date() + timedelta(days=1)
        return datetime.combine(day, settings.quiet_end, tzinfo=ZONE)
    return local


def check_schedule(spoken: list[datetime], end: datetime, settings: Any) -> tuple[int, int, int]:
    """(expected, missed, doubled) movement reminders between the start and ``end``."""
    interval = timedelta(minutes=settings.interval_minutes)
    expected_at = next_allowed(START + interval, settings)
    expected = missed = doubled = 0
    for moment in spoken:
        if moment < expected_at - EARLY_TOLERANCE:
            doubled += 1
            continue
        while moment > expected_at + DEFERRAL_SLACK:
            missed += 1
            expected += 1
            expected_at = next_allowed(expected_at + interval, settings)
        expected += 1
        expected_at = next_allowed(moment + interval, settings)
    while expected_at + DEFERRAL_SLACK < end:
        missed += 1
        expected += 1
        expected_at = next_allowed(expected_at + interval, settings)
    return expected, missed, doubled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="real minutes to run (default 10)")
    parser.add_argument("--quick", action="store_true", help="one minute")
    args = parser.parse_args(argv)
    minutes = 1.0 if args.quick else args.minutes
    warm_up = min(60.0, minutes * 60 / 4)
    audio = looping_input()
    tally = Tally()
    samples: list[tuple[float, int]] = []
    with tempfile.TemporaryDirectory(prefix="voicecare-soak-") as tmp:
        loop, reminder_settings = build_loop(Path(tmp), audio, tally)
        began = time.monotonic()
        finished = threading.Event()

        def sample() -> None:
            while not finished.wait(RSS_EVERY_SECONDS if samples else 0.0):
                samples.append((time.monotonic() - began, rss_kib()))
                if time.monotonic() - began >= minutes * 60:
                    loop.stop()

        sampler = threading.Thread(target=sample, name="rss", daemon=True)
        sampler.start()
        loop.run()
        finished.set()
        sampler.join(timeout=5.0)
        samples.append((time.monotonic() - began, rss_kib()))
        virtual = loop.now
    wall_seconds = samples[-1][0]
    end = START + timedelta(seconds=virtual)
    spoken = [START + timedelta(seconds=t) for t in tally.spoken]
    expected, missed, doubled = check_schedule(spoken, end, reminder_settings)
    after = [kib for t, kib in samples if t >= warm_up] or [samples[-1][1]]
    per_day = Counter(moment.astimezone(ZONE).date() for moment in spoken)
    hours = sorted({moment.astimezone(ZONE).hour for moment in spoken})

    rows = [
        ("real time", f"{wall_seconds / 60:.1f} min", f"{virtual / wall_seconds:.0f}x real time"),
        ("virtual time", f"{virtual / 3600:.1f} h", f"{START:%a %H:%M} to {end.astimezone(ZONE):%a %H:%M}"),
        ("requests heard", f"{tally.types['heard']}", f"{len(REQUESTS)} per {LOOP_SECONDS / 60:.0f} min of input"),
        ("sentences said", f"{tally.types['say']}", ""),
        ("RSS at start", f"{samples[0][1] / 1024:.1f} MB", ""),
        ("RSS peak", f"{max(k for _, k in samples) / 1024:.1f} MB", f"{len(samples)} samples"),
        ("RSS at end", f"{samples[-1][1] / 1024:.1f} MB", ""),
        ("RSS growth after warm-up", f"{(after[-1] - after[0]) / 1024:+.1f} MB",
         f"from {warm_up:.0f} s on; target <= 5 MB"),
        ("reminders expected", f"{expected}", "hourly, quiet 22:00-08:00"),
        ("reminders spoken", f"{len(spoken)}", f"per day: {', '.join(str(n) for n in per_day.values())}"),
        ("reminders missed", f"{missed}", "target 0"),
        ("reminders doubled", f"{doubled}", "target 0"),
        ("hours with a reminder", f"{len(hours)}", f"{hours[0]:02d}-{hours[-1]:02d}" if hours else ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'soak':<{width}}  {'value':>10}  notes")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>10}  {note}")
    growth_ok = (after[-1] - after[0]) / 1024 <= 5.0
    print(f"\nresult: {'PASS' if growth_ok and not missed and not doubled else 'FAIL'}")
    return 0 if growth_ok and not missed and not doubled else 1


if __name__ == "__main__":
    sys.exit(main())
