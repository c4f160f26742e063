"""Vosk: the preferred engine on the Pi, decoding against a phrase-list grammar built from content."""

from __future__ import annotations

import json
import logging
import math
import time
from pathlib import Path
from typing import Any, Iterable, Sequence

from voicecare.asr.base import require_internal
from voicecare.asr.grammar import GrammarSettings, combine, sounds_alike, vosk_grammar
from voicecare.asr.lm import words_of
from voicecare.audio.chunk import AudioChunk
from voicecare.core.expectation import Expect
from voicecare.errors import ModelError
from voicecare.messages import Transcript

log = logging.getLogger(__name__)

NAME = "vosk"
UNKNOWN = "[unk]"
_FEED_BYTES = 8000
"""Bytes per AcceptWaveform call (a quarter second at 16 kHz), as Vosk's examples feed it."""
ALTERNATIVES = 3
"""N-best readings asked of Vosk (``SetMaxAlternatives``): the best one and two others, whose red
flags are checked with the person as PocketSphinx's are."""


def grammar_phrases(phrases: Iterable[str], vocabulary: Iterable[str]) -> list[str]:
    """Normalized content phrases, each vocabulary word on its own, then ``[unk]`` for everything else.

    The single words let a new phrasing still come through word by word; ``[unk]`` is the
    out-of-domain path, so off-topic speech becomes unknown rather than the nearest phrase.
    """
    seen: dict[str, None] = {}
    for phrase in phrases:
        text = " ".join(words_of(phrase))
        if text:
            seen.setdefault(text)
    words = sorted({w for s in seen for w in s.split()} | {w for v in vocabulary for w in words_of(v)})
    for word in words:
        seen.setdefault(word)
    seen.setdefault(UNKNOWN)
    return list(seen)


def model_is_complete(model_dir: Path) -> bool:
    """A Vosk model folder holds at least its acoustic model and its configuration."""
    return (model_dir / "am" / "final.mdl").is_file() and (model_dir / "conf").is_dir()


class VoskRecognizer:
    """One loaded model and grammar; a fresh KaldiRecognizer per utterance (it is cheap)."""

    name = NAME

    def __init__(self, model_dir: Path, phrases: Sequence[str] = (), vocabulary: Sequence[str] = (),
                 listening: Any = None, alternatives: int = ALTERNATIVES) -> None:
        """``listening`` (``voicecare.content.listening.Listening``) adds a grammar per waiting state."""
        started = time.perf_counter()
        if not model_is_complete(model_dir):
            raise ModelError(f"no complete Vosk model in {model_dir}", "run `voicecare model install`")
        try:
            import vosk
        except ImportError as exc:  # pragma: no cover - dependency of the package
            raise ModelError("Vosk is not installed", "run `pip install vosk`") from exc
        vosk.SetLogLevel(-1)
        try:
            self._model = vosk.Model(str(model_dir))
        except Exception as exc:  # vosk raises a bare Exception when the model cannot be read
            raise ModelError(f"Vosk could not load the model in {model_dir} ({exc})",
                             "reinstall it with `voicecare model install`") from exc
        self._grammar = json.dumps(grammar_phrases(phrases, vocabulary)) if (phrases or vocabulary) else None
        self._vosk = vosk
        self._alternatives = alternatives
        self._grammars: dict[Expect, str] = {}
        self._accepts: dict[Expect, frozenset[str]] = {}
        for expect in Expect:
            state_phrases = listening.for_state(expect) if listening is not None else ()
            if state_phrases:
                self._grammars[expect] = json.dumps(vosk_grammar(state_phrases))
                self._accepts[expect] = frozenset(state_phrases)
        self.load_seconds = time.perf_counter() - started
        log.debug("vosk ready in %.2f s (grammar: %s)", self.load_seconds, "yes" if self._grammar else "no")

    @property
    def grammar_states(self) -> tuple[Expect, ...]:
        """The waiting states that have a grammar of their own."""
        return tuple(self._grammars)

    def _recognizer(self, rate: int, grammar: str | None):
        """A recognizer bound to a grammar, reporting words with times and N-best readings."""
        if grammar is None:
            rec = self._vosk.KaldiRecognizer(self._model, rate)
        else:
            rec = self._vosk.KaldiRecognizer(self._model, rate, grammar)
        rec.SetWords(True)
        if self._alternatives > 1:
            rec.SetMaxAlternatives(self._alternatives)
        return rec

    def transcribe(self, chunk: AudioChunk, expect: Expect = Expect.IDLE) -> Transcript:
        """Decode with the domain grammar, and with the waiting state's grammar when there is one."""
        open_reading = self.decode(chunk)
        if expect not in self._grammars or not open_reading.text and open_reading.confidence == 0.0:
            return open_reading
        answer = self.decode(chunk, expect)
        heard = (open_reading.text, *open_reading.alternatives)
        accepted = answer.text in self._accepts[expect] and \
            sounds_alike(answer.text, heard, _letters) >= GrammarSettings().min_similarity
        return combine(open_reading, answer, accepted)

    def decode(self, chunk: AudioChunk, expect: Expect | None = None) -> Transcript:
        """One decoding of a whole utterance; ``[unk]`` words are dropped, silence gives empty text."""
        require_internal(chunk)
        grammar = self._grammars.get(expect) if expect is not None else None
        rec = self._recognizer(chunk.rate, grammar if grammar is not None else self._grammar)
        texts: list[dict] = []
        for start in range(0, len(chunk.audio), _FEED_BYTES):
            if rec.AcceptWaveform(chunk.audio[start:start + _FEED_BYTES]):
                texts.append(json.loads(rec.Result()))
        texts.append(json.loads(rec.FinalResult()))
        found = parse_results(texts)
        if grammar is None or expect is None:
            return found
        return Transcript(text=found.text, confidence=found.confidence, engine=NAME,
                          alternatives=found.alternatives, search=expect.value)


