"""The wake detector stage: was the wake phrase said, and where do the person's words begin.

Two steps, in the order the audio flows. ``propose`` runs on the sound alone: an enrolled person's phrase
matched on speech embeddings (``detector``, when anyone is enrolled). ``decide`` then takes the recognizer's
transcript: its reading of the wake phrase must be confirmed by a keyword search of the same audio where
the engine has one (PocketSphinx); with Vosk the transcript alone decides. A phrase the sound detector
confirmed counts even where the words came out wrong ("chair", "here"): the recognizer then hears only
what followed it. ``reach_back`` finds an enrolled phrase the endpointer missed (said from the floor, too
faint to start an utterance) in the audio just before the utterance.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from voicecare.asr.keyword import KeywordSpotter, sound_alikes
from voicecare.audio.chunk import AudioChunk
from voicecare.core.wake import WakePhrase
from voicecare.errors import ModelError
from voicecare.listening.values import WAKE_OFF, Sound, WakeDecision
from voicecare.messages import Transcript

log = logging.getLogger(__name__)

REACH_MARGIN_SECONDS = 0.3
"""Audio kept before a phrase found in an utterance's lead: the recognizer and keyword search need some."""
LEAD_ABOVE_FLOOR_DB = 9.0
"""A lead is searched only when some of it rose this far above the room's noise floor (the endpointer's
gate): a quiet lead, as before most answers in a conversation, costs nothing."""


def _holds_sound(lead: AudioChunk, floor_dbfs: float | None) -> bool:
    """Some 20 ms of the lead rose ``LEAD_ABOVE_FLOOR_DB`` above the floor (else the lead's own quietest tenth)."""
    frame = 320
    n = lead.samples // frame
    if n == 0:
        return False
    x = lead.array()[: n * frame].astype(np.float64) / 32768.0
    levels = 10 * np.log10((x.reshape(n, frame) ** 2).mean(axis=1) + 1e-12)
    floor = floor_dbfs if floor_dbfs is not None and np.isfinite(floor_dbfs) else float(np.percentile(levels, 10))
    return float(levels.max()) >= floor + LEAD_ABOVE_FLOOR_DB


def _starts(sound: Sound) -> float:
    """Stream seconds where the utterance's audio (its padding included) begins."""
    timestamp = sound.audio.timestamp
    return timestamp if timestamp is not None else sound.start


@dataclass(frozen=True, slots=True)
class WakeWords:
    """The wake decision and the words said after the phrase (None: the transcript cannot tell where
    they begin; the recognizer hears the audio after ``decision.end_seconds`` instead)."""

    decision: WakeDecision
    rest: str | None


