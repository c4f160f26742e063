"""Choosing how rules and model combine, by measurement on rows neither was fitted to.

Each candidate policy is scored by a cost that ranks the errors as the assistant must: a missed
red flag costs 5, a red flag raised on a row that has none costs 2, a red flag of the wrong
severity or any other wrong intent costs 1 (times a case's weight). The four ways of ``combine``
act on different rows (rules red or not), so each is searched on its own grid, in order.

A way may give back a red flag that the ways before it caught only where that lowers the cost, so
only for more than two and a half false alarms taken away each; and the chosen policy never misses
more red flags than the better of the rules alone and the model alone.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Sequence

from voicecare.messages import RED_FLAG_SEVERITY, Understanding
from voicecare.nlu.combine import OFF, RULES_ONLY, Policy, decide
from voicecare.nlu.model import Opinion
from voicecare.nlu.training.data import ANY_RED_FLAG

MISSED_RED = 5
FALSE_RED = 2
OTHER_ERROR = 1


@dataclass(frozen=True, slots=True)
class Case:
    """One validation row: its label, the rules' answer, the model's opinion, and a denied red-flag word."""

    text: str
    intent: str
    rules: Understanding
    opinion: Opinion
    denied: bool
    weight: int = 1
    """How many rows this case counts as in the cost (the rules' reviewed test cases count more)."""
    forbidden: bool = False
    """``intent`` is what the answer must not be (``ANY_RED_FLAG``: no red flag); any other answer is right."""


@dataclass(frozen=True, slots=True)
class Tally:
    """Errors of one policy on a list of cases."""

    rows: int
    correct: int
    red_rows: int
    red_missed: int
    red_wrong_severity: int
    false_red: int
    unknown_rows: int
    unknown_right: int
    cost: int

    def line(self, name: str) -> str:
        pct = (lambda a, b: f"{100.0 * a / b:5.1f}%" if b else "  n/a")
        return (f"{name:22} intent {pct(self.correct, self.rows)}  red missed {self.red_missed}/{self.red_rows}"
                f"  wrong severity {self.red_wrong_severity}  false red {self.false_red}"
                f"  unknown kept {pct(self.unknown_right, self.unknown_rows)}  cost {self.cost}")


def tally(cases: Sequence[Case], policy: Policy) -> Tally:
    """Count the errors of ``policy`` on ``cases``."""
    correct = red_rows = missed = wrong = false_red = unknown_rows = unknown_right = cost = 0
    for case in cases:
        got, _ = decide(case.rules, case.opinion, policy, case.denied)
        if case.forbidden:
            wrong_answer = got.is_red_flag if case.intent == ANY_RED_FLAG else got.intent == case.intent
            correct += not wrong_answer
            false_red += wrong_answer and got.is_red_flag
            cost += (FALSE_RED if got.is_red_flag else OTHER_ERROR) * case.weight * wrong_answer
            continue
        correct += got.intent == case.intent
        error = 0 if got.intent == case.intent else OTHER_ERROR
        if case.intent in RED_FLAG_SEVERITY:
            red_rows += 1
            if not got.is_red_flag:
                missed += 1
                error = MISSED_RED
            elif got.severity is not RED_FLAG_SEVERITY[case.intent]:
                wrong += 1
        elif got.is_red_flag:
            false_red += 1
            error = FALSE_RED
        cost += error * case.weight
        if case.intent == "unknown":
            unknown_rows += 1
            unknown_right += got.intent == "unknown"
    return Tally(len(cases), correct, red_rows, missed, wrong, false_red, unknown_rows, unknown_right, cost)


def model_only(cases: Sequence[Case]) -> Tally:
    """The model's intent head alone, for comparison."""
    stand_in = [replace(c, rules=Understanding(c.text, c.opinion.intent, c.opinion.probability)) for c in cases]
    return tally(stand_in, RULES_ONLY)


GRIDS: dict[tuple[str, ...], tuple[tuple[float, ...], ...]] = {
    ("raise_sense", "raise_intent"): ((OFF, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5), (0.9, 0.7, 0.5, 0.4, 0.3)),
    ("veto_sense", "veto_intent"): ((OFF, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5), (0.9, 0.8, 0.7, 0.5, 0.0)),
    ("regrade",): ((OFF, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5),),
    ("override", "rules_unsure"): ((OFF, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4), (0.3, 0.5, 0.7, 0.9, 1.01)),
}
"""Candidate thresholds per way, the most cautious first, so a tie keeps the more cautious value.

Raising comes first: the red flags it adds are what a veto may not take back (recall never drops
below the rules alone)."""


def choose(cases: Sequence[Case], log: list[str] | None = None) -> Policy:
    """The policy of least cost that misses no more red flags than the rules alone or the model alone."""
    policy = RULES_ONLY
    allowed = min(tally(cases, RULES_ONLY).red_missed, model_only(cases).red_missed)
    for names, grid in GRIDS.items():
        best = policy
        best_tally = tally(cases, policy)
        for values in itertools.product(*grid):
            candidate = replace(policy, **dict(zip(names, values)))
            result = tally(cases, candidate)
            if result.red_missed <= allowed and result.cost < best_tally.cost:
                best, best_tally = candidate, result
        policy = best
        if log is not None:
            log.append(best_tally.line("+" + "/".join(names)) + "  " + ", ".join(
                f"{n}={getattr(policy, n):g}" for n in names))
    return policy


__all__ = ["Case", "GRIDS", "Tally", "choose", "model_only", "tally"]
