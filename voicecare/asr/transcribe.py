"""Recognizing WAV files for ``voicecare understand --wav``: one recognizer for all files."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from voicecare.asr.base import Recognizer
from voicecare.asr.select import create_recognizer
from voicecare.content.loader import DEFAULT_CONTENT_DIR
from voicecare.messages import Transcript

log = logging.getLogger(__name__)


def domain_language(content_dir: Path | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The content's intent examples and the understanding's vocabulary: what the recognizer listens for."""
    from voicecare.content.intents import load_intents
    from voicecare.nlu import Understander

    folder = Path(content_dir) if content_dir is not None else DEFAULT_CONTENT_DIR
    examples = load_intents(folder)
    phrases = tuple(example for intent in sorted(examples) for example in examples[intent])
    vocabulary = tuple(sorted(Understander.load(folder).vocabulary()))
    return phrases, vocabulary


def recognizer_for(args: Any) -> Recognizer:
    """The recognizer that ``args`` asks for (``engine``, ``model_dir``, ``content_dir``; all optional)."""
    phrases, vocabulary = domain_language(getattr(args, "content_dir", None))
    model_dir = getattr(args, "model_dir", None)
    return create_recognizer(
        getattr(args, "engine", None) or "auto",
        model_dir=Path(model_dir) if model_dir else None,
        phrases=phrases,
        vocabulary=vocabulary,
    )


def transcribe_files(paths: list[str], args: Any) -> list[Transcript]:
    """Transcripts in input order; a bad WAV raises BadInputError naming the file (from load_wav)."""
    from voicecare.audio.wav import load_wav

    chunks = [load_wav(path) for path in paths]  # read all first: a bad file fails before the model loads
    recognizer = recognizer_for(args)
    transcripts = []
    for path, chunk in zip(paths, chunks):
        transcript = recognizer.transcribe(chunk)
        log.debug("%s: %r (confidence %.2f)", path, transcript.text, transcript.confidence)
        transcripts.append(transcript)
    return transcripts
