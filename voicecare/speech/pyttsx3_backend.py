"""pyttsx3 (espeak driver) driven so that every utterance is complete and uses the asked-for settings.

pyttsx3 2.99's espeak driver, read and reproduced here, has these traps, each handled below:

1. Rate and volume changes are lost at random. espeak runs in AUDIO_OUTPUT_RETRIEVAL mode, where
   espeak_SetParameter only queues the change in espeak's own command queue. runAndWait() then runs the
   queued endLoop, whose driver.stop() calls espeak_Cancel() whenever espeak_IsPlaying() is true -- and it
   is true while that parameter change is still queued, so Cancel throws the change away and the sentence
   comes out at the previous rate. Fix: after setProperty, wait until espeak reports the new values as
   current, so nothing is queued when runAndWait cancels; check them again after the utterance.
2. getProperty("rate"/"volume") cannot verify anything: pyttsx3's ctypes prototype of
   espeak_GetParameter leaves out its `current` argument, so it returns the default (175) or the current
   value depending on a leftover register. The same C function is called here with its real signature.
3. runAndWait() can return before the WAV exists. The file is written by the synth callback on espeak's
   own thread when the message ends; on a fresh engine (proxy still busy) the loop is ended by the queued
   endLoop before synthesis even starts. Fix: wait for finished-utterance(completed=True) and for a WAV
   whose header sizes agree with the file, with a timeout.
4. runAndWait() with no new utterance never returns once the engine is idle, and the last text is never
   cleared: so runAndWait is only ever called right after save_to_file.
5. pyttsx3.init("espeak") hands out one engine per process and libespeak-ng's state and synth callback
   are process-wide: one engine is kept here for the process (never collected, which would unhook the
   callback) and every use holds one lock.
6. The driver prints "Audio saved to ..." on stdout from espeak's thread: that line is filtered out.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import struct
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_RATE, _VOLUME = 1, 2
"""espeak_PARAMETER numbers (espeakRATE, espeakVOLUME)."""
_WAV_HEADER = 44
_CHATTER = "Audio saved to "
_APPLY_TIMEOUT_SECONDS = 2.0

_lock = threading.Lock()
_engine: "_Engine | None" = None
_init_error: str | None = None


class Pyttsx3Failed(Exception):
    """pyttsx3 could not produce this utterance; the caller falls back to the espeak-ng program."""


class UnknownVoice(Exception):
    """espeak has no voice of that name."""


@dataclass(frozen=True, slots=True)
class Request:
    """One utterance's settings, as espeak numbers."""

    rate_wpm: int
    volume_percent: int
    voice: str


class _StdoutFilter:
    """Passes writes through, except the driver's 'Audio saved to' line (written from espeak's thread)."""

    def __init__(self, target: Any) -> None:
        self._target = target
        self._dropping: int | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)  # encoding, buffer, fileno... stay the real stream's

    def write(self, s: str) -> int:
        me = threading.get_ident()
        if s.startswith(_CHATTER):
            self._dropping = me
            return len(s)
        if self._dropping == me and s == "\n":
            self._dropping = None
            return len(s)
        return self._target.write(s)

    def flush(self) -> None:
        self._target.flush()


