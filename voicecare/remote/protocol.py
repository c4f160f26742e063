"""Reading Wyoming events from a peer we do not trust: every line, data block and payload is capped."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from wyoming.event import Event


@dataclass(frozen=True, slots=True)
class Limits:
    """How much one peer may send: bytes per header line, data block and payload; seconds of silence."""

    line_bytes: int = 16 * 1024
    data_bytes: int = 64 * 1024
    payload_bytes: int = 256 * 1024
    """An audio chunk; satellites send about 2 KB (64 ms at 16 kHz)."""
    idle_seconds: float = 300.0
    """A connection that sends nothing this long is closed."""
    read_seconds: float = 10.0
    """Once an event has begun, the rest of it must arrive within this."""
    audio_seconds: float = 30.0
    """The longest utterance the ``asr`` service accepts."""
    max_connections: int = 64
    """Connections open at once; one more is told "busy" and closed (Home Assistant opens one per turn)."""


class BadEvent(Exception):
    """The peer sent something that is not a Wyoming event within the limits; ``code`` names what."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(text)
        self.code = code
        self.text = text


async def read_event(reader: asyncio.StreamReader, limits: Limits) -> Event | None:
    """The next event, None at the end of the stream, or BadEvent (the connection should then close).

    The reader must have been made with ``limit=limits.line_bytes`` so an endless line cannot fill memory.
    """
    try:
        line = await asyncio.wait_for(reader.readline(), limits.idle_seconds)
    except asyncio.TimeoutError:
        raise BadEvent("idle", f"nothing received for {limits.idle_seconds:.0f} s") from None
    except (ValueError, asyncio.LimitOverrunError):
        raise BadEvent("too-large", f"an event header longer than {limits.line_bytes} bytes") from None
    if not line:
        return None
    if not line.endswith(b"\n"):
        return None  # the peer went away mid-line
    header = _json_object(line, "header")
    kind = header.get("type")
    if not isinstance(kind, str) or not kind or len(kind) > 64:
        raise BadEvent("bad-event", "an event without a type")
    data = header.get("data") or {}
    if not isinstance(data, dict):
        raise BadEvent("bad-event", "event data that is not an object")
    data_length = _length(header, "data_length", limits.data_bytes)
    payload_length = _length(header, "payload_length", limits.payload_bytes)
    try:
        async with asyncio.timeout(limits.read_seconds):
            if data_length:
                data = {**data, **_json_object(await reader.readexactly(data_length), "data")}
            payload = await reader.readexactly(payload_length) if payload_length else None
    except asyncio.IncompleteReadError:
        return None
    except asyncio.TimeoutError:
        raise BadEvent("timeout", "an event's data did not arrive in time") from None
    return Event(type=kind, data=data, payload=payload)


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise BadEvent("bad-event", f"the event {what} is not JSON") from None
    if not isinstance(value, dict):
        raise BadEvent("bad-event", f"the event {what} is not a JSON object")
    return value


def _length(header: dict[str, Any], key: str, cap: int) -> int:
    value = header.get(key) or 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadEvent("bad-event", f"{key} is not a length")
    if value > cap:
        raise BadEvent("too-large", f"{key} {value} is over the limit of {cap} bytes")
    return value
