"""Piper neural voices (``piper-tts``, ONNX Runtime on the CPU): natural speech, offline.

Piper speaks at its own pace; the configured words per minute are met by scaling phoneme length
(``length_scale``) against the pace the voice has at its default scale. Audio comes out at the
voice's own rate (22050 Hz for medium voices) and is converted once, here, to the internal format.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from voicecare.audio.chunk import AudioChunk
from voicecare.audio.convert import to_internal
from voicecare.errors import AudioError, ModelError
from voicecare.speech.voices import PiperVoiceFiles

log = logging.getLogger(__name__)

NATURAL_WPM = 200.0
"""The rate setting a Piper medium voice speaks at with its default length scale."""
FIXED_SHARE = 0.35
"""Share of a sentence's length that does not scale with ``length_scale`` (every phoneme lasts at
least a frame). Measured on en_US-joe-medium: a sentence lasts about 0.78 s + 1.53 s x scale. With
these two figures a rate sounds as fast as espeak-ng at the same rate (110, 150 and 220 words a
minute within 12%), and halving the rate doubles the length."""
LENGTH_SCALES = (0.4, 3.0)
MAX_PART_WORDS = 8
"""Longer sentences are synthesised a clause at a time (split after commas): the network's working
memory grows with the length of what it renders, about 22 MB a second of speech."""
PEAK = 0.85
"""Each sentence is normalised to this peak (full scale at volume 1.0 would clip after resampling)."""
_FIX = "run `voicecare voice install` again, or set [speech] tts = \"pyttsx3\""


class PiperUnavailable(Exception):
    """Piper cannot speak here (package missing, or the voice will not load); the reason says which."""


@dataclass(frozen=True, slots=True)
class PiperSettings:
    """How a Piper voice is asked to speak."""

    rate_wpm: int = 150
    """Words per minute."""
    volume: float = 1.0
    """0.0 to 1.0, a multiplier on the normalised sentence."""
    threads: int = 1
    """ONNX Runtime threads: one leaves a core for listening on a Raspberry Pi."""


class PiperSynth:
    """One loaded Piper voice; thread-safe (a background cache build and the loop share it)."""

    kind = "piper"

    def __init__(self, files: PiperVoiceFiles, settings: PiperSettings = PiperSettings()) -> None:
        if not 40 <= settings.rate_wpm <= 500:
            raise AudioError(f"speech rate {settings.rate_wpm} words per minute is out of range", "use 80 to 250")
        self.files = files
        self.settings = settings
        self._lock = threading.Lock()
        began = time.perf_counter()
        self._voice = _load(files, settings.threads)
        self.load_seconds = time.perf_counter() - began
        self.sample_rate = int(self._voice.config.sample_rate)
        from piper import SynthesisConfig

        base = float(getattr(self._voice.config, "length_scale", 1.0) or 1.0)
        self._config = SynthesisConfig(length_scale=base * length_scale(settings.rate_wpm),
                                       volume=PEAK * settings.volume, normalize_audio=True)
        log.info("Piper voice %s loaded from %s in %.2f s", files.name, files.source, self.load_seconds)

    @property
    def name(self) -> str:
        return self.files.name

    def render(self, text: str, *, give_way: threading.Event | None = None) -> AudioChunk:
        """One sentence (or a few) as speech in the internal format; raises AudioError.

        With ``give_way`` (a background render), each clause waits while the event is set, so a
        sentence someone is waiting for goes first, after at most one clause.
        """
        try:
            if give_way is None:
                with self._lock:
                    parts = [c.audio_float_array for clause in clauses(text)
                             for c in self._voice.synthesize(clause, self._config)]
            else:
                parts = []
                for clause in clauses(text):
                    while give_way.is_set():
                        time.sleep(0.005)
                    with self._lock:
                        parts += [c.audio_float_array for c in self._voice.synthesize(clause, self._config)]
        except Exception as exc:  # onnxruntime and the phonemizer raise many kinds; all mean the same here
            raise AudioError(f"Piper could not speak {text[:40]!r} ({type(exc).__name__}: {exc})", _FIX) from exc
        _trim_heap()
        if not parts:
            raise AudioError(f"Piper produced no audio for {text[:40]!r}", "check the text has words in it")
        audio = np.concatenate(parts) if len(parts) > 1 else parts[0]
        return to_internal(AudioChunk.from_array(audio.astype(np.float32), rate=self.sample_rate))


class LazyPiper:
    """A Piper voice loaded on first use: with a complete phrase cache it may never be needed."""

    kind = "piper"

    def __init__(self, files: PiperVoiceFiles, settings: PiperSettings = PiperSettings()) -> None:
        self.files = files
        self.settings = settings
        self._synth: PiperSynth | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._synth is not None

    @property
    def name(self) -> str:
        return self.files.name

    def render(self, text: str) -> AudioChunk:
        with self._lock:
            if self._synth is None:
                try:
                    self._synth = PiperSynth(self.files, self.settings)
                except PiperUnavailable as exc:
                    raise AudioError(str(exc), _FIX) from exc
        return self._synth.render(text)


_malloc_trim: Any = None
"""glibc's malloc_trim, found on first use (False where there is none)."""


