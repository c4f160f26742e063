"""Choosing the assistant's voice from ``[speech] tts`` and ``voice``, like ``engine = "auto"`` picks Vosk.

``auto`` tries each kind in ``AUTO_ORDER`` and takes the first that can speak; pyttsx3 with
espeak-ng is last because it always works. A new kind is one function in ``_MAKERS``.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from typing import Any, Callable, Mapping

from voicecare.errors import BadInputError
from voicecare.speech.lines import content_version
from voicecare.speech.phrase_cache import CacheKey, PhraseCache
from voicecare.speech.voice import AssistantVoice, VoiceChoice
from voicecare.speech.voices import DEFAULT_VOICE, find_voice, is_piper_name

log = logging.getLogger(__name__)

TTS_CHOICES = ("auto", "piper", "pyttsx3")
AUTO_ORDER = ("piper", "pyttsx3")


class _Unavailable(Exception):
    """This kind cannot speak here; the message says why, ``fix`` how to change that."""

    def __init__(self, why: str, fix: str = "", *, broken: bool = False) -> None:
        super().__init__(why)
        self.fix = fix
        self.broken = broken
        """Installed but unusable (rather than simply absent, or not asked for)."""


def _make_piper(voice: str, rate_wpm: int, volume: float, data_dir: Path | None,
                content_dir: Path | None, store_new: bool = True) -> tuple[Any, str, PhraseCache | None]:
    name = voice or DEFAULT_VOICE
    if voice and not is_piper_name(voice):
        raise _Unavailable(f"{voice!r} is an espeak-ng voice name, not a Piper one",
                           f'set [speech] voice = "{DEFAULT_VOICE}" to speak with Piper')
    files = find_voice(name, data_dir)
    if files is None:
        raise _Unavailable(f"Piper voice {name} is not installed", f"run `voicecare voice install {name}`")
    if importlib.util.find_spec("piper") is None or importlib.util.find_spec("onnxruntime") is None:
        raise _Unavailable("piper-tts is not installed", "install it with `pip install 'voicecare[piper]'`")
    from voicecare.speech.piper_backend import LazyPiper, PiperSettings, PiperSynth, PiperUnavailable

    cache = None
    if data_dir is not None and content_dir is not None and Path(content_dir).is_dir():
        cache = PhraseCache(data_dir, CacheKey(name, rate_wpm, volume, content_version(content_dir)))
    settings = PiperSettings(rate_wpm=rate_wpm, volume=volume)
    if cache is not None and store_new:  # the assistant: the network lives in a process of its own
        from voicecare.speech.voice_worker import PiperProcess

        return PiperProcess(files, settings, cache), f"{name} from the {files.source}", cache
    if cache is not None and cache.complete():
        return LazyPiper(files, settings), f"{name} from the {files.source}", cache  # loads when first needed
    try:
        synth = PiperSynth(files, settings)
    except PiperUnavailable as exc:
        missing = "not installed" in str(exc)
        raise _Unavailable(str(exc), "install it with `pip install 'voicecare[piper]'`" if missing
                           else f"run `voicecare voice install {name}` again", broken=not missing) from exc
    return synth, f"{name} from the {files.source}", cache


def _make_pyttsx3(voice: str, rate_wpm: int, volume: float, data_dir: Path | None,
                  content_dir: Path | None, store_new: bool = True) -> tuple[Any, str, PhraseCache | None]:
    from voicecare.speech.tts import Voice

    espeak = voice if voice and not is_piper_name(voice) else None
    return Voice(rate_wpm=rate_wpm, volume=volume, voice=espeak), espeak or "en", None


_MAKERS: dict[str, Callable[..., tuple[Any, str, PhraseCache | None]]] = {
    "piper": _make_piper,
    "pyttsx3": _make_pyttsx3,
}
"""Each kind: (voice, rate, volume, data_dir, content_dir) -> (synthesizer, voice label, cache)."""


def build_voice(tts: str = "auto", voice: str = "", *, rate_wpm: int = 150, volume: float = 1.0,
                data_dir: Path | None = None, content_dir: Path | None = None,
                fixed: Mapping[str, str] | None = None, store_new: bool = True) -> AssistantVoice:
    """The voice to speak with: the configured kind, or the first that works; never fails for lack of
    a neural voice (espeak-ng stands in, with one warning saying why and how to fix it)."""
    if tts not in TTS_CHOICES:
        raise BadInputError(f"unknown speech synthesizer {tts!r}", f"use one of {', '.join(TTS_CHOICES)}")
    if not 40 <= rate_wpm <= 500:
        raise BadInputError(f"speech rate {rate_wpm} words per minute is out of range", "use 80 to 250")
    if not 0.0 <= volume <= 1.0:
        raise BadInputError(f"speech volume {volume} is out of range", "use a value from 0.0 to 1.0")
    order = AUTO_ORDER if tts == "auto" else (tts, "pyttsx3")
    passed_over: list[_Unavailable] = []
    for kind in dict.fromkeys(order):
        try:
            synth, label, cache = _MAKERS[kind](voice, rate_wpm, volume, data_dir, content_dir, store_new)
        except _Unavailable as why:
            passed_over.append(why)
            continue
        choice = _explain(tts, kind, label, passed_over)
        if choice.fallback:
            log.warning("speaking with %s: %s", choice.describe(), choice.fix)
        else:
            log.info("speaking with %s%s", choice.describe(), f"; {choice.fix}" if choice.fix else "")
        composer, urgent = None, frozenset[str]()
        if cache is not None and content_dir is not None:
            from voicecare.speech.parts import Composer, templates
            from voicecare.speech.priority import urgent_sentences

            composer = Composer(templates(Path(content_dir), fixed))
            urgent = urgent_sentences(Path(content_dir), fixed)
        return AssistantVoice(synth, choice, rate_wpm=rate_wpm, volume=volume, cache=cache, store_new=store_new,
                              composer=composer, fixed=fixed, urgent=urgent)
    raise AssertionError("pyttsx3 is always available")  # pragma: no cover - _make_pyttsx3 never refuses


def _explain(tts: str, kind: str, label: str, passed_over: list[_Unavailable]) -> VoiceChoice:
    if not passed_over:
        why = f'[speech] tts = "{tts}"' + ("" if tts == kind else ", and it is installed")
        return VoiceChoice(kind, label, why)
    first = passed_over[0]
    # a warning when the named kind or an installed voice failed; auto on a first boot is just informed
    fallback = tts != "auto" or any(p.broken for p in passed_over)
    return VoiceChoice(kind, label, str(first), fallback=fallback, fix=first.fix)


def voice_from_config(config: Any, *, rate_wpm: int | None = None, volume: float | None = None,
                      store_new: bool = True) -> AssistantVoice:
    """The configured voice, as ``run``, ``say``, ``routine`` and the doctor all speak."""
    speech = config.speech
    tts = getattr(speech, "tts", "auto")
    local = "auto" if tts == "wyoming" else tts  # a remote voice falls back to the local one auto picks
    return build_voice(local, speech.voice,
                       rate_wpm=speech.voice_rate_wpm if rate_wpm is None else rate_wpm,
                       volume=config.audio.volume if volume is None else volume,
                       data_dir=Path(config.paths.data_dir), content_dir=Path(config.paths.content_dir),
                       fixed={"number": config.safety.emergency_number, "wake": config.wake.phrase},
                       store_new=store_new)
