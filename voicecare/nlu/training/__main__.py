"""Train the understanding model and choose the rules' guards on it.

Run: ``python -m voicecare.nlu.training`` (needs the ``train`` extra: scikit-learn). Steps: for
each group of blind sets (``select.FOLDS``), a model fitted without that group gives its opinion
on the group's rows; the rules answer the same rows; the guards of least cost are chosen, with a
cross-validated estimate printed beside them (``select``); then the shipped model, fitted on
every row, is written with its manifest to ``voicecare/nlu/data``. ``--check`` refits the
shipped model and compares it with the file. ``--jobs N`` fits the groups N at a time.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from voicecare.nlu import Understander
from voicecare.nlu.combine import Policy
from voicecare.nlu.matcher import Matcher
from voicecare.nlu.model import MODEL_DIR, LearnedModel, read_manifest
from voicecare.nlu.normalize import normalize
from voicecare.nlu.training.data import Example, blind_set, dedupe, regression_rows, training_rows
from voicecare.nlu.training.fit import fit, save
from voicecare.nlu.training.select import FOLDS, Case, choose


class CachedTagger:
    """The rules' concept tags per text, computed once for all the fits."""

    def __init__(self, matcher: Matcher) -> None:
        self._matcher = matcher
        self._cache: dict[str, list[str]] = {}

    def __call__(self, text: str) -> list[str]:
        if text not in self._cache:
            self._cache[text] = self._matcher.concept_tags(text)
        return self._cache[text]


def shipped_rows() -> list[Example]:
    """Every row the shipped model learns: the training rows and the cases of the understanding tests."""
    return dedupe(training_rows() + regression_rows())


def _fold_cases(fold: tuple[str, ...]) -> list[Case]:
    """Cases for one group of blind sets, from a model fitted on every row outside the group."""
    matcher = Understander.load(model_dir=None).matcher
    tagger = CachedTagger(matcher)
    held = [row for name in fold for row in blind_set(name)]
    keys = {normalize(r.text) for r in held}
    model = fit([r for r in shipped_rows() if normalize(r.text) not in keys], tagger).model()
    return [Case(r.source, r.text, r.intent, matcher.understand(r.text), model.opinion(r.text, tagger(r.text)))
            for r in held]


def selection_cases(jobs: int = 1) -> list[Case]:
    """Cases for every blind set, each from a model that never saw its group."""
    start = time.perf_counter()
    cases: list[Case] = []
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        for fold, part in zip(FOLDS, pool.map(_fold_cases, FOLDS)):
            cases += part
            print(f"left out {'+'.join(fold)}: {len(part)} rows, {time.perf_counter() - start:.0f} s", flush=True)
    return cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m voicecare.nlu.training", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_DIR, help="folder for understanding.npz and its manifest")
    parser.add_argument("--check", action="store_true", help="refit the shipped model and compare it with the file")
    parser.add_argument("--keep-policy", action="store_true", help="reuse the shipped thresholds instead of choosing them")
    parser.add_argument("--jobs", type=int, default=1, help="groups of blind sets fitted at a time (default 1)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("Error: training needs scikit-learn — pip install -e '.[train]'", file=sys.stderr)
        return 2
    rows = shipped_rows()
    print(f"training rows: {len(rows)}  " + ", ".join(f"{k} {v}" for k, v in Counter(r.source for r in rows).items()))
    tagger = CachedTagger(Understander.load(model_dir=None).matcher)
    if args.check:
        return check(rows, tagger)
    if args.keep_policy:
        policy = Policy.from_thresholds(read_manifest().thresholds)
    else:
        cases = selection_cases(args.jobs)
        report: list[str] = []
        policy = choose(cases, report)
        print(f"selection on {len(cases)} blind rows, each answered by a model that never saw its set:")
        print("\n".join(report))
    weights = fit(rows, tagger)
    digest = save(weights, args.out, policy.as_thresholds(), dict(Counter(r.source for r in rows)))
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