def _trim_heap() -> None:
    """Give the sentence's freed working memory back to the system (glibc keeps it otherwise)."""
    global _malloc_trim
    if _malloc_trim is None:
        try:
            _malloc_trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


def clauses(text: str, max_words: int | None = None) -> list[str]:
    """The text in parts of at most about ``max_words`` words, split only after a comma or semicolon."""
    max_words = MAX_PART_WORDS if max_words is None else max_words
    words = text.split()
    if len(words) <= max_words:
        return [text]
    parts: list[list[str]] = [[]]
    for i, word in enumerate(words):
        parts[-1].append(word)
        left = len(words) - i - 1
        if word.endswith((",", ";", ":")) and len(parts[-1]) >= 4 and left >= 4 and (
                len(parts[-1]) + _next_clause(words, i + 1) > max_words):
            parts.append([])
    return [" ".join(p) for p in parts if p]


def _next_clause(words: list[str], start: int) -> int:
    """Words up to and including the next comma (or to the end)."""
    for n, word in enumerate(words[start:], 1):
        if word.endswith((",", ";", ":")):
            return n
    return len(words) - start


def length_scale(rate_wpm: float) -> float:
    """Piper's length scale for a rate in words per minute (see FIXED_SHARE)."""
    scale = (NATURAL_WPM / rate_wpm - FIXED_SHARE) / (1.0 - FIXED_SHARE)
    return min(max(scale, LENGTH_SCALES[0]), LENGTH_SCALES[1])


def _load(files: PiperVoiceFiles, threads: int) -> Any:
    """The voice with a lean ONNX session; PiperUnavailable names what is missing or broken."""
    try:
        import onnxruntime
        from piper import PiperVoice
        from piper.config import PiperConfig
    except ImportError as exc:
        raise PiperUnavailable(f"piper-tts is not installed ({exc.name})") from exc
    try:
        config = PiperConfig.from_dict(json.loads(files.config.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PiperUnavailable(f"voice settings {files.config} are unreadable ({exc})") from exc
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    try:
        session = onnxruntime.InferenceSession(str(files.model), sess_options=options,
                                               providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own Fail/InvalidProtobuf types
        raise PiperUnavailable(f"voice {files.model} will not load ({type(exc).__name__})") from exc
    return PiperVoice(session=_ShrinkingSession(session, onnxruntime), config=config)


class _ShrinkingSession:
    """The ONNX session, returning its working memory after every sentence.

    Without this the arena keeps the largest buffers it ever needed, and with many sentence lengths
    it fragments: a build of every content sentence grew to 455 MB, with it about 300 MB.
    """

    def __init__(self, session: Any, onnxruntime: Any) -> None:
        self._session = session
        self._options = onnxruntime.RunOptions()
        self._options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")

    def run(self, output_names: Any, feeds: Any) -> Any:
        return self._session.run(output_names, feeds, self._options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def check_voice_files(files: PiperVoiceFiles) -> None:
    """Raise ModelError when a voice's settings are not Piper's (used after a download)."""
    try:
        data = json.loads(files.config.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{files.config.name} is not valid JSON ({exc})", _FIX) from exc
    if not isinstance(data, dict) or "audio" not in data or "phoneme_id_map" not in data:
        raise ModelError(f"{files.config.name} is not a Piper voice's settings (no audio or phoneme_id_map)", _FIX)
