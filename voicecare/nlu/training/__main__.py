"""Train the understanding model and choose how it combines with the rules.

Run: ``python -m voicecare.nlu.training`` (needs the ``train`` extra: scikit-learn). Steps:
out-of-fold opinions on the independently written corpus and opinions on the validation set
from models that never saw those rows (and on the cases of the rules' own tests, whose behaviour
the combination must keep); the rules' answers on the same rows; the combination of
least cost (``select``); then the shipped model, fitted on every row, written with its manifest
to ``voicecare/nlu/data``. ``--check`` refits the shipped model and compares it with the file.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from voicecare.nlu import Understander
from voicecare.nlu.combine import RULES_ONLY, Policy
from voicecare.nlu.matcher import Matcher
from voicecare.nlu.model import MODEL_DIR, LearnedModel, read_manifest
from voicecare.nlu.normalize import normalize
from voicecare.nlu.training.data import (Example, dedupe, regression_forbidden, regression_rows, training_rows,
                                         validation_rows)
from voicecare.nlu.training.fit import fit, save
from voicecare.nlu.training.select import Case, choose, model_only, tally

FOLDS = 4
"""Folds of the written corpus for out-of-fold opinions."""


class CachedTagger:
    """The rules' concept tags per text, computed once for all the fits."""

    def __init__(self, matcher: Matcher) -> None:
        self._matcher = matcher
        self._cache: dict[str, list[str]] = {}

    def __call__(self, text: str) -> list[str]:
        if text not in self._cache:
            self._cache[text] = self._matcher.concept_tags(text)
        return self._cache[text]


REGRESSION_WEIGHT = 3
"""A case of the rules' tests counts as three rows: each was written and reviewed for a behaviour."""


def _cases(matcher: Matcher, tagger: CachedTagger, model: LearnedModel, rows: list[Example], weight: int = 1) -> list[Case]:
    return [Case(r.text, r.intent, matcher.understand(r.text), model.opinion(r.text, tagger(r.text)),
                 matcher.denies_red_flag(r.text), weight, r.source == "forbidden") for r in rows]


def selection_cases(rows: list[Example], matcher: Matcher, tagger: CachedTagger) -> list[Case]:
    """Cases for rows no model saw: the validation set, each fold of the written corpus, and the rules' test cases."""
    validation = validation_rows()
    held = {normalize(r.text) for r in validation}
    start = time.perf_counter()
    model = fit([r for r in rows if normalize(r.text) not in held], tagger).model()
    cases = _cases(matcher, tagger, model, validation) + _cases(
        matcher, tagger, model, regression_rows() + regression_forbidden(), REGRESSION_WEIGHT)
    print(f"validation model: {time.perf_counter() - start:.0f} s", flush=True)
    written = [r for r in rows if r.source == "written"]
    for k in range(FOLDS if written else 0):
        fold = written[k::FOLDS]
        keys = {normalize(r.text) for r in fold}
        model = fit([r for r in rows if normalize(r.text) not in keys and normalize(r.text) not in held], tagger).model()
        cases += _cases(matcher, tagger, model, fold)
        print(f"fold {k + 1}/{FOLDS}: {time.perf_counter() - start:.0f} s", flush=True)
    return cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m voicecare.nlu.training", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_DIR, help="folder for understanding.npz and its manifest")
    parser.add_argument("--check", action="store_true", help="refit the shipped model and compare it with the file")
    parser.add_argument("--keep-policy", action="store_true", help="reuse the shipped thresholds instead of choosing them")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("Error: training needs scikit-learn — pip install -e '.[train]'", file=sys.stderr)
        return 2
    rows = dedupe(training_rows() + validation_rows())
    # The shipped model also learns the cases of the rules' tests; the selection keeps them out of every fit.
    shipped_rows = dedupe(rows + regression_rows())
    print(f"training rows: {len(shipped_rows)}  "
          + ", ".join(f"{k} {v}" for k, v in Counter(r.source for r in shipped_rows).items()))
    matcher = Understander.load(model_dir=None).matcher
    tagger = CachedTagger(matcher)
    if args.check:
        return check(shipped_rows, tagger)
    if args.keep_policy:
        policy = Policy.from_thresholds(read_manifest().thresholds)
    else:
        cases = selection_cases([r for r in rows if r.source != "validation"], matcher, tagger)
        report: list[str] = []
        policy = choose(cases, report)
        print(f"selection on {len(cases)} rows never fitted to:")
        print(tally(cases, RULES_ONLY).line("rules alone"))
        print(model_only(cases).line("model alone"))
        print("\n".join(report))
    weights = fit(shipped_rows, tagger)
    digest = save(weights, args.out, policy.as_thresholds(), dict(Counter(r.source for r in shipped_rows)))
    print(f"wrote {args.out} ({len(weights.vocabulary)} features, sha256 {digest[:16]}...)")
    return 0


def check(rows: list[Example], tagger: CachedTagger) -> int:
    """Refit and compare: the same weights up to float16 rounding, the same answers on every row."""
    shipped = LearnedModel.load()
    refit = fit(rows, tagger).model()
    differ = sum(shipped.opinion(r.text, tagger(r.text)).intent != refit.opinion(r.text, tagger(r.text)).intent
                 for r in rows)
    gap = float(np.max(np.abs(shipped._w - refit._w))) if shipped._w.shape == refit._w.shape else float("inf")
    print(f"weights: largest difference {gap:.4f}; answers differing on {differ} of {len(rows)} rows")
    return 0 if gap < 0.05 and differ == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
