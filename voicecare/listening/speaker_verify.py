"""Is this the person's voice? Utterance embeddings compared with enrolled, adapted voice prints.

A print holds embeddings only (never audio): the enrollment recordings' and a capped set of the
most recent utterances the person certainly made. The verdict has three values so that nothing
is guessed: "person", "other", and "unsure" (too short to tell, or in between), which callers
treat with a check rather than a decision.

Use::

    encoder = SpeakerEncoder()
    encoder.load()                                   # at start-up: a ModelError if the weights are bad
    verifier = SpeakerVerifier([VoicePrint.from_dict(d) for d in stored], VerifierSettings(), encoder)
    match = verifier.verify(utterance_audio)         # VoiceMatch: similarity, person, verdict, ...
    if the person surely said it:                    # a request after the wake phrase, a confirmed answer
        verifier.adapt(match.closest, match.embedding)
        stored = [p.to_dict() for p in verifier.prints]
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from voicecare.audio.chunk import AudioChunk
from voicecare.errors import BadInputError
from voicecare.listening.speaker_encoder import EMBEDDING_SIZE, Embedding, SpeakerEncoder

log = logging.getLogger(__name__)

Verdict = Literal["person", "other", "unsure"]


@dataclass(frozen=True, slots=True)
class VerifierSettings:
    """Thresholds on the cosine similarity of an utterance to a print's centroid.

    Chosen by ``python -m benchmarks.bench_speaker --choose`` on the voices flite slt/awb/rms/kal
    and espeak-ng en-us as the person, each enrolled from three clean "hey care" and then adapted
    with ten confirmed utterances, saying every fourth addressed.tsv line clean, in 10 dB babble,
    from the floor and weakly; the television was every second line of broadcast.tsv and
    broadcast_a.tsv said by the other voices (never the person's own speaker). ``accept`` keeps
    every choosing voice's television under 0.5% "person" (awb against an adapted rms print is the
    hardest pair), ``reject`` keeps every voice's utterances in every condition under 2% "other".
    Piper joe, festival HTS slt, person.tsv and broadcast_b.tsv were not used to choose them.
    """

    accept_similarity: float = 0.79
    """At or above: the person's voice."""
    reject_similarity: float = 0.47
    """Below: another voice. In between: unsure."""
    min_speech_seconds: float = 0.7
    """Less voice than this gives a weak embedding: always unsure."""
    adapt_keep: int = 12
    """Confirmed utterances kept per print beside the enrollment (the most recent)."""
    adapt_min_similarity: float = 0.47
    """An utterance further from the print than this is not learned from, even if confirmed."""
    others_keep: int = 20
    """Voices heard as another's (under ``reject_similarity``) remembered, the most recent; 0: none."""
    others_match: float = 0.75
    """An unsure utterance this close to a remembered other voice ..."""
    others_margin: float = 0.15
    """... and this much closer to it than to the print is that voice again: "other"."""
    others_min_rows: int = 4
    """Only a print of more than the three wake phrases (the enrollment sentence, adapted utterances)
    lets remembered voices decide: with the phrases alone the person's own outlying utterances, once
    remembered, drew 21% of their others to "other" in the worst case measured."""