def _letters(text: str) -> list[str]:
    """Vosk's model has no dictionary to ask: letters stand in for phones when comparing readings."""
    return [c for c in text if c != " "]


def parse_results(results: Sequence[dict]) -> Transcript:
    """Join Vosk's result objects into one transcript (either output shape: words, or N-best)."""
    if any("alternatives" in result for result in results):
        return _parse_nbest(results)
    return _parse_words(results)


def _parse_nbest(results: Sequence[dict]) -> Transcript:
    """Results with ``SetMaxAlternatives``: each segment's readings joined in rank order.

    Confidence is the best reading's share of the N-best list: Vosk reports each reading's
    score, either as a probability or as a lattice log-score, and both are normalized here; where a
    reading carries per-word ``conf`` values their mean is used instead.
    """
    segments: list[list[tuple[str, float, list[float]]]] = []
    for result in results:
        readings = []
        for item in result.get("alternatives", ()):
            words = [w for w in str(item.get("text", "")).split() if w != UNKNOWN]
            confs = [float(w["conf"]) for w in item.get("result", ()) if "conf" in w and w.get("word") != UNKNOWN]
            readings.append((" ".join(words), float(item.get("confidence", 0.0)), confs))
        if readings and any(text for text, _, _ in readings):
            segments.append(readings)
    if not segments:
        return Transcript(text="", confidence=0.0, engine=NAME)
    best = " ".join(s[0][0] for s in segments if s[0][0]).strip()
    shares = [_share(s) for s in segments]
    confidence = math.prod(shares) ** (1.0 / len(shares))
    others: list[str] = []
    for rank in range(1, max(len(s) for s in segments)):
        text = " ".join((s[rank] if rank < len(s) else s[0])[0] for s in segments).split()
        joined = " ".join(text)
        if joined and joined != best and joined not in others:
            others.append(joined)
    return Transcript(text=best, confidence=min(1.0, max(0.0, confidence)), engine=NAME,
                      alternatives=tuple(others))


def _share(readings: list[tuple[str, float, list[float]]]) -> float:
    """How much of a segment's N-best list its best reading holds (0-1)."""
    _, top, word_confs = readings[0]
    if word_confs:
        return sum(word_confs) / len(word_confs)
    scores = [score for _, score, _ in readings]
    if all(0.0 <= s <= 1.0 for s in scores):
        total = sum(scores)
        return top / total if total > 0 else 0.0
    peak = max(scores)  # lattice log-scores: softmax against the best
    return math.exp(top - peak) / sum(math.exp(s - peak) for s in scores)


def _parse_words(results: Sequence[dict]) -> Transcript:
    """Results without alternatives; confidence is the mean word confidence."""
    words: list[str] = []
    confidences: list[float] = []
    for result in results:
        for item in result.get("result", ()):
            word = str(item.get("word", ""))
            if word and word != UNKNOWN:
                words.append(word)
                confidences.append(float(item.get("conf", 1.0)))
        if not result.get("result") and result.get("text"):
            words.extend(w for w in str(result["text"]).split() if w != UNKNOWN)
    if not words:
        return Transcript(text="", confidence=0.0, engine=NAME)
    confidence = sum(confidences) / len(confidences) if confidences else 0.5
    return Transcript(text=" ".join(words), confidence=min(1.0, max(0.0, confidence)), engine=NAME)
