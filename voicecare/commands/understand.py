"""``voicecare understand``: what the assistant makes of typed text or recorded speech."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any, NamedTuple

from voicecare.commands._common import config_from
from voicecare.errors import BadInputError
from voicecare.messages import Transcript
from voicecare.runtime.alternatives import possible_red_flag

log = logging.getLogger(__name__)

NAME = "understand"


class Source(NamedTuple):
    """One input in command-line order: typed text or a WAV file."""

    kind: str
    value: str


def _text(value: str) -> Source:
    return Source("text", value)


def _wav(value: str) -> Source:
    return Source("wav", value)


def register(sub: Any) -> None:
    p = sub.add_parser(NAME, help="show the intent, slots and severity of text or speech")
    p.add_argument("--text", dest="inputs", action="append", type=_text, metavar="T",
                   help="an utterance as text (repeatable)")
    p.add_argument("--wav", dest="inputs", action="append", type=_wav, metavar="F",
                   help="a WAV file to recognize, then understand (repeatable)")
    p.add_argument("--json", action="store_true", help="one JSON object per input")
    p.add_argument("--content", dest="content_dir", metavar="DIR",
                   help="content folder (default: [paths] content_dir of the configuration)")
    p.add_argument("--engine", choices=("auto", "vosk", "pocketsphinx"),
                   help="speech recognizer for --wav inputs (default: [speech] engine)")
    p.add_argument("--threshold", type=float, metavar="X",
                   help="confidence below which the answer is unknown (default: [speech] nlu_threshold)")
    p.set_defaults(func=run)


def _transcripts(sources: list[Source], args: argparse.Namespace) -> list[Transcript]:
    """What every input says, in order; WAV files go through the recognizer in one batch."""
    wavs = [s.value for s in sources if s.kind == "wav"]
    heard: list[Transcript] = []
    if wavs:
        for path in wavs:
            if not Path(path).is_file():
                raise BadInputError(f"no such WAV file: {path}", "check the path given to --wav")
        from voicecare.asr.transcribe import transcribe_files

        heard = transcribe_files(wavs, args)
    texts: list[Transcript] = []
    it = iter(heard)
    for source in sources:
        texts.append(next(it, Transcript("")) if source.kind == "wav" else Transcript(source.value))
    return texts


def run(args: argparse.Namespace) -> int:
    sources: list[Source] = list(args.inputs or [])
    if not sources:
        raise BadInputError("nothing to understand", 'give at least one --text "..." or --wav FILE')
    if args.threshold is not None and not 0.0 <= args.threshold <= 1.0:
        raise BadInputError(f"--threshold {args.threshold} is outside 0-1", "use a value such as 0.3")
    from voicecare.nlu import Understander

    config = config_from(args)  # the same content, engine and threshold as the assistant itself
    content = Path(args.content_dir) if args.content_dir else Path(config.paths.content_dir)
    threshold = config.speech.nlu_threshold if args.threshold is None else args.threshold
    args.content_dir = content
    args.engine = args.engine or config.speech.engine
    args.model_dir = config.speech.model_dir
    understander = Understander.load(content, threshold)
    for source, heard in zip(sources, _transcripts(sources, args)):
        result = understander.understand(heard.text)
        if args.json:
            record = {"input": source.value, **result.to_json()}
            if source.kind == "wav":  # other readings of the audio, and a red flag one of them holds
                possible = None if result.is_red_flag else possible_red_flag(heard.alternatives, understander.understand_alternative)
                record["alternatives"] = list(heard.alternatives)
                record["possible"] = possible.intent if possible else None
            print(json.dumps(record, ensure_ascii=False))
        else:
            severity = result.severity
            extra = "".join(f" {k}={v}" for k, v in result.slots.items())
            flag = f" [{severity.value}]" if severity else ""
            print(f"{source.value!r} -> {result.intent} ({result.score:.2f}){extra}{flag}")
    return 0