@dataclass(frozen=True, eq=False)
class VoicePrint:
    """One enrolled person's voice: unit embeddings (k × 256), the first ``enrolled`` from set-up."""

    person: str
    embeddings: np.ndarray
    enrolled: int = -1
    """How many leading rows are enrollment recordings (kept for ever); -1: all of them."""

    def __post_init__(self) -> None:
        rows = np.array(self.embeddings, dtype=np.float32, copy=True)
        if rows.ndim != 2 or rows.shape[1] != EMBEDDING_SIZE or not len(rows):
            raise BadInputError(f"the voice print of {self.person!r} has shape {rows.shape}",
                                f"expected (k, {EMBEDDING_SIZE}) embeddings; enroll again")
        if not np.all(np.isfinite(rows)):
            raise BadInputError(f"the voice print of {self.person!r} holds non-numbers", "enroll again")
        rows /= np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
        rows.setflags(write=False)
        enrolled = len(rows) if self.enrolled < 0 else min(self.enrolled, len(rows))
        object.__setattr__(self, "embeddings", rows)
        object.__setattr__(self, "enrolled", enrolled)

    @property
    def centroid(self) -> np.ndarray:
        """The unit mean: enrollment and adapted rows weigh the same, so adaptation moves it gradually."""
        mean = self.embeddings.mean(axis=0)
        return mean / max(float(np.linalg.norm(mean)), 1e-12)

    @classmethod
    def enroll(cls, person: str, recordings: Sequence[AudioChunk], encoder: SpeakerEncoder) -> VoicePrint:
        """A print from set-up recordings (three wake phrases, perhaps a sentence)."""
        if not recordings:
            raise BadInputError(f"no recordings to enroll {person!r} from", "record the wake phrase three times")
        return cls(person, np.stack([encoder.embed(chunk) for chunk in recordings]))

    def adapted(self, embedding: np.ndarray, keep: int) -> VoicePrint:
        """This print with one more confirmed utterance; only the ``keep`` most recent are kept."""
        learned = np.vstack([self.embeddings[self.enrolled :], embedding[None, :]])[-keep:] if keep > 0 else \
            self.embeddings[:0]
        return VoicePrint(self.person, np.vstack([self.embeddings[: self.enrolled], learned]), self.enrolled)

    def to_dict(self) -> dict[str, Any]:
        """Plain numbers for storage (JSON): the name, the embeddings rounded to 5 decimals."""
        return {"person": self.person, "enrolled": self.enrolled,
                "embeddings": np.round(self.embeddings.astype(np.float64), 5).tolist()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VoicePrint:
        """A print read back from ``to_dict``'s form; a BadInputError if it is not one."""
        try:
            return cls(str(data["person"]), np.asarray(data["embeddings"], dtype=np.float32), int(data["enrolled"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise BadInputError(f"a stored voice print is unreadable ({exc})", "enroll again") from None


@dataclass(frozen=True, eq=False)
class VoiceMatch:
    """Whose voice an utterance is: the best similarity, the person (only when "person"), the verdict."""

    similarity: float
    person: str | None
    verdict: Verdict
    closest: str | None = None
    """The enrolled person the voice was nearest to, whatever the verdict."""
    speech_seconds: float = 0.0
    embedding: Embedding | None = field(default=None, repr=False)
    """The utterance's embedding, to adapt the print with if the person confirms it."""
    heard_before: bool = False
    """"other" because it matched a voice already heard as another's (the television's actors recur)."""


class SpeakerVerifier:
    """Verdicts on utterances against the enrolled prints; confirmed utterances adapt them."""

    def __init__(self, prints: Iterable[VoicePrint], settings: VerifierSettings = VerifierSettings(),
                 encoder: SpeakerEncoder | None = None) -> None:
        self.settings = settings
        self.encoder = encoder if encoder is not None else SpeakerEncoder()
        self._prints: dict[str, VoicePrint] = {p.person: p for p in prints}
        self._others: list[np.ndarray] = []
        """Recent utterances heard as another voice: a television's cast, heard again, is known again."""
        self._lock = threading.Lock()

    @property
    def prints(self) -> tuple[VoicePrint, ...]:
        """The current (adapted) prints, to store."""
        with self._lock:
            return tuple(self._prints.values())

    @property
    def enrolled(self) -> bool:
        return bool(self._prints)

    def verify(self, audio: AudioChunk) -> VoiceMatch:
        """The verdict on one utterance's audio (16 kHz 16-bit mono)."""
        return self.judge(self.encoder.encode(audio))

    def judge(self, embedding: Embedding) -> VoiceMatch:
        """The verdict on an utterance already embedded."""
        s = self.settings
        with self._lock:
            scores = [(float(np.dot(p.centroid, embedding.vector)), p.person, len(p.embeddings))
                      for p in self._prints.values()]
            if not scores:
                return VoiceMatch(0.0, None, "unsure", None, embedding.speech_seconds, embedding)
            similarity, closest, rows = max(scores)
            heard_before = False
            if embedding.speech_seconds < s.min_speech_seconds:
                verdict: Verdict = "unsure"
            elif similarity >= s.accept_similarity:
                verdict = "person"
            elif similarity < s.reject_similarity:
                verdict = "other"
                self._remember_other(embedding.vector)
            else:
                heard_before = rows >= s.others_min_rows and self._heard_before(embedding.vector, similarity)
                verdict = "other" if heard_before else "unsure"
        return VoiceMatch(round(similarity, 4), closest if verdict == "person" else None, verdict, closest,
                          embedding.speech_seconds, embedding, heard_before)

    def remember_other(self, embedding: Embedding) -> bool:
        """Remember a voice the person has said is not theirs (they answered "no" to words said in it); False when
        it held too little voice to tell it by."""
        if embedding.speech_seconds < self.settings.min_speech_seconds:
            return False
        with self._lock:
            self._remember_other(embedding.vector)
        return True

    def _remember_other(self, vector: np.ndarray) -> None:
        """Keep a voice heard as another's (far from every print), the ``others_keep`` most recent."""
        if self.settings.others_keep <= 0:
            return
        self._others = [*self._others, np.asarray(vector, np.float32)][-self.settings.others_keep :]

    def _heard_before(self, vector: np.ndarray, similarity: float) -> bool:
        """An unsure utterance much nearer a remembered other voice than the person's print."""
        if not self._others:
            return False
        nearest = float(np.max(np.stack(self._others) @ vector))
        s = self.settings
        return nearest >= s.others_match and nearest - similarity >= s.others_margin

    def adapt(self, person: str, embedding: Embedding) -> bool:
        """Learn from an utterance the person surely made; False when it was too short or too unlike them."""
        s = self.settings
        with self._lock:
            current = self._prints.get(person)
            if current is None or embedding.speech_seconds < s.min_speech_seconds:
                return False
            if float(np.dot(current.centroid, embedding.vector)) < s.adapt_min_similarity:
                log.info("not adapting %s's voice print: the utterance is too unlike it", person)
                return False
            self._prints[person] = current.adapted(embedding.vector, s.adapt_keep)
            return True
