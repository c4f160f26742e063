"""Vosk: the preferred engine on the Pi, decoding against a phrase-list grammar built from content."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Iterable, Sequence

from voicecare.asr.base import require_internal
from voicecare.asr.lm import words_of
from voicecare.audio.chunk import AudioChunk
from voicecare.errors import ModelError
from voicecare.messages import Transcript

log = logging.getLogger(__name__)

NAME = "vosk"
UNKNOWN = "[unk]"
_FEED_BYTES = 8000
"""Bytes per AcceptWaveform call (a quarter second at 16 kHz), as Vosk's examples feed it."""


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

    def __init__(self, model_dir: Path, phrases: Sequence[str] = (), vocabulary: Sequence[str] = ()) -> None:
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
        self.load_seconds = time.perf_counter() - started
        log.debug("vosk ready in %.2f s (grammar: %s)", self.load_seconds, "yes" if self._grammar else "no")

    def _recognizer(self, rate: int):
        """A recognizer bound to the domain grammar, reporting per-word confidences."""
        if self._grammar is None:
            rec = self._vosk.KaldiRecognizer(self._model, rate)
        else:
            rec = self._vosk.KaldiRecognizer(self._model, rate, self._grammar)
        rec.SetWords(True)
        return rec

    def transcribe(self, chunk: AudioChunk) -> Transcript:
        """Decode a whole utterance; ``[unk]`` words are dropped, silence gives empty text."""
        require_internal(chunk)
        rec = self._recognizer(chunk.rate)
        texts: list[dict] = []
        for start in range(0, len(chunk.audio), _FEED_BYTES):
            if rec.AcceptWaveform(chunk.audio[start:start + _FEED_BYTES]):
                texts.append(json.loads(rec.Result()))
        texts.append(json.loads(rec.FinalResult()))
        return parse_results(texts)


def parse_results(results: Sequence[dict]) -> Transcript:
    """Join Vosk's result objects into one transcript; confidence is the mean word confidence."""
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
