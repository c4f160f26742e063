"""Understanding what people say: red flags first, then concepts scored per intent."""

from __future__ import annotations

import logging
from pathlib import Path

from voicecare.content.loader import DEFAULT_CONTENT_DIR
from voicecare.messages import Understanding, unknown
from voicecare.nlu.extra import ALL_INTENTS, EXTRA_INTENTS
from voicecare.nlu.lexicon import Lexicon, load_lexicon
from voicecare.nlu.matcher import Matcher

log = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.3
"""Confidence below which an utterance is ``unknown`` (red flags are never held back)."""

_DIGIT_WORDS = {"0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six",
                "7": "seven", "8": "eight", "9": "nine", "10": "ten", "11": "eleven", "12": "twelve",
                "15": "fifteen", "20": "twenty", "30": "thirty"}


class Understander:
    """Text in, ``Understanding`` out; built once from content, then pure and fast."""

    def __init__(self, matcher: Matcher) -> None:
        self._matcher = matcher

    @classmethod
    def load(cls, content_dir: Path = DEFAULT_CONTENT_DIR, threshold: float = DEFAULT_THRESHOLD) -> "Understander":
        """Read and validate ``lexicon.toml`` and ``intents.toml`` from ``content_dir``."""
        from voicecare.content.intents import load_intent_content

        lexicon: Lexicon = load_lexicon(content_dir)
        content = load_intent_content(content_dir)
        return cls(Matcher(lexicon, content.examples, threshold, pool=content.combined()))

    @property
    def threshold(self) -> float:
        return self._matcher.threshold

    def understand(self, text: str) -> Understanding:
        """The meaning of one utterance; never raises, empty text is ``unknown`` with score 0."""
        if not isinstance(text, str) or not text.strip():
            return unknown(text if isinstance(text, str) else "")
        try:
            return self._matcher.understand(text)
        except (ValueError, TypeError, IndexError, KeyError, RecursionError):
            log.exception("could not understand %r", text)
            return unknown(text)

    def vocabulary(self) -> frozenset[str]:
        """Every word the lexicon and examples use, lowercase, numbers spelled out (for the recognizer)."""
        return frozenset(_DIGIT_WORDS.get(w, w) for w in self._matcher.vocabulary() if not w.isdigit() or w in _DIGIT_WORDS)


__all__ = ["ALL_INTENTS", "DEFAULT_THRESHOLD", "EXTRA_INTENTS", "Understander"]
