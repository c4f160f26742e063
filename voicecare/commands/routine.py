"""``voicecare routine NAME``: run a guided session on the speaker, or render it to a WAV."""

from __future__ import annotations

import argparse
import json
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from voicecare.commands._common import config_from
from voicecare.commands.run import journal_outcome, quiet_logging
from voicecare.content.exercises import SIDES, load_exercises
from voicecare.config import Config
from voicecare.runtime.assemble import LoopOptions, assemble, stop_on_signals
from voicecare.runtime.eventlog import EventLog

log = logging.getLogger(__name__)

NAME = "routine"


def register(sub: Any) -> None:
    p = sub.add_parser(NAME, help="run a guided session (stretches, strength, breathing, relief, desk break)")
    p.add_argument("name", metavar="NAME", help="the routine, e.g. daily_stretch or relief_glute")
    p.add_argument("--render", metavar="F.wav", type=Path,
                   help="write the whole session (speech, holds, cues) to this WAV instead of the speaker")
    p.add_argument("--json", action="store_true", help="print the events as JSON lines")
    p.add_argument("--side", choices=SIDES, help="the side in spasm, for side-aware instructions")
    p.add_argument("--content", type=Path, help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = config_from(args)
    if args.content is not None:  # a hidden override for trying out content; [paths] content_dir otherwise
        config = replace(config, paths=replace(config.paths, content_dir=args.content))
    programme = load_exercises(config.paths.content_dir)
    programme.routine(args.name)  # an unknown name fails here, listing the known ones (exit 2)
    from voicecare.audio.tones import tone
    from voicecare.speech.select import voice_from_config

    if args.render is not None:
        voice = voice_from_config(config)  # the voice and rate the live session uses
        from voicecare.audio.wav import write_wav
        from voicecare.render import render_routine

        audio, events = render_routine(args.name, programme, voice.synthesize, tone, side=args.side)
        write_wav(args.render, audio)
        for event in events:
            print_event(event, as_json=args.json)
        log.info("wrote %s (%.1f s)", args.render, audio.seconds)
        return 0
    return _play_live(args, config)


def print_event(event: dict[str, Any], *, as_json: bool) -> None:
    """One event line: JSON, or ``  12.30  say  And hold.`` for people."""
    if as_json:
        print(json.dumps(event), flush=True)
        return
    detail = {k: v for k, v in event.items() if k not in ("t", "type") and v is not None}
    text = detail.pop("text", None)
    words = " ".join(f"{k}={v}" for k, v in detail.items() if not (k == "interrupt" and v is False))
    print(f"{event['t']:8.2f}  {event['type']:<8} {text if text is not None else words}".rstrip(), flush=True)


def _play_live(args: argparse.Namespace, config: Config) -> int:
    """The session on the speaker, through the assistant's own loop, so it can be steered by voice."""
    quiet_logging(args, config)
    echo = (lambda event: print_event(event, as_json=args.json))
    options = LoopOptions(wake="off", greet=False, microphone_optional=True)
    loop, brain = assemble(config, options, EventLog(echo=echo))
    with stop_on_signals(loop):
        loop.say_now(brain.assistant.start_routine(args.name, loop.now, side=args.side))
        loop.run(until_idle=True)
    return journal_outcome(loop)
