"""The person's wake phrase as embedding templates, and the matching of a template in new audio.

A template is the embedding sequence of the phrase said once at set-up (the audio itself is never
kept). A later utterance is matched to it by subsequence dynamic time warping: the phrase may start
anywhere in the utterance's opening and be said up to twice as fast or as slow. A run-on template is
cut from the opening of a sentence said straight after the phrase, in one breath: the phrase as it
sounds with words following it, which the phrase said alone does not match well.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voicecare.audio.chunk import RATE, AudioChunk
from voicecare.listening.embedding import FRAME_SECONDS, SpeechEmbedder

_INF = np.float32(1e9)


@dataclass(frozen=True, slots=True)
class WakeTemplate:
    """One enrolled saying of the wake phrase: ``frames`` (n, 96) float32 embeddings, no audio."""

    person: str
    phrase: str
    frames: np.ndarray
    runon: bool = False
    """Cut from the enrollment sentence (the phrase run straight on into words), not said alone."""

    @property
    def name(self) -> str:
        """``person:phrase``, and `` (run-on)`` for the one cut from the sentence: the event says which."""
        return f"{self.person}:{self.phrase}" + (RUNON_MARK if self.runon else "")

    def to_json(self) -> dict[str, object]:
        """A JSON-ready form for the data directory: the numbers only, rounded to 4 decimals."""
        return {"person": self.person, "phrase": self.phrase, "runon": self.runon,
                "frames": np.round(self.frames.astype(np.float64), 4).tolist()}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> "WakeTemplate":
        """Read back ``to_json``; raises ValueError when the frames are not (n, 96) numbers."""
        frames = np.asarray(data["frames"], dtype=np.float32)
        if frames.ndim != 2 or frames.shape[1] != 96 or len(frames) == 0:
            raise ValueError(f"a wake template's frames must be (n, 96), not {frames.shape}")
        return cls(str(data["person"]), str(data["phrase"]), frames, bool(data.get("runon", False)))


RUNON_MARK = " (run-on)"


@dataclass(frozen=True, slots=True)
class Match:
    """The best placing of one template in an utterance."""

    score: float
    """1 - the mean cosine distance along the warping path: 1 is identical, about 0.5 unrelated."""
    start_frame: int
    end_frame: int


@dataclass(frozen=True, slots=True)
class Span:
    """Where the voice is in a recording, in seconds, by its energy."""

    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


def speech_span(samples: np.ndarray, floor_db: float = -50.0, below_peak_db: float = 35.0) -> Span | None:
    """The first to the last 20 ms frame within ``below_peak_db`` of the loudest and above ``floor_db``."""
    frame = RATE // 50
    n = len(samples) // frame
    if n == 0:
        return None
    x = samples[: n * frame].astype(np.float64) / 32768.0
    energy_db = 10 * np.log10((x.reshape(n, frame) ** 2).mean(axis=1) + 1e-12)
    active = np.flatnonzero((energy_db >= energy_db.max() - below_peak_db) & (energy_db >= floor_db))
    if len(active) == 0:
        return None
    return Span(active[0] * frame / RATE, (active[-1] + 1) * frame / RATE)


def normalized(frames: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, so a dot product is a cosine."""
    norms = np.linalg.norm(frames, axis=1, keepdims=True)
    return (frames / np.maximum(norms, 1e-6)).astype(np.float32)


FRAMES_FROM_START = 0.24
"""Seconds after the voice begins that the template's first frame ends (a frame looks 0.775 s back)."""
FRAMES_AFTER_END = 0.16
"""Seconds after the voice ends that the template's last frame ends (words may follow at once)."""


def phrase_frames(frames: np.ndarray, span: Span) -> np.ndarray:
    """The frames that see the phrase: ending from just after it begins to just after it ends."""
    first = max(0, int(round((span.start + FRAMES_FROM_START) / FRAME_SECONDS)) - 1)
    last = min(len(frames), int(round((span.end + FRAMES_AFTER_END) / FRAME_SECONDS)))
    return frames[first:max(last, first + 1)]


def template_from_recording(embedder: SpeechEmbedder, recording: AudioChunk, phrase: str,
                            person: str) -> WakeTemplate | None:
    """The template of one recording of the phrase, or None when there is no voice in it."""
    samples = recording.array()
    span = speech_span(samples)
    if span is None:
        return None
    frames = embedder.embed(samples)
    return WakeTemplate(person, phrase, phrase_frames(frames, span).copy())


def match(template: np.ndarray, utterance: np.ndarray, max_start_frame: int) -> Match:
    """Subsequence DTW of a normalized template (n, 96) in normalized utterance frames (m, 96).

    Steps (1,1), (1,2) and (2,1): each template frame is used once, or skipped when the utterance is
    faster, and an utterance frame may be skipped when slower; the cost is the mean cosine distance
    over the template's frames. The path must start in the first ``max_start_frame`` frames.
    """
    n, m = len(template), len(utterance)
    if n == 0 or m == 0:
        return Match(0.0, 0, 0)
    dist = 1.0 - template @ utterance.T  # (n, m)
    cost = np.full((n, m), _INF, np.float32)
    start = np.zeros((n, m), np.int32)
    limit = min(m, max_start_frame + 1)
    cost[0, :limit] = dist[0, :limit]
    start[0, :] = np.arange(m)
    for i in range(1, n):
        options = [np.full(m, _INF, np.float32) for _ in range(3)]
        origins = [np.zeros(m, np.int32) for _ in range(3)]
        options[0][1:] = cost[i - 1, :-1]
        origins[0][1:] = start[i - 1, :-1]
        options[1][2:] = cost[i - 1, :-2]
        origins[1][2:] = start[i - 1, :-2]
        if i >= 2:  # the template row skipped counts as said at this utterance frame
            options[2][1:] = cost[i - 2, :-1] + dist[i - 1, 1:]
            origins[2][1:] = start[i - 2, :-1]
        stacked = np.stack(options)
        best = np.argmin(stacked, axis=0)
        cost[i] = stacked[best, np.arange(m)] + dist[i]
        start[i] = np.stack(origins)[best, np.arange(m)]
    end = int(np.argmin(cost[n - 1]))
    total = float(cost[n - 1, end])
    if total >= _INF:
        return Match(0.0, 0, 0)
    return Match(1.0 - total / n, int(start[n - 1, end]), end)