class WakeStage:
    """Sound → proposal; proposal + transcript → ``WakeWords``."""

    def __init__(self, wake: WakePhrase | None, spotter: KeywordSpotter | None = None,
                 detector: Any = None) -> None:
        self.wake = wake
        self.spotter = spotter
        self.detector = detector
        """The sound's detector (``listening.wake_detect.WakeDetector``) with the enrolled templates, or None."""

    @property
    def enrolled(self) -> bool:
        return self.wake is not None and self.detector is not None and bool(getattr(self.detector, "enrolled", True))

    def propose(self, sound: Sound) -> Any:
        """The first stage on the sound (``WakeScore``), or None when nobody is enrolled."""
        if not self.enrolled:
            return None
        try:
            return self.detector.detect(sound.audio)
        except (ValueError, RuntimeError) as exc:  # a fault in the detector must not stop the hearing
            log.error("the wake detector failed: %s", exc)
            return None

    def reach_back(self, sound: Sound) -> tuple[Sound, Any] | None:
        """A phrase the endpointer missed: the enrolled phrase in the audio before the utterance (its
        ``lead``), proposed and confirmed (the first stage alone, which "take care" can fool, is not enough
        here). Then the utterance as if it had begun with the phrase, and the proposal on it."""
        if not self.enrolled or sound.lead is None or not _holds_sound(sound.lead, sound.floor_dbfs):
            return None
        try:
            score = self.detector.detect_before(sound.lead, sound.audio)
        except (ValueError, RuntimeError) as exc:
            log.error("the wake detector failed: %s", exc)
            return None
        lead = sound.lead
        if not score.proposed or score.start_seconds is None or score.start_seconds >= lead.seconds:
            return None
        rate = sound.audio.rate
        keep_from = max(0, int((score.start_seconds - REACH_MARGIN_SECONDS) * rate))
        samples = lead.array()[keep_from:]
        shift = keep_from / rate
        audio = AudioChunk(rate=rate, width=2, channels=1, audio=samples.tobytes() + sound.audio.audio,
                           timestamp=None if lead.timestamp is None else lead.timestamp + shift)
        moved = replace(score, end_seconds=None if score.end_seconds is None else score.end_seconds - shift,
                        start_seconds=score.start_seconds - shift)
        if not self.detector.confirm(moved, audio, False).woke:
            return None
        begins = _starts(sound) - (lead.seconds - score.start_seconds)  # the lead ends where the audio begins
        reached = max(0.0, sound.start - begins)
        log.info("the wake phrase began %.2f s before the utterance (score %.3f)", reached, score.score)
        return replace(sound, audio=audio, start=sound.start - reached, lead=None, reached_seconds=reached), moved

    def decide(self, proposal: Any, transcript: Transcript, sound: Sound) -> WakeWords:
        """The second stage: the proposal confirmed (or not), with the transcript's reading of the phrase."""
        if self.wake is None:
            return WakeWords(WAKE_OFF, transcript.text)
        found, rest = self._split(transcript)
        if proposal is not None:
            return self._enrolled(proposal, found, rest, transcript, sound)
        if not found:
            return WakeWords(WakeDecision("none"), transcript.text)
        if self.spotter is None:
            return WakeWords(WakeDecision("text", stage="transcript", confirmed=True), rest)
        spot = self.spotter.spot(sound.audio)
        if spot is None:
            return WakeWords(WakeDecision("unconfirmed", stage="transcript"), transcript.text)
        return WakeWords(WakeDecision("said", stage="transcript", confirmed=True, end_seconds=spot.end), rest)

    def _enrolled(self, proposal: Any, found: bool, rest: str, transcript: Transcript, sound: Sound) -> WakeWords:
        """Someone is enrolled: their phrase, confirmed, wakes it; a phrase only one stage heard (the
        templates' first stage, or the transcript and keyword search without the templates) is "proposed":
        the pipeline lets it count only in a voice that is not another's, and the core checks a red flag
        heard so before acting on it."""
        verdict = self.detector.confirm(proposal, sound.audio, found)
        scored = dict(score=float(proposal.score), template=proposal.template, person=proposal.person,
                      reached_seconds=sound.reached_seconds)
        if verdict.woke:
            decision = WakeDecision("said", stage=proposal.stage, confirmed=True,
                                    end_seconds=verdict.end_seconds, **scored)
            return WakeWords(decision, rest if found else None)
        if proposal.proposed:
            decision = WakeDecision("proposed", stage=proposal.stage, end_seconds=proposal.end_seconds, **scored)
            return WakeWords(decision, rest if found else None)
        if found and (self.spotter is None or self.spotter.spot(sound.audio) is not None):
            return WakeWords(WakeDecision("proposed", stage="transcript", **scored), rest)
        return WakeWords(WakeDecision("unconfirmed" if found else "none", **scored), transcript.text)

    def _split(self, transcript: Transcript) -> tuple[bool, str]:
        """The wake phrase in the best reading, or else in another reading of the same words."""
        assert self.wake is not None
        addressed, rest = self.wake.split(transcript.text)
        if addressed:
            return addressed, rest
        for other in transcript.alternatives:
            found, other_rest = self.wake.split(other)
            if found:
                return True, other_rest
        return False, transcript.text


def listening_for(wake: WakePhrase | None, recognizer: Any) -> tuple[WakePhrase | None, KeywordSpotter | None]:
    """The wake phrase as this recognizer hears it, and a keyword search to confirm it where the
    engine has one (PocketSphinx); elsewhere, or for words it cannot spot, the transcript decides."""
    files = getattr(recognizer, "files", None)
    if wake is None or files is None:
        return wake, None
    try:
        spotter = KeywordSpotter(wake.phrase)
    except ModelError as exc:
        log.warning("the wake phrase is found by the transcript alone: %s", exc.line())
        return wake, None
    words = wake.phrase.lower().split()
    return replace(wake, sounds=sound_alikes(words[-1], files.dictionary)), spotter
