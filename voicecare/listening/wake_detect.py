"""The wake detector in two stages: the person's own templates propose, a second check confirms.

First stage (cheap, on every utterance): the enrolled templates of the wake phrase are matched in
the opening of the utterance on speech embeddings. It is made to miss little, so it also fires on
"take care" now and then. Second stage (before anything is acted on): a stricter template score, or
the recognizer's keyword search hearing the phrase where the templates placed it. Without
enrollment the detector is today's: the transcript must open with the phrase and PocketSphinx's
keyword search must hear it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal, Protocol, Sequence

import numpy as np

from voicecare.audio.chunk import AudioChunk
from voicecare.listening.embedding import FRAME_SECONDS, SpeechEmbedder
from voicecare.listening.templates import FRAMES_AFTER_END, FRAMES_FROM_START, Match, WakeTemplate, match, normalized

log = logging.getLogger(__name__)

Stage = Literal["template", "generic", "transcript"]


@dataclass(frozen=True, slots=True)
class WakeSettings:
    """Thresholds of the two stages (template scores: 1 - mean cosine distance on the DTW path).

    Chosen by ``python -m benchmarks.bench_wake --quick --choose`` on the tuning voices only (flite
    rms and awb, festival kal, espeak-ng en-us; never Piper joe or festival HTS slt): 144 clips of
    "hey care" alone and before requests from benchmarks/data/addressed.tsv (one breath and after a
    comma), clean, in 20/10/5 dB babble, far field and far field beside a television, against 1.48
    person-hours of broadcast lines (every 4th line of benchmarks/data/broadcast.tsv and of the blind
    broadcast_a.tsv, by voices other than the person's). The fewest missed phrases with no false
    wake there: 15 of 144 missed, 0 false wakes. The negatives are clean television lines, so the
    noise allowance is not tested against television in a noisy room.
    """

    propose: float = 0.92
    """First stage: a score at or above this proposes a wake, confirmed if the keyword search agrees."""
    accept: float = 0.935
    """Second stage by template alone: a score at or above this is confirmed without the recognizer."""
    keyword_confirms: bool = True
    """Second stage: a proposed wake is also confirmed when the keyword search hears the phrase."""
    noise_allowance: float = 0.16
    """Added to the template score of a noisy utterance: babble pulls the person's own phrase down
    (0.96 clean to about 0.82 at 10 dB), so the same threshold would miss them in noise."""
    clean_spread_db: float = 40.0
    """Level spread (``level_spread_db``) at and above which the utterance counts as clean (no allowance)."""
    noisy_spread_db: float = 12.0
    """Level spread at and below which the whole allowance is given (about 5-10 dB babble)."""
    keyword_slack_seconds: float = 0.5
    """The keyword search's end of the phrase may differ this much from the templates' end."""
    max_start_seconds: float = 2.0
    """The phrase must begin this soon after the utterance does."""
    max_phrase_seconds: float = 1.6
    """Only the utterance's opening (start allowance plus this) is embedded: the phrase is in it, and
    a long line of television talk costs no more than a short one."""
    runon_allowance: float = 0.0
    """The share of the noise allowance a run-on template (cut from the enrollment sentence) is given.
    None: it is there for the phrase said in one breath before a request in a quiet room (flite awb's
    "hey care this is the fifth day…" 0.88 to 0.93), and with the allowance it woke on a television line
    ("Figures released this morning…", 0.80 to 0.86 + 0.09) in ``bench_wake --quick`` on broadcast.tsv."""


@dataclass(frozen=True, slots=True)
class WakeScore:
    """What the first stage made of one utterance."""

    score: float
    """Higher is more like the phrase (template: up to 1.0); 0.0 when no template ran."""
    template: str | None
    """``person:phrase`` of the best template, None without enrollment."""
    stage: Stage
    proposed: bool
    """The first stage fired: the second must now confirm before anything is acted on."""
    end_seconds: float | None
    """Where the phrase ends in the utterance (by the templates), so the rest can be heard alone."""
    raw: float = 0.0
    """The template score before the noise allowance."""
    spread_db: float | None = None
    """How far the voice stands above the noise floor (``level_spread_db``)."""
    start_seconds: float | None = None
    """Where the phrase begins (by the templates), on the same clock as ``end_seconds``."""

    @property
    def person(self) -> str | None:
        return self.template.split(":", 1)[0] if self.template else None


@dataclass(frozen=True, slots=True)
class WakeDecision:
    """The second stage's verdict: was the wake phrase said, and how was that decided."""

    woke: bool
    how: str
    """"template" (strict score), "keyword" (proposed, and the keyword search heard it),
    "said" (no enrollment: transcript and keyword search agree), "text" (no keyword search
    available: the transcript alone), "unconfirmed", or "none"."""
    end_seconds: float | None = None


def level_spread_db(samples: np.ndarray) -> float:
    """Decibels between the loud (90th percentile) and quiet (10th) 20 ms frames: the voice over the
    noise floor, as an utterance with its lead-in and tail shows it (80 clean, 16 in 10 dB babble)."""
    frame = 320
    n = len(samples) // frame
    if n < 2:
        return 0.0
    x = samples[: n * frame].astype(np.float64) / 32768.0
    energy_db = 10 * np.log10((x.reshape(n, frame) ** 2).mean(axis=1) + 1e-10)
    return float(np.percentile(energy_db, 90) - np.percentile(energy_db, 10))


class Spotter(Protocol):
    """The recognizer's keyword search (``voicecare.asr.keyword.KeywordSpotter``)."""

    def spot(self, chunk: AudioChunk) -> object | None: ...


class WakeDetector:
    """Scores utterances against the enrolled templates and confirms proposed wakes."""

    def __init__(self, templates: Sequence[WakeTemplate], settings: WakeSettings = WakeSettings(),
                 embedder: SpeechEmbedder | None = None, spotter: Spotter | None = None) -> None:
        self.templates = tuple(templates)
        self.settings = settings
        self.embedder = embedder or SpeechEmbedder()
        self.spotter = spotter
        self._normalized = [normalized(t.frames) for t in self.templates]

    @property
    def enrolled(self) -> bool:
        return bool(self.templates)

    def detect(self, audio: AudioChunk) -> WakeScore:
        """The first stage on one utterance (16 kHz mono int16)."""
        if not self.enrolled:
            return WakeScore(0.0, None, "transcript", False, None)
        opening = int((self.settings.max_start_seconds + self.settings.max_phrase_seconds) * 16_000)
        samples = audio.array()[:opening]
        return self.score_frames(self.embedder.embed(samples), level_spread_db(samples))

    def allowance(self, spread_db: float) -> float:
        """What the noise allowance adds to a template score at this level spread."""
        s = self.settings
        fraction = (s.clean_spread_db - spread_db) / max(1e-6, s.clean_spread_db - s.noisy_spread_db)
        return s.noise_allowance * float(np.clip(fraction, 0.0, 1.0))

    def score_frames(self, frames: np.ndarray, spread_db: float, anywhere: bool = False,
                     max_start: int | None = None) -> WakeScore:
        """The first stage on an utterance's embedding frames (as ``SpeechEmbedder.embed`` gives);
        ``anywhere`` lets the phrase start anywhere in them, not only in the utterance's opening;
        ``max_start``, when given, is the last frame it may start in."""
        allowance = self.allowance(spread_db)
        found = self._best(frames, anywhere, allowance, max_start)
        if found is None:
            return WakeScore(0.0, None, "template" if self.enrolled else "transcript", False, None)
        best, template, score = found
        end = (best.end_frame + 1) * FRAME_SECONDS - FRAMES_AFTER_END
        begin = (best.start_frame + 1) * FRAME_SECONDS - FRAMES_FROM_START
        return WakeScore(round(score, 4), template.name, "template", score >= self.settings.propose,
                         max(0.0, end), round(best.score, 4), round(spread_db, 1), max(0.0, begin))

    def detect_before(self, lead: AudioChunk, audio: AudioChunk) -> WakeScore:
        """The first stage on the audio before an utterance (``lead``) and its opening: a phrase that
        begins in the lead, which the endpointer did not take for speech. Seconds from the lead's start."""
        if not self.enrolled or lead.samples == 0:
            return WakeScore(0.0, None, "transcript" if not self.enrolled else "template", False, None)
        opening = int(self.settings.max_phrase_seconds * 16_000)
        samples = np.concatenate([lead.array(), audio.array()[:opening]])
        max_start = int(round((lead.seconds + FRAMES_FROM_START) / FRAME_SECONDS))
        return self.score_frames(self.embedder.embed(samples), level_spread_db(samples), max_start=max_start)

    def _best(self, frames: np.ndarray, anywhere: bool, allowance: float,
              max_start: int | None = None) -> tuple[Match, WakeTemplate, float] | None:
        """The template scoring highest with its allowance (a run-on template's is ``runon_allowance``'s share)."""
        if not self.enrolled or len(frames) == 0:
            return None
        utterance = normalized(frames)
        if max_start is None:
            max_start = len(frames) if anywhere else int(self.settings.max_start_seconds / FRAME_SECONDS)
        scored = []
        for t, template in zip(self._normalized, self.templates):
            found = match(t, utterance, max_start)
            given = allowance * (self.settings.runon_allowance if template.runon else 1.0)
            scored.append((found, template, found.score + given))
        return max(scored, key=lambda found: found[2])

    def confirm(self, score: WakeScore, audio: AudioChunk, transcript_has_phrase: bool) -> WakeDecision:
        """The second stage: may this utterance be acted on as said to the assistant?

        ``transcript_has_phrase`` is what the transcript says (``WakePhrase.split``); without
        enrollment it decides, with the keyword search, exactly as before templates existed.
        """
        if not self.enrolled:
            if not transcript_has_phrase:
                return WakeDecision(False, "none")
            if self.spotter is None:
                return WakeDecision(True, "text")
            spot = self.spotter.spot(audio)
            return WakeDecision(spot is not None, "said" if spot is not None else "unconfirmed",
                                getattr(spot, "end", None))
        if score.score >= self.settings.accept:
            return WakeDecision(True, "template", score.end_seconds)
        if not score.proposed:
            return WakeDecision(False, "none")
        if self.settings.keyword_confirms and self.spotter is not None:
            spot = self.spotter.spot(audio)
            if spot is not None and self._agrees(spot, score):
                return WakeDecision(True, "keyword", getattr(spot, "end", score.end_seconds))
        return WakeDecision(False, "unconfirmed")

    def stream(self) -> "WakeStream":
        """The first stage on live audio, block by block (it keeps the last few seconds' frames)."""
        return WakeStream(self)

    def _agrees(self, spot: object, score: WakeScore) -> bool:
        end = getattr(spot, "end", None)
        if end is None or score.end_seconds is None:
            return True
        return abs(float(end) - score.end_seconds) <= self.settings.keyword_slack_seconds


class WakeStream:
    """The first stage on every audio block: fires once as a proposed phrase ends."""

    WINDOW_SECONDS = 3.2
    """Frames (and samples, for the level spread) kept: a phrase of up to two and a half seconds."""

    def __init__(self, detector: WakeDetector) -> None:
        self.detector = detector
        self._embeddings = detector.embedder.stream()
        self._frames = np.zeros((0, 96), np.float32)
        self._samples = np.zeros(0, np.int16)
        self._quiet_until = -1

    def feed(self, chunk: AudioChunk) -> WakeScore | None:
        """A proposed wake whose phrase ended in this block (``end_seconds`` on the stream's clock
        from its first sample), or None."""
        samples = chunk.array()
        keep = int(self.WINDOW_SECONDS * 16_000)
        self._samples = np.concatenate([self._samples, samples])[-keep:]
        new = self._embeddings.feed(samples)
        if not self.detector.enrolled or len(new) == 0:
            return None
        self._frames = np.concatenate([self._frames, new])[-int(self.WINDOW_SECONDS / FRAME_SECONDS):]
        score = self.detector.score_frames(self._frames, level_spread_db(self._samples), anywhere=True)
        total = self._embeddings.frames_out
        if not score.proposed or score.end_seconds is None or total <= self._quiet_until:
            return None
        end_frame = int(round((score.end_seconds + FRAMES_AFTER_END) / FRAME_SECONDS)) - 1
        lag = len(self._frames) - 1 - end_frame
        if lag >= len(new):  # the phrase ended in an earlier block: its frames were scored then
            return None
        self._quiet_until = total + int(1.0 / FRAME_SECONDS)  # one wake per phrase
        end = (total - lag) * FRAME_SECONDS - FRAMES_AFTER_END
        return WakeScore(score.score, score.template, score.stage, True, end, score.raw, score.spread_db)
