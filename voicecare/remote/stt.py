"""A Wyoming speech-to-text service as the recognizer, with the local recognizer always listening too.

The local recognizer hears every utterance alongside the remote one. When the remote answers, the local
readings ride along as alternatives, so a red flag only the local recognizer heard is still asked about;
when the remote fails (refused, dropped, timed out) the local transcript is used at once, the log says so,
and the remote is tried again after a back-off.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from wyoming.asr import Transcribe
from wyoming.asr import Transcript as WyomingTranscript
from wyoming.audio import AudioChunk as WyomingChunk
from wyoming.audio import AudioStart, AudioStop

from voicecare.asr.base import Recognizer, require_internal
from voicecare.audio.chunk import AudioChunk
from voicecare.core.expectation import Expect
from voicecare.messages import Transcript
from voicecare.remote.client import Backoff, RemoteFailed, RemoteSettings, run_exchange

log = logging.getLogger(__name__)

SAMPLES_PER_CHUNK = 1024
"""Audio goes out in chunks of this many samples (64 ms), as Wyoming satellites send it."""


class RemoteRecognizer:
    """The ``Recognizer`` interface over a remote Wyoming ``asr`` service, falling back to ``local``."""

    def __init__(self, uri: str, local: Recognizer, settings: RemoteSettings = RemoteSettings(),
                 language: str = "en", clock: Callable[[], float] = time.monotonic) -> None:
        self.uri = uri
        self.local = local
        self.settings = settings
        self.language = language
        self.name = f"wyoming {uri} (local {local.name})"
        self.load_seconds = local.load_seconds
        self.backoff = Backoff(settings.retry_first_seconds, settings.retry_max_seconds)
        self._clock = clock
        self._local_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="local-recognizer")
        self.last_source = ""
        """Which recognizer gave the latest text: "remote" or "local"."""

    def transcribe(self, chunk: AudioChunk, expect: Expect = Expect.IDLE) -> Transcript:
        """The remote service's words (open speech), the local recognizer listening for ``expect``."""
        require_internal(chunk)
        if not self.backoff.ready(self._clock()):
            self.last_source = "local"
            return self.local.transcribe(chunk, expect)
        local = self._local_thread.submit(self.local.transcribe, chunk, expect)
        try:
            text = self._remote(chunk)
        except RemoteFailed as exc:
            delay = self.backoff.failed(self._clock())
            log.warning("remote speech recognition at %s failed (%s); using %s, trying the remote again in %.0f s",
                        self.uri, exc, self.local.name, delay)
            self.last_source = "local"
            return local.result()
        if self.backoff.succeeded():
            log.info("remote speech recognition at %s is back", self.uri)
        self.last_source = "remote"
        return _merged(text, local.result())

    def _remote(self, chunk: AudioChunk) -> str:
        events = [Transcribe(language=self.language).event(),
                  AudioStart(rate=chunk.rate, width=chunk.width, channels=chunk.channels).event()]
        step = SAMPLES_PER_CHUNK * chunk.width * chunk.channels
        for start in range(0, len(chunk.audio), step):
            events.append(WyomingChunk(rate=chunk.rate, width=chunk.width, channels=chunk.channels,
                                       audio=chunk.audio[start:start + step]).event())
        events.append(AudioStop().event())
        answer = run_exchange(self.uri, events, lambda e: WyomingTranscript.is_type(e.type), self.settings)
        return str(WyomingTranscript.from_event(answer[-1]).text or "").strip()

    def close(self) -> None:
        """Let the local recognizer's thread go."""
        self._local_thread.shutdown(wait=False, cancel_futures=True)


def _merged(remote_text: str, local: Transcript) -> Transcript:
    """The remote words first; the local readings kept as alternatives (a red flag in them is checked)."""
    others: list[str] = []
    for text in (local.text, *local.alternatives):
        text = text.strip()
        if text and text.lower() != remote_text.lower() and text not in others:
            others.append(text)
    return Transcript(text=remote_text, confidence=1.0 if remote_text else 0.0, engine="wyoming",
                      alternatives=tuple(others))
