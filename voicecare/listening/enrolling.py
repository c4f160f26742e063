"""Making an enrollment from recordings of the wake phrase, and the listeners built from a stored one.

From three recordings: the wake phrase's templates (speech embeddings, ``templates``) and a voice print
(speaker embeddings, ``speaker_verify``). A fourth, optional recording, the enrollment sentence (the phrase
run straight on into an ordinary sentence, in one breath), adds a row to the voice print (seconds of voice
where a phrase gives under one) and a run-on template cut from its opening. From the store: a wake
detector for those enrolled with the configured phrase, and a voice verifier for everyone enrolled (a
voice stays a voice when the phrase changes; the phrase's templates do not, so they must enroll again).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from voicecare.audio.chunk import AudioChunk
from voicecare.listening.enrollment import Enrolled, Enrollment, EnrollmentError

log = logging.getLogger(__name__)

TAKES = 3
"""How many times the person says the phrase at set-up."""
SENTENCE_KEY = "enroll_sentence_words"
"""The content prompt holding the enrollment sentence's words (said after the phrase, in one breath)."""


SENTENCE_PAUSE_SECONDS = 1.5
"""Parts of the sentence heard with shorter pauses between them are one take (a pause at a comma ends an
utterance, but not the sentence)."""


def joined(parts: Sequence[AudioChunk]) -> AudioChunk:
    """The parts of one take as one recording, in order (each keeps the quiet around it)."""
    return AudioChunk.from_array(np.concatenate([part.array() for part in parts]))


def sentence_text(texts: Any, phrase: str) -> str:
    """What the person says for the enrollment sentence: the phrase run on into the words from content."""
    return texts.prompt(SENTENCE_KEY, wake=phrase)


class Enroller:
    """Checks set-up recordings and turns them into one person's enrollment (embeddings only)."""

    def __init__(self, phrase: str, spotter: Any = None) -> None:
        from voicecare.listening.templates import RecordingLimits

        self.phrase = " ".join(phrase.lower().split())
        self.spotter = spotter
        self.limits = RecordingLimits()
        self._embedder: Any = None
        self._encoder: Any = None
        self.notes: list[str] = []
        """What the last ``person`` left out and why (the sentence's run-on template), for the person to read."""

    def problem(self, recording: AudioChunk) -> str | None:
        """Why a recording is poor (too quiet, too short, …), or None when it will do."""
        from voicecare.listening.templates import check_recording

        return check_recording(recording, self.limits, self.spotter)

    def sentence_problem(self, recording: AudioChunk) -> str | None:
        """Why a recording of the enrollment sentence is poor, or None when it will do."""
        from voicecare.listening.templates import check_recording

        return check_recording(recording, self.limits, None, sentence=True)

    def person(self, name: str, recordings: Sequence[AudioChunk], sentence: AudioChunk | None = None) -> Enrolled:
        """The enrollment of ``name`` from recordings already checked; an ``EnrollmentError`` names the odd one.

        ``sentence`` (checked with ``sentence_problem``) adds a voice-print row, and a run-on template when
        its opening agrees with the phrase said alone (otherwise ``notes`` says why it was left out).
        """
        from voicecare.listening.embedding import SpeechEmbedder
        from voicecare.listening.templates import disagreeing, template_from_recording

        self._embedder = self._embedder or SpeechEmbedder()
        templates = []
        for n, recording in enumerate(recordings, 1):
            template = template_from_recording(self._embedder, recording, self.phrase, name)
            if template is None:
                raise EnrollmentError(f"recording {n} has no voice in it", "record the wake phrase again")
            templates.append(template)
        odd = disagreeing(templates, self.limits)
        if odd:
            which = ", ".join(str(i + 1) for i in odd)
            raise EnrollmentError(f"recording {which} does not sound like the same phrase as the others",
                                  f"say just '{self.phrase}' each time, and record again")
        self.notes = []
        runon = self._runon(sentence, templates) if sentence is not None else None
        voice, enrolled = self._voice(name, [*recordings, *([sentence] if sentence is not None else [])])
        kept = [*templates, *([runon] if runon is not None else [])]
        return Enrolled(name, self.phrase, tuple(t.frames for t in kept), voice, enrolled,
                        runon=int(runon is not None))

    def _runon(self, sentence: AudioChunk, templates: list[Any]) -> Any:
        from voicecare.listening.templates import runon_template

        runon, why = runon_template(self._embedder, sentence, templates, self.limits)
        if runon is None:
            note = f"the sentence's opening is not kept as a wake template: {why}; its voice is kept"
            log.info(note)
            self.notes.append(note)
        return runon

    def _voice(self, name: str, recordings: Sequence[AudioChunk]) -> tuple[Any, int]:
        try:
            from voicecare.listening.speaker_encoder import SpeakerEncoder
            from voicecare.listening.speaker_verify import VoicePrint
        except ImportError:  # pragma: no cover - the encoder ships with the package
            return None, 0
        self._encoder = self._encoder or SpeakerEncoder()
        voice = VoicePrint.enroll(name, list(recordings), self._encoder)
        return voice.embeddings, voice.enrolled


@dataclass(frozen=True, slots=True)
class Listeners:
    """What an enrollment lends the listening pipeline."""

    detector: Any = None
    """``WakeDetector`` with the templates of those enrolled with this phrase, or None."""
    verifier: Any = None
    """``SpeakerVerifier`` with everyone's voice print, or None."""
    stale: tuple[str, ...] = ()
    """Those enrolled with another wake phrase: they must enroll again for this one."""


def listeners_for(enrollment: Enrollment, phrase: str | None, spotter: Any = None) -> Listeners:
    """The wake detector and voice verifier for this enrollment and wake phrase (None: the phrase is off)."""
    if not enrollment:
        return Listeners()
    from voicecare.listening.speaker_verify import SpeakerVerifier, VoicePrint
    from voicecare.listening.templates import WakeTemplate
    from voicecare.listening.wake_detect import WakeDetector

    prints = [VoicePrint(p.name, p.voice, p.voice_enrolled) for p in enrollment.people if p.voice is not None]
    verifier = SpeakerVerifier(prints) if prints else None
    if phrase is None:
        return Listeners(None, verifier)
    same, stale = enrollment.for_phrase(phrase)
    if stale:
        log.warning("enrolled with another wake phrase (%s): enroll again with `voicecare enroll` for '%s'",
                    ", ".join(stale), phrase)
    templates = [WakeTemplate(p.name, p.phrase, frames, runon=n >= len(p.templates) - p.runon)
                 for p in same.people for n, frames in enumerate(p.templates)]
    detector = WakeDetector(templates, spotter=spotter) if templates else None
    return Listeners(detector, verifier, tuple(stale))


def prints_to_store(prints: Sequence[Any]) -> dict[str, tuple[Any, int]]:
    """Adapted voice prints in the store's form (name → (embeddings, rows from set-up))."""
    return {p.person: (p.embeddings, p.enrolled) for p in prints}
