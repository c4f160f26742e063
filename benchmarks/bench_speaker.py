"""Speaker verification: is the person's voice taken for theirs, and the television's for someone else's?

Run: ``python -m benchmarks.bench_speaker [--quick] [--choose] [--final]``.

Each person voice is enrolled from three clean "hey care" recordings; a second print adds the
enrollment sentence (the phrase run on into it, as ``voicecare enroll`` asks); a third is the first
adapted with ten utterances the person surely made, a fourth the second adapted the same way.
Their requests and red flags (every fourth addressed.tsv row; with ``--final`` also every second
row of the blind person.tsv) are said clean, in 10 dB babble, from the floor (15 dB down,
reverberant tail, room rumble) and weakly (20 dB down, 25% faster, the first six words); the
television's lines (every second line of broadcast.tsv and broadcast_a.tsv; with ``--final`` the
blind broadcast_b.tsv) are said by the other voices, never by the person's own speaker. Tables give
the share of verdicts "person" / "unsure" / "other", the equal error rate, verdicts by seconds of
voice, time per utterance and memory. ``--choose`` prints the thresholds the choosing data gives
(choosing voices only, addressed.tsv and broadcast.tsv + broadcast_a.tsv); Piper joe and festival
HTS slt are measured, never chosen on. Embeddings are cached, so a second run takes a minute.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from collections.abc import Iterable

import numpy as np

from benchmarks.speaker_trials import (ADAPT_TEXTS, CHOOSING_VOICES, CONDITIONS, ENROLL_TEXTS, enroll_sentence,
                                       MEASURE_VOICES,
                                       EmbeddingCache, Trial, person_trials, read_tsv, render, speaker,
                                       tv_assignments, tv_trials)
from voicecare.listening.speaker_encoder import SpeakerEncoder, file_sha256, DATA_DIR, WEIGHTS_NAME
from voicecare.listening.speaker_verify import SpeakerVerifier, VerifierSettings, VoicePrint

PI4_FACTOR = 8.0
"""The project's estimate of how much slower a Raspberry Pi 4 runs this code than this machine."""
TV_FA_TARGET = 0.005
"""Choosing: the share of television lines that may be taken for the person."""
PERSON_OTHER_TARGET = 0.02
"""Choosing: the share of the person's utterances (each noisy condition) that may be called another voice."""


def _verdicts(scores: np.ndarray, seconds: np.ndarray, s: VerifierSettings) -> np.ndarray:
    out = np.where(scores >= s.accept_similarity, "person", np.where(scores < s.reject_similarity, "other", "unsure"))
    return np.where(seconds < s.min_speech_seconds, "unsure", out)


def _scores(print_: VoicePrint, trials: Iterable[Trial]) -> tuple[np.ndarray, np.ndarray]:
    trials = list(trials)
    if not trials:
        return np.zeros(0), np.zeros(0)
    vectors = np.stack([t.embedding.vector for t in trials])
    return vectors @ print_.centroid, np.array([t.embedding.speech_seconds for t in trials])


def _shares(verdicts: np.ndarray) -> str:
    if not len(verdicts):
        return "   -  /   -  /   - "
    return " / ".join(f"{100 * np.mean(verdicts == v):4.1f}" for v in ("person", "unsure", "other"))


def _eer(genuine: np.ndarray, impostor: np.ndarray) -> float:
    if not len(genuine) or not len(impostor):
        return float("nan")
    grid = np.linspace(-0.2, 1.0, 1201)
    frr = np.array([(genuine < t).mean() for t in grid])
    far = np.array([(impostor >= t).mean() for t in grid])
    i = int(np.argmin(np.abs(frr - far)))
    return float((frr[i] + far[i]) / 2)


STATES: tuple[str, ...] = ("enrolled", "+ sentence", "adapted", "+ sentence, adapted")
"""Prints compared: three wake phrases; the same and the enrollment sentence; each of those, then
adapted with ten confirmed utterances."""


