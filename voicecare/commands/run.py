"""``voicecare run``: the assistant, on the microphone and speaker or on files standing in for them."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
from pathlib import Path
from typing import Any, Iterator, TextIO

from voicecare.asr.select import create_recognizer
from voicecare.audio.endpoint import Endpointer
from voicecare.audio.tones import tone
from voicecare.commands._common import config_from, parse_start
from voicecare.config import Config
from voicecare.content.intents import load_intents
from voicecare.core.actions import Say
from voicecare.errors import BadInputError
from voicecare.runtime.build import StateSaver, build_brain, open_journal
from voicecare.runtime.eventlog import EventLog
from voicecare.runtime.hooks import EmergencyHook
from voicecare.runtime.loop import AudioLoop, LoopParts, LoopSettings
from voicecare.runtime.output import DeviceOutput, FileOutput
from voicecare.service import Notifier
from voicecare.speech.tts import Voice

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="the assistant: listen, understand, answer, until stopped")
    p.add_argument("--input", metavar="IN.wav", help="a WAV file stands in for the microphone")
    p.add_argument("--output", metavar="OUT.wav", help="write the assistant's speech to a WAV (with --input)")
    p.add_argument("--events", metavar="EV.jsonl", help="write the event log (JSON lines) to this file")
    p.add_argument("--realtime", action="store_true",
                   help="with --input: play the file at real speed; t counts from its first sample")
    p.add_argument("--wake", metavar="PHRASE", help="wake phrase for this run, or 'off'")
    p.add_argument("--engine", choices=("auto", "vosk", "pocketsphinx"), help="speech recognizer (default from config)")
    p.add_argument("--start", metavar="ISO", help="with --input: the wall-clock time the input starts at")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.output and not args.input:
        raise BadInputError("--output needs --input", "give both, or neither to use the microphone and speaker")
    if (args.realtime or args.start) and not args.input:
        raise BadInputError("--realtime and --start need --input", "add --input IN.wav")
    config = config_from(args)
    if not args.debug:
        logging.getLogger("voicecare").setLevel(logging.DEBUG if config.logging.debug else logging.INFO)
    with contextlib.ExitStack() as stack:
        events_stream = stack.enter_context(_open_events(args.events))
        loop = _build_loop(args, config, events_stream)
        stack.enter_context(_stop_on_signals(loop))
        loop.run()
    return 0


def _build_loop(args: argparse.Namespace, config: Config, events_stream: TextIO | None) -> AudioLoop:
    """Everything is loaded and checked before the first sound: a bad part fails at start-up."""
    microphone, output = _devices(args, config)
    journal = open_journal(config)
    brain = build_brain(config, journal, wake_phrase=args.wake)
    examples = load_intents(Path(config.paths.content_dir))
    phrases = [example for intent in sorted(examples) for example in examples[intent]]
    if brain.wake is not None:
        phrases.append(brain.wake.phrase)
    vocabulary = brain.understander.vocabulary()
    recognizer = create_recognizer(args.engine or config.speech.engine, model_dir=config.speech.model_dir,
                                   phrases=phrases, vocabulary=vocabulary)
    voice = Voice(rate_wpm=config.speech.voice_rate_wpm, volume=config.audio.volume,
                  voice=config.speech.voice or None)
    voice.warm_up()
    parts = LoopParts(
        assistant=brain.assistant, microphone=microphone, output=output, voice=voice,
        recognizer=recognizer, understander=brain.understander, endpointer=Endpointer(),
        tones=tone, events=EventLog(events_stream), journal=journal, wake=brain.wake,
        hook=EmergencyHook(config.safety.on_emergency, config.safety.on_emergency_timeout_seconds),
        notifier=None if args.input else Notifier(), save_state=StateSaver(journal),
    )
    settings = LoopSettings(barge_in=config.audio.barge_in)
    loop = AudioLoop(parts, settings, stream_clock=bool(args.input and not args.realtime),
                     finite=bool(args.input), wall_start=parse_start(args.start) if args.input else None)
    if not args.input:
        greeting = brain.texts.prompt("wake_prompt", wake=brain.wake.phrase) if brain.wake else None
        loop.say_now([Say(greeting)] if greeting else [])
    log.info("listening (%s, wake phrase %s)", recognizer.name, repr(brain.wake.phrase) if brain.wake else "off")
    return loop


def _devices(args: argparse.Namespace, config: Config) -> tuple[Any, Any]:
    if args.input:
        from voicecare.audio.files import FileMicrophone, FileSpeaker

        microphone = FileMicrophone(args.input, realtime=args.realtime)
        return microphone, FileOutput(FileSpeaker(args.output) if args.output else None)
    from voicecare.audio.devices import Microphone, Speaker

    microphone = Microphone(config.audio.input_device)
    microphone.open()
    speaker = Speaker(config.audio.output_device, volume=config.audio.volume)
    return microphone, DeviceOutput(speaker)


@contextlib.contextmanager
def _open_events(path: str | None) -> Iterator[TextIO | None]:
    if path is None:
        yield None
        return
    try:
        stream = open(path, "w", encoding="utf-8")
    except OSError as exc:
        raise BadInputError(f"cannot write the event log {path} ({exc.strerror})", "choose a writable path") from None
    with stream:
        yield stream


@contextlib.contextmanager
def _stop_on_signals(loop: AudioLoop) -> Iterator[None]:
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
