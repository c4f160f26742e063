"""``voicecare routine NAME``: run a guided session on the speaker, or render it to a WAV."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any, Callable

from voicecare.audio.chunk import AudioChunk
from voicecare.content.exercises import SIDES, load_exercises
from voicecare.content.loader import DEFAULT_CONTENT_DIR
from voicecare.core.actions import Action, Say, SpeechDone, StopSpeaking, Tick, Tone
from voicecare.core.session import SessionRunner
from voicecare.errors import AudioError

log = logging.getLogger(__name__)

NAME = "routine"
_POLL_SECONDS = 0.02


def register(sub: Any) -> None:
    p = sub.add_parser(NAME, help="run a guided session (stretches, strength, breathing, relief, desk break)")
    p.add_argument("name", metavar="NAME", help="the routine, e.g. daily_stretch or relief_glute")
    p.add_argument("--render", metavar="F.wav", type=Path,
                   help="write the whole session (speech, holds, cues) to this WAV instead of the speaker")
    p.add_argument("--json", action="store_true", help="print the events as JSON lines")
    p.add_argument("--side", choices=SIDES, help="the side in spasm, for side-aware instructions")
    p.add_argument("--content", type=Path, default=DEFAULT_CONTENT_DIR, help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    programme = load_exercises(args.content)
    programme.routine(args.name)  # an unknown name fails here, listing the known ones (exit 2)
    from voicecare.audio.tones import tone
    from voicecare.speech.tts import Voice

    voice = Voice()
    if args.render is not None:
        from voicecare.audio.wav import write_wav
        from voicecare.render import render_routine

        audio, events = render_routine(args.name, programme, voice.synthesize, tone, side=args.side)
        write_wav(args.render, audio)
        for event in events:
            print_event(event, as_json=args.json)
        log.info("wrote %s (%.1f s)", args.render, audio.seconds)
        return 0
    return _play_live(SessionRunner(programme.routine(args.name), programme, side=args.side),
                      voice.synthesize, tone, as_json=args.json)


def print_event(event: dict[str, Any], *, as_json: bool) -> None:
    """One event line: JSON, or ``  12.30  say  And hold.`` for people."""
    if as_json:
        print(json.dumps(event), flush=True)
        return
    detail = {k: v for k, v in event.items() if k not in ("t", "type") and v is not None}
    text = detail.pop("text", None)
    words = " ".join(f"{k}={v}" for k, v in detail.items() if not (k == "interrupt" and v is False))
    print(f"{event['t']:8.2f}  {event['type']:<8} {text if text is not None else words}".rstrip(), flush=True)


def _open_speaker() -> Any:
    try:
        from voicecare.audio.devices import Speaker
    except ImportError:
        raise AudioError("no speaker output is available in this installation",
                         "use --render F.wav to write the session to a file") from None
    try:
        return Speaker()
    except AudioError:
        raise
    except Exception as exc:  # sounddevice/PortAudio raise many kinds of error
        raise AudioError(f"no speaker could be opened ({exc})",
                         "connect a speaker and check `voicecare devices`, or use --render F.wav") from None


def _play_live(runner: SessionRunner, synthesize: Callable[[str], AudioChunk],
               tones: Callable[[str], AudioChunk], *, as_json: bool) -> int:
    """A minimal real-time loop: absolute deadlines on a monotonic clock, speech on the speaker."""
    speaker = _open_speaker()
    start = time.monotonic()
    speaking = False

    def clock() -> float:
        return time.monotonic() - start

    def execute(actions: list[Action] | None) -> None:
        nonlocal speaking
        for action in actions or []:
            record = action.event()
            if record is not None:
                print_event({"t": round(clock(), 3), **record}, as_json=as_json)
            if isinstance(action, Say):
                speaker.play(synthesize(action.text))
                speaking = True
            elif isinstance(action, Tone):
                speaker.play(tones(action.name))
            elif isinstance(action, StopSpeaking):
                speaker.stop()

    try:
        execute(runner.start(clock()))
        while not runner.finished:
            if speaking and speaker.wait(0):  # everything queued has played
                speaking = False
                execute(runner.handle(SpeechDone(), clock()))
                continue
            deadline = runner.next_deadline()
            now = clock()
            if deadline is not None and deadline <= now:
                execute(runner.handle(Tick(), now))
                continue
            wait = _POLL_SECONDS if deadline is None else min(_POLL_SECONDS, deadline - now)
            time.sleep(max(0.0, wait))
    except KeyboardInterrupt:
        execute(runner.abort(clock()))
        print("", file=sys.stderr)
    finally:
        speaker.close()
    return 0
