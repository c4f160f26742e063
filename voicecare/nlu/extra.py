"""Intent ids this layer adds to CONTRACT.md (the contract allows extensions)."""

from __future__ import annotations

from voicecare.messages import INTENTS

EXTRA_INTENTS: tuple[str, ...] = (
    "control.longer",
    "control.shorter",
    "control.slower",
    "control.hurts",
    "control.start",
    "reminder.done",
    "info.week",
)
"""Session and reminder answers beyond the contract: longer/shorter/slower holds, pain during a
stretch, "start", "done" after a movement reminder, and "how was my week?" (a summary from the journal)."""

ALL_INTENTS: tuple[str, ...] = (*INTENTS, *EXTRA_INTENTS)
"""Every id the understanding layer may answer with."""
