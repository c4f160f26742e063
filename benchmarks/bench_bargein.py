"""How fast a spoken "stop" silences the voice, through the whole loop on the real clock.

The assistant is asked a question with a long answer; a few seconds into the answer another
voice says "stop". Measured: from the end of "stop" (the endpointer's utterance end) to the
``silenced`` event, when the loop cuts the voice. A sound card adds its own stop time on top
(``Speaker.stop()``: see bench_voice).

Run: ``python -m benchmarks.bench_bargein [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from voicecare.audio.chunk import RATE, AudioChunk
from voicecare.audio.wav import write_wav

QUESTION = ("hey care what causes hip spasms", "slt")
STOPS = ("stop", "rms"), ("stop", "awb"), ("stop please", "kal"), ("stop", "slt"), ("that's enough stop", "rms")
STOP_AFTER_SECONDS = 6.0
"""The question's answer starts about this long before "stop" is said."""
TRIAL_SECONDS = 40.0


def build(trials: int) -> AudioChunk:
    from voicecare.testing import voices as testvoices

    total = np.zeros(int(trials * TRIAL_SECONDS * RATE), dtype=np.int16)
    for i in range(trials):
        base = i * TRIAL_SECONDS
        question = testvoices.speak(*QUESTION)
        stop = testvoices.speak(*STOPS[i % len(STOPS)])
        for start, audio in ((base + 1.0, question), (base + 1.0 + question.seconds + STOP_AFTER_SECONDS, stop)):
            first = int(start * RATE)
            total[first:first + audio.samples] += audio.array()
    return AudioChunk.from_array(total)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 trials instead of 5")
    args = parser.parse_args(argv)
    trials = 2 if args.quick else 5
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        wav = folder / "in.wav"
        write_wav(wav, build(trials))
        config = folder / "config.toml"
        config.write_text(f'[paths]\ndata_dir = "{folder / "data"}"\n[reminders]\nenabled = false\n')
        events = folder / "events.jsonl"
        print(f"playing {trials} question-then-stop turns in real time ...", flush=True)
        subprocess.run([sys.executable, "-m", "voicecare", "--config", str(config), "run", "--input", str(wav),
                        "--events", str(events), "--realtime"], check=True, stderr=subprocess.DEVNULL)
        log = [json.loads(line) for line in events.read_text().splitlines()]
    delays = []
    for i, event in enumerate(log):
        if event["type"] == "understood" and event["intent"] == "control.stop":
            heard = log[i - 1]
            silenced = next((e for e in log[i:] if e["type"] == "silenced"), None)
            if silenced is not None:
                delays.append(1000.0 * (silenced["t"] - heard["end"]))
    print()
    print(f"{'spoken stop -> voice silenced':<34}{'n':>4}{'median':>9}{'max':>8}  (ms)")
    if delays:
        print(f"{'end of stop -> silenced event':<34}{len(delays):>4}{statistics.median(delays):>9.0f}"
              f"{max(delays):>8.0f}")
    print(f"stops heard and acted on: {len(delays)} of {trials}")
    return 0 if len(delays) == trials else 1


if __name__ == "__main__":
    raise SystemExit(main())
