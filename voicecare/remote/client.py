"""Talking to one Wyoming service: a bounded request/response over TCP, and back-off after failures."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Callable, Sequence

from wyoming.client import AsyncTcpClient
from wyoming.error import Error
from wyoming.event import Event

from voicecare.errors import ConfigError

log = logging.getLogger(__name__)

_URI = re.compile(r"tcp://(?P<host>\[[0-9a-fA-F:]+\]|[^\s/:\[\]]+):(?P<port>\d{1,5})")


class RemoteFailed(Exception):
    """A remote Wyoming service did not answer as it should (refused, dropped, timed out, or an error)."""


def parse_uri(uri: str) -> tuple[str, int]:
    """``tcp://HOST:PORT`` as (host, port), or a ConfigError that says how to write it."""
    match = _URI.fullmatch(uri.strip())
    port = int(match["port"]) if match else 0
    if match is None or not 0 < port < 65536:
        raise ConfigError(f"{uri!r} is not a Wyoming address", "write it as tcp://HOST:PORT, e.g. tcp://127.0.0.1:10600")
    return match["host"].strip("[]"), port


@dataclass(frozen=True, slots=True)
class RemoteSettings:
    """Timeouts and retry pacing for one remote service."""

    connect_timeout_seconds: float = 1.0
    timeout_seconds: float = 5.0
    """The whole exchange, once connected."""
    retry_first_seconds: float = 1.0
    retry_max_seconds: float = 60.0
    max_reply_bytes: int = 32 * 1024 * 1024
    """Payload bytes accepted in one answer (a minute of 22 kHz speech is 2.6 MB)."""


class Backoff:
    """When to try a failed remote again: after 1, 2, 4 ... seconds, at most ``max_seconds``."""

    def __init__(self, first_seconds: float = 1.0, max_seconds: float = 60.0) -> None:
        self.first_seconds = first_seconds
        self.max_seconds = max_seconds
        self.failures = 0
        self.delay = 0.0
        self.retry_at = float("-inf")

    def ready(self, now: float) -> bool:
        """True when the remote may be tried (never failed, or its wait is over)."""
        return now >= self.retry_at

    def failed(self, now: float) -> float:
        """Record a failure; the seconds until the next try."""
        self.delay = self.first_seconds if self.failures == 0 else min(self.delay * 2, self.max_seconds)
        self.failures += 1
        self.retry_at = now + self.delay
        return self.delay

    def succeeded(self) -> bool:
        """Record a success; True when this ends an outage."""
        was_down = self.failures > 0
        self.failures, self.delay, self.retry_at = 0, 0.0, float("-inf")
        return was_down


async def exchange(uri: str, send: Sequence[Event], done: Callable[[Event], bool],
                   settings: RemoteSettings) -> list[Event]:
    """Send ``send``, then read events until ``done`` says the answer is complete; bounded in time and size."""
    host, port = parse_uri(uri)
    client = AsyncTcpClient(host, port)
    try:
        await asyncio.wait_for(client.connect(), settings.connect_timeout_seconds)
    except (OSError, asyncio.TimeoutError) as exc:
        raise RemoteFailed(f"cannot connect ({_why(exc)})") from None
    received: list[Event] = []
    size = 0
    try:
        async with asyncio.timeout(settings.timeout_seconds):
            for event in send:
                await client.write_event(event)
            while True:
                event = await client.read_event()
                if event is None:
                    raise RemoteFailed("the service closed the connection")
                if Error.is_type(event.type):
                    raise RemoteFailed(f"the service answered an error: {Error.from_event(event).text}")
                size += len(event.payload or b"")
                if size > settings.max_reply_bytes:
                    raise RemoteFailed(f"the answer is larger than {settings.max_reply_bytes} bytes")
                received.append(event)
                if done(event):
                    return received
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError) as exc:
        raise RemoteFailed(_why(exc)) from None
    finally:
        try:
            await client.disconnect()
        except OSError:
            pass


def run_exchange(uri: str, send: Sequence[Event], done: Callable[[Event], bool],
                 settings: RemoteSettings) -> list[Event]:
    """``exchange`` from synchronous code (the recognizer's or the voice's own thread)."""
    return asyncio.run(exchange(uri, send, done, settings))


def _why(exc: BaseException) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, (ConnectionResetError, BrokenPipeError, asyncio.IncompleteReadError)):
        return "connection dropped"
    return getattr(exc, "strerror", None) or type(exc).__name__
