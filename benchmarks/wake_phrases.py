"""The wake phrase against longer ones (``bench_wake --phrases`` / ``--phrases-only``): each phrase enrolled by
a tuning voice (flite rms) and a measure-only one (Piper joe), said alone and before requests, clean and in 10 dB
babble, and scored against broadcast_a.tsv by the other voices; under the shipped thresholds and under thresholds
chosen for that phrase on the tuning voice, with the threshold-free margins between the person's lowest score and
the broadcast's highest."""

from __future__ import annotations

from typing import Any

from benchmarks.bench_wake import MEASURE_ONLY, TUNE_VOICES, WAKE, choose, false_wakes, found, gather, pct
from voicecare.listening.wake_detect import WakeSettings

OTHER_PHRASES = ("hey voice care", "hello care box", "okay care helper")
PHRASE_VOICES = ("rms", "piper:joe")
"""The phrase comparison's people: a tuning voice and a measure-only one."""


def _margins(data: dict[str, Any], conditions: tuple[str, ...]) -> str:
    """Threshold-free: each person's lowest own template score per condition against the highest and
    the 99th-percentile score broadcast talk by other voices reaches on their templates."""
    parts = []
    for person in PHRASE_VOICES:
        scores = sorted((h.raw[person][0] for items in data["negatives"].values() for i in items
                         if i.voice != person for h in i.heard), reverse=True)
        own = {c: min(i.heard[0].raw[person][0] for i in data["positives"] if i.voice == person and i.condition == c)
               for c in conditions}
        parts.append(f"{person}: broadcast max {scores[0]:.3f}, 99% {scores[len(scores) // 100]:.3f}; own lowest "
                     + ", ".join(f"{c} {v:.3f}" for c, v in own.items()))
    return " | ".join(parts)


def compare_phrases(quick: bool, settings: WakeSettings | None, every: int | None = None,
                    stride: int | None = None) -> None:
    """Each phrase under the same thresholds and under its own chosen ones (clean, 10 dB babble)."""
    conditions = ("clean", "babble 10 dB")
    print(f"\n{'phrase':<18}{'thresholds':<11}" + "".join(f"{c:>15}" for c in conditions)
          + f"{'false/h tune':>14}{'false/h all':>13}")
    shared: dict[int, Any] = {}
    for phrase in (WAKE, *OTHER_PHRASES):
        data = gather(phrase, quick, conditions, ("broadcast_a",), with_before=False,
                      every=every or (64 if quick else 8), shared=shared, persons=PHRASE_VOICES, stride=stride)
        if settings is None:
            continue
        own = choose(data, ("broadcast_a",), tune=tuple(v for v in PHRASE_VOICES if v in TUNE_VOICES))
        for label, chosen in (("same", settings), ("own", own)):
            line = f"{phrase:<18}{label:<11}"
            for condition in conditions:
                rows = [i for i in data["positives"] if i.condition == condition]
                line += f"{pct(sum(found(i, i.voice, chosen) for i in rows), len(rows)):>15}"
            tune = [i for items in data["negatives"].values() for i in items if i.voice not in MEASURE_ONLY]
            w, h = false_wakes(tune, tuple(v for v in PHRASE_VOICES if v in TUNE_VOICES), chosen)
            allw, allh = false_wakes([i for items in data["negatives"].values() for i in items], PHRASE_VOICES, chosen)
            print(line + f"{w / h:>14.2f}{allw / allh:>13.2f}")
        print("    " + _margins(data, conditions))