@dataclass(frozen=True, slots=True)
class RecordingLimits:
    """What a set-up recording of the phrase must be like (a phrase of two to five syllables)."""

    min_level_db: float = -40.0
    """dBFS of the voice's active part: quieter is too far from the microphone."""
    max_clipped_fraction: float = 0.001
    min_speech_seconds: float = 0.3
    max_speech_seconds: float = 2.5
    min_agreement: float = 0.80
    """Template score each recording must reach against another of the set: the same phrase."""
    min_sentence_seconds: float = 1.5
    max_sentence_seconds: float = 8.0
    """Voice in the enrollment sentence (the phrase run on into about 3-4 s of words)."""
    runon_start_seconds: float = 1.0
    """The phrase must begin this soon after the sentence's voice does."""


def check_recording(recording: AudioChunk, limits: RecordingLimits = RecordingLimits(),
                    spotter: object | None = None, sentence: bool = False) -> str | None:
    """Why this set-up recording is poor (a sentence to say to the person), or None when it is fine.

    ``spotter`` (``asr.keyword.KeywordSpotter``), when given, must hear the phrase in it. ``sentence``:
    the recording is the enrollment sentence (longer; its opening is checked by ``runon_template``).
    """
    if not recording.is_internal or recording.samples == 0:
        return "the recording is empty or not 16 kHz mono"
    samples = recording.array()
    span = speech_span(samples, floor_db=-90.0)
    if span is None:
        return "nothing was heard"
    voice = samples[int(span.start * RATE):int(span.end * RATE)].astype(np.float64) / 32768.0
    level = 10 * np.log10(float(np.mean(voice**2)) + 1e-12)
    if level < limits.min_level_db:
        return "it was too quiet; come closer or speak up"
    if float(np.mean(np.abs(samples) >= 32000)) > limits.max_clipped_fraction:
        return "it was too loud and distorted; speak a little further from the device"
    if sentence:
        if span.seconds < limits.min_sentence_seconds:
            return "it was too short; say the whole sentence"
        if span.seconds > limits.max_sentence_seconds:
            return "it was too long; say just the sentence, in one go"
        return None
    if span.seconds < limits.min_speech_seconds:
        return "it was too short; say the whole phrase"
    if span.seconds > limits.max_speech_seconds:
        return "it was too long; say just the phrase, on its own"
    if spotter is not None and getattr(spotter, "spot")(recording) is None:
        return "the wake phrase was not heard in it; say just the phrase"
    return None


def templates_from_recordings(embedder: SpeechEmbedder, recordings: list[AudioChunk], phrase: str,
                              person: str) -> list[WakeTemplate]:
    """One template per recording with a voice in it (check each with ``check_recording`` first)."""
    made = (template_from_recording(embedder, r, phrase, person) for r in recordings)
    return [t for t in made if t is not None]


def disagreeing(templates: list[WakeTemplate], limits: RecordingLimits = RecordingLimits()) -> list[int]:
    """Indices of templates not like any other of the set (another phrase, or a cough): re-ask those."""
    if len(templates) < 2:
        return []
    frames = [normalized(t.frames) for t in templates]
    odd = []
    for i, mine in enumerate(frames):
        best = max(match(mine, other, max_start_frame=len(other)).score
                   for j, other in enumerate(frames) if j != i)
        if best < limits.min_agreement:
            odd.append(i)
    return odd


def runon_template(embedder: SpeechEmbedder, recording: AudioChunk, alone: list[WakeTemplate],
                   limits: RecordingLimits = RecordingLimits()) -> tuple[WakeTemplate | None, str]:
    """The phrase cut from the opening of the enrollment sentence, or None and why it is not kept.

    The templates of the phrase said alone locate it (subsequence DTW, as the detector matches); the
    frames the best of them spans become the run-on template, kept only if it agrees with the others
    as ``disagreeing`` requires of every template.
    """
    if not alone:
        return None, "there are no templates of the phrase to find it with"
    samples = recording.array()
    span = speech_span(samples)
    if span is None:
        return None, "there is no voice in it"
    frames = embedder.embed(samples)
    utterance = normalized(frames)
    max_start = int(round((span.start + limits.runon_start_seconds) / FRAME_SECONDS))
    best = max((match(normalized(t.frames), utterance, max_start) for t in alone), key=lambda m: m.score)
    if best.score < limits.min_agreement:
        return None, (f"its opening is not like the phrase said alone (score {best.score:.2f}, "
                      f"{limits.min_agreement:.2f} needed)")
    first = alone[0]
    cut = WakeTemplate(first.person, first.phrase, frames[best.start_frame:best.end_frame + 1].copy(), runon=True)
    if len(alone) in disagreeing([*alone, cut], limits):
        return None, f"the phrase cut from it does not agree with the phrase said alone ({limits.min_agreement:.2f})"
    return cut, ""
