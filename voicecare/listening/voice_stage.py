"""The voice check: does this utterance sound like an enrolled person? Only when anyone is enrolled.

The verifier (``SpeakerVerifier``) compares a speaker embedding of the utterance with each enrolled
voice print; utterances the person surely made (the core says which) adapt their print.
"""

from __future__ import annotations

import logging
from typing import Any

from voicecare.listening.values import Sound, VoiceDecision

log = logging.getLogger(__name__)


class VoiceStage:
    """Sound → ``VoiceDecision`` (None when nobody is enrolled)."""

    def __init__(self, verifier: Any = None, on_adapted: Any = None) -> None:
        self.verifier = verifier
        self._on_adapted = on_adapted
        """Called after a print has adapted (the enrollment store saves it)."""

    @property
    def enrolled(self) -> bool:
        return self.verifier is not None

    def check(self, sound: Sound) -> VoiceDecision | None:
        if self.verifier is None:
            return None
        try:
            match = self.verifier.verify(sound.audio)
        except (ValueError, RuntimeError) as exc:  # a fault here must not stop the hearing
            log.error("the voice check failed: %s", exc)
            return VoiceDecision("unsure")
        return VoiceDecision(str(match.verdict), similarity=float(match.similarity), person=match.person,
                             closest=getattr(match, "closest", match.person),
                             embedding=getattr(match, "embedding", None),
                             heard_before=bool(getattr(match, "heard_before", False)),
                             brief=float(getattr(match, "speech_seconds", 0.0)) < self._shortest())

    def _shortest(self) -> float:
        """The least voice the verifier judges by (under it, always "unsure")."""
        settings = getattr(self.verifier, "settings", None)
        return float(getattr(settings, "min_speech_seconds", 0.0))

    def not_theirs(self, decision: VoiceDecision | None) -> bool:
        """The person said they did not say this: its voice is another's, remembered as one."""
        if self.verifier is None or decision is None or decision.embedding is None:
            return False
        return bool(self.verifier.remember_other(decision.embedding))

    def adapt(self, decision: VoiceDecision | None) -> bool:
        """The person surely said this: let their voice print learn from it (and keep it)."""
        if self.verifier is None or decision is None or decision.embedding is None or decision.closest is None:
            return False
        try:
            adapted = bool(self.verifier.adapt(decision.closest, decision.embedding))
        except (ValueError, RuntimeError) as exc:
            log.error("the voice print could not adapt: %s", exc)
            return False
        if adapted and self._on_adapted is not None:
            self._on_adapted(self.verifier.prints)
        return adapted
