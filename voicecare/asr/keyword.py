"""The wake phrase as a keyword in its own right: PocketSphinx's keyphrase search over the audio.

The domain language model alone hears "hey care" as "hey carer" or "hey chair" (it was found in 31
of 80 spoken requests); a keyword search listens for just those sounds. On its own it is permissive
("take care", "hey careful" and one wake an hour of ordinary television talk in three minutes), so
the loop accepts the wake phrase only where this search and the transcript agree (``listening.wake_stage``).
"""

from __future__ import annotations

import logging
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from voicecare.asr.base import require_internal
from voicecare.asr.dictionary import read_cmudict
from voicecare.audio.chunk import RATE, WIDTH, AudioChunk
from voicecare.errors import ModelError

log = logging.getLogger(__name__)

FRAMES_PER_SECOND = 100
TAIL_SECONDS = 0.3
"""Silence added after an utterance before the search (the endpointer ends utterances soon after the voice)."""


@dataclass(frozen=True, slots=True)
class KeywordSettings:
    """How eager the keyword search is; measured with benchmarks/bench_broadcast.py."""

    threshold: float = 1e-20
    """PocketSphinx ``kws_threshold``: smaller finds more (and wakes falsely more)."""
    max_start_seconds: float = 1.5
    """The phrase must begin this soon after the utterance does: a request starts with it."""


@dataclass(frozen=True, slots=True)
class Spot:
    """Where the keyword was heard in the utterance, in seconds from its start."""

    start: float
    end: float


class KeywordSpotter:
    """One warm keyphrase decoder for the wake phrase, reused for every utterance."""

    def __init__(self, phrase: str, settings: KeywordSettings | None = None) -> None:
        try:
            import pocketsphinx
        except ImportError as exc:  # pragma: no cover - dependency of the package
            raise ModelError("PocketSphinx is not installed", "run `pip install pocketsphinx`") from exc
        self.settings = settings or KeywordSettings()
        self.phrase = " ".join(phrase.lower().split())
        hmm = pocketsphinx.get_model_path("en-us/en-us")
        cmudict = Path(pocketsphinx.get_model_path("en-us/cmudict-en-us.dict"))
        words = set(self.phrase.split())
        pronunciations = read_cmudict(cmudict, words)
        missing = words - set(pronunciations)
        if missing:
            raise ModelError(f"the wake phrase has words the recognizer cannot say: {', '.join(sorted(missing))}",
                             "choose a wake phrase of common English words")
        with tempfile.TemporaryDirectory(prefix="voicecare-wake-") as folder:  # read once, at load
            small = Path(folder) / "wake.dict"  # the phrase's words only: the whole CMUdict costs ~20 MB
            small.write_text("".join(f"{word if i == 0 else f'{word}({i + 1})'} {phones}\n"
                                     for word, variants in sorted(pronunciations.items())
                                     for i, phones in enumerate(variants)), encoding="utf-8")
            config = pocketsphinx.Config(hmm=hmm, dict=str(small), keyphrase=self.phrase,
                                         kws_threshold=self.settings.threshold, loglevel="FATAL")
            self._decoder = pocketsphinx.Decoder(config)
        self._initial_cmn = self._decoder.get_cmn()

    def spot(self, chunk: AudioChunk) -> Spot | None:
        """The first time the phrase is heard near the start of the utterance, or None."""
        require_internal(chunk)
        decoder = self._decoder
        decoder.set_cmn(self._initial_cmn)
        decoder.start_utt()
        # a little silence after the words lets the search finish a phrase said at the very end
        decoder.process_raw(chunk.audio + bytes(int(TAIL_SECONDS * RATE) * WIDTH), no_search=False, full_utt=True)
        decoder.end_utt()
        if decoder.hyp() is None:
            return None
        for seg in decoder.seg():
            start, end = seg.start_frame / FRAMES_PER_SECOND, seg.end_frame / FRAMES_PER_SECOND
            if start <= self.settings.max_start_seconds:
                return Spot(start, end)
        return None


def sound_alikes(name: str, dictionary: Path) -> frozenset[str]:
    """Words of the recognizer's dictionary that begin as ``name`` does and differ by one sound after
    that, or one more at its end ("care": carer, cares, core): what the language model makes of it."""
    entries = _read_all(dictionary)
    targets = entries.get(name, [])
    found = {name}
    for word, prons in entries.items():
        if any(_near(p.split(), t.split()) for p in prons for t in targets):
            found.add(word)
    return frozenset(found)


def _near(phones: list[str], target: list[str]) -> bool:
    """The same first sound, and then the same sounds, one changed, or one added at the end."""
    if not phones or not target or phones[0] != target[0]:
        return False
    if len(phones) == len(target):
        return sum(a != b for a, b in zip(phones, target)) <= 1
    return len(phones) == len(target) + 1 and phones[: len(target)] == target


def _read_all(path: Path) -> dict[str, list[str]]:
    entries: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            head, _, phones = line.partition(" ")
            word = re.sub(r"\(\d+\)$", "", head)
            if phones.strip():
                entries.setdefault(word, []).append(phones.split("#", 1)[0].strip())
    return entries