def _prints(cache: EmbeddingCache, voice: str, settings: VerifierSettings) -> dict[str, VoicePrint]:
    """The person's print in each state of STATES."""
    enrolled = VoicePrint(voice, np.stack([cache.get(voice, t, "clean").vector for t in ENROLL_TEXTS]))
    sentence = VoicePrint(voice, np.vstack([enrolled.embeddings, cache.get(voice, enroll_sentence(), "clean").vector]))
    adapted = []
    for start in (enrolled, sentence):
        verifier = SpeakerVerifier([start], settings, cache.encoder)
        for text in ADAPT_TEXTS:
            verifier.adapt(voice, cache.get(voice, text, "clean"))
        adapted.append(verifier.prints[0])
    return {"enrolled": enrolled, "+ sentence": sentence, "adapted": adapted[0], "+ sentence, adapted": adapted[1]}


def _up(value: float) -> float:
    return float(np.ceil(100 * value - 1e-9) / 100)


def _down(value: float) -> float:
    return float(np.floor(100 * value + 1e-9) / 100)


def choose(persons: dict[str, list[Trial]], tv: list[Trial], prints: dict[str, dict[str, VoicePrint]],
           base: VerifierSettings) -> VerifierSettings:
    """Thresholds from the choosing voices, each voice's worst case counting (enrolled and adapted prints):
    accept keeps every voice's television under TV_FA_TARGET, reject keeps every voice's utterances in
    every condition under PERSON_OTHER_TARGET."""
    accepts, rejects = [], []
    for voice in CHOOSING_VOICES:
        for p in (prints[voice]["enrolled"], prints[voice]["adapted"]):  # as the shipped thresholds were chosen
            scores, seconds = _scores(p, [t for t in tv if speaker(t.voice) != speaker(voice)])
            scores = np.sort(scores[seconds >= base.min_speech_seconds])
            accepts.append(scores[int(np.ceil((1 - TV_FA_TARGET) * len(scores))) - 1] + 1e-4)
            for c in CONDITIONS:
                scores, seconds = _scores(p, [t for t in persons[voice] if t.condition == c])
                rejects.append(float(np.quantile(scores[seconds >= base.min_speech_seconds], PERSON_OTHER_TARGET)))
    accept, reject = _up(max(accepts)), _down(min(rejects))
    reject = min(reject, accept)
    print(f"\nchosen on {', '.join(CHOOSING_VOICES)} (enrolled and adapted prints, each voice's worst case), "
          f"addressed.tsv and broadcast.tsv + broadcast_a.tsv:")
    print(f"  accept_similarity = {accept:.2f}  (each voice's television 'person' <= {100 * TV_FA_TARGET:.1f}%)")
    print(f"  reject_similarity = {reject:.2f}  (each voice's 'other' <= {100 * PERSON_OTHER_TARGET:.0f}% "
          f"in each condition)")
    return VerifierSettings(accept_similarity=accept, reject_similarity=reject,
                            min_speech_seconds=base.min_speech_seconds, adapt_keep=base.adapt_keep,
                            adapt_min_similarity=reject)


def person_table(title: str, persons: dict[str, list[Trial]], prints, s: VerifierSettings, red_only: bool) -> None:
    print(f"\n{title}: person / unsure / other, % of the person's utterances")
    print(f"| voice | prints | {' | '.join(CONDITIONS)} |")
    print("|---|---|" + "---|" * len(CONDITIONS))
    for voice, trials in persons.items():
        for state, p in prints[voice].items():
            cells = []
            for c in CONDITIONS:
                chosen = [t for t in trials if t.condition == c and (t.red_flag or not red_only)]
                cells.append(_shares(_verdicts(*_scores(p, chosen), s)))
            mark = "" if voice in CHOOSING_VOICES else " (measure-only)"
            print(f"| {voice}{mark} | {state} | {' | '.join(cells)} |")


