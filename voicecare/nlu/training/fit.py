"""Fitting the four heads with scikit-learn and writing weights numpy can run alone.

Deterministic for the same rows: the vocabulary is sorted, the solvers are deterministic
(lbfgs), and the weights are rounded to float16 before they are written, so the file's
checksum does not depend on the last bits of a BLAS.
"""

from __future__ import annotations

import io
import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from voicecare.nlu.extra import ALL_INTENTS
from voicecare.nlu.features import featurize
from voicecare.nlu.model import FORMAT, MANIFEST_NAME, WEIGHTS_NAME, WHEN, WHO, LearnedModel, file_sha256
from voicecare.nlu.training.data import Example

MIN_DF = 2
"""A feature must occur in this many training utterances to be kept."""
Tagger = Callable[[str], Sequence[str]]
"""Text -> the lexicon's concept tags (``Matcher.concept_tags``); the same one at run time."""

INTENT_C = 100.0
"""Inverse regularisation of the intent head (chosen on out-of-fold rows)."""
SENSE_C = 10.0
"""Inverse regularisation of the three sense heads (who, when, denied)."""
HEAD_LABELS = {"who": WHO, "when": WHEN, "denied": ("no", "yes")}
MAX_ITER = 400


@dataclass(frozen=True, slots=True)
class Weights:
    """Everything ``LearnedModel`` needs, as arrays."""

    vocabulary: tuple[str, ...]
    idf: np.ndarray
    intents: tuple[str, ...]
    intent_weights: np.ndarray
    intent_bias: np.ndarray
    heads: dict[str, tuple[np.ndarray, np.ndarray]]
    """``who``, ``when`` and ``denied``: (weights, bias) each."""

    def model(self, thresholds: dict[str, float] | None = None) -> LearnedModel:
        """A runnable model from these weights (as ``LearnedModel.load`` would build it)."""
        return LearnedModel({f: i for i, f in enumerate(self.vocabulary)}, self.idf, self.intents,
                            self.intent_weights, self.intent_bias, self.heads, thresholds)


def _no_tags(text: str) -> Sequence[str]:
    return ()


def _matrix(rows: Sequence[Example], vocabulary: dict[str, int], idf: np.ndarray, tagger: Tagger = _no_tags):
    """L2-normalised sublinear TF-IDF rows as a CSR matrix (the same arithmetic as ``LearnedModel.vector``)."""
    from scipy.sparse import csr_matrix

    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for row in rows:
        counts = Counter(vocabulary[f] for f in featurize(row.text, tagger(row.text)) if f in vocabulary)
        cols = sorted(counts)
        values = np.array([(1.0 + math.log(counts[c])) * idf[c] for c in cols], dtype=np.float64)
        norm = float(np.sqrt(values @ values)) if len(values) else 0.0
        indices.extend(cols)
        data.extend((values / norm if norm else values).tolist())
        indptr.append(len(indices))
    return csr_matrix((np.array(data, dtype=np.float32), np.array(indices, dtype=np.int32), np.array(indptr)),
                      shape=(len(rows), len(vocabulary)))


def fit(rows: Sequence[Example], tagger: Tagger = _no_tags) -> Weights:
    """Both heads trained on ``rows`` (concept tags from ``tagger``); rounded to float16 precision."""
    from sklearn.linear_model import LogisticRegression

    df: Counter[str] = Counter()
    for row in rows:
        df.update(set(featurize(row.text, tagger(row.text))))
    vocabulary = tuple(sorted(f for f, d in df.items() if d >= MIN_DF))
    index = {f: i for i, f in enumerate(vocabulary)}
    n = len(rows)
    idf = np.array([math.log((1 + n) / (1 + df[f])) + 1.0 for f in vocabulary], dtype=np.float32)
    idf = idf.astype(np.float16).astype(np.float32)
    x = _matrix(rows, index, idf, tagger)
    intents = tuple(i for i in ALL_INTENTS if any(r.intent == i for r in rows))
    y = np.array([intents.index(r.intent) for r in rows])
    head = LogisticRegression(C=INTENT_C, max_iter=MAX_ITER, solver="lbfgs")
    head.fit(x, y)

    def half(a: np.ndarray) -> np.ndarray:
        return np.asarray(a, dtype=np.float16).astype(np.float32)

    heads: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, labels in HEAD_LABELS.items():
        keep = [k for k, r in enumerate(rows) if getattr(r, name) in labels]
        target = np.array([labels.index(getattr(rows[k], name)) for k in keep])
        if len(set(target.tolist())) < 2:  # too few labelled rows to learn from: the one label seen (or the first) always
            seen = int(target[0]) if len(target) else 0
            width = 1 if name == "denied" else len(labels)
            bias = np.full(width, -30.0, dtype=np.float32) if name != "denied" else np.array([30.0 if seen else -30.0])
            if name != "denied":
                bias[seen] = 0.0
            heads[name] = (np.zeros((len(vocabulary), width), dtype=np.float32), half(bias))
            continue
        sense = LogisticRegression(C=SENSE_C, max_iter=MAX_ITER, solver="lbfgs", class_weight="balanced")
        sense.fit(x[keep], target)
        if name == "denied":  # one logistic unit: the probability of "yes"
            heads[name] = (half(sense.coef_.T), half(sense.intercept_))
        else:
            weights = np.zeros((len(vocabulary), len(labels)), dtype=np.float32)
            bias = np.full(len(labels), -30.0, dtype=np.float32)  # a label no row has is never said
            weights[:, sense.classes_] = sense.coef_.T
            bias[sense.classes_] = sense.intercept_
            heads[name] = (half(weights), half(bias))
    return Weights(vocabulary, idf, intents, half(head.coef_.T), half(head.intercept_), heads)


def save(weights: Weights, folder: Path, thresholds: dict[str, float], trained_on: dict[str, int]) -> str:
    """Write ``understanding.npz`` and its manifest; return the weights' SHA-256."""
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, vocabulary=np.array(weights.vocabulary), idf=weights.idf.astype(np.float16),
                        intents=np.array(weights.intents), intent_weights=weights.intent_weights.astype(np.float16),
                        intent_bias=weights.intent_bias.astype(np.float16),
                        **{f"{name}_{part}": array.astype(np.float16) for name, pair in weights.heads.items()
                           for part, array in zip(("weights", "bias"), pair)})
    path = folder / WEIGHTS_NAME
    path.write_bytes(buffer.getvalue())
    digest = file_sha256(path)
    manifest = {"format": FORMAT, "sha256": digest, "features": len(weights.vocabulary),
                "intents": len(weights.intents), "thresholds": thresholds, "trained_on": trained_on}
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return digest


__all__ = ["INTENT_C", "MIN_DF", "SENSE_C", "Weights", "fit", "save"]
