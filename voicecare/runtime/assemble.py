"""Putting the whole assistant together for ``run`` and live ``routine``: devices or files,
recognizer, voice, journal and core, all checked before the first sound."""

from __future__ import annotations

import contextlib
import logging
import signal
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from voicecare.asr.select import create_recognizer
from voicecare.listening.wake_stage import listening_for
from voicecare.asr.transcribe import domain_language
from voicecare.audio.frontend import listening_endpointer
from voicecare.audio.tones import tone
from voicecare.config import Config
from voicecare.content.listening import load_listening
from voicecare.core.actions import Say
from voicecare.errors import AudioError
from voicecare.remote.wiring import local_engine, with_remote
from voicecare.listening.enrolling import Enroller, Listeners, listeners_for, prints_to_store
from voicecare.listening.enrollment import EnrollmentStore
from voicecare.listening.pipeline import build_pipeline
from voicecare.errors import VoicecareError
from voicecare.runtime.build import Brain, StateSaver, build_brain, open_journal
from voicecare.runtime.enroll_offer import STATE_KEY as OFFER_KEY, EnrollOffer
from voicecare.runtime.eventlog import EventLog
from voicecare.runtime.hooks import EmergencyHook
from voicecare.runtime.journal_watch import PROMPT as JOURNAL_PROMPT, JournalWatch
from voicecare.runtime.loop import AudioLoop, LoopParts, LoopSettings
from voicecare.runtime.output import DeviceOutput, FileOutput
from voicecare.service import Notifier
from voicecare.speech.select import voice_from_config

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LoopOptions:
    """How this run differs from the configured default (command-line choices)."""

    input: str | None = None
    """A WAV standing in for the microphone."""
    output: str | None = None
    """A WAV standing in for the speaker (with ``input``)."""
    realtime: bool = False
    wake: str | None = None
    """Wake phrase for this run, ``off``, or None for the configured one."""
    engine: str | None = None
    start: datetime | None = None
    """Wall-clock time the input file starts at."""
    greet: bool = True
    microphone_optional: bool = False
    """Carry on without voice control when no microphone is found (live routines)."""
    offer_enrollment: bool | None = None
    """Offer to learn the person's voice when nobody is enrolled: None on the devices (once), not on files
    unless True."""


TYPED_INSTEAD = "; meanwhile `make chat` (or `voicecare chat`) runs the same dialog, typed"
"""Said whenever a device is missing: the assistant can still be tried without one."""


class NoMicrophone:
    """Stands in when there is no microphone: nothing is ever heard."""

    def read(self, timeout: float | None = None) -> None:
        time.sleep(timeout or 0.05)
        return None

    def close(self) -> None:
        """Nothing to release."""


def assemble(config: Config, options: LoopOptions, events: EventLog) -> tuple[AudioLoop, Brain]:
    """Build the loop; a missing model, device or bad content fails here, once and clearly."""
    microphone, output = _devices(config, options)
    journal = open_journal(config)
    brain = build_brain(config, journal, wake_phrase=options.wake)
    phrases, vocabulary = domain_language(Path(config.paths.content_dir),
                                          vocabulary=brain.understander.vocabulary())
    if brain.wake is not None:
        phrases = (*phrases, brain.wake.phrase)
    engine = options.engine or config.speech.engine
    recognizer = create_recognizer(local_engine(engine), model_dir=config.speech.model_dir,
                                   phrases=phrases, vocabulary=vocabulary,
                                   listening=load_listening(Path(config.paths.content_dir)))
    wake, spotter = listening_for(brain.wake, recognizer)
    voice = voice_from_config(config)
    voice.warm_up()
    if not options.input:  # on the device, render every content sentence ahead, in the background
        voice.cache_in_background(Path(config.paths.content_dir), {
            "number": config.safety.emergency_number, "wake": brain.wake.phrase if brain.wake else ""})
    recognizer, voice = with_remote(config, recognizer, voice, engine)  # Wyoming services, when configured
    listeners = enrolled_listeners(config, wake, spotter)
    parts = LoopParts(
        assistant=brain.assistant, microphone=microphone, output=output, voice=voice,
        recognizer=recognizer, understander=brain.understander, endpointer=listening_endpointer(config.audio),
        tones=tone, events=events, journal=journal, wake=wake, spotter=spotter,
        hook=EmergencyHook(config.safety.on_emergency, config.safety.on_emergency_timeout_seconds),
        notifier=None if options.input else Notifier(), save_state=StateSaver(journal),
        journal_watch=JournalWatch(journal, brain.texts.prompt(JOURNAL_PROMPT)),
    )
    settings = LoopSettings(barge_in=config.audio.barge_in)
    parts.pipeline = build_pipeline(brain.understander, wake, spotter, detector=listeners.detector,
                                    verifier=listeners.verifier, agreed_confidence=settings.agreed_confidence,
                                    on_adapted=_keep_adapted(config))
    loop = AudioLoop(parts, settings,
                     stream_clock=bool(options.input and not options.realtime), finite=bool(options.input),
                     wall_start=options.start)
    if options.greet and not options.input and brain.wake is not None:
        loop.say_now([Say(brain.texts.prompt("wake_prompt", wake=brain.wake.phrase))])
    if listeners.stale and not options.input:
        loop.say_now([Say(brain.texts.prompt("enroll_stale", wake=brain.wake.phrase))])
    offer = enrollment_offer(config, options, brain, wake, spotter, journal, parts, listeners)
    if offer is not None:
        parts.offer = offer
        loop.say_now(offer.start(loop.now))
    log.info("listening (%s, wake phrase %s)", recognizer.name,
             repr(brain.wake.phrase) if brain.wake else "off")
    return loop, brain


