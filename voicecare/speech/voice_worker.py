"""The Piper voice as the assistant sees it: a process of its own, for sentences not in the phrase cache.

Loaded in the assistant's process, a Piper voice would add about 90 MB, and 50-90 MB more while a
sentence renders (``voicecare run`` peaked at 389 MB), and with a complete cache it would stay
loaded after one uncached sentence. Instead ``PiperProcess`` hands each uncached
sentence to ``voicecare.speech.cache_worker``, which renders it into the phrase cache, and reads it
from there; the same process renders the rest of the cache in the background. It ends by itself
when it has nothing to do and is started again when a sentence needs it. If it cannot be started,
or stops answering, the sentence fails like any Piper failure (espeak-ng speaks from then on).
"""

from __future__ import annotations

import json
import logging
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Mapping

from voicecare.audio.chunk import AudioChunk
from voicecare.errors import AudioError
from voicecare.speech.phrase_cache import BuildReport, PhraseCache

IDLE_SECONDS = 60.0
"""With nothing to build, the voice's process ends after this long without a request."""

log = logging.getLogger(__name__)

START_AND_SAY_SECONDS = 120.0
"""How long a sentence may take, loading the voice included (a Raspberry Pi 4 loads it in a few seconds)."""
_FIX = "run `voicecare voice install` again, or set [speech] tts = \"pyttsx3\""


class VoiceWorker:
    """The worker process: start it, ask it for sentences, wait for its build, stop it."""

    def __init__(self, spec: str) -> None:
        self._spec = spec
        self._proc: subprocess.Popen[str] | None = None
        self._replies: queue.Queue[dict[str, Any]] = queue.Queue()
        self._report: BuildReport | None = None
        self._reported = threading.Event()
        self.failure: str | None = None
        """Why the voice would not load in the worker, once it has said so."""
        self.timed_out = False
        self.loaded = threading.Event()
        """Set once the worker has loaded the voice and can render a sentence at once."""
        self._building = False

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self) -> "VoiceWorker":
        self._proc = subprocess.Popen([sys.executable, "-m", "voicecare.speech.cache_worker", self._spec],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        threading.Thread(target=self._read, args=(self._proc,), name="voice-worker-replies", daemon=True).start()
        log.info("Piper voice process %d started", self._proc.pid)
        return self

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                log.warning("Piper voice process said %r", line[:200])
                continue
            if "report" in message:
                try:
                    self._report = BuildReport(**message["report"])
                except TypeError:
                    log.warning("phrase cache build reported %r", message)
                self._reported.set()
            elif "ready" in message:
                self.loaded.set()
            elif "failed" in message:
                self.failure = str(message["failed"])
            else:
                self._replies.put(message)
        self._reported.set()
        self._replies.put({"said": None, "ok": False, "why": self.failure or "the Piper voice process ended"})

    def build(self, content_dir: Path, fixed: Mapping[str, str]) -> "VoiceWorker":
        """Ask the worker to render every content sentence not yet cached, at low priority."""
        from voicecare.speech.cache_worker import build_request

        self._send(build_request(content_dir, fixed))
        self._building = True
        return self

    @property
    def building(self) -> bool:
        """True while the worker renders the phrase cache (a request then waits for its sentence in hand)."""
        return self._building and not self._reported.is_set() and self.running

    @property
    def answers_at_once(self) -> bool:
        """True when the worker is running, has loaded the voice and is not building: a sentence renders now."""
        return self.running and self.loaded.is_set() and not self.building

    def _send(self, line: str) -> None:
        if not self.running or self._proc is None or self._proc.stdin is None:
            raise AudioError(self.failure or "the Piper voice process is not running", _FIX)
        try:
            self._proc.stdin.write(line + "\n")
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError) as exc:
            raise AudioError(self.failure or f"the Piper voice process has gone ({exc})", _FIX) from exc

    def say(self, text: str, timeout: float = START_AND_SAY_SECONDS) -> None:
        """Have the worker render ``text`` into the phrase cache; raises AudioError when it cannot."""
        self._send(json.dumps({"say": text}))
        while True:
            try:
                reply = self._replies.get(timeout=timeout)
            except queue.Empty:
                self.timed_out = True
                self.stop()
                raise AudioError(f"the Piper voice took over {timeout:.0f} s for {text[:40]!r}", _FIX) from None
            if reply.get("said") is None or reply.get("said") == text:
                break
        if not reply.get("ok"):
            raise AudioError(f"Piper could not speak {text[:40]!r} ({reply.get('why')})", _FIX)

    def wait(self, timeout: float | None = None) -> BuildReport | None:
        """The build's report once it has finished (None if it failed or timed out); the process then ends."""
        if self._proc is None or not self._reported.wait(timeout):
            return None
        self.stop()
        if self._report is None and self._proc.returncode:
            log.warning("phrase cache build ended with status %d; lines will be synthesised when said",
                        self._proc.returncode)
        return self._report

    def stop(self, timeout: float = 5.0) -> None:
        """End the process: closing its input stops the build; what it finished stays cached."""
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()
            proc.wait(timeout)
        except (subprocess.TimeoutExpired, OSError):
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class PiperProcess:
    """A Piper voice rendered in ``VoiceWorker``: nothing of the network is loaded in this process."""

    kind = "piper"
    loaded = False
    """Never loaded here (``AssistantVoice.warm_up`` has nothing to warm)."""

    def __init__(self, files: Any, settings: Any, cache: PhraseCache, idle_seconds: float = IDLE_SECONDS) -> None:
        self.files = files
        self.settings = settings
        self.cache = cache
        self.idle_seconds = idle_seconds
        """How long the worker waits for work before it ends."""
        self._worker: VoiceWorker | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.files.name

    @property
    def worker(self) -> VoiceWorker | None:
        """The worker process last started (it may have ended since)."""
        return self._worker

    def start(self) -> VoiceWorker:
        """The worker, started if it is not running (it loads the voice while the caller goes on)."""
        from voicecare.speech.cache_worker import build_spec

        with self._lock:
            if self._worker is None or not self._worker.running:
                self._worker = VoiceWorker(build_spec(self, self.cache, self.idle_seconds)).start()
            return self._worker

    def build(self, content_dir: Path, fixed: Mapping[str, str]) -> VoiceWorker:
        """Have the worker also render every content sentence not yet cached."""
        return self.start().build(content_dir, fixed)

    def render(self, text: str) -> AudioChunk:
        """One sentence, rendered by the worker into the cache; raises AudioError.

        A worker that ended by itself just as the sentence was sent is started again, once; one
        that could not load the voice, or took too long, is not.
        """
        for attempt in (1, 2):
            worker = self.start()
            try:
                with self._lock:
                    worker.say(text)
                break
            except AudioError:
                if attempt == 2 or worker.failure is not None or worker.timed_out:
                    raise
        chunk = self.cache.get(text)
        if chunk is None:
            raise AudioError(f"the Piper voice process rendered {text[:40]!r} but it is not in the cache", _FIX)
        return chunk

    def answers_at_once(self) -> bool:
        """True when a sentence asked for now is rendered without first loading the voice or waiting
        for the cache build's sentence in hand."""
        worker = self._worker
        return worker is not None and worker.answers_at_once

    def close(self) -> None:
        with self._lock:
            if self._worker is not None:
                self._worker.stop()


__all__ = ["PiperProcess", "VoiceWorker"]
