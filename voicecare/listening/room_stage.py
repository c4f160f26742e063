"""The room stage: an utterance the endpointer cut, with how loud the room was around it.

The voice-activity detector and the noise gate live in ``voicecare.audio``; this stage only turns their
utterance into the value the later stages take.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from voicecare.audio.chunk import AudioChunk
from voicecare.audio.noise import is_noisy
from voicecare.listening.values import Sound


@dataclass(frozen=True, slots=True)
class RoomSettings:
    """When a room counts as loud."""

    noisy_floor_dbfs: float = -35.0
    """A noise floor above this at the microphone is a loud room (a television, a fan close by)."""
    noisy_snr_db: float = 20.0
    """Speech rising less than this above the noise floor was heard in noise: answers are read back."""


class RoomStage:
    """Utterance → ``Sound``."""

    def __init__(self, settings: RoomSettings = RoomSettings()) -> None:
        self.settings = settings

    def sound(self, utterance: Any, floor_dbfs: float | None, not_before: float | None = None) -> Sound:
        """``not_before``: stream seconds before which the utterance's lead is not the room (the
        assistant's own voice and its echo)."""
        noisy = is_noisy(utterance.audio.array(), floor_dbfs, loud_dbfs=self.settings.noisy_floor_dbfs,
                         min_snr_db=self.settings.noisy_snr_db)
        lead = _lead_from(getattr(utterance, "lead", None), not_before)
        return Sound(utterance.audio, utterance.start, utterance.end, noisy, floor_dbfs, lead)


def _lead_from(lead: AudioChunk | None, not_before: float | None) -> AudioChunk | None:
    """The part of the lead at or after ``not_before`` (all of it when either is unknown), or None."""
    if lead is None or not_before is None or lead.timestamp is None or lead.timestamp >= not_before:
        return lead
    skip = int(round((not_before - lead.timestamp) * lead.rate))
    if skip >= lead.samples:
        return None
    return AudioChunk.from_array(lead.array()[skip:], lead.rate, timestamp=lead.timestamp + skip / lead.rate)
