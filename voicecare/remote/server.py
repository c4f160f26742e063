"""The Wyoming service: ``handle`` (a conversation agent for Home Assistant) and ``asr`` (voicecare's own
recognizer), one task per connection, every read bounded, a bad peer closed while the service lives."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, Callable

from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk as WyomingChunk
from wyoming.audio import AudioStart, AudioStop
from wyoming.error import Error
from wyoming.event import Event, async_write_event
from wyoming.handle import NotHandled
from wyoming.info import Describe, Info
from wyoming.ping import Ping, Pong

from voicecare.audio.chunk import AudioChunk
from voicecare.audio.convert import to_internal
from voicecare.remote.conversations import Conversations
from voicecare.remote.protocol import BadEvent, Limits, read_event

log = logging.getLogger(__name__)

WRITE_SECONDS = 10.0
"""A peer that does not take our answer within this is dropped."""
TICK_SECONDS = 1.0
"""The longest the deadline task sleeps without looking (a new transcript wakes it sooner)."""


def conversation_key(context: Any, peer: str) -> tuple[str, str | None]:
    """Which conversation a transcript belongs to, and the satellite entity to announce on, if known.

    The satellite or the device names the person's room (Home Assistant 2026.6 and later send them); else
    Home Assistant's conversation id (2025.7 and later: one per satellite while it keeps talking, or the id
    an API caller passes back); else the peer, which is Home Assistant itself (2025.6 and earlier send no
    context at all, so its satellites share one conversation).
    """
    if isinstance(context, dict):
        satellite = _short(context.get("satellite_id"))
        if satellite:
            return satellite, satellite if satellite.startswith("assist_satellite.") else None
        device = _short(context.get("device_id"))
        if device:
            return f"device:{device}", None
        conversation = _short(context.get("conversation_id"))
        if conversation:
            return f"conversation:{conversation}", None
    return peer, None


def _short(value: Any) -> str | None:
    return value.strip()[:200] if isinstance(value, str) and value.strip() else None


class WyomingService:
    """Serves ``handle`` when given conversations, and ``asr`` when given a recognizer."""

    def __init__(self, info: Info, conversations: Conversations | None = None, recognizer: Any = None, *,
                 announce: Callable[[str | None, str, str | None], None] | None = None,
                 limits: Limits = Limits(), clock: Callable[[], float] = time.monotonic, speed: float = 1.0) -> None:
        self.info = info
        self.conversations = conversations
        self.recognizer = recognizer
        self.announce = announce
        self.limits = limits
        self._clock = clock
        self._t0 = clock()
        self.speed = speed
        """How fast the conversations' time passes: 1 on a device; more in tests, so a hold ends sooner."""
        self._server: asyncio.Server | None = None
        self._ticker: asyncio.Task | None = None
        self._wake = asyncio.Event()
        self._recognizer_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="asr-service")
        self._ids = itertools.count(1)
        self.connections = 0
        self.rejected = 0
        self.turned_away = 0
        self._tasks: set[asyncio.Task] = set()

    @property
    def now(self) -> float:
        return (self._clock() - self._t0) * self.speed

    async def start(self, host: str, port: int) -> tuple[str, int]:
        """Listen; returns the address actually bound (port 0 picks a free one)."""
        self._server = await asyncio.start_server(self._connection, host, port, limit=self.limits.line_bytes)
        if self.conversations is not None:
            self._ticker = asyncio.create_task(self._tick_loop(), name="conversation-deadlines")
        bound = self._server.sockets[0].getsockname()
        log.info("Wyoming service on tcp://%s:%d (%s)", bound[0], bound[1],
                 ", ".join(p for p, on in (("handle", self.conversations), ("asr", self.recognizer)) if on is not None))
        return bound[0], bound[1]

    async def serve_forever(self) -> None:
        assert self._server is not None
        async with self._server:
            await self._server.serve_forever()

    async def close(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            await asyncio.gather(self._ticker, return_exceptions=True)
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=2.0)
        if self._server is not None:
            await self._server.wait_closed()
        self._recognizer_thread.shutdown(wait=False, cancel_futures=True)

    # --- one connection ---------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        name = f"connection-{next(self._ids)}"
        peer = writer.get_extra_info("peername")
        peer_key = f"peer:{peer[0]}" if isinstance(peer, tuple) and peer else name
        self.connections += 1
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        audio: _Utterance | None = None
        try:
            if self.connections > self.limits.max_connections:
                self.turned_away += 1
                log.warning("%s: %d connections open already; closing it", name, self.connections - 1)
                await self._send(writer, Error(text="too many connections, try again", code="busy").event())
                return
            while True:
                try:
                    event = await read_event(reader, self.limits)
                except BadEvent as bad:
                    self.rejected += 1
                    log.warning("%s: %s; closing it", name, bad.text)
                    await self._send(writer, Error(text=bad.text, code=bad.code).event())
                    return
                if event is None:
                    return
                audio = await self._dispatch(event, writer, peer_key, audio)
        except (ConnectionError, asyncio.TimeoutError) as exc:
            log.info("%s dropped (%s)", name, type(exc).__name__)
        except Exception:  # noqa: BLE001 - one request's fault closes its connection, never the service
            log.exception("%s failed; closing it", name)
            try:
                await self._send(writer, Error(text="internal error", code="internal").event())
            except (ConnectionError, asyncio.TimeoutError):
                pass
        finally:
            self.connections -= 1
            self._tasks.discard(task)  # type: ignore[arg-type]
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, OSError):
                pass

    async def _dispatch(self, event: Event, writer: asyncio.StreamWriter, peer: str,
                        audio: _Utterance | None) -> _Utterance | None:
        if Describe.is_type(event.type):
            await self._send(writer, self.info.event())
        elif Ping.is_type(event.type):
            await self._send(writer, Pong(text=event.data.get("text")).event())
        elif Transcript.is_type(event.type) and self.conversations is not None:
            await self._send(writer, self._handle(event, peer))
        elif self.recognizer is not None and Transcribe.is_type(event.type):
            return _Utterance(self.limits.audio_seconds)
        elif self.recognizer is not None and AudioStart.is_type(event.type):
            return audio or _Utterance(self.limits.audio_seconds)
        elif self.recognizer is not None and WyomingChunk.is_type(event.type):
            if audio is not None and not audio.add(event):
                await self._send(writer, Error(text="utterance too long", code="too-large").event())
                return None
            return audio
        elif self.recognizer is not None and AudioStop.is_type(event.type):
            if audio is not None:
                await self._send(writer, await self._recognize(audio))
            return None
        else:
            await self._send(writer, Error(text=f"unsupported event {event.type!r}", code="unsupported").event())
        return audio

    def _handle(self, event: Event, peer: str) -> Event:
        """One transcript answered; ``continue_conversation`` says when the conversation waits for an
        answer (the field wyoming 1.11 gives ``handled``; older peers ignore it)."""
        assert self.conversations is not None
        text = event.data.get("text")
        if not isinstance(text, str):
            return Error(text="a transcript without text", code="bad-event").event()
        incoming = event.data.get("context")
        key, satellite = conversation_key(incoming, peer)
        try:
            reply = self.conversations.reply(key, text[:1000], self.now, datetime.now().astimezone(), satellite)
        finally:
            self._wake.set()
        conversation_id = incoming.get("conversation_id") if isinstance(incoming, dict) else None
        context = {"conversation_id": conversation_id if isinstance(conversation_id, str) else key}
        if not reply.lines:
            return NotHandled(context=context).event()
        return Event(type="handled", data={"text": reply.text, "context": context,
                                           "continue_conversation": reply.awaiting})

    async def _recognize(self, audio: _Utterance) -> Event:
        assert self.recognizer is not None
        chunk = audio.chunk()
        if chunk is None:
            return Transcript(text="").event()
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(self._recognizer_thread, self.recognizer.transcribe, chunk)
        return Transcript(text=result.text, language="en").event()

    async def _send(self, writer: asyncio.StreamWriter, event: Event) -> None:
        await asyncio.wait_for(async_write_event(event, writer), WRITE_SECONDS)

    # --- things said on their own ----------------------------------------------------

    async def _tick_loop(self) -> None:
        """Fire every conversation's deadlines on time, and pass what they say to ``announce``."""
        assert self.conversations is not None
        while True:
            wall = datetime.now().astimezone()
            deadline = self.conversations.next_deadline(self.now, wall)
            wait = TICK_SECONDS if deadline is None else min(TICK_SECONDS, max(0.0, deadline - self.now) / self.speed)
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), wait)
            except asyncio.TimeoutError:
                pass
            try:
                spoken = self.conversations.due(self.now, datetime.now().astimezone())
            except Exception:  # noqa: BLE001 - one conversation's fault must not stop the others' timers
                log.exception("a conversation failed while its time passed")
                continue
            for item in spoken:
                if self.announce is not None:
                    self.announce(item.satellite, item.text, item.severity)


class _Utterance:
    """Audio of one ``asr`` request, capped in length, converted once at the end."""

    def __init__(self, max_seconds: float) -> None:
        self.max_seconds = max_seconds
        self.parts: list[bytes] = []
        self.format: tuple[int, int, int] | None = None
        self.seconds = 0.0

    def add(self, event: Event) -> bool:
        """Keep one chunk; False once the utterance is longer than allowed."""
        chunk = WyomingChunk.from_event(event)
        fmt = (chunk.rate, chunk.width, chunk.channels)
        if not (4000 <= chunk.rate <= 192000 and chunk.width in (1, 2, 4) and 0 < chunk.channels <= 8):
            return False
        if self.format is not None and fmt != self.format:
            return False
        self.format = fmt
        self.parts.append(chunk.audio)
        self.seconds += len(chunk.audio) / (chunk.rate * chunk.width * chunk.channels)
        return self.seconds <= self.max_seconds

    def chunk(self) -> AudioChunk | None:
        if self.format is None:
            return None
        rate, width, channels = self.format
        audio = b"".join(self.parts)
        audio = audio[:len(audio) - len(audio) % (width * channels)]
        return to_internal(AudioChunk(rate=rate, width=width, channels=channels, audio=audio)) if audio else None
