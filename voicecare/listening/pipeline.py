"""One listening pipeline: audio → front end → wake detector → recognizer → voice check → understanding.

Each stage takes the previous stage's value and returns its own; no stage calls back to an earlier one. The
wake detector proposes on the sound before the recognizer runs and confirms with its transcript after; when
the utterance's own opening holds no phrase, it also searches the audio just before it (a phrase said from
across a room can be too faint for the endpointer) and, finding one there, hands on the utterance from the
phrase's start. The voice check (only when anyone is enrolled) decides whether a phrase that one stage
alone heard counts. The loop feeds it one utterance at a time, with the recognizer to use (the loop owns
the recognizer's thread and its early, speculative decoding), and gets back what the core is told and the
``heard`` event.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

from voicecare.audio.chunk import AudioChunk
from voicecare.core.actions import Heard
from voicecare.listening.room_stage import RoomStage
from voicecare.listening.understanding_stage import UnderstandingStage
from voicecare.listening.values import Sound, VoiceDecision, WakeDecision
from voicecare.listening.voice_stage import VoiceStage
from voicecare.listening.wake_stage import WakeStage
from voicecare.messages import Transcript

log = logging.getLogger(__name__)

MIN_TAIL_SECONDS = 0.25
"""Less audio than this after the wake phrase holds no request."""


@dataclass(frozen=True, slots=True)
class Hearing:
    """Everything the stages decided about one utterance."""

    heard: Heard
    transcript: Transcript
    sound: Sound
    wake: WakeDecision
    voice: VoiceDecision | None = None

    def event(self, addressed: bool) -> dict[str, Any]:
        """The ``heard`` event; ``addressed``: said with the wake phrase or in a conversation."""
        t = self.transcript
        record: dict[str, Any] = {"type": "heard", "text": t.text, "confidence": round(t.confidence, 3),
                                  "start": round(self.sound.start, 3), "end": round(self.sound.end, 3),
                                  "addressed": addressed, "wake": self.wake.event()}
        if self.heard.understanding.text != t.text and self.wake.found and self.wake.stage != "transcript":
            record["request"] = self.heard.understanding.text  # what the recognizer heard after the phrase
        if self.voice is not None:
            record["voice"] = self.voice.event()
        if self.heard.background:
            record["background"] = True
        if t.alternatives:
            record["alternatives"] = list(t.alternatives)
        possible = self.heard.possible
        if possible is not None:
            record["possible"] = {"text": possible.text, "intent": possible.intent}
        if t.search != "open":
            record["search"] = t.search
        if self.sound.noisy and self.sound.floor_dbfs is not None:
            record["noise_floor_dbfs"] = round(self.sound.floor_dbfs, 1)
        return record


Transcribe = Callable[[AudioChunk], Transcript]
"""The recognizer stage as the loop runs it (its thread, the waiting state's grammar, an early guess)."""


class ListeningPipeline:
    """The stages in order; ``hear`` runs them on one utterance."""

    def __init__(self, front: RoomStage, wake: WakeStage, understanding: UnderstandingStage,
                 voice: VoiceStage | None = None) -> None:
        self.front = front
        self.wake = wake
        self.understanding = understanding
        self.voice = voice or VoiceStage()

    def hear(self, utterance: Any, floor_dbfs: float | None, transcribe: Transcribe,
             min_confidence: float = 0.0, not_before: float | None = None) -> Hearing:
        """``not_before``: stream seconds before which the audio ahead of the utterance is not searched
        for the wake phrase (the assistant was speaking)."""
        sound = self.front.sound(utterance, floor_dbfs, not_before)
        proposal = self.wake.propose(sound)
        if proposal is not None and not proposal.proposed:
            earlier = self.wake.reach_back(sound)  # a far phrase the endpointer did not take for speech
            if earlier is not None:
                sound, proposal = earlier
        transcript = transcribe(sound.audio)
        if transcript.confidence < min_confidence:
            transcript = Transcript(text="", confidence=transcript.confidence, engine=transcript.engine)
        wake = self.wake.decide(proposal, transcript, sound)
        voice = self.voice.check(sound)
        addressed = wake.decision.how in ("off", "said", "text") or (
            wake.decision.how == "proposed" and self._proposal_counts(wake.decision, voice))
        words = transcript.text
        if addressed:
            words = wake.rest if wake.rest is not None else self._after_phrase(sound, wake.decision, transcribe)
        meaning = self.understanding.meaning(transcript, words, addressed)
        if addressed and wake.rest is None and not meaning.understanding.is_red_flag:
            # the phrase was placed by the sound alone: a red flag in the whole of the words still counts
            whole = self.understanding.meaning(transcript, transcript.text, addressed)
            meaning = whole if whole.understanding.is_red_flag else meaning
        heard = Heard(meaning.understanding, addressed=addressed, alternatives=meaning.alternatives,
                      background=meaning.background, confidence=meaning.confidence, noisy=sound.noisy,
                      wake_stage=wake.decision.stage if addressed and wake.decision.how != "off" else None,
                      wake_confirmed=wake.decision.how != "proposed",
                      voice=voice.verdict if voice is not None else None,
                      voice_brief=voice is not None and voice.verdict == "unsure" and voice.brief,
                      faint=addressed and sound.reached_seconds is not None)
        return Hearing(heard, transcript, sound, wake.decision, voice)

    @staticmethod
    def _proposal_counts(decision: WakeDecision, voice: Any) -> bool:
        """A phrase only one stage heard counts in a voice that is not another's; when only the words heard it (the
        enrolled person's templates did not propose it), only in the person's voice: a television's "hey Carol"
        is "hey care" to the recognizer, and in a voice the check was unsure of it once opened a conversation that
        the television carried on into an emergency call (blind corpus E, idle)."""
        if voice is None:
            return True
        if decision.stage == "transcript":
            return voice.verdict == "person"
        return voice.verdict != "other"

    @staticmethod
    def _after_phrase(sound: Sound, wake: WakeDecision, transcribe: Transcribe) -> str:
        """The request after a phrase the sound found but the words did not: the audio after it, heard again."""
        if wake.end_seconds is None:
            return ""
        samples = sound.audio.array()
        start = int(wake.end_seconds * sound.audio.rate)
        if len(samples) - start < MIN_TAIL_SECONDS * sound.audio.rate:
            return ""
        return transcribe(AudioChunk.from_array(samples[start:], sound.audio.rate)).text


def build_pipeline(understander: Any, wake: Any, spotter: Any = None, *, detector: Any = None, verifier: Any = None,
                   front: Any = None, agreed_confidence: float = 0.9, on_adapted: Any = None) -> ListeningPipeline:
    """The stages for this recognizer and wake phrase; ``detector`` and ``verifier`` when anyone is enrolled."""
    from voicecare.listening.room_stage import RoomSettings

    return ListeningPipeline(
        RoomStage(front or RoomSettings()),
        WakeStage(wake, spotter, detector),
        UnderstandingStage(understander.understand, wake, understander.understand_alternative,
                           agreed_confidence=agreed_confidence),
        VoiceStage(verifier, on_adapted),
    )
