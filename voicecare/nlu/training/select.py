"""Choosing the rules' guards by leave-one-group-out over the blind sets, never on the rows scored.

Each blind set's rows get the opinion of a model fitted without that set's group (``FOLDS``). A
candidate policy is scored by a cost that ranks the errors as the assistant must: a missed red flag
costs 5, a red flag raised on a row that has none costs 2, any other wrong intent (a red flag of
the wrong kind included) costs 1. The shipped policy is the cheapest over every group; the honest
estimate of what it does is the cross-validated one, where each group is scored with the policy
chosen on the other groups.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from voicecare.messages import RED_FLAG_SEVERITY, Understanding
from voicecare.nlu.combine import MODEL_ONLY, OFF, Policy, decide
from voicecare.nlu.model import Opinion

MISSED_RED = 5
FALSE_RED = 2
OTHER_ERROR = 1

FOLDS: tuple[tuple[str, ...], ...] = (
    ("heldout_text",), ("heldout_v2", "heldout_v3"), ("heldout_v4", "heldout_v5"), ("heldout_v6", "heldout_v7"),
    ("heldout_v8", "heldout_v9"), ("heldout_v10", "heldout_v11"), ("heldout_v12", "heldout_v13"),
    ("heldout_v14", "heldout_v15"))
"""Groups of blind sets left out together (neighbouring sets were written in similar styles)."""

GRID: dict[str, tuple[float, ...]] = {
    "floor_mass": (OFF, 0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4),
    "floor_score": (0.0, 0.6, 0.8),
    "floor_body": (0.0, 0.05, 0.2),
    "sense_gate": (-1.0, 0.01, 0.03, 0.1),
    "severer": (1.0,),
}
"""Candidate thresholds per guard; on a tie the first (most cautious) candidate in this order wins. ``severer`` is
fixed on: on the blind rows, out of fold, acting on the graver of two red-flag readings gave 4 right severities for
3 wrong kinds of the same or a higher severity (cost 339 -> 336 of 8557 rows)."""


@dataclass(frozen=True, slots=True)
class Case:
    """One blind row: its set, label, the rules' answer and the opinion of a model that never saw it."""

    set: str
    text: str
    intent: str
    rules: Understanding
    opinion: Opinion


@dataclass(frozen=True, slots=True)
class Tally:
    """Errors of one way of answering on a list of cases."""

    rows: int
    correct: int
    red_rows: int
    red_missed: int
    red_wrong_severity: int
    non_red_rows: int
    false_red: int
    unknown_rows: int
    unknown_right: int
    cost: int

    def line(self, name: str) -> str:
        pct = (lambda a, b: f"{100.0 * a / b:5.1f}%" if b else "  n/a")
        return (f"{name:26} intent {pct(self.correct, self.rows)}  red missed {self.red_missed}/{self.red_rows}"
                f"  wrong severity {self.red_wrong_severity}  false red {self.false_red}/{self.non_red_rows}"
                f"  unknown kept {pct(self.unknown_right, self.unknown_rows)}  cost {self.cost}")


def error_cost(expected: str, got: str) -> int:
    """The cost of answering ``got`` where ``expected`` was meant."""
    if expected in RED_FLAG_SEVERITY:
        return 0 if got == expected else (OTHER_ERROR if got in RED_FLAG_SEVERITY else MISSED_RED)
    if got in RED_FLAG_SEVERITY:
        return FALSE_RED
    return 0 if got == expected else OTHER_ERROR


def tally_answers(cases: Sequence[Case], answers: Sequence[str]) -> Tally:
    """Count the errors of ``answers`` (one intent per case)."""
    correct = red_rows = missed = wrong = non_red = false_red = unknown_rows = unknown_right = cost = 0
    for case, got in zip(cases, answers):
        correct += got == case.intent
        cost += error_cost(case.intent, got)
        if case.intent in RED_FLAG_SEVERITY:
            red_rows += 1
            if got not in RED_FLAG_SEVERITY:
                missed += 1
            elif RED_FLAG_SEVERITY[got] is not RED_FLAG_SEVERITY[case.intent]:
                wrong += 1
        else:
            non_red += 1
            false_red += got in RED_FLAG_SEVERITY
        if case.intent == "unknown":
            unknown_rows += 1
            unknown_right += got == "unknown"
    return Tally(len(cases), correct, red_rows, missed, wrong, non_red, false_red, unknown_rows, unknown_right, cost)


def tally(cases: Sequence[Case], policy: Policy) -> Tally:
    """Count the errors of ``policy`` on ``cases``."""
    return tally_answers(cases, [decide(c.rules, c.opinion, policy)[0].intent for c in cases])


def candidates() -> list[Policy]:
    """Every policy of the grid, the most cautious first."""
    return [Policy(**dict(zip(GRID, values))) for values in itertools.product(*GRID.values())]


def choose(cases: Sequence[Case], log: list[str] | None = None) -> Policy:
    """The policy of least cost over every case; ``log`` gets the cross-validated figures and each guard's worth."""
    policies = candidates()
    costs = np.array([[error_cost(c.intent, decide(c.rules, c.opinion, p)[0].intent) for c in cases] for p in policies])
    best = policies[int(np.argmin(costs.sum(axis=1)))]
    if log is not None:
        sets = np.array([c.set for c in cases])
        answers: list[str] = [""] * len(cases)
        for fold in FOLDS:
            inside = np.isin(sets, fold)
            if not inside.any():
                continue
            pick = policies[int(np.argmin(costs[:, ~inside].sum(axis=1)))]
            log.append(f"  left out {'+'.join(fold)}: chosen on the others {_short(pick)}")
            for k in np.flatnonzero(inside):
                answers[k] = decide(cases[k].rules, cases[k].opinion, pick)[0].intent
        log.append(tally_answers(cases, [c.rules.intent for c in cases]).line("rules alone"))
        log.append(tally(cases, MODEL_ONLY).line("model alone"))
        log.append(tally(cases, Policy(sense_gate=best.sense_gate)).line("model + sense gate"))
        log.append(tally(cases, Policy(severer=best.severer)).line("model + severer"))
        log.append(tally(cases, Policy(best.floor_mass, best.floor_score, best.floor_body)).line("model + red-flag floor"))
        log.append(tally(cases, best).line("model + both (in sample)"))
        log.append(tally_answers(cases, answers).line("cross-validated by group"))
        log.append(f"shipped: {_short(best)}")
    return best


def _short(policy: Policy) -> str:
    return ", ".join(f"{name}={value:g}" for name, value in policy.as_thresholds().items())


__all__ = ["Case", "FOLDS", "GRID", "Tally", "candidates", "choose", "error_cost", "tally", "tally_answers"]
