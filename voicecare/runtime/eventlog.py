"""The event log of CONTRACT.md: one JSON object a line, each with ``t`` and ``type``."""

from __future__ import annotations

import json
import logging
from typing import Any, Callable, TextIO

from voicecare.core.actions import Action
from voicecare.messages import Transcript, Understanding

log = logging.getLogger(__name__)


class EventLog:
    """Writes events to a stream (or collects them) with ``t`` in seconds since start."""

    def __init__(self, stream: TextIO | None = None, *, keep: bool = False,
                 echo: Callable[[dict[str, Any]], None] | None = None) -> None:
        self._stream = stream
        self.events: list[dict[str, Any]] | None = [] if keep else None
        self._echo = echo
        self._failed = False

    def write(self, t: float, record: dict[str, Any]) -> None:
        event = {"t": round(t, 3), **record}
        if self.events is not None:
            self.events.append(event)
        if self._echo is not None:
            self._echo(event)
        if self._stream is None:
            return
        try:
            self._stream.write(json.dumps(event, ensure_ascii=False) + "\n")
            self._stream.flush()
        except OSError as exc:
            if not self._failed:
                log.error("event log cannot be written (%s); continuing without it", exc)
            self._failed = True

    def action(self, t: float, action: Action) -> None:
        record = action.event()
        if record is not None:
            self.write(t, record)

    def heard(self, t: float, transcript: Transcript) -> None:
        record = {"type": "heard", "text": transcript.text, "confidence": round(transcript.confidence, 3)}
        if transcript.alternatives:
            record["alternatives"] = list(transcript.alternatives)
        self.write(t, record)

    def understood(self, t: float, understanding: Understanding) -> None:
        self.write(t, {"type": "understood", **understanding.to_json()})
