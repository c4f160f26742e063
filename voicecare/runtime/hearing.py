"""From a transcript to what the core hears: was it said to the assistant, and what did it mean.

Addressed means the wake phrase opens the words. Where the engine can spot keywords (PocketSphinx),
the transcript's reading of the wake phrase (the name may come out as a word that sounds like it) must
be confirmed by a keyword search of the same audio; with Vosk the transcript alone decides.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any, Callable

from voicecare.asr.keyword import KeywordSpotter, sound_alikes
from voicecare.audio.chunk import AudioChunk
from voicecare.core.actions import Heard
from voicecare.core.wake import WakePhrase
from voicecare.errors import ModelError
from voicecare.messages import Transcript, Understanding
from voicecare.runtime.alternatives import understand_alternatives

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Hearing:
    """What the core is told, and how the wake phrase was decided (for the event log)."""

    heard: Heard
    wake: str
    """"said" (transcript and keyword search agree), "text" (no keyword search), "unconfirmed"
    (the transcript has it, the keyword search did not hear it), "none", or "off"."""


@dataclass(frozen=True, slots=True)
class BackgroundSettings:
    """When words without the wake phrase sound like a television rather than the person.

    Measured on the broadcast benchmark's first 25 minutes and on 95 red flags said by two voices
    (rms, Piper): of the red flags heard in broadcast talk, 96% came from utterances over 15 words or
    under 0.4 confidence, against 2.6% of the person's own; the wake phrase always counts.
    """

    max_words: int = 15
    min_confidence: float = 0.4


class Listener:
    """Decides addressedness and understands the words after the wake phrase."""

    def __init__(self, understand: Callable[[str], Understanding], wake: WakePhrase | None,
                 spotter: KeywordSpotter | None = None, background: BackgroundSettings = BackgroundSettings(),
                 understand_other: Callable[[str], Understanding] | None = None) -> None:
        self._understand = understand
        self._understand_other = understand_other or understand
        """How the recognizer's other readings are understood (``Understander.understand_alternative``)."""
        self.wake = wake
        self.spotter = spotter
        self.background = background

    def _sounds_like_background(self, transcript: Transcript) -> bool:
        return (len(transcript.text.split()) > self.background.max_words
                or transcript.confidence < self.background.min_confidence)

    def hear(self, transcript: Transcript, audio: AudioChunk | None) -> Hearing:
        if self.wake is None:
            u = self._understand(transcript.text)
            others = () if u.is_red_flag else understand_alternatives(transcript.alternatives, self._understand_other)
            return Hearing(Heard(u, addressed=True, alternatives=others), "off")
        addressed, rest = self._split(transcript)
        how = "none"
        if addressed:
            how = "text"
            if self.spotter is not None and audio is not None:
                if self.spotter.spot(audio) is None:
                    addressed, rest, how = False, transcript.text, "unconfirmed"
                else:
                    how = "said"
        u = self._understand(rest)
        others = () if u.is_red_flag else understand_alternatives(
            transcript.alternatives, self._understand_other, self.wake)
        background = not addressed and self._sounds_like_background(transcript)
        return Hearing(Heard(u, addressed=addressed, alternatives=others, background=background), how)

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