def tv_table(corpora: dict[str, list[Trial]], prints, s: VerifierSettings) -> None:
    print("\nthe television taken for the person: person / unsure / other, % of broadcast lines by the other voices")
    print(f"| voice | prints | {' | '.join(corpora)} |")
    print("|---|---|" + "---|" * len(corpora))
    for voice in prints:
        for state, p in prints[voice].items():
            cells = [_shares(_verdicts(*_scores(p, [t for t in tv if speaker(t.voice) != speaker(voice)]), s))
                     for tv in corpora.values()]
            print(f"| {voice} | {state} | {' | '.join(cells)} |")


def eer_table(persons, tv: list[Trial], prints) -> None:
    print("\nequal error rate, % (the person's utterances in each condition against the television)")
    print(f"| voices | prints | {' | '.join(CONDITIONS)} |")
    print("|---|---|" + "---|" * len(CONDITIONS))
    for label, group in (("choosing", CHOOSING_VOICES), ("measure-only", MEASURE_VOICES)):
        for state in STATES:
            cells = []
            for c in CONDITIONS:
                gen, imp = [], []
                for v in group:
                    if v not in persons:
                        continue
                    gen.append(_scores(prints[v][state], [t for t in persons[v] if t.condition == c])[0])
                    imp.append(_scores(prints[v][state], [t for t in tv if speaker(t.voice) != speaker(v)])[0])
                cells.append(f"{100 * _eer(np.concatenate(gen), np.concatenate(imp)):.1f}" if gen else "-")
            print(f"| {label} | {state} | {' | '.join(cells)} |")


def duration_table(persons, tv: list[Trial], prints, s: VerifierSettings) -> None:
    print("\nby seconds of voice (choosing voices, adapted prints, the person's utterances incl. short answers in "
          "every condition; the television's lines): verdicts if the duration rule were off, person / unsure / other")
    bins = ((0.0, 0.5), (0.5, 0.7), (0.7, 1.0), (1.0, 1.5), (1.5, 99.0))
    off = VerifierSettings(s.accept_similarity, s.reject_similarity, 0.0)
    print("| seconds of voice | the person's utterances | mean similarity | their verdicts | television lines | "
          "mean similarity | their verdicts |")
    print("|---|---|---|---|---|---|---|")
    for lo, hi in bins:
        own, other, own_s, other_s = [], [], [], []
        for v in CHOOSING_VOICES:
            for trials, out, kept in ((persons[v], own, own_s),
                                      ([t for t in tv if speaker(t.voice) != speaker(v)], other, other_s)):
                scores, seconds = _scores(prints[v]["adapted"], trials)
                keep = (seconds >= lo) & (seconds < hi)
                out.append(_verdicts(scores[keep], seconds[keep], off))
                kept.append(scores[keep])
        own_v, other_v = np.concatenate(own), np.concatenate(other)
        own_m, other_m = (f"{np.mean(np.concatenate(x)):.2f}" if len(np.concatenate(x)) else "-" for x in (own_s, other_s))
        print(f"| {lo:.1f}-{hi if hi < 99 else '':} | {len(own_v)} | {own_m} | {_shares(own_v)} | {len(other_v)} | "
              f"{other_m} | {_shares(other_v)} |")


def speed(encoder: SpeakerEncoder, verifier: SpeakerVerifier, quick: bool) -> None:
    texts = [r["text"] for r in read_tsv("addressed.tsv")[:: 16 if quick else 8]]
    chunks = [render("rms", t, "clean") for t in texts] + [render("kal", t, "from the floor") for t in texts]
    tracemalloc.start()
    fresh = SpeakerEncoder()
    fresh.load()
    _, load_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    fresh.embed(chunks[0])
    _, run_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    wall, cpu = [], []
    for chunk in chunks:
        runs = [_timed(verifier, chunk) for _ in range(3)]
        wall.append(min(r[0] for r in runs))
        cpu.append(min(r[1] for r in runs))
    secs = np.array([c.seconds for c in chunks])
    load = os.getloadavg()[0]
    print(f"\ntime per utterance ({len(chunks)} utterances of {secs.min():.1f}-{secs.max():.1f} s, best of 3; "
          f"load average {load:.1f} on {os.cpu_count()} cores, so CPU time is the fairer figure):")
    print("| | median ms | 90th percentile ms | Pi 4 estimate (x8) median / 90th ms |")
    print("|---|---|---|---|")
    for label, values in (("wall clock", wall), ("CPU time", cpu)):
        ms = np.array(values) * 1000
        print(f"| verify, {label} | {np.median(ms):.1f} | {np.percentile(ms, 90):.1f} | "
              f"{PI4_FACTOR * np.median(ms):.0f} / {PI4_FACTOR * np.percentile(ms, 90):.0f} |")
    weights = DATA_DIR / WEIGHTS_NAME
    print(f"memory: weights file {weights.stat().st_size / 1e6:.1f} MB (float16); loaded (float32) "
          f"{load_peak / 1e6:.1f} MB peak; one utterance's working memory {run_peak / 1e6:.1f} MB peak; "
          f"SHA-256 {file_sha256(weights)[:12]}…")


