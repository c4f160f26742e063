"""The learned model decides; the rules guard where a measurement shows they add something.

The model's intent is the answer, with the rules' slots (side, pain rating, weight). Two guards,
each behind thresholds chosen by leave-one-set-out cross-validation over the blind sets (see
``voicecare.nlu.training.select``) and shipped in the model's manifest:

1. ``floor`` — the rules see a clear red flag (their score at least ``floor_score``) that the model
   missed, and the model itself gives red flags some weight (``red_mass`` at least ``floor_mass``)
   and its sense heads do not say the body is another's, a past one or denied (``body_now`` at
   least ``floor_body``): the rules' red flag stands. A missed red flag is the worst error.
2. ``severer`` — both see a red flag and the rules' kind is the more severe (an emergency where the
   model heard numbness): the rules' kind stands. Of two readings of a red flag, act on the graver.
3. ``sense`` — the model's own red flag is dropped for its best other intent when its sense heads
   are sure it is not about a body we look after now (``body_now`` below ``sense_gate``).

A non-red answer the model is less sure of than the configured threshold (``[speech] nlu_threshold``)
is ``unknown``; red flags are never held back by it.

A threshold above 1.0 switches its guard off (``floor_mass``, ``floor_score``) or on for every row
(``sense_gate``: below 0 it never acts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from voicecare.messages import RED_FLAG_SEVERITY, Understanding
from voicecare.nlu.model import Opinion

OFF = 2.0
"""A threshold no probability reaches: that guard is switched off."""


@dataclass(frozen=True, slots=True)
class Policy:
    """Thresholds (probabilities 0.0-1.0) of the rules' guards on the model's answer."""

    floor_mass: float = OFF
    """The model's probability of any red flag at or above which the rules' clear red flag stands ..."""
    floor_score: float = OFF
    """... when the rules' score is at least this ..."""
    floor_body: float = 0.0
    """... and the sense heads' ``body_now`` at least this."""
    sense_gate: float = -1.0
    """``body_now`` below which the model's own red flag is dropped (below 0: never)."""
    severer: float = 0.0
    """1.0: when both see a red flag, the rules' kind stands if it is the more severe (0.0: the model's kind)."""

    @classmethod
    def from_thresholds(cls, thresholds: Mapping[str, float]) -> "Policy":
        """A policy from a manifest's thresholds; unknown names are ignored, missing ones keep their default."""
        known = {name: float(value) for name, value in thresholds.items() if name in cls.__dataclass_fields__}
        return cls(**known)

    def as_thresholds(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in self.__dataclass_fields__}


MODEL_ONLY = Policy()
"""The model's answer with no guard (for measurement)."""


def decide(rules: Understanding, opinion: Opinion, policy: Policy, threshold: float = 0.0) -> tuple[Understanding, str]:
    """The final answer and who gave it: ``model``, ``floor`` or ``severer`` (the rules' red flag), ``sense`` (a red
    flag dropped); a non-red answer less sure than ``threshold`` is ``unknown``."""
    intent, score, way = opinion.intent, opinion.probability, "model"
    body_now = opinion.body_now
    if intent in RED_FLAG_SEVERITY and body_now < policy.sense_gate:
        intent, score, way = opinion.second, opinion.second_probability, "sense"
    if intent in RED_FLAG_SEVERITY:
        if (policy.severer >= 1.0 and rules.intent in RED_FLAG_SEVERITY
                and RED_FLAG_SEVERITY[rules.intent].rank < RED_FLAG_SEVERITY[intent].rank):
            return rules, "severer"
    elif (rules.intent in RED_FLAG_SEVERITY and rules.score >= policy.floor_score
            and opinion.red_mass >= policy.floor_mass and body_now >= policy.floor_body):
        return rules, "floor"
    elif score < threshold:
        intent = "unknown"
    return _answer(rules, intent, score), way


def _answer(rules: Understanding, intent: str, score: float) -> Understanding:
    """The model's intent with the rules' slots."""
    if intent in RED_FLAG_SEVERITY:
        score = max(0.5, score)
    return Understanding(rules.text, intent, 0.0 if intent == "unknown" else min(1.0, score), rules.slots)


__all__ = ["MODEL_ONLY", "OFF", "Policy", "decide"]
