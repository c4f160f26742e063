"""The learned model that decides: linear classifiers over TF-IDF features, run with numpy alone.

Four heads share one feature space: ``intent`` (a softmax over every intent id) and three heads of
sense: ``who`` (whose body: the speaker's, the cared-for person's, another person's, an animal's, a
thing's, nobody's), ``when`` (now, lately, long ago, only asked about) and ``denied`` (the
symptom is said not to be there). The weights ship inside the package as ``data/understanding.npz``;
the manifest beside it holds their SHA-256, checked at load, and the thresholds the rules' guards
were chosen with. Training lives in ``voicecare.nlu.training`` (scikit-learn, the ``train`` extra)
and reproduces them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from voicecare.messages import RED_FLAG_SEVERITY
from voicecare.nlu.features import featurize

WHO = ("self", "cared_for", "other", "animal", "object", "none")
"""Whose body an utterance is about (``none``: a request or a question about nobody's body)."""
WHEN = ("now", "lately", "past", "hypothetical")
"""When what it says happens: now, over recent days, long ago and over, or only asked about."""
OUR_BODIES = ("self", "cared_for")
CURRENT = ("now", "lately")

log = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parent / "data"
"""Where the shipped weights and their manifest live."""
WEIGHTS_NAME = "understanding.npz"
MANIFEST_NAME = "understanding.json"
FORMAT = 2
"""Version of the weights file layout; a manifest with another version is refused."""


class ModelError(Exception):
    """The shipped model is missing, altered or unreadable (the rules then answer alone)."""


@dataclass(frozen=True, slots=True)
class Opinion:
    """What the model thinks of one utterance; probabilities are 0.0-1.0."""

    intent: str
    probability: float
    red_intent: str
    """The most probable red-flag intent (whatever ``intent`` is)."""
    red_probability: float
    red_mass: float = 0.0
    """The intent head's probability of any red flag (the sum over red-flag intents)."""
    who: Mapping[str, float] = field(default_factory=dict)
    """The ``who`` head: probability per ``WHO`` label."""
    when: Mapping[str, float] = field(default_factory=dict)
    """The ``when`` head: probability per ``WHEN`` label."""
    denied: float = 0.0
    """The ``denied`` head: probability that the symptom is said not to be there."""
    second: str = "unknown"
    """The most probable intent that is no red flag (what is meant if the red flag is not)."""
    second_probability: float = 0.0

    @property
    def body_now(self) -> float:
        """How likely it is about a body we look after, now or lately, and not denied (the three heads together)."""
        ours = sum(self.who.get(w, 0.0) for w in OUR_BODIES) if self.who else 1.0
        current = sum(self.when.get(w, 0.0) for w in CURRENT) if self.when else 1.0
        return ours * current * (1.0 - self.denied)

    def head(self, name: str) -> str:
        """The most probable label of the ``who`` or ``when`` head."""
        probs = self.who if name == "who" else self.when
        return max(probs, key=probs.get) if probs else ""


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
                 intent_weights: np.ndarray, intent_bias: np.ndarray, heads: Mapping[str, tuple[np.ndarray, np.ndarray]],
                 thresholds: Mapping[str, float] | None = None) -> None:
        if intent_weights.shape != (len(vocabulary), len(intents)) or idf.shape != (len(vocabulary),):
            raise ModelError("weights do not fit the vocabulary — run python -m voicecare.nlu.training")
        self._vocabulary = vocabulary
        self._idf = idf.astype(np.float32)
        self.intents = intents
        self._w = intent_weights.astype(np.float32)
        self._b = intent_bias.astype(np.float32)
        for name, size in (("who", len(WHO)), ("when", len(WHEN)), ("denied", 1)):
            weights, bias = heads[name]
            if weights.shape != (len(vocabulary), size) or bias.shape != (size,):
                raise ModelError(f"the {name} head does not fit the vocabulary — run python -m voicecare.nlu.training")
        self._heads = {name: (w.astype(np.float32), b.astype(np.float32)) for name, (w, b) in heads.items()}
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
                heads = {name: (data[f"{name}_weights"], data[f"{name}_bias"]) for name in ("who", "when", "denied")}
                model = cls(vocabulary, data["idf"], tuple(str(i) for i in data["intents"].tolist()),
                            data["intent_weights"], data["intent_bias"], heads, manifest.thresholds)
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
        """Every head on one utterance (``tags``: the lexicon's concept tags); no known feature gives the priors alone."""
        rows, values = self.vector(text, tags)
        probs = _softmax(self._logits(rows, values, self._w, self._b))
        best = int(np.argmax(probs))
        red_probs = np.where(self._red, probs, -1.0)
        red_best = int(np.argmax(red_probs))
        calm = np.where(self._red, -1.0, probs)
        calm_best = int(np.argmax(calm))
        mass = min(1.0, float(probs[self._red].sum()))
        who = _softmax(self._logits(rows, values, *self._heads["who"]))
        when = _softmax(self._logits(rows, values, *self._heads["when"]))
        z = float(self._logits(rows, values, *self._heads["denied"])[0])
        denied = 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0
        return Opinion(self.intents[best], float(probs[best]), self.intents[red_best], float(probs[red_best]), mass,
                       {w: float(p) for w, p in zip(WHO, who)}, {w: float(p) for w, p in zip(WHEN, when)}, denied,
                       self.intents[calm_best], float(probs[calm_best]))

    @staticmethod
    def _logits(rows: np.ndarray, values: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
        return bias + values @ weights[rows] if len(rows) else bias.copy()

    def probabilities(self, text: str, tags: Sequence[str] = ()) -> dict[str, float]:
        """Every intent's probability (for debugging and the benchmark)."""
        rows, values = self.vector(text, tags)
        probs = _softmax(self._logits(rows, values, self._w, self._b))
        return {intent: float(p) for intent, p in zip(self.intents, probs)}


def _softmax(logits: np.ndarray) -> np.ndarray:
    probs = np.exp(logits - logits.max())
    return probs / probs.sum()


__all__ = ["CURRENT", "OUR_BODIES", "WHEN", "WHO", "FORMAT", "LearnedModel", "MANIFEST_NAME", "MODEL_DIR", "Manifest", "ModelError", "Opinion",
           "WEIGHTS_NAME", "file_sha256", "read_manifest"]
