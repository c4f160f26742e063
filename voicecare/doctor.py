"""``voicecare doctor``: check every part the assistant needs, and say how to fix what is broken.

Each check returns a frozen ``CheckResult``. A ``FAIL`` means the assistant cannot work as it
should (the command exits 1); a ``WARN`` is worth fixing but does not stop it.
"""

from __future__ import annotations

import logging
import math
import shutil
import time
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from voicecare.audio.chunk import RATE, AudioChunk
from voicecare.audio.noise import describe_room, noise_floor_dbfs
from voicecare.config import Config, ConfigErrors, load_config
from voicecare.errors import ConfigError, VoicecareError

log = logging.getLogger(__name__)

PROBE_PHRASE = "start my daily stretches"
"""Spoken by the voice and fed to the recognizer: an everyday request the content knows. (Its "hip"
sits so close to "glute" in the espeak-ng voice that the first probe, "my hip is cramping", came
out either way depending on which of the two espeak-ng renderings spoke it.)"""
PROBE_INTENT = "routine.daily_stretch"
VOICE_SENTENCE = "Hello. I am here to help with your hip."
SILENT_DBFS = -70.0
"""A microphone quieter than this (RMS, dB below full scale) is muted or disconnected."""
CLIPPING_DBFS = -3.0
DISK_WARN_BYTES = 100 * 1024 * 1024
DISK_FAIL_BYTES = 5 * 1024 * 1024
_NOWHERE = Path("/nonexistent/voicecare/config.toml")


