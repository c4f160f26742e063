"""Who decides when the rules and the learned model disagree.

The rules answer first; the model is a second opinion that may change the answer only in four
named ways, each behind a threshold chosen by measurement on rows neither had been tuned on
(see ``voicecare.nlu.training``) and shipped in the model's manifest:

1. ``veto`` — the rules raised a red flag, but the model's sense (``Opinion.red``, both heads
   together) is sure no body that can have it is meant now (hay fever, a table's wobbly leg, the grandson laughing after his fall) and
   its intent head agrees on something that is not a red flag: the model decides.
2. ``raise`` — the rules found no red flag (and no red-flag word the person denied), but the
   model's sense and its most likely red-flag intent are both sure enough: the model decides, at that flag's severity.
3. ``regrade`` — both see a red flag but of different kinds: the model's kind wins only when it is
   sure of it and it is at least as severe (a regrade never lowers the severity); otherwise the
   rules' kind stands.
4. ``override`` — neither sees a red flag, they name different intents, the rules are unsure and
   the model is sure: the model decides.

Everything else is the rules' answer; their slots (side, pain rating) are always kept. A
threshold above 1.0 switches its way off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from voicecare.messages import RED_FLAG_SEVERITY, Severity, Understanding
from voicecare.nlu.model import Opinion

_RANK = {Severity.EMERGENCY: 0, Severity.URGENT: 1, Severity.ROUTINE: 2}
OFF = 2.0
"""A threshold no probability reaches: that way of deciding is switched off."""


@dataclass(frozen=True, slots=True)
class Policy:
    """Thresholds (probabilities 0.0-1.0) for each way the model may change the rules' answer."""

    veto_sense: float = OFF
    """The model's red-flag sense must be below this for a veto ..."""
    veto_intent: float = OFF
    """... and the intent head's non-red answer at least this sure."""
    raise_sense: float = OFF
    """The model's red-flag sense at or above which it may raise a red flag ..."""
    raise_intent: float = OFF
    """... when its most likely red-flag intent is at least this likely."""
    regrade: float = OFF
    """Probability of the model's own red-flag kind at which it replaces the rules' kind."""
    override: float = OFF
    """Probability at which the model's non-red intent replaces the rules' ..."""
    rules_unsure: float = 0.0
    """... when the rules' score is below this."""

    @classmethod
    def from_thresholds(cls, thresholds: Mapping[str, float]) -> "Policy":
        """A policy from a manifest's thresholds; missing ones are off."""
        known = {name: float(value) for name, value in thresholds.items() if name in cls.__dataclass_fields__}
        return cls(**known)

    def as_thresholds(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


RULES_ONLY = Policy()
"""The rules alone (what the assistant does when the model cannot be loaded)."""


def decide(rules: Understanding, opinion: Opinion, policy: Policy, denied_red: bool = False) -> tuple[Understanding, str]:
    """The final answer and which way it was reached (``rules``, ``veto``, ``raise``, ``regrade``, ``override``).

    ``denied_red`` says the rules heard a red-flag word clearly denied ("no numbness"): no raise then.
    """
    rules_red = rules.intent in RED_FLAG_SEVERITY
    model_red = opinion.intent in RED_FLAG_SEVERITY
    if rules_red:
        if opinion.red < policy.veto_sense and not model_red and opinion.probability >= policy.veto_intent:
            return _answer(rules, opinion.intent, opinion.probability), "veto"
        if (opinion.red_intent != rules.intent and opinion.red_probability >= policy.regrade
                and _RANK[RED_FLAG_SEVERITY[opinion.red_intent]] <= _RANK[RED_FLAG_SEVERITY[rules.intent]]):
            return _answer(rules, opinion.red_intent, opinion.red_probability), "regrade"
        return rules, "rules"
    if (not denied_red and opinion.red >= policy.raise_sense
            and opinion.red_probability >= policy.raise_intent):
        return _answer(rules, opinion.red_intent, max(0.5, opinion.red_probability)), "raise"
    if (not model_red and opinion.intent != rules.intent and opinion.probability >= policy.override
            and rules.score < policy.rules_unsure):
        return _answer(rules, opinion.intent, opinion.probability), "override"
    return rules, "rules"


def _answer(rules: Understanding, intent: str, score: float) -> Understanding:
    """The model's intent with the rules' slots."""
    return Understanding(rules.text, intent, 0.0 if intent == "unknown" else min(1.0, score), rules.slots)


__all__ = ["OFF", "Policy", "RULES_ONLY", "decide"]
