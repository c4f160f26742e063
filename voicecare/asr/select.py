"""Choosing and building the recognizer: ``auto`` prefers Vosk when a model is installed."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Iterable

from voicecare.asr.base import Engine, Recognizer
from voicecare.asr.models import DEFAULT_MODEL, default_models_dir, find_model
from voicecare.asr.vosk_engine import model_is_complete
from voicecare.errors import ConfigError, ModelError

log = logging.getLogger(__name__)


def parse_engine(value: str) -> Engine:
    """The engine named in config or on the command line."""
    try:
        return Engine(value.strip().lower())
    except ValueError:
        choices = " | ".join(e.value for e in Engine)
        raise ConfigError(f"unknown recognizer engine {value!r}", f"use one of: {choices}") from None


def resolve_vosk_model(model_dir: Path | None) -> Path | None:
    """``model_dir`` may be a model folder itself or the folder of models; None when nothing is installed."""
    if model_dir is not None and model_is_complete(model_dir):
        return model_dir
    return find_model(model_dir if model_dir is not None else default_models_dir())


def create_recognizer(engine: str = "auto", *, model_dir: Path | None = None, phrases: Iterable[str] = (),
                      vocabulary: Iterable[str] = (), listening: Any = None) -> Recognizer:
    """Load one recognizer, with its language model or grammar generated from the given phrases, and
    a grammar per waiting state from ``listening`` (``voicecare.content.listening.Listening``)."""
    choice = parse_engine(engine)
    phrases, vocabulary = tuple(phrases), tuple(vocabulary)
    if choice in (Engine.AUTO, Engine.VOSK):
        vosk_model = resolve_vosk_model(model_dir)
        if vosk_model is not None:
            from voicecare.asr.vosk_engine import VoskRecognizer

            log.info("using Vosk with the model in %s", vosk_model)
            return VoskRecognizer(vosk_model, phrases, vocabulary, listening=listening)
        if choice is Engine.VOSK:
            where = model_dir if model_dir is not None else default_models_dir() / DEFAULT_MODEL
            raise ModelError(f"the Vosk engine was chosen but no Vosk model is installed in {where}",
                             "run `voicecare model install`")
        log.info("no Vosk model installed; using PocketSphinx")
    from voicecare.asr.pocketsphinx_engine import PocketsphinxRecognizer

    return PocketsphinxRecognizer(phrases, vocabulary, listening=listening)
