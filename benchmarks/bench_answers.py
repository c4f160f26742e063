"""Spoken answers benchmark: each answer type, several voices (one neural), clean, babble and a fan.

Run: ``.venv/bin/python -m benchmarks.bench_answers [--quick] [--voices slt,piper:joe] [--other-weight W]
[--far] [--suppression N --gain DBFS]``.

Each answer of ``data/answers.tsv`` (pain ratings, sides, yes/no, session controls; written
independently of the grammars) is spoken by every voice, padded with room tone as the endpointer
cuts it, and mixed with 5-talker babble or a fan. PocketSphinx decodes it twice: with the open
domain language model, and with the grammar of the state that asked for it. The table gives, per
state and condition, how often each decoding was understood right, the combined choice the
assistant uses, what the core then does with the answer (takes it, reads it back, asks again) and
how many wrong pain ratings it would have journaled without asking (target 0).

``--far`` adds the answer said from across the room (``voicecare.testing.voices.far_field``: 15 dB down, a
reverberant tail) over a quiet fan, and with babble at 10 dB. ``--suppression``/``--gain`` put the
front end's webrtc noise suppression and automatic gain on the audio the recognizer gets; it runs on
the stream from a second of room tone before the answer, as it would on the microphone.
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).parent / "data" / "answers.tsv"
VOICES = ("slt", "awb", "rms", "festival:slt-hts", "piper:joe")
QUICK_VOICES = ("slt", "rms", "piper:joe")
CONDITIONS: tuple[tuple[str, str | None, float | None], ...] = (
    ("clean", None, None), ("babble 20 dB", "babble", 20.0), ("babble 10 dB", "babble", 10.0),
    ("fan 10 dB", "fan", 10.0),
)
QUICK_CONDITIONS = (CONDITIONS[0], CONDITIONS[2])
STATE_OF = {"pain": "pain", "side": "side", "yesno": "yes_no", "control": "session"}
CONTROL_INTENT = {"hurts": "control.hurts"}
FAR_CONDITIONS: tuple[tuple[str, str | None, float | None], ...] = (
    ("far field", "rumble", 25.0), ("far + babble 10 dB", "babble", 10.0))
LEAD_SECONDS = 1.0
"""Room tone before each answer, on which the suppressor settles (cut off before recognition)."""
PAD_SECONDS = 0.15
"""Room tone either side of the answer, as the endpointer hands utterances to the recognizer."""


@dataclass(frozen=True, slots=True)
class Row:
    kind: str
    text: str
    value: str


@dataclass
class Tally:
    """One state under one condition."""

    total: int = 0
    open_right: int = 0
    grammar_right: int = 0
    chosen_right: int = 0
    taken_right: int = 0
    read_back: int = 0
    asked_again: int = 0
    taken_wrong: int = 0
    misses: list[str] = field(default_factory=list)


def load_rows(path: Path = DATA) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [Row(r["type"], r["text"], r["value"]) for r in csv.DictReader(handle, delimiter="\t")]


def value_of(kind: str, u) -> str | None:  # noqa: ANN001 - an Understanding
    """The answer the core would take from an understanding, in the data's terms (None: no answer)."""
    words = u.text.lower().split()
    if kind == "pain":
        return u.slots.get("number")
    if kind == "side":
        if u.side:
            return u.side
        return "both" if {"both", "either"} & set(words) else None
    if kind == "yesno":
        return {"control.yes": "yes", "control.no": "no"}.get(u.intent)
    if u.intent.startswith("control."):
        return u.intent.removeprefix("control.")
    return None


