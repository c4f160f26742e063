"""Text to speech: espeak-ng renders to PCM; playing it is the speaker's job.

pyttsx3's espeak driver (2.99) drops rate changes between sentences and can return before
the file is written, so the same espeak-ng voices are driven through the espeak-ng program:
one short process per new phrase, no shared state, and a recent-phrase cache in front.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from voicecare.audio.chunk import AudioChunk
from voicecare.audio.wav import load_wav
from voicecare.errors import AudioError, BadInputError

log = logging.getLogger(__name__)

_SYNTH_TIMEOUT_SECONDS = 20.0
_FIX = "install espeak-ng (apt-get install espeak-ng), then run `voicecare doctor`"


@dataclass(frozen=True, slots=True)
class VoiceSettings:
    """How the assistant sounds."""

    rate_wpm: int = 150
    """Words per minute: slow and calm by default."""
    volume: float = 1.0
    """0.0 to 1.0, applied by the synthesizer."""
    voice: str | None = None
    """An espeak-ng voice (e.g. 'en-us', 'en-gb-x-rp', 'en+f3'), or None for English."""


class Voice:
    """The assistant's voice, with a cache of recent phrases (it repeats itself)."""

    def __init__(self, rate_wpm: int = 150, volume: float = 1.0, voice: str | None = None,
                 cache_phrases: int = 64) -> None:
        if not 40 <= rate_wpm <= 500:
            raise BadInputError(f"speech rate {rate_wpm} words per minute is out of range", "use 80 to 250")
        if not 0.0 <= volume <= 1.0:
            raise BadInputError(f"speech volume {volume} is out of range", "use a value from 0.0 to 1.0")
        self.settings = VoiceSettings(rate_wpm=rate_wpm, volume=volume, voice=voice)
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, AudioChunk] = OrderedDict()
        self._cache_phrases = cache_phrases

    def synthesize(self, text: str) -> AudioChunk:
        """The text as speech in the internal format; raises AudioError (the caller may retry)."""
        text = " ".join(text.split())
        if not text:
            raise BadInputError("nothing to say", "give some text")
        with self._lock:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                return cached
        chunk = self._render(text)
        with self._lock:
            self._cache[text] = chunk
            while len(self._cache) > self._cache_phrases:
                self._cache.popitem(last=False)
        return chunk

    def _command(self, out: Path) -> list[str]:
        exe = shutil.which("espeak-ng")
        if exe is None:
            raise AudioError("espeak-ng is not installed", _FIX)
        s = self.settings
        # espeak-ng amplitude: 0-200, 100 is its normal level
        return [exe, "-v", s.voice or "en", "-s", str(s.rate_wpm), "-a", str(round(s.volume * 100)),
                "-w", str(out), "--stdin"]

    def _render(self, text: str) -> AudioChunk:
        with tempfile.TemporaryDirectory(prefix="voicecare-tts-") as tmp:
            out = Path(tmp) / "speech.wav"
            cmd = self._command(out)
            try:
                proc = subprocess.run(cmd, input=text.encode(), capture_output=True,
                                      timeout=_SYNTH_TIMEOUT_SECONDS, check=False)
            except subprocess.TimeoutExpired:
                raise AudioError("speech synthesis timed out", _FIX) from None
            except OSError as exc:
                raise AudioError(f"speech synthesis would not start ({exc.strerror})", _FIX) from exc
            stderr = proc.stderr.decode(errors="replace").strip()
            if self.settings.voice and "does not exist" in stderr:
                raise AudioError(f"unknown speech voice {self.settings.voice!r}",
                                 "pick a voice from `espeak-ng --voices=en`")
            if proc.returncode != 0 or not out.exists() or out.stat().st_size <= 44:
                detail = stderr.splitlines()[-1] if stderr else f"exit {proc.returncode}"
                raise AudioError(f"speech synthesis failed ({detail})", _FIX)
            try:
                chunk = load_wav(out)
            except BadInputError as exc:
                raise AudioError(f"speech synthesis produced a broken file ({exc.what})", _FIX) from exc
        log.debug("synthesized %.2f s for %r", chunk.seconds, text[:60])
        return chunk

    def warm_up(self) -> None:
        """Render once, so the synthesizer's files are in the page cache before the first real sentence."""
        self.synthesize("Ready.")
