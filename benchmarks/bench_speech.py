"""Spoken benchmark: held-out utterances, several synthetic voices, clean and in babble noise.

Run: ``.venv/bin/python -m benchmarks.bench_speech [--voices slt,awb] [--limit N] [--engine pocketsphinx]``.
Prints, per engine and condition: intent accuracy, red-flag recall, false red flags on off-topic
speech, real-time factor; and per engine: model load time and peak memory. A red flag that only an
alternative reading holds is asked about ("did you say ...?"), so the table also gives red-flag
recall counting those checks, and how often a check is asked when no red flag was said.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from voicecare.messages import RED_FLAG_SEVERITY

DATA = Path(__file__).parent / "data" / "spoken.tsv"
VOICES = ("slt", "awb", "rms", "kal", "espeak:en-us")
CONDITIONS: tuple[float | None, ...] = (None, 20.0, 10.0, 5.0)
"""Babble SNR in dB; None is clean speech."""


@dataclass(frozen=True, slots=True)
class Row:
    text: str
    intent: str


@dataclass
class Tally:
    """Counts for one engine under one condition."""

    total: int = 0
    correct: int = 0
    red_total: int = 0
    red_caught: int = 0
    red_checked: int = 0
    """Red flags missed by the best reading but asked about from an alternative one."""
    other_total: int = 0
    other_checked: int = 0
    """Utterances with no red flag that still led to a check question."""
    offtopic_total: int = 0
    offtopic_false_red: int = 0
    audio_seconds: float = 0.0
    decode_seconds: float = 0.0
    misses: list[str] = field(default_factory=list)

    def add(self, row: Row, predicted: str, heard: str, audio: float, decode: float, checked: bool = False) -> None:
        self.total += 1
        self.correct += predicted == row.intent
        if row.intent in RED_FLAG_SEVERITY:
            self.red_total += 1
            self.red_caught += predicted in RED_FLAG_SEVERITY
            self.red_checked += checked
        else:
            self.other_total += 1
            self.other_checked += checked
        if row.intent == "unknown":
            self.offtopic_total += 1
            self.offtopic_false_red += predicted in RED_FLAG_SEVERITY
        self.audio_seconds += audio
        self.decode_seconds += decode
        if predicted != row.intent:
            self.misses.append(f"{row.intent:22} -> {predicted:22} | {row.text!r} heard {heard!r}")


def load_rows(path: Path, limit: int | None) -> list[Row]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        rows = [Row(r["text"].strip(), r["intent"].strip()) for r in reader if r.get("text", "").strip()]
    return rows[:limit] if limit else rows


def _pct(num: int, den: int) -> str:
    return f"{100.0 * num / den:6.1f}%" if den else "     -"


def measure_footprint(engine: str) -> dict:
    """Load time and peak RSS measured in a fresh process, so nothing else inflates them."""
    code = (
        "import json, resource, time\n"
        "from voicecare.asr.transcribe import domain_language\n"
        "from voicecare.asr import create_recognizer\n"
        "from voicecare.testing.voices import speak\n"
        "phrases, vocab = domain_language()\n"
        "audio = speak('my hip is spasming', 'slt')\n"
        "t = time.perf_counter()\n"
        f"r = create_recognizer({engine!r}, phrases=phrases, vocabulary=vocab)\n"
        "load = time.perf_counter() - t\n"
        "r.transcribe(audio)\n"
        "print(json.dumps({'load': load, 'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(engine: str, rows: list[Row], voices: tuple[str, ...], show_misses: bool,
        seen: bool = False) -> dict[str, Tally]:
    from voicecare.asr import create_recognizer
    from voicecare.asr.transcribe import domain_language
    from voicecare.nlu import Understander
    from voicecare.runtime.alternatives import possible_red_flag
    from voicecare.testing.voices import babble, mix, speak

    # The benchmark's own sentences are left out of the language model (some are also in the content's
    # heard utterances): the figures are for phrasings the model has not seen.
    phrases, vocabulary = domain_language(exclude=[] if seen else [row.text for row in rows])
    recognizer = create_recognizer(engine, phrases=phrases, vocabulary=vocabulary)
    understander = Understander.load()
    tallies: dict[str, Tally] = {}
    for n, row in enumerate(rows):
        for voice in voices:
            clean = speak(row.text, voice)
            for snr in CONDITIONS:
                audio = clean if snr is None else mix(clean, babble(clean.seconds + 1.0, talkers=5, seed=n), snr)
                started = time.perf_counter()
                heard = recognizer.transcribe(audio)
                decode = time.perf_counter() - started
                predicted = understander.understand(heard.text).intent if heard.text else "unknown"
                checked = (predicted not in RED_FLAG_SEVERITY
                           and possible_red_flag(heard.alternatives, understander.understand_alternative) is not None)
                for key in ("clean" if snr is None else f"{snr:.0f} dB", f"{voice} {'clean' if snr is None else f'{snr:.0f} dB'}"):
                    tallies.setdefault(key, Tally()).add(row, predicted, heard.text, audio.seconds, decode, checked)
    if show_misses:
        for key, tally in tallies.items():
            if " " in key and not key.endswith("dB"):
                continue
            for miss in tally.misses:
                print(f"[{key}] {miss}")
    return tallies


def print_table(engine: str, tallies: dict[str, Tally], footprint: dict) -> None:
    print(f"\nengine {engine}: load {footprint['load']:.2f} s, peak RSS {footprint['rss_mb']:.0f} MB")
    print(f"{'condition':24} {'n':>5} {'intent acc':>10} {'red recall':>10} {'+checked':>9} {'false red':>10} "
          f"{'checks':>7} {'RTF':>6}")
    for key in sorted(tallies, key=lambda k: (" " in k.split(" dB")[0] and not k[0].isdigit(), k)):
        t = tallies[key]
        rtf = t.decode_seconds / t.audio_seconds if t.audio_seconds else 0.0
        false_red = f"{t.offtopic_false_red}/{t.offtopic_total}"
        print(f"{key:24} {t.total:5d} {_pct(t.correct, t.total):>10} {_pct(t.red_caught, t.red_total):>10} "
              f"{_pct(t.red_caught + t.red_checked, t.red_total):>9} {false_red:>10} "
              f"{_pct(t.other_checked, t.other_total):>7} {rtf:6.3f}")
    print("red recall: the best reading escalates; +checked: or an alternative reading is asked about; "
          "checks: questions asked when no red flag was said")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", action="append", help="pocketsphinx and/or vosk (default: every available)")
    parser.add_argument("--voices", default=",".join(VOICES))
    parser.add_argument("--limit", type=int, default=None, help="only the first N utterances")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--seen", action="store_true",
                        help="keep the benchmark's sentences in the language model (by default they are left out)")
    parser.add_argument("--misses", action="store_true", help="list every wrong answer")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    from voicecare.asr.select import resolve_vosk_model

    engines = args.engine or (["pocketsphinx"] + (["vosk"] if resolve_vosk_model(None) else []))
    rows = load_rows(args.data, args.limit)
    voices = tuple(v for v in args.voices.split(",") if v)
    print(f"{len(rows)} utterances x {len(voices)} voices ({', '.join(voices)}); babble of 5 talkers")
    for engine in engines:
        tallies = run(engine, rows, voices, args.misses, args.seen)
        print_table(engine, tallies, measure_footprint(engine))


if __name__ == "__main__":
    main()
