"""A Wyoming text-to-speech service as the voice, falling back to the local voice at once on any failure."""

from __future__ import annotations

import logging
import time
from typing import Any, Callable

from wyoming.audio import AudioChunk as WyomingChunk
from wyoming.audio import AudioStart, AudioStop
from wyoming.tts import Synthesize, SynthesizeVoice

from voicecare.audio.chunk import AudioChunk
from voicecare.audio.convert import to_internal
from voicecare.errors import BadInputError
from voicecare.remote.client import Backoff, RemoteFailed, RemoteSettings, run_exchange
from voicecare.speech.recent import RecentPhrases

log = logging.getLogger(__name__)


class RemoteVoice:
    """The ``Voice`` interface over a remote Wyoming ``tts`` service; ``local`` speaks when it cannot."""

    def __init__(self, uri: str, local: Any, voice: str = "", settings: RemoteSettings = RemoteSettings(),
                 cache_phrases: int = 64, clock: Callable[[], float] = time.monotonic) -> None:
        self.uri = uri
        self.local = local
        self.voice = voice
        self.remote_settings = settings
        self.backoff = Backoff(settings.retry_first_seconds, settings.retry_max_seconds)
        self._clock = clock
        self._recent = RecentPhrases(cache_phrases)
        self.last_source = ""
        """Which voice spoke the latest sentence: "remote", "cache" or "local"."""

    @property
    def settings(self) -> Any:
        """The local voice's settings (rate, volume), for code that reads them."""
        return getattr(self.local, "settings", None)

    def warm_up(self) -> None:
        """The local voice is the fallback: make sure it is ready."""
        self.local.warm_up()

    def synthesize(self, text: str) -> AudioChunk:
        text = " ".join(text.split())
        if not text:
            raise BadInputError("nothing to say", "give some text")
        cached = self._recent.get(text)
        if cached is not None:
            self.last_source = "cache"
            return cached
        if not self.backoff.ready(self._clock()):
            self.last_source = "local"
            return self.local.synthesize(text)
        try:
            chunk = self._remote(text)
        except RemoteFailed as exc:
            delay = self.backoff.failed(self._clock())
            log.warning("remote voice at %s failed (%s); using the local voice, trying the remote again in %.0f s",
                        self.uri, exc, delay)
            self.last_source = "local"
            return self.local.synthesize(text)
        if self.backoff.succeeded():
            log.info("remote voice at %s is back", self.uri)
        self.last_source = "remote"
        self._recent.put(text, chunk)
        return chunk

    def _remote(self, text: str) -> AudioChunk:
        request = Synthesize(text=text, voice=SynthesizeVoice(name=self.voice) if self.voice else None)
        answer = run_exchange(self.uri, [request.event()], lambda e: AudioStop.is_type(e.type),
                              self.remote_settings)
        start = next((AudioStart.from_event(e) for e in answer if AudioStart.is_type(e.type)), None)
        chunks = [WyomingChunk.from_event(e) for e in answer if WyomingChunk.is_type(e.type)]
        if start is None and chunks:
            start = AudioStart(rate=chunks[0].rate, width=chunks[0].width, channels=chunks[0].channels)
        audio = b"".join(c.audio for c in chunks)
        if start is None or not audio:
            raise RemoteFailed("the service sent no audio")
        if start.width not in (1, 2, 4) or not 0 < start.channels <= 8 or not 4000 <= start.rate <= 192000:
            raise RemoteFailed(f"unusable audio format ({start.rate} Hz, {start.width} bytes, {start.channels} ch)")
        frame = start.width * start.channels
        audio = audio[:len(audio) - len(audio) % frame]
        return to_internal(AudioChunk(rate=start.rate, width=start.width, channels=start.channels, audio=audio))