def _timed(verifier: SpeakerVerifier, chunk) -> tuple[float, float]:
    """(wall, CPU) seconds of one verification."""
    start, cpu = time.perf_counter(), time.process_time()
    verifier.verify(chunk)
    return time.perf_counter() - start, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer lines, fewer timings")
    parser.add_argument("--choose", action="store_true", help="print the thresholds the choosing data gives")
    parser.add_argument("--final", action="store_true", help="also the blind person.tsv and broadcast_b.tsv")
    args = parser.parse_args(argv)
    # Four conditions × seven voices: every fourth addressed row is 1120 utterances, every second person row 1680.
    addressed_every, person_every, broadcast_share = (8, 4, 4) if args.quick else (4, 2, 1)
    settings = VerifierSettings()
    encoder = SpeakerEncoder()
    cache = EmbeddingCache(encoder, f"{file_sha256(DATA_DIR / WEIGHTS_NAME)[:10]}-p{encoder.max_partials}-cut-lower")
    log = lambda msg: print(f"  … {msg}", file=sys.stderr, flush=True)  # noqa: E731
    voices = CHOOSING_VOICES + MEASURE_VOICES
    rows = read_tsv("addressed.tsv")[::addressed_every]
    persons = {v: person_trials(cache, v, rows, log) for v in voices}
    prints = {v: _prints(cache, v, settings) for v in voices}
    corpora = {}
    for name in ("broadcast.tsv", "broadcast_a.tsv") + (("broadcast_b.tsv",) if args.final else ()):
        log(name)
        lines = read_tsv(name)
        corpora[name] = tv_trials(cache, tv_assignments(lines[: len(lines) // broadcast_share], 2))
    if args.choose:
        settings = choose(persons, corpora["broadcast.tsv"] + corpora["broadcast_a.tsv"], prints, settings)
    print(f"\nthresholds: accept {settings.accept_similarity:.2f}, reject {settings.reject_similarity:.2f}, "
          f"unsure under {settings.min_speech_seconds} s of voice; prints keep {settings.adapt_keep} adapted")
    person_table("addressed.tsv, all rows", persons, prints, settings, red_only=False)
    person_table("addressed.tsv, red flags only", persons, prints, settings, red_only=True)
    if args.final:
        blind_rows = read_tsv("person.tsv")[::person_every]
        blind = {v: person_trials(cache, v, blind_rows, log) for v in voices}
        person_table("person.tsv (blind), all rows", blind, prints, settings, red_only=False)
        person_table("person.tsv (blind), red flags only", blind, prints, settings, red_only=True)
    tv_table(corpora, prints, settings)
    eer_table(persons, [t for tv in corpora.values() for t in tv], prints)
    short_rows = [r for r in read_tsv("answers.tsv") if r["type"] in ("yesno", "control")][:: 2 if args.quick else 1]
    short = {v: persons[v] + person_trials(cache, v, short_rows, log) for v in CHOOSING_VOICES}
    duration_table(short, corpora["broadcast.tsv"] + corpora["broadcast_a.tsv"], prints, settings)
    speed(encoder, SpeakerVerifier([prints["rms"]["adapted"]], settings, encoder), args.quick)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
