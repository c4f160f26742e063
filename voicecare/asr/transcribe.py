"""Recognizing WAV files for ``voicecare understand --wav``: one recognizer for all files."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Iterable

from voicecare.asr.base import Recognizer
from voicecare.asr.select import create_recognizer
from voicecare.content.loader import DEFAULT_CONTENT_DIR
from voicecare.messages import Transcript

log = logging.getLogger(__name__)


RED_FLAG_WEIGHT = 1
"""How many times each red-flag sentence counts in the language model. Measured on the spoken dev set,
3 caught 2 more of 126 red flags but gave more false red flags, and babble alone turned into red flags."""


def domain_language(content_dir: Path | None = None, *, red_flag_weight: int = RED_FLAG_WEIGHT,
                    exclude: Iterable[str] = (), vocabulary: Iterable[str] | None = None,
                    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What the recognizer listens for: curated examples, plus heard utterances made only of real words.

    Typed utterances with typos would teach the model words nobody says (and espeak-ng's letter-to-sound
    guesses for them); ``red_flag_weight`` repeats red-flag sentences. ``exclude``
    leaves given sentences out, so a benchmark can measure phrasings the model has not seen.
    ``vocabulary`` is the understanding's (``Understander.vocabulary()``) when the caller has one loaded.
    """
    import pocketsphinx

    from voicecare.asr.dictionary import read_cmudict
    from voicecare.asr.lm import words_of
    from voicecare.content.intents import load_intent_content
    from voicecare.messages import RED_FLAG_SEVERITY
    from voicecare.nlu import Understander

    folder = Path(content_dir) if content_dir is not None else DEFAULT_CONTENT_DIR
    content = load_intent_content(folder)
    words = Understander.load(folder).vocabulary() if vocabulary is None else vocabulary
    vocabulary = tuple(sorted(words))
    skip = {" ".join(words_of(text)) for text in exclude}
    curated = {w for phrases in content.examples.values() for p in phrases for w in words_of(p)}
    heard_words = {w for phrases in content.heard.values() for p in phrases for w in words_of(p)}
    real = set(read_cmudict(Path(pocketsphinx.get_model_path("en-us/cmudict-en-us.dict")), heard_words - curated))
    real |= curated
    phrases: list[str] = []
    dropped = 0
    for intent in sorted(content.examples):
        weight = red_flag_weight if intent in RED_FLAG_SEVERITY else 1
        for text in content.examples[intent]:
            if " ".join(words_of(text)) not in skip:
                phrases.extend([text] * weight)
        for text in content.heard.get(intent, ()):
            words = words_of(text)
            if " ".join(words) in skip:
                continue
            if not all(w in real for w in words):
                dropped += 1
                continue
            phrases.extend([text] * weight)
    log.debug("language from %d phrases; %d heard utterances with unknown words left out", len(phrases), dropped)
    return tuple(phrases), vocabulary


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
