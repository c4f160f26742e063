"""``voicecare run``: the assistant, on the microphone and speaker or on files standing in for them."""

from __future__ import annotations

import argparse
import contextlib
import logging
from typing import Iterator, TextIO

from voicecare.commands._common import config_from, parse_start
from voicecare.config import Config
from voicecare.errors import BadInputError
from voicecare.runtime.assemble import LoopOptions, assemble, stop_on_signals
from voicecare.runtime.eventlog import EventLog
from voicecare.runtime.loop import AudioLoop

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
    p.add_argument("--offer-enrollment", action="store_true",
                   help="with --input: offer to learn the voice, as a first start on the devices does")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.output and not args.input:
        raise BadInputError("--output needs --input", "give both, or neither to use the microphone and speaker")
    if (args.realtime or args.start) and not args.input:
        raise BadInputError("--realtime and --start need --input", "add --input IN.wav")
    config = config_from(args)
    quiet_logging(args, config)
    options = LoopOptions(input=args.input, output=args.output, realtime=args.realtime, wake=args.wake,
                          engine=args.engine, start=parse_start(args.start) if args.input else None,
                          offer_enrollment=True if args.offer_enrollment else None)
    with contextlib.ExitStack() as stack:
        events_stream = stack.enter_context(open_events(args.events))
        loop, _ = assemble(config, options, EventLog(events_stream))
        stack.enter_context(stop_on_signals(loop))
        loop.run()
    return journal_outcome(loop)


def journal_outcome(loop: AudioLoop) -> int:
    """0, or raise (exit 1) when records could not be kept: a run must not end quietly having lost them."""
    watch = loop.p.journal_watch
    problem = watch.outcome() if watch is not None else None
    if problem is not None:
        raise problem
    return 0


def quiet_logging(args: argparse.Namespace, config: Config) -> None:
    """INFO for the long-running assistant (journald), DEBUG only when asked."""
    if not args.debug:
        logging.getLogger("voicecare").setLevel(logging.DEBUG if config.logging.debug else logging.INFO)


@contextlib.contextmanager
def open_events(path: str | None) -> Iterator[TextIO | None]:
    if path is None:
        yield None
        return
    try:
        stream = open(path, "w", encoding="utf-8")
    except OSError as exc:
        raise BadInputError(f"cannot write the event log {path} ({exc.strerror})", "choose a writable path") from None
    with stream:
        yield stream
