"""The comparison table for the understanding layer: voicecare, its parts, and a peer, on one set.

The peer is what an hour's work gives: TF-IDF letter n-grams (2-5, inside word boundaries) and
logistic regression (scikit-learn), trained on voicecare's own phrases in content/intents.toml.
Resource figures come from fresh child processes, so nothing loaded here inflates them.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Callable, Sequence

from voicecare.messages import RED_FLAG_SEVERITY

PI4_FACTOR = 8.0
"""How many times slower a Raspberry Pi 4 (Cortex-A72, 1.5 GHz) runs this single-threaded Python
and numpy code than one core of this machine: published CPython benchmark suites put a Pi 4 at
4-6 times slower than a current x86 server or desktop core; 8 leaves room for a busy Pi."""


@dataclass(frozen=True, slots=True)
class Scores:
    """The issue's figures for one system on one set."""

    rows: int
    correct: int
    red_rows: int
    red_raised: int
    red_right_severity: int
    non_red_rows: int
    false_red: int
    unknown_rows: int
    unknown_kept: int
    latency_ms: tuple[float, ...]


def score(answer: Callable[[str], str], rows: Sequence[tuple[str, str]], repeats: int = 3) -> Scores:
    """Run ``answer`` (text -> intent id) over ``(text, intent)`` rows; each call's time is its fastest of ``repeats``."""
    correct = red_rows = raised = right = non_red = false_red = unknown_rows = kept = 0
    latency: list[float] = []
    for text, expected in rows:
        fastest = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            got = answer(text)
            fastest = min(fastest, (time.perf_counter() - start) * 1000.0)
        latency.append(fastest)
        correct += got == expected
        if expected in RED_FLAG_SEVERITY:
            red_rows += 1
            raised += got in RED_FLAG_SEVERITY
            right += RED_FLAG_SEVERITY.get(got) is RED_FLAG_SEVERITY[expected]
        else:
            non_red += 1
            false_red += got in RED_FLAG_SEVERITY
        if expected == "unknown":
            unknown_rows += 1
            kept += got == "unknown"
    return Scores(len(rows), correct, red_rows, raised, right, non_red, false_red, unknown_rows, kept, tuple(latency))


def peer(phrases: dict[str, tuple[str, ...]]) -> Callable[[str], str] | None:
    """The TF-IDF letter n-gram + logistic regression peer, or None without scikit-learn."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
    except ImportError:
        return None
    texts = [t for ts in phrases.values() for t in ts]
    labels = [i for i, ts in phrases.items() for _ in ts]
    model = make_pipeline(TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
                          LogisticRegression(C=10.0, max_iter=2000))
    model.fit(texts, labels)
    return lambda text: str(model.predict([text])[0])


def _pct(a: int, b: int) -> str:
    return f"{100.0 * a / b:.1f}%" if b else "n/a"


def print_table(name: str, systems: dict[str, Scores]) -> None:
    """The issue's table as Markdown, one column per system."""
    first = next(iter(systems.values()))
    head = f"| on {name} ({first.rows} rows) | " + " | ".join(systems) + " |"
    print(head)
    print("|---" * (len(systems) + 1) + "|")
    lines = [
        ("intent accuracy", lambda s: _pct(s.correct, s.rows)),
        (f"red-flag recall ({first.red_rows} red flags)", lambda s: _pct(s.red_raised, s.red_rows)),
        ("red flag with the right severity", lambda s: _pct(s.red_right_severity, s.red_rows)),
        (f"red flags raised on non-red rows ({first.non_red_rows})",
         lambda s: f"{s.false_red} ({_pct(s.false_red, s.non_red_rows)})"),
        (f"off-topic rows answered unknown ({first.unknown_rows})", lambda s: _pct(s.unknown_kept, s.unknown_rows)),
        ("latency median / p95 (ms, this machine)", lambda s: f"{statistics.median(s.latency_ms):.2f} / "
                                                             f"{_p95(s.latency_ms):.2f}"),
    ]
    for label, cell in lines:
        print(f"| {label} | " + " | ".join(cell(s) for s in systems.values()) + " |")


def _p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else 0.0


PROBE = """
import json, sys, time

def hwm():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024

import numpy
base = hwm()
from voicecare.nlu import Understander
from voicecare.nlu.model import MODEL_DIR
start = time.perf_counter()
nlu = Understander.load(model_dir=MODEL_DIR if sys.argv[1] == "1" else None)
loaded = time.perf_counter() - start
for text in ("my hip is cramping", "my leg has gone numb", "what's the weather"):
    nlu.understand(text)
print(json.dumps({"load_s": loaded, "peak_mb": hwm(), "import_mb": base, "learned": nlu.learned}))
"""


def resources() -> dict[str, dict[str, float]]:
    """Load time and peak memory (VmHWM) of the understanding layer with and without the model.

    Each is measured in fresh processes, twice in turn; the faster load of each counts (the machine is shared).
    """
    out: dict[str, dict[str, float]] = {}
    for _ in range(2):
        for label, flag in (("rules alone", "0"), ("rules + model", "1")):
            done = subprocess.run([sys.executable, "-c", PROBE, flag], capture_output=True, text=True, timeout=120)
            if done.returncode != 0:
                raise RuntimeError(f"resource probe failed: {done.stderr.strip()[-300:]}")
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            if label not in out or figures["load_s"] < out[label]["load_s"]:
                out[label] = figures
    return out


def print_resources(voicecare: Scores) -> None:
    """Load time, peak memory and the Raspberry Pi 4 latency estimate."""
    probe = resources()
    for label, figures in probe.items():
        print(f"{label:14} load {figures['load_s'] * 1000:6.0f} ms   peak RSS {figures['peak_mb']:6.1f} MB"
              f" (Python and numpy alone {figures['import_mb']:.1f} MB)")
    print("(peak RSS of a process holding only the understanding layer; the whole assistant's is larger)")
    extra = probe["rules + model"]["peak_mb"] - probe["rules alone"]["peak_mb"]
    median, p95 = statistics.median(voicecare.latency_ms), _p95(voicecare.latency_ms)
    print(f"the model adds {extra:.1f} MB and {1000 * (probe['rules + model']['load_s'] - probe['rules alone']['load_s']):.0f} ms"
          " of loading")
    model_load = max(0.0, probe["rules + model"]["load_s"] - probe["rules alone"]["load_s"])
    print(f"Raspberry Pi 4 estimate (x{PI4_FACTOR:g} this machine): median {median * PI4_FACTOR:.1f} ms,"
          f" p95 {p95 * PI4_FACTOR:.1f} ms per utterance; loading the model {model_load * PI4_FACTOR:.1f} s,"
          f" the whole layer {probe['rules + model']['load_s'] * PI4_FACTOR:.1f} s")


__all__ = ["PI4_FACTOR", "Scores", "peer", "print_resources", "print_table", "resources", "score"]