class Status(str, Enum):
    """How a check went; only FAIL makes ``voicecare doctor`` exit non-zero."""

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One line of the report: what was checked, how it went, and how to fix it."""

    name: str
    status: Status
    detail: str
    fix: str = ""
    values: Mapping[str, Any] = field(default_factory=dict)
    """Measured figures (levels, seconds, bytes) for ``--json``."""

    @property
    def ok(self) -> bool:
        return self.status is not Status.FAIL

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status.value, "detail": self.detail, "fix": self.fix,
                "values": dict(self.values)}


@dataclass(frozen=True, slots=True)
class DoctorOptions:
    """What the checks may do beyond looking."""

    play: bool = False
    """Play a short, quiet chime on the speaker."""
    record_seconds: float = 1.0
    """How long to listen to the microphone."""


def _ok(name: str, detail: str, **values: Any) -> CheckResult:
    return CheckResult(name, Status.OK, detail, "", values)


def _warn(name: str, detail: str, fix: str, **values: Any) -> CheckResult:
    return CheckResult(name, Status.WARN, detail, fix, values)


def _fail(name: str, detail: str, fix: str, **values: Any) -> CheckResult:
    return CheckResult(name, Status.FAIL, detail, fix, values)


def _from_error(name: str, exc: VoicecareError, **values: Any) -> CheckResult:
    return _fail(name, exc.what, exc.fix, **values)


# --- configuration and content -----------------------------------------------------------


def check_config(explicit: Path | None) -> tuple[list[CheckResult], Config]:
    """Load the layered configuration; on mistakes, report each and go on with the built-in defaults."""
    try:
        config = load_config(explicit)
    except ConfigErrors as errors:
        results = [_from_error("config", problem) for problem in errors.problems]
    except ConfigError as exc:
        results = [_from_error("config", exc)]
    else:
        files = sorted({source for source in config.sources.values() if not source.startswith("default")})
        detail = f"loaded from {', '.join(files)}" if files else "built-in defaults (no config file found)"
        return [_ok("config", detail, files=files)], config
    return results, load_config(None, system=_NOWHERE, user=_NOWHERE)


@dataclass(slots=True)
class _Content:
    """What the content check loaded, reused by the recognizer check."""

    understander: Any = None


def check_content(config: Config, loaded: _Content) -> CheckResult:
    """Every content file loads and validates (texts, exercises, intents, reminders, lexicon)."""
    from voicecare.content.exercises import load_exercises
    from voicecare.content.intents import load_intents
    from voicecare.content.reminder_texts import load_reminder_texts
    from voicecare.content.texts import load_texts
    from voicecare.nlu import Understander

    folder = Path(config.paths.content_dir)
    try:
        texts = load_texts(folder)
        programme = load_exercises(folder)
        examples = load_intents(folder)
        load_reminder_texts(folder)
        understander = Understander.load(folder, threshold=config.speech.nlu_threshold)
    except VoicecareError as exc:
        return _from_error("content", exc)
    loaded.understander = understander
    return _ok("content", f"{folder}: {len(examples)} intents, {len(programme.exercises)} exercises, "
                          f"{len(programme.routines)} routines, {len(texts.answers)} answers",
               intents=len(examples), exercises=len(programme.exercises), routines=len(programme.routines))


# --- storage -------------------------------------------------------------------------------


def check_journal(config: Config) -> CheckResult:
    """The journal opens and can be written; a damaged one that was moved aside is only a warning."""
    from voicecare.journal import Journal
    from voicecare.runtime.build import journal_path

    path = journal_path(config)
    journal = Journal.open(path)
    try:
        problem = journal.health()
    finally:
        journal.close()
    if problem is None:
        return _ok("journal", f"{path} is healthy", path=str(path))
    what, _, fix = problem.partition(" — ")
    # The journal says "nothing to do" when it already recovered by itself.
    if fix.startswith("nothing to do"):
        return _warn("journal", what, fix, path=str(path))
    return _fail("journal", what, fix or "see the log for details", path=str(path))


def _existing(path: Path) -> Path:
    """The nearest folder that exists: the data folder may not have been created yet."""
    path = path.expanduser().absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_disk(config: Config, usage: Callable[[Path], Any] = shutil.disk_usage) -> CheckResult:
    """Free space where the journal lives (warn under 100 MB, fail under 5 MB)."""
    folder = Path(config.paths.data_dir)
    try:
        free = int(usage(_existing(folder)).free)
    except OSError as exc:
        return _fail("disk", f"cannot read the free space of {folder} ({exc.strerror})",
                     "check that the data folder's disk is mounted")
    text = f"{free / 1024 / 1024:.0f} MB free for {folder}"
    fix = "delete old files or move [paths] data_dir to a bigger disk"
    if free < DISK_FAIL_BYTES:
        return _fail("disk", f"only {text}", fix, free_bytes=free)
    if free < DISK_WARN_BYTES:
        return _warn("disk", f"only {text}", fix, free_bytes=free)
    return _ok("disk", text, free_bytes=free)


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


# --- all together --------------------------------------------------------------------------

CHECKS: tuple[str, ...] = ("config", "content", "journal", "disk", "tts", "recognizer", "microphone", "speaker",
                           "remote")


def run_checks(explicit_config: Path | None = None, options: DoctorOptions = DoctorOptions(),
               only: Iterable[str] | None = None) -> list[CheckResult]:
    """Run the checks in order (config always, to know what to check); one result per check."""
    wanted = set(CHECKS if only is None else only)
    unknown = wanted - set(CHECKS)
    if unknown:
        raise ValueError(f"unknown checks: {', '.join(sorted(unknown))}")
    results, config = check_config(explicit_config)
    loaded = _Content()
    steps: list[tuple[str, Callable[[], CheckResult]]] = [
        ("content", lambda: check_content(config, loaded)),
        ("journal", lambda: check_journal(config)),
        ("disk", lambda: check_disk(config)),
        ("tts", lambda: check_tts(config)),
        ("recognizer", lambda: check_recognizer(config, loaded)),
        ("microphone", lambda: check_microphone(config, options.record_seconds)),
        ("speaker", lambda: check_speaker(config, options.play)),
        ("remote", lambda: _check_remote(config)),
    ]
    if "recognizer" in wanted and "content" not in wanted:
        check_content(config, loaded)  # the recognizer's grammar comes from the content
    for name, step in steps:
        if name in wanted:
            results.append(_guarded(name, step))
    return results


def _check_remote(config: Config) -> CheckResult:
    """Every service outside this device that audio or words go to (voicecare.remote.health)."""
    from voicecare.remote.health import check_remote

    return check_remote(config)


def _guarded(name: str, step: Callable[[], CheckResult]) -> CheckResult:
    """A check that crashes is itself a failure to report, not a reason to stop checking."""
    try:
        return step()
    except VoicecareError as exc:
        return _from_error(name, exc)
    except Exception as exc:  # noqa: BLE001 - any library failure becomes one report line
        log.debug("check %s crashed", name, exc_info=True)
        return _fail(name, f"the check crashed ({type(exc).__name__}: {exc})", "run with --debug and report the log")


def all_ok(results: Iterable[CheckResult]) -> bool:
    """True when nothing the assistant needs is broken."""
    return all(result.ok for result in results)
