"""Text to speech: pyttsx3 (espeak-ng) renders to PCM; playing it is the speaker's job.

pyttsx3's espeak driver needs care to be reliable (see voicecare.speech.pyttsx3_backend for what goes
wrong and how it is handled). If pyttsx3 cannot start or fails on a sentence, the same espeak-ng voices
are used through the espeak-ng program instead, with one warning that says why. A recent-phrase cache
sits in front of both.
"""

from __future__ import annotations

import enum
import logging
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from voicecare.audio.chunk import AudioChunk
from voicecare.audio.convert import to_internal
from voicecare.audio.wav import load_wav, read_wav
from voicecare.errors import AudioError, BadInputError
from voicecare.speech import pyttsx3_backend
from voicecare.speech.recent import RecentPhrases

log = logging.getLogger(__name__)

_SYNTH_TIMEOUT_SECONDS = 20.0
_FIX = "install espeak-ng (apt-get install espeak-ng), then run `voicecare doctor`"
_VOICE_FIX = "pick a voice from `espeak-ng --voices=en`"
_DEFAULT_VOICE = "en"


class Backend(enum.Enum):
    """Which synthesizer produced the audio."""

    PYTTSX3 = "pyttsx3"
    ESPEAK_NG = "espeak-ng program"


@dataclass(frozen=True, slots=True)
class VoiceSettings:
    """How the assistant sounds."""

    rate_wpm: int = 150
    """Words per minute: slow and calm by default."""
    volume: float = 1.0
    """0.0 to 1.0, applied by the synthesizer."""
    voice: str | None = None
    """An espeak-ng voice (e.g. 'en-us', 'en-gb-x-rp', 'en+f3'), or None for English."""


def _pyttsx3_timeout(text: str) -> float:
    """Generous: a Raspberry Pi renders far faster than real time, so only a hang hits this."""
    return 10.0 + 0.2 * len(text.split())


class Voice:
    """The assistant's voice, with a cache of recent phrases (it repeats itself)."""

    def __init__(self, rate_wpm: int = 150, volume: float = 1.0, voice: str | None = None,
                 cache_phrases: int = 64) -> None:
        if not 40 <= rate_wpm <= 500:
            raise BadInputError(f"speech rate {rate_wpm} words per minute is out of range", "use 80 to 250")
        if not 0.0 <= volume <= 1.0:
            raise BadInputError(f"speech volume {volume} is out of range", "use a value from 0.0 to 1.0")
        self.settings = VoiceSettings(rate_wpm=rate_wpm, volume=volume, voice=voice)
        self._recent = RecentPhrases(cache_phrases)
        self._backend: Backend | None = None
        self._fallback_reason: str | None = None
        self._warned: set[str] = set()

    @property
    def backend(self) -> Backend | None:
        """The synthesizer that produced the latest new audio (None before the first sentence)."""
        return self._backend

    @property
    def fallback_reason(self) -> str | None:
        """Why the latest new audio came from the espeak-ng program instead of pyttsx3, if it did."""
        return self._fallback_reason

    def synthesize(self, text: str) -> AudioChunk:
        """The text as speech in the internal format; raises AudioError (the caller may retry)."""
        text = " ".join(text.split())
        if not text:
            raise BadInputError("nothing to say", "give some text")
        cached = self._recent.get(text)
        if cached is not None:
            return cached
        chunk = self._render(text)
        self._recent.put(text, chunk)
        return chunk

    def _render(self, text: str) -> AudioChunk:
        with tempfile.TemporaryDirectory(prefix="voicecare-tts-") as tmp:
            try:
                chunk = self._render_pyttsx3(text, Path(tmp) / "pyttsx3.wav")
                self._backend, self._fallback_reason = Backend.PYTTSX3, None
            except pyttsx3_backend.Pyttsx3Failed as exc:
                reason = str(exc)
                self._warn(reason)
                try:
                    chunk = self._render_program(text, Path(tmp) / "espeak-ng.wav")
                except AudioError as err:
                    raise AudioError(f"{err.what}; pyttsx3 failed too ({reason})", err.fix) from err
                self._backend, self._fallback_reason = Backend.ESPEAK_NG, reason
        log.debug("synthesized %.2f s with %s for %r", chunk.seconds, self._backend.value, text[:60])
        return chunk

    def _warn(self, reason: str) -> None:
        """One warning per distinct reason, so a broken pyttsx3 does not flood the log."""
        if reason in self._warned:
            log.debug("pyttsx3 failed (%s); using the espeak-ng program", reason)
            return
        self._warned.add(reason)
        log.warning("pyttsx3 failed (%s); using the espeak-ng program instead", reason)

    def _render_pyttsx3(self, text: str, out: Path) -> AudioChunk:
        s = self.settings
        req = pyttsx3_backend.Request(rate_wpm=s.rate_wpm, volume_percent=round(s.volume * 100),
                                      voice=s.voice or _DEFAULT_VOICE)
        try:
            pyttsx3_backend.render(text, req, out, _pyttsx3_timeout(text))
        except pyttsx3_backend.UnknownVoice:
            raise AudioError(f"unknown speech voice {s.voice!r}", _VOICE_FIX) from None
        try:
            raw = read_wav(out)
        except BadInputError as exc:
            raise pyttsx3_backend.Pyttsx3Failed(f"unreadable WAV ({exc.what})") from exc
        true_rate = pyttsx3_backend.sample_rate()
        if raw.rate != true_rate:  # the driver's header always claims 22050 Hz
            raw = AudioChunk(rate=true_rate, width=raw.width, channels=raw.channels, audio=raw.audio)
        if not raw.array().any():
            raise pyttsx3_backend.Pyttsx3Failed("the audio is silent")
        return to_internal(raw)

    def _command(self, out: Path) -> list[str]:
        exe = shutil.which("espeak-ng")
        if exe is None:
            raise AudioError("espeak-ng is not installed", _FIX)
        s = self.settings
        # espeak-ng amplitude: 0-200, 100 is its normal level (pyttsx3 volume 1.0 is the same 100)
        return [exe, "-v", s.voice or _DEFAULT_VOICE, "-s", str(s.rate_wpm), "-a", str(round(s.volume * 100)),
                "-w", str(out), "--stdin"]

    def _render_program(self, text: str, out: Path) -> AudioChunk:
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
            raise AudioError(f"unknown speech voice {self.settings.voice!r}", _VOICE_FIX)
        if proc.returncode != 0 or not out.exists() or out.stat().st_size <= 44:
            detail = stderr.splitlines()[-1] if stderr else f"exit {proc.returncode}"
            raise AudioError(f"speech synthesis failed ({detail})", _FIX)
        try:
            return load_wav(out)
        except BadInputError as exc:
            raise AudioError(f"speech synthesis produced a broken file ({exc.what})", _FIX) from exc

    def warm_up(self) -> None:
        """Render once, so the synthesizer's files are in the page cache before the first real sentence."""
        self.synthesize("Ready.")