def enrolled_listeners(config: Config, wake: Any, spotter: Any) -> Listeners:
    """The wake detector and voice verifier of whoever is enrolled; a damaged store is one logged line,
    and the assistant listens as if nobody were enrolled."""
    store = EnrollmentStore.in_data_dir(config.paths.data_dir)
    try:
        return listeners_for(store.load(), wake.phrase if wake is not None else None, spotter)
    except VoicecareError as exc:
        log.error("%s; listening as if nobody were enrolled", exc.line())
        return Listeners()


def _keep_adapted(config: Config) -> Any:
    store = EnrollmentStore.in_data_dir(config.paths.data_dir)

    def keep(prints: Any) -> None:
        try:
            store.update_voices(prints_to_store(prints))
        except VoicecareError as exc:
            log.error("the adapted voice print is not kept: %s", exc.line())
    return keep


def enrollment_offer(config: Config, options: LoopOptions, brain: Brain, wake: Any, spotter: Any, journal: Any,
                     parts: LoopParts, listeners: Listeners) -> EnrollOffer | None:
    """The spoken offer to enroll: with nobody enrolled for this phrase, once, never on files unless asked."""
    wanted = options.offer_enrollment if options.offer_enrollment is not None else not options.input
    if not wanted or wake is None or listeners.detector is not None:
        return None
    if options.offer_enrollment is None and journal is not None and journal.get_state(OFFER_KEY):
        return None
    store = EnrollmentStore.in_data_dir(config.paths.data_dir)

    def enrolled() -> None:
        fresh = enrolled_listeners(config, wake, spotter)
        assert parts.pipeline is not None
        parts.pipeline.wake.detector = fresh.detector
        parts.pipeline.voice.verifier = fresh.verifier

    def remember(how: str) -> None:
        if journal is not None:
            journal.set_state(OFFER_KEY, {"state": how}, datetime.now().astimezone())

    return EnrollOffer(brain.texts, Enroller(wake.phrase, spotter), store, enrolled, remember)


def _devices(config: Config, options: LoopOptions) -> tuple[Any, Any]:
    if options.input:
        from voicecare.audio.files import FileMicrophone, FileSpeaker

        microphone = FileMicrophone(options.input, realtime=options.realtime)
        return microphone, FileOutput(FileSpeaker(options.output) if options.output else None)
    from voicecare.audio.devices import Microphone, Speaker

    problems: list[AudioError] = []
    microphone: Any = NoMicrophone()
    try:
        microphone = Microphone(config.audio.input_device)
        microphone.open()
    except AudioError as exc:
        microphone = NoMicrophone()
        if options.microphone_optional:
            log.warning("%s; carrying on without voice control", exc.line())
        else:
            problems.append(exc)
    try:
        speaker = Speaker(config.audio.output_device, volume=config.audio.volume)
    except AudioError as exc:
        problems.append(exc)
    if problems:
        microphone.close()
        raise missing_devices(problems)
    return microphone, DeviceOutput(speaker)


def missing_devices(problems: list[AudioError]) -> AudioError:
    """Every device problem in one line (fix them all in one go), and how to try it without them."""
    whats = list(dict.fromkeys(problem.what for problem in problems))
    fixes = list(dict.fromkeys(problem.fix for problem in problems if problem.fix))
    hint = ", then run `voicecare devices`"
    if len(fixes) > 1 and all(fix.endswith(hint) for fix in fixes):
        fixes = [" and ".join(fix.removesuffix(hint) for fix in fixes) + hint]
    return AudioError("; ".join(whats), "; ".join(fixes) + TYPED_INSTEAD)


@contextlib.contextmanager
def stop_on_signals(loop: AudioLoop) -> Iterator[None]:
    """SIGINT and SIGTERM end the loop cleanly, mid-sentence or mid-hold."""
    def stop(signum: int, _frame: Any) -> None:
        log.info("stopping on signal %d", signum)
        loop.stop()

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