def wav_complete(path: Path) -> bool:
    """True when the canonical 44-byte-header WAV is fully written (RIFF and data sizes match the file)."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            head = f.read(_WAV_HEADER)
    except OSError:
        return False
    if size <= _WAV_HEADER or len(head) < _WAV_HEADER or head[:4] != b"RIFF" or head[36:40] != b"data":
        return False
    riff_size = struct.unpack("<I", head[4:8])[0]
    data_size = struct.unpack("<I", head[40:44])[0]
    return riff_size == size - 8 and data_size == size - _WAV_HEADER and data_size > 0


class _Engine:
    """The process's pyttsx3 espeak engine plus the hooks that tell when an utterance is really done."""

    def __init__(self) -> None:
        import pyttsx3  # imported here: loading libespeak-ng is not done at import time

        self.engine = pyttsx3.init("espeak")
        self._lib = ctypes.CDLL(ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1")
        self._get = self._lib.espeak_GetParameter
        self._get.argtypes = [ctypes.c_int, ctypes.c_int]
        self._get.restype = ctypes.c_int
        self._sample_rate = self._lib.espeak_ng_GetSampleRate
        self._sample_rate.restype = ctypes.c_int
        self._finished = threading.Event()
        self._completed = False
        self._errors: list[BaseException] = []
        self._voice: str | None = None
        self.engine.connect("finished-utterance", self._on_finished)
        self.engine.connect("error", self._on_error)

    def _on_finished(self, name: object = None, completed: bool = True, **_: object) -> None:
        self._completed = bool(completed)
        self._finished.set()

    def _on_error(self, name: object = None, exception: BaseException | None = None, **_: object) -> None:
        self._errors.append(exception or RuntimeError("unknown pyttsx3 error"))

    def current(self) -> tuple[int, int]:
        """(rate, volume) espeak will use now, read with espeak_GetParameter(param, current=1)."""
        return self._get(_RATE, 1), self._get(_VOLUME, 1)

    def sample_rate(self) -> int:
        """The rate espeak synthesizes at (the driver's WAV header always says 22050)."""
        return int(self._sample_rate())

    def _apply(self, req: Request) -> None:
        if req.voice != self._voice:
            self._errors.clear()
            self.engine.setProperty("voice", req.voice)
            if any(isinstance(e, ValueError) for e in self._errors):
                self._voice = None
                raise UnknownVoice(req.voice)
            # a fresh engine only queues the change: remember it once it has surely been made
            self._voice = None if self.engine.isBusy() else req.voice
        want = (req.rate_wpm, req.volume_percent)
        if self.current() == want:
            return
        self.engine.setProperty("rate", req.rate_wpm)
        self.engine.setProperty("volume", req.volume_percent / 100)
        if self.engine.isBusy():  # a fresh engine queues properties until runAndWait; checked after
            return
        deadline = time.monotonic() + _APPLY_TIMEOUT_SECONDS
        while self.current() != want and time.monotonic() < deadline:
            time.sleep(0.001)

    def render(self, text: str, req: Request, out: Path, timeout: float) -> None:
        """Write the utterance to `out`; raises Pyttsx3Failed naming what went wrong."""
        self._apply(req)
        self._finished.clear()
        self._completed = False
        self._errors.clear()
        real_stdout = sys.stdout
        sys.stdout = _StdoutFilter(real_stdout)
        try:
            self.engine.save_to_file(text, str(out))
            self.engine.runAndWait()
            deadline = time.monotonic() + timeout
            if not self._finished.wait(timeout):
                self.engine.stop()
                raise Pyttsx3Failed(f"no end of speech after {timeout:.0f} s")
            if not self._completed:
                raise Pyttsx3Failed("the utterance was cancelled")
            while not wav_complete(out):
                if time.monotonic() > deadline:
                    raise Pyttsx3Failed("no complete WAV file" if out.exists() else "no WAV file was written")
                time.sleep(0.002)
        finally:
            if isinstance(sys.stdout, _StdoutFilter):
                sys.stdout = real_stdout
        if any(isinstance(e, ValueError) and "voice" in str(e).lower() for e in self._errors):
            self._voice = None
            raise UnknownVoice(req.voice)
        if self._errors:
            raise Pyttsx3Failed(f"pyttsx3 reported {self._errors[0]!r}")
        got = self.current()
        if got != (req.rate_wpm, req.volume_percent):
            raise Pyttsx3Failed(f"settings not applied (rate/volume {got}, wanted "
                                f"{(req.rate_wpm, req.volume_percent)})")


def engine() -> _Engine:
    """The process's engine, made on first use; raises Pyttsx3Failed if pyttsx3 cannot start."""
    global _engine, _init_error
    if _engine is not None:
        return _engine
    if _init_error is not None:
        raise Pyttsx3Failed(_init_error)
    try:
        _engine = _Engine()
    except (ImportError, OSError, RuntimeError, AttributeError, KeyError) as exc:
        _init_error = f"pyttsx3 could not start ({type(exc).__name__}: {exc})"
        raise Pyttsx3Failed(_init_error) from exc
    return _engine


def render(text: str, req: Request, out: Path, timeout: float, attempts: int = 2) -> None:
    """Synthesize through pyttsx3 into `out`, retrying once; raises Pyttsx3Failed or UnknownVoice."""
    with _lock:
        eng = engine()
        for attempt in range(1, attempts + 1):
            try:
                eng.render(text, req, out, timeout)
                return
            except Pyttsx3Failed as exc:
                if "no end of speech" in str(exc):
                    _give_up(str(exc))
                    raise
                if attempt == attempts:
                    raise
                log.debug("pyttsx3 attempt %d failed (%s); trying again", attempt, exc)
                out.unlink(missing_ok=True)


def _give_up(reason: str) -> None:
    """A hung espeak thread stays hung: use the fallback for the rest of the process."""
    global _engine, _init_error
    _engine = None
    _init_error = f"pyttsx3 stopped answering earlier ({reason})"


def sample_rate() -> int:
    """espeak's synthesis rate (call after a successful render)."""
    with _lock:
        return engine().sample_rate()
