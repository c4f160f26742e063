"""The speaker benchmark's trials: who says what, in which condition, and each utterance's embedding.

Embeddings are cached on disk by (voice, text, condition, encoder) so choosing thresholds and
printing tables can be rerun without the network; the cache lives beside the test voices.
"""

from __future__ import annotations

import csv
import hashlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voicecare.audio.chunk import AudioChunk
from voicecare.listening.speaker_encoder import Embedding, SpeakerEncoder

DATA = Path(__file__).resolve().parent / "data"

CHOOSING_VOICES: tuple[str, ...] = ("slt", "awb", "rms", "kal", "espeak:en-us")
"""Person voices whose trials may choose thresholds."""
MEASURE_VOICES: tuple[str, ...] = ("piper:joe", "festival:slt-hts")
"""Measure-only person voices: never used to choose anything."""
TV_VOICES: tuple[str, ...] = ("slt", "awb", "rms", "kal", "espeak:en-us", "espeak:en", "espeak:en-gb-scotland",
                              "espeak:en-us+f3", "festival:kal")
"""The television's and household's voices."""
SPEAKER_OF: dict[str, str] = {"festival:slt-hts": "slt", "festival:kal": "kal", "espeak:en": "espeak:en-us",
                              "espeak:en-gb-scotland": "espeak:en-us"}
"""Voices that are one speaker: flite and festival's slt and kal are the same recorded people, and
espeak-ng's en, en-us and en-gb-scotland share one voice variant. The television never speaks in the
person's own voice."""

ENROLL_TEXTS: tuple[str, ...] = ("hey care", "Hey, care!", "hey care?")
"""Three clean wake phrases (a synthesizer says one text the same way every time)."""


def enroll_sentence() -> str:
    """The enrollment sentence as ``voicecare enroll`` asks for it (the wake phrase run on into words, in one
    breath): several seconds of voice where a wake phrase gives under one."""
    from benchmarks.wake_data import sentence_words

    return sentence_words("hey care")

ADAPT_TEXTS: tuple[str, ...] = (
    "good morning, is it going to rain today",
    "I did the stretches after breakfast and they helped",
    "remind me to drink some water in an hour",
    "my daughter is coming round this afternoon",
    "can you tell me about the heat pack again",
    "that was a bit easier than yesterday",
    "I think I need to rest for a while now",
    "yes, I'm ready to do the next one",
    "the cat has been sitting on my feet all morning",
    "I slept better last night than I have all week",
)
"""Utterances the person surely made (a request after the wake phrase, a confirmed answer)."""

CONDITIONS: tuple[str, ...] = ("clean", "babble 10 dB", "from the floor", "weak")
WEAK_WORDS = 6
"""A weak, breathless voice says less: the first words of the line only."""


@dataclass(frozen=True, slots=True)
class Trial:
    """One utterance: who said it, the text, the condition, whether it is a red flag, its embedding."""

    voice: str
    text: str
    condition: str
    red_flag: bool
    embedding: Embedding


def speaker(voice: str) -> str:
    return SPEAKER_OF.get(voice, voice)


def read_tsv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _seed(*parts: str) -> int:
    return zlib.crc32("\0".join(parts).encode())


def render(voice: str, text: str, condition: str) -> AudioChunk:
    """The text said by the voice in the condition (deterministic for each triple)."""
    from voicecare.testing.voices import babble, from_the_floor, mix, speak, weakly

    seed = _seed(voice, text)
    if condition == "weak":
        return weakly(speak(" ".join(text.split()[:WEAK_WORDS]), voice), seed=seed % 1000)
    clean = speak(text, voice)
    if condition == "clean":
        return clean
    if condition == "babble 10 dB":
        return mix(clean, babble(clean.seconds + 1.0, talkers=4, seed=seed % 7), 10.0)
    if condition == "from the floor":
        return from_the_floor(clean, seed=seed % 1000)
    raise ValueError(f"unknown condition {condition!r}")


class EmbeddingCache:
    """Embeddings of rendered utterances, kept on disk between runs."""

    def __init__(self, encoder: SpeakerEncoder, tag: str) -> None:
        from voicecare.testing.voices import cache_dir

        self.encoder = encoder
        self.root = cache_dir().parent / "speaker-bench" / tag
        self.root.mkdir(parents=True, exist_ok=True)

    def get(self, voice: str, text: str, condition: str) -> Embedding:
        key = hashlib.sha1(f"{voice}\0{text}\0{condition}".encode()).hexdigest()[:24]
        path = self.root / f"{key}.npy"
        if path.exists():
            row = np.load(path)
            return Embedding(vector=row[1:].astype(np.float32), speech_seconds=float(row[0]))
        emb = self.encoder.encode(render(voice, text, condition))
        np.save(path, np.concatenate([[emb.speech_seconds], emb.vector]).astype(np.float32))
        return emb


def person_trials(cache: EmbeddingCache, voice: str, rows: list[dict[str, str]],
                  progress: Callable[[str], None] = lambda _: None) -> list[Trial]:
    """The person's own utterances in every condition."""
    trials = []
    for condition in CONDITIONS:
        progress(f"{voice} {condition}")
        for row in rows:
            trials.append(Trial(voice, row["text"], condition, row.get("intent", "").startswith("redflag."),
                                cache.get(voice, row["text"], condition)))
    return trials


def tv_assignments(rows: list[dict[str, str]], every: int = 1) -> list[tuple[str, str]]:
    """(voice, text) for broadcast lines: each line said by two of the television's voices, in rotation."""
    out = []
    for i, row in enumerate(rows[::every]):
        for voice in (TV_VOICES[i % len(TV_VOICES)], TV_VOICES[(i + 4) % len(TV_VOICES)]):
            out.append((voice, row["text"]))
    return out


def tv_trials(cache: EmbeddingCache, pairs: list[tuple[str, str]]) -> list[Trial]:
    """The television's lines (clean: the set is loud and near), embedded."""
    return [Trial(voice, text, "clean", False, cache.get(voice, text, "clean")) for voice, text in pairs]
