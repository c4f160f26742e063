"""The doctor's checks of what speaks and hears: the voice, the recognizer, the microphone and
the speaker, each measured (levels, seconds) and reported as a ``CheckResult``."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from voicecare.audio.chunk import RATE, AudioChunk
from voicecare.audio.noise import describe_room, noise_floor_dbfs
from voicecare.config import Config
from voicecare.doctor.results import CheckResult, _Content, _fail, _from_error, _ok, _warn
from voicecare.errors import VoicecareError

PROBE_PHRASE = "start my daily stretches"
"""Spoken by the voice and fed to the recognizer: an everyday request the content knows. (Its "hip"
sits so close to "glute" in the espeak-ng voice that the first probe, "my hip is cramping", came
out either way depending on which of the two espeak-ng renderings spoke it.)"""
PROBE_INTENT = "routine.daily_stretch"
VOICE_SENTENCE = "Hello. I am here to help with your hip."
SILENT_DBFS = -70.0
"""A microphone quieter than this (RMS, dB below full scale) is muted or disconnected."""
CLIPPING_DBFS = -3.0


# --- speech --------------------------------------------------------------------------------


def _level_dbfs(samples: np.ndarray) -> tuple[float, float]:
    """RMS and peak level of int16 samples in dB below full scale (-inf for digital silence)."""
    x = samples.astype(np.float64) / 32768.0
    if len(x) == 0:
        return -math.inf, -math.inf
    return _db(float(np.sqrt(np.mean(x * x)))), _db(float(np.max(np.abs(x))))


def _db(amplitude: float) -> float:
    return 20.0 * math.log10(amplitude) if amplitude > 0 else -math.inf


def _voice(config: Config) -> Any:
    from voicecare.speech.select import voice_from_config

    return voice_from_config(config, store_new=False)


def check_tts(config: Config) -> CheckResult:
    """The voice can speak a sentence, audibly, and how long that takes."""
    try:
        voice = _voice(config)
        began = time.perf_counter()
        audio: AudioChunk = voice.synthesize(VOICE_SENTENCE)
        seconds = time.perf_counter() - began
    except VoicecareError as exc:
        return _from_error("tts", exc)
    choice = voice.choice
    backend = voice.backend
    rms, _peak = _level_dbfs(audio.array())
    values = {"backend": backend, "voice": choice.voice, "why": choice.reason,
              "synth_seconds": round(seconds, 3), "audio_seconds": round(audio.seconds, 3)}
    detail = f"{choice.describe()} spoke {audio.seconds:.1f} s of speech in {seconds:.2f} s"
    if voice.fallback_reason and backend != choice.kind:
        return _warn("tts", f"{detail}, but it failed ({voice.fallback_reason}): espeak-ng spoke instead",
                     choice.fix or "run `voicecare voice install`", **values)
    if rms < SILENT_DBFS:
        return _warn("tts", f"{detail}, but it is silent", "raise [audio] volume in the config", **values)
    if choice.fallback:
        return _warn("tts", detail, choice.fix, **values)
    if voice.cache is not None:
        sentences, size = voice.cache.size()
        values.update(cache_sentences=sentences, cache_bytes=size)
        detail += f"; {sentences} sentences rendered ahead ({size / 1e6:.1f} MB)"
    return _ok("tts", detail, **values)


def check_recognizer(config: Config, loaded: _Content) -> CheckResult:
    """The configured engine loads its model and recognizes a phrase spoken by the voice."""
    from voicecare.asr.select import create_recognizer

    from voicecare.asr.transcribe import domain_language

    phrases: Any = [PROBE_PHRASE]
    vocabulary: Any = ()
    if loaded.understander is not None:  # the same language the assistant listens with
        phrases, vocabulary = domain_language(Path(config.paths.content_dir),
                                              vocabulary=loaded.understander.vocabulary())
    engine = config.speech.engine
    try:
        began = time.perf_counter()
        recognizer = create_recognizer(engine, model_dir=config.speech.model_dir, phrases=phrases,
                                       vocabulary=vocabulary)
        load_seconds = time.perf_counter() - began
        probe = _voice(config).synthesize(PROBE_PHRASE)
        began = time.perf_counter()
        transcript = recognizer.transcribe(probe)
        decode_seconds = time.perf_counter() - began
    except VoicecareError as exc:
        return _from_error("recognizer", exc, engine=engine)
    heard = transcript.text.strip()
    values = {"engine": recognizer.name, "load_seconds": round(load_seconds, 3),
              "decode_seconds": round(decode_seconds, 3), "heard": heard}
    timing = f"loaded in {load_seconds:.2f} s, decoded in {decode_seconds:.2f} s"
    if loaded.understander is not None:
        recognized = loaded.understander.understand(heard).intent == PROBE_INTENT
    else:
        recognized = heard.lower() == PROBE_PHRASE
    if recognized:
        return _ok("recognizer", f"{recognizer.name} recognized {heard!r} ({timing})", **values)
    return _warn("recognizer", f"{recognizer.name} heard {heard!r} for {PROBE_PHRASE!r} ({timing})",
                 "speech may be misheard: install the Vosk model with `voicecare model install`", **values)


# --- sound devices -------------------------------------------------------------------------


def check_microphone(config: Config, seconds: float = 1.0) -> CheckResult:
    """Record about ``seconds`` from the configured microphone and report its level."""
    from voicecare.audio import devices

    try:
        microphone = devices.Microphone(config.audio.input_device)
        microphone.open()
        try:
            blocks = _record(microphone, seconds)
        finally:
            microphone.close()
    except VoicecareError as exc:
        return _from_error("microphone", exc)
    name = microphone.info.name
    if not blocks:
        return _fail("microphone", f"microphone {name!r} gave no sound in {seconds + 2:.0f} s", devices.NO_MIC_FIX)
    samples = np.concatenate([block.array() for block in blocks])
    rms, peak = _level_dbfs(samples)
    values = {"device": name, "rms_dbfs": round(rms, 1) if rms > -math.inf else None,
              "peak_dbfs": round(peak, 1) if peak > -math.inf else None, "seconds": round(len(samples) / RATE, 2)}
    level = f"{rms:.0f} dBFS" if rms > -math.inf else "digital silence"
    if rms < SILENT_DBFS:
        return _warn("microphone", f"{name!r} is silent ({level})",
                     "unmute it and raise the capture level (alsamixer, F4), or pick another input", **values)
    if peak > CLIPPING_DBFS and rms > -12.0:
        return _warn("microphone", f"{name!r} is too loud ({level}, clipping)",
                     "lower the capture level (alsamixer, F4)", **values)
    floor = noise_floor_dbfs(samples)
    meaning, loud = describe_room(floor)
    values["noise_floor_dbfs"] = round(floor, 1)
    detail = f"{name!r} records, level {level}; room noise {floor:.0f} dBFS ({meaning})"
    if loud:
        return _warn("microphone", detail, "turn the television or radio down, or put the microphone nearer to "
                     "where the person sits or lies", **values)
    return _ok("microphone", detail, **values)


def _record(microphone: Any, seconds: float) -> list[AudioChunk]:
    """Blocks until ``seconds`` of audio have arrived, giving up two seconds later."""
    blocks: list[AudioChunk] = []
    got = 0.0
    deadline = time.monotonic() + seconds + 2.0
    while got < seconds and time.monotonic() < deadline:
        block = microphone.read(timeout=0.1)
        if block is not None:
            blocks.append(block)
            got += block.seconds
    return blocks


def check_speaker(config: Config, play: bool = False) -> CheckResult:
    """Find the configured speaker; with ``play``, sound a short quiet chime on it."""
    from voicecare.audio import devices
    from voicecare.audio.tones import tone

    try:
        info = devices.find_device(config.audio.output_device, "output")
        if not play:
            return _ok("speaker", f"{info.name!r} found (add --play to hear a chime)", device=info.name)
        speaker = devices.Speaker(config.audio.output_device, volume=min(config.audio.volume, 0.5))
        try:
            speaker.play(tone("chime"))
            finished = speaker.wait(timeout=5.0)
            speaker.play(AudioChunk.silence(0.02))  # reports a failure of the chime, if any
            speaker.wait(timeout=1.0)
        finally:
            speaker.close()
    except VoicecareError as exc:
        return _from_error("speaker", exc)
    if not finished:
        return _fail("speaker", f"{info.name!r} did not finish a 1-second chime", devices.NO_SPEAKER_FIX,
                     device=info.name)
    return _ok("speaker", f"{info.name!r} played a chime", device=info.name)