def _audio(text: str, voice: str, noise_kind: str | None, snr: float | None, far: bool = False,
           front=None):  # noqa: ANN001,ANN202
    """The answer padded as the endpointer cuts it, in its noise; through the suppressor if ``front``."""
    import numpy as np

    from voicecare.audio.chunk import RATE, AudioChunk
    from voicecare.testing.voices import babble, far_field, mix, noise, speak

    speech = speak(text, voice)
    if far:
        speech = far_field(speech)
    lead, pad = AudioChunk.silence(LEAD_SECONDS + PAD_SECONDS), AudioChunk.silence(PAD_SECONDS)
    padded = AudioChunk.from_array(np.concatenate([lead.array(), speech.array(), pad.array()]))
    if noise_kind is not None and snr is not None:
        seed = sum(map(ord, text + voice)) % 97
        background = babble(padded.seconds + 1.0, talkers=5, seed=seed) if noise_kind == "babble" \
            else noise(padded.seconds + 1.0, "fan", seed=seed)
        padded = mix(padded, background, snr)
    if front is not None:
        padded = AudioChunk.from_array(np.frombuffer(front.process(padded.audio)[1], dtype="<i2"))
    return AudioChunk.from_array(padded.array()[int(LEAD_SECONDS * RATE):])


def run(rows: list[Row], voices: tuple[str, ...], conditions, grammar_settings=None,  # noqa: ANN001
        suppression: tuple[int, int] | None = None) -> dict:
    from voicecare.asr.grammar import GrammarSettings, combine
    from voicecare.asr.pocketsphinx_engine import PocketsphinxRecognizer
    from voicecare.asr.transcribe import domain_language
    from voicecare.content.listening import load_listening
    from voicecare.core.assistant import DialogSettings
    from voicecare.core.expectation import Expect
    from voicecare.nlu import Understander
    from voicecare.audio.noise import is_noisy, noise_floor_dbfs
    from voicecare.runtime.alternatives import clarity
    from voicecare.audio.frontend import Suppressor

    understander = Understander.load()
    phrases, vocabulary = domain_language(vocabulary=understander.vocabulary())
    grammar = grammar_settings or GrammarSettings()
    recognizer = PocketsphinxRecognizer(phrases, vocabulary, listening=load_listening(), grammar=grammar)
    confirm_below = DialogSettings().confirm_below
    tallies: dict[tuple[str, str], Tally] = {}
    seconds = {"audio": 0.0, "decode": 0.0}
    for name, noise_kind, snr in conditions:
        for row in rows:
            expect = Expect(STATE_OF[row.kind])
            wanted = CONTROL_INTENT.get(row.value, row.value).removeprefix("control.")
            tally = tallies.setdefault((expect.value, name), Tally())
            for voice in voices:
                front = Suppressor(*suppression) if suppression else None
                audio = _audio(row.text, voice, noise_kind, snr, name.startswith("far"), front)
                began = time.perf_counter()
                openly = recognizer.decode(audio)
                answer = recognizer.decode(audio, expect)
                seconds["decode"] += time.perf_counter() - began
                seconds["audio"] += audio.seconds
                chosen = combine(openly, answer, recognizer.accepts(expect, answer, openly))
                u_open, u_answer, u_chosen = (understander.understand(t.text) for t in (openly, answer, chosen))
                tally.total += 1
                tally.open_right += value_of(row.kind, u_open) == wanted
                tally.grammar_right += value_of(row.kind, u_answer) == wanted
                got = value_of(row.kind, u_chosen)
                tally.chosen_right += got == wanted
                samples = audio.array()
                noisy = is_noisy(samples, noise_floor_dbfs(samples))
                sure = not noisy and clarity(chosen, u_chosen, understander.understand) >= confirm_below
                if got is None or u_chosen.is_red_flag:
                    tally.asked_again += 1
                elif row.kind in ("pain", "side") and not sure:
                    tally.read_back += 1
                elif got == wanted:
                    tally.taken_right += 1
                else:
                    tally.taken_wrong += 1
                if got != wanted:
                    taken = " TAKEN" if got is not None and not u_chosen.is_red_flag and (
                        sure or row.kind not in ("pain", "side")) else ""
                    tally.misses.append(f"{voice}: {row.text!r} -> {chosen.text!r} ({chosen.search}){taken}")
    return {"tallies": tallies, "seconds": seconds, "load": recognizer.load_seconds}


def _pct(n: int, d: int) -> str:
    return f"{100.0 * n / d:5.1f}%" if d else "    -"


