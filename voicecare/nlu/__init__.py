"""Understanding what people say: the learned model decides, the rules guard.

The learned model (``model``) answers; the rules (``matcher``) give the slots (side, pain rating)
and may keep a clear red flag the model missed, in the ways ``combine`` names, with thresholds
shipped in the model's manifest. Without the model (not shipped, altered, unreadable) the rules
answer alone and a warning is logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from voicecare.content.loader import DEFAULT_CONTENT_DIR
from voicecare.messages import Understanding, unknown
from voicecare.nlu.extra import ALL_INTENTS, EXTRA_INTENTS
from voicecare.nlu.lexicon import Lexicon, load_lexicon
from voicecare.nlu.combine import MODEL_ONLY, Policy, decide
from voicecare.nlu.matcher import Matcher
from voicecare.nlu.model import MODEL_DIR, LearnedModel, ModelError, Opinion

log = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.3
"""Confidence below which an utterance is ``unknown`` (red flags are never held back)."""

_DIGIT_WORDS = {"0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six",
                "7": "seven", "8": "eight", "9": "nine", "10": "ten", "11": "eleven", "12": "twelve",
                "15": "fifteen", "20": "twenty", "30": "thirty"}


@dataclass(frozen=True, slots=True)
class Explanation:
    """How one utterance was understood: the rules' answer, the model's opinion, and who decided."""

    rules: Understanding
    opinion: Opinion | None
    final: Understanding
    decided_by: str
    """``model``; ``floor`` (the rules kept a red flag the model missed); ``severer`` (the rules' graver kind of red
    flag); ``sense`` (the model's red flag was dropped because its sense heads say it is not about a body we look
    after now); ``example`` (a content example said word for word); ``rules`` (no model)."""


class Understander:
    """Text in, ``Understanding`` out; built once from content, then pure and fast."""

    def __init__(self, matcher: Matcher, model: LearnedModel | None = None, policy: Policy | None = None) -> None:
        self._matcher = matcher
        self._model = model
        self._policy = policy if policy is not None else (
            Policy.from_thresholds(model.thresholds) if model is not None else MODEL_ONLY)

    @classmethod
    def load(cls, content_dir: Path = DEFAULT_CONTENT_DIR, threshold: float = DEFAULT_THRESHOLD,
             model_dir: Path | None = MODEL_DIR) -> "Understander":
        """Read and validate ``lexicon.toml`` and ``intents.toml`` from ``content_dir``, and the model from ``model_dir``.

        ``model_dir=None`` gives the rules alone; a model that cannot be loaded is logged and left out.
        """
        from voicecare.content.intents import load_intent_content

        lexicon: Lexicon = load_lexicon(content_dir)
        content = load_intent_content(content_dir)
        matcher = Matcher(lexicon, content.examples, threshold, pool=content.combined())
        model = None
        if model_dir is not None:
            try:
                model = LearnedModel.load(model_dir)
            except ModelError as exc:
                log.warning("understanding with the rules alone: %s", exc)
        return cls(matcher, model)

    @property
    def learned(self) -> bool:
        """True when the learned model takes part."""
        return self._model is not None

    @property
    def policy(self) -> Policy:
        return self._policy

    @property
    def matcher(self) -> Matcher:
        """The rules (for training the model on their concept tags)."""
        return self._matcher

    @property
    def threshold(self) -> float:
        return self._matcher.threshold

    def understand(self, text: str) -> Understanding:
        """The meaning of one utterance; never raises, empty text is ``unknown`` with score 0."""
        if not isinstance(text, str) or not text.strip():
            return unknown(text if isinstance(text, str) else "")
        return self.explain(text).final

    def understand_alternative(self, text: str) -> Understanding:
        """The meaning of a less likely reading of the recognizer's: as ``understand``, except that a red
        flag needs the rules and the model to agree (two guesses in a row, the recognizer's and the
        model's, are how "my leg is fun" becomes a false alarm); otherwise the rules' answer."""
        explanation = self.explain(text)
        if explanation.final.is_red_flag and not explanation.rules.is_red_flag:
            return explanation.rules
        return explanation.final

    def explain(self, text: str) -> Explanation:
        """The rules' answer, the model's opinion and the final answer; never raises."""
        if not isinstance(text, str) or not text.strip():
            empty = unknown(text if isinstance(text, str) else "")
            return Explanation(empty, None, empty, "rules")
        try:
            rules = self._matcher.understand(text)
        except (ValueError, TypeError, IndexError, KeyError, RecursionError):
            log.exception("could not understand %r", text)
            rules = unknown(text)
        if self._model is None:
            return Explanation(rules, None, rules, "rules")
        try:
            opinion = self._model.opinion(text, self._matcher.concept_tags(text))
            final, way = decide(rules, opinion, self._policy, self._matcher.threshold)
            example = self._matcher.example_intent(text)
            if example is not None and example != final.intent and not final.is_red_flag:
                # A content example said word for word stands (a person's own added phrasing works without
                # retraining); a red flag the model or the floor heard still wins over it.
                final, way = Understanding(rules.text, example, 1.0, rules.slots), "example"
        except (ValueError, TypeError, IndexError, KeyError, FloatingPointError):
            log.exception("the learned model failed on %r; the rules answer", text)
            return Explanation(rules, None, rules, "rules")
        if way != "model":
            log.debug("%s: %s -> %s for %r", way, rules.intent, final.intent, text)
        return Explanation(rules, opinion, final, way)

    def vocabulary(self) -> frozenset[str]:
        """Every word the lexicon and examples use, lowercase, numbers spelled out (for the recognizer)."""
        return frozenset(_DIGIT_WORDS.get(w, w) for w in self._matcher.vocabulary() if not w.isdigit() or w in _DIGIT_WORDS)


__all__ = ["ALL_INTENTS", "DEFAULT_THRESHOLD", "EXTRA_INTENTS", "Explanation", "Understander"]
