"""The learned second opinion: linear classifiers over TF-IDF features, run with numpy alone.

Two heads share one feature space: ``intent`` (a softmax over every intent id) and ``sense`` (a
logistic unit: is this about the person's, or the cared-for person's, body now, in a way that is a
red flag?). The weights ship inside the package as ``data/understanding.npz``; the manifest beside
it holds their SHA-256, checked at load, and the thresholds the combination was chosen with.
Training lives in ``voicecare.nlu.training`` (scikit-learn, the ``train`` extra) and reproduces them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from voicecare.messages import RED_FLAG_SEVERITY
from voicecare.nlu.features import featurize

log = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parent / "data"
"""Where the shipped weights and their manifest live."""
WEIGHTS_NAME = "understanding.npz"
MANIFEST_NAME = "understanding.json"
FORMAT = 1
"""Version of the weights file layout; a manifest with another version is refused."""


class ModelError(Exception):
    """The shipped model is missing, altered or unreadable (the rules then answer alone)."""


@dataclass(frozen=True, slots=True)
class Opinion:
    """What the classifier thinks of one utterance; probabilities are 0.0-1.0."""

    intent: str
    probability: float
    red: float
    """How likely this is a red flag about a body that can have it, now: the geometric mean of the sense
    head and ``red_mass`` (both heads must agree; on rows neither was fitted to this raised fewer false
    red flags than either head alone, at the same recall)."""
    red_intent: str
    """The most probable red-flag intent (whatever ``red`` says)."""
    red_probability: float
    red_mass: float = 0.0
    """The intent head's probability of any red flag (the sum over red-flag intents)."""
    sense: float = 0.0
    """The sense head's own probability of a red flag."""


@dataclass(frozen=True, slots=True)
class Manifest:
    """The description shipped beside the weights."""

    sha256: str
    thresholds: Mapping[str, float]
    trained_on: Mapping[str, int]


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(folder: Path = MODEL_DIR) -> Manifest:
    """The manifest; a ModelError says what is wrong and how to fix it."""
    path = folder / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read {path}: {exc} — reinstall voicecare or run python -m voicecare.nlu.training") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("sha256"), str):
        raise ModelError(f"{path} is not a format-{FORMAT} manifest — run python -m voicecare.nlu.training")
    thresholds = {str(k): float(v) for k, v in dict(data.get("thresholds", {})).items()}
    trained_on = {str(k): int(v) for k, v in dict(data.get("trained_on", {})).items()}
    return Manifest(data["sha256"], thresholds, trained_on)


class LearnedModel:
    """The loaded weights; ``opinion`` is pure and takes well under a millisecond here."""

    def __init__(self, vocabulary: Mapping[str, int], idf: np.ndarray, intents: tuple[str, ...],
                 intent_weights: np.ndarray, intent_bias: np.ndarray, sense_weights: np.ndarray,
                 sense_bias: float, thresholds: Mapping[str, float] | None = None) -> None:
        if intent_weights.shape != (len(vocabulary), len(intents)) or idf.shape != (len(vocabulary),):
            raise ModelError("weights do not fit the vocabulary — run python -m voicecare.nlu.training")
        self._vocabulary = vocabulary
        self._idf = idf.astype(np.float32)
        self.intents = intents
        self._w = intent_weights.astype(np.float32)
        self._b = intent_bias.astype(np.float32)
        self._sense_w = sense_weights.astype(np.float32)
        self._sense_b = float(sense_bias)
        self.thresholds: Mapping[str, float] = dict(thresholds or {})
        self._red = np.array([i in RED_FLAG_SEVERITY for i in intents])

    @classmethod
    def load(cls, folder: Path = MODEL_DIR) -> "LearnedModel":
        """Weights checked against the manifest's SHA-256; any problem is a ModelError."""
        manifest = read_manifest(folder)
        path = folder / WEIGHTS_NAME
        if not path.is_file():
            raise ModelError(f"{path} is missing — reinstall voicecare or run python -m voicecare.nlu.training")
        actual = file_sha256(path)
        if actual != manifest.sha256:
            raise ModelError(f"{path} has SHA-256 {actual[:12]}…, the manifest says {manifest.sha256[:12]}… "
                             "— reinstall voicecare or run python -m voicecare.nlu.training")
        try:
            with np.load(path, allow_pickle=False) as data:
                vocabulary = {str(f): i for i, f in enumerate(data["vocabulary"].tolist())}
                model = cls(vocabulary, data["idf"], tuple(str(i) for i in data["intents"].tolist()),
                            data["intent_weights"], data["intent_bias"], data["sense_weights"],
                            float(data["sense_bias"]), manifest.thresholds)
        except (OSError, KeyError, ValueError) as exc:
            raise ModelError(f"cannot read {path}: {exc} — run python -m voicecare.nlu.training") from exc
        return model

    def vector(self, text: str, tags: Sequence[str] = ()) -> tuple[np.ndarray, np.ndarray]:
        """Feature rows and L2-normalised TF-IDF values of ``text`` and its concept tags (sublinear term frequency)."""
        counts: dict[int, int] = {}
        for feature in featurize(text, tags):
            index = self._vocabulary.get(feature)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        rows = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        values = (1.0 + np.log(tf)) * self._idf[rows]
        norm = float(np.sqrt(np.dot(values, values)))
        return rows, values / norm if norm else values

    def opinion(self, text: str, tags: Sequence[str] = ()) -> Opinion:
        """Both heads on one utterance (``tags``: the lexicon's concept tags); no known feature gives the priors alone."""
        rows, values = self.vector(text, tags)
        logits = self._b + values @ self._w[rows] if len(rows) else self._b.copy()
        logits = logits - logits.max()
        probs = np.exp(logits)
        probs /= probs.sum()
        best = int(np.argmax(probs))
        red_probs = np.where(self._red, probs, -1.0)
        red_best = int(np.argmax(red_probs))
        z = self._sense_b + (float(values @ self._sense_w[rows]) if len(rows) else 0.0)
        sense = 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0
        mass = min(1.0, float(probs[self._red].sum()))
        return Opinion(self.intents[best], float(probs[best]), math.sqrt(sense * mass), self.intents[red_best],
                       float(probs[red_best]), mass, sense)

    def probabilities(self, text: str, tags: Sequence[str] = ()) -> dict[str, float]:
        """Every intent's probability (for debugging and the benchmark)."""
        rows, values = self.vector(text, tags)
        logits = self._b + values @ self._w[rows] if len(rows) else self._b.copy()
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        return {intent: float(p) for intent, p in zip(self.intents, probs)}


__all__ = ["FORMAT", "LearnedModel", "MANIFEST_NAME", "MODEL_DIR", "Manifest", "ModelError", "Opinion",
           "WEIGHTS_NAME", "file_sha256", "read_manifest"]