def print_table(result: dict, voices: tuple[str, ...], show_misses: bool) -> None:
    tallies: dict[tuple[str, str], Tally] = result["tallies"]
    print(f"voices: {', '.join(voices)}; PocketSphinx; model and grammars loaded in {result['load']:.2f} s")
    print()
    print("| state | condition | n | open model | state grammar | chosen | taken right | read back | asked again "
          "| taken WRONG |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (state, condition), t in tallies.items():
        print(f"| {state} | {condition} | {t.total} | {_pct(t.open_right, t.total)} | {_pct(t.grammar_right, t.total)} "
              f"| {_pct(t.chosen_right, t.total)} | {_pct(t.taken_right, t.total)} | {_pct(t.read_back, t.total)} "
              f"| {_pct(t.asked_again, t.total)} | {t.taken_wrong} |")
    print()
    conditions = list(dict.fromkeys(c for _, c in tallies))
    print("| condition | answers right: open | grammar | chosen | wrong pain ratings journaled without asking |")
    print("|---|---|---|---|---|")
    for condition in conditions:
        rows = [t for (_, c), t in tallies.items() if c == condition]
        total = sum(t.total for t in rows)
        wrong_pain = sum(t.taken_wrong for (s, c), t in tallies.items() if c == condition and s == "pain")
        print(f"| {condition} | {_pct(sum(t.open_right for t in rows), total)} "
              f"| {_pct(sum(t.grammar_right for t in rows), total)} | {_pct(sum(t.chosen_right for t in rows), total)} "
              f"| {wrong_pain} |")
    rtf = result["seconds"]["decode"] / max(result["seconds"]["audio"], 1e-9)
    print(f"\nboth decodings together: real-time factor {rtf:.3f}")
    if show_misses:
        for (state, condition), t in tallies.items():
            for miss in t.misses:
                print(f"  miss [{state}, {condition}] {miss}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="three voices, clean and 10 dB babble")
    parser.add_argument("--voices", help="comma-separated test voices (default: five, one neural)")
    parser.add_argument("--other-weight", type=float, default=None, help="weight of the grammars' other path")
    parser.add_argument("--other-words", type=int, default=None, help="words on the grammars' other path (slow)")
    parser.add_argument("--min-similarity", type=float, default=None,
                        help="how much a grammar's answer must sound like the open reading")
    parser.add_argument("--limit", type=int, default=None, help="only the first N answers of each type")
    parser.add_argument("--types", help="only these answer types (comma-separated: pain, side, yesno, control)")
    parser.add_argument("--misses", action="store_true", help="list every answer not understood right")
    parser.add_argument("--far", action="store_true", help="also from across the room (alone, and in 10 dB babble)")
    parser.add_argument("--suppression", type=int, default=0, help="webrtc noise suppression level, 0-4")
    parser.add_argument("--gain", type=int, default=0, help="webrtc automatic gain target, 0-31 dB below full scale")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    rows = load_rows()
    if args.types:
        rows = [r for r in rows if r.kind in args.types.split(",")]
    if args.limit:
        kept: dict[str, int] = {}
        rows = [r for r in rows if kept.setdefault(r.kind, 0) < args.limit and not kept.update({r.kind: kept[r.kind] + 1})]
    voices = tuple(args.voices.split(",")) if args.voices else QUICK_VOICES if args.quick else VOICES
    conditions = (QUICK_CONDITIONS if args.quick else CONDITIONS) + (FAR_CONDITIONS if args.far else ())
    print(f"{len(rows)} answers ({', '.join(sorted({r.kind for r in rows}))}) x {len(voices)} voices "
          f"x {len(conditions)} conditions")
    from dataclasses import replace

    from voicecare.asr.grammar import GrammarSettings

    chosen = {k: v for k, v in (("other_weight", args.other_weight), ("other_words", args.other_words),
                                ("min_similarity", args.min_similarity)) if v is not None}
    suppression = (args.suppression, args.gain) if args.suppression or args.gain else None
    print(f"front end: {f'noise suppression {args.suppression}, gain {args.gain}' if suppression else 'none'}")
    print_table(run(rows, voices, conditions, replace(GrammarSettings(), **chosen), suppression), voices, args.misses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
