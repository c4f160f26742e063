"""The assistant's voice: one synthesizer, the phrase cache in front of it, espeak-ng behind it.

A neural voice is too slow to render a long line after the person stops talking, so a line is
spoken sentence by sentence: each sentence comes from the phrase cache when it is there, else it is
synthesised (and kept); the caller plays the first piece while the next is made. If the neural
voice fails, that sentence and every later one come from pyttsx3/espeak-ng, with one warning.

An urgent line (a red-flag answer, an emergency line, the relief flow: ``voicecare.speech.priority``)
that is not cached yet while the voice's own process is still loading or building the cache (the
first start) is spoken whole by espeak-ng at once, rather than after the sentence the build has in hand.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

from voicecare.audio.chunk import AudioChunk
from voicecare.errors import BadInputError, VoicecareError
from voicecare.speech.lines import split_sentences
from voicecare.speech.phrase_cache import PhraseCache
from voicecare.speech.voice_worker import PiperProcess, VoiceWorker

log = logging.getLogger(__name__)

SENTENCE_PAUSE_SECONDS = 0.25
"""Quiet between two sentences of one line: calm pacing, and the same whether cached or not."""


@dataclass(frozen=True, slots=True)
class VoiceChoice:
    """Which synthesizer speaks, and why (``voicecare doctor`` says this)."""

    kind: str
    """``piper`` or ``pyttsx3``."""
    voice: str
    """The voice's name (a Piper voice, or an espeak-ng voice for pyttsx3)."""
    reason: str
    fallback: bool = False
    """True when the configured or preferred voice could not be used."""
    fix: str = ""
    """How to get the preferred voice, when it was not used."""

    def describe(self) -> str:
        engine = "Piper" if self.kind == "piper" else "pyttsx3/espeak-ng"
        return f"{engine} voice {self.voice} ({self.reason})"


class AssistantVoice:
    """Speaks text as audio pieces, one per sentence for a neural voice, the first as fast as possible."""

    def __init__(self, synth: Any, choice: VoiceChoice, *, rate_wpm: int, volume: float,
                 cache: PhraseCache | None = None, fallback: Any = None, store_new: bool = True,
                 composer: Any = None, fixed: Mapping[str, str] | None = None,
                 urgent: frozenset[str] = frozenset()) -> None:
        self.synth = synth
        self.choice = choice
        self.rate_wpm = rate_wpm
        self.volume = volume
        self.cache = cache
        self._fallback = fallback
        """A pyttsx3 voice for when the neural one fails (made on first need when None)."""
        self._store_new = store_new
        self.composer = composer
        """Joins a sentence with a number or name from cached parts (``voicecare.speech.parts``)."""
        self.fixed = dict(fixed or {})
        self.urgent = urgent
        """Sentences that may not wait for the neural voice to load or for the cache build."""
        self._broken: str | None = None
        self._lock = threading.Lock()
        self.build: VoiceWorker | None = None

    @property
    def kind(self) -> str:
        """The synthesizer speaking now: the chosen one, or pyttsx3 once the chosen one has failed."""
        return "pyttsx3" if self._broken else self.choice.kind

    @property
    def backend(self) -> str:
        """The name ``voicecare doctor`` reports (the kind speaking now)."""
        return self.kind

    @property
    def fallback_reason(self) -> str | None:
        return self._broken or (self.choice.reason if self.choice.fallback else None)

    def pieces(self, text: str) -> Iterator[AudioChunk]:
        """The line as audio, a piece at a time; raises BadInputError for empty text, AudioError when no
        synthesizer can speak."""
        text = " ".join(text.split())
        if not text:
            raise BadInputError("nothing to say", "give some text")
        if self.kind == "pyttsx3" and self.choice.kind == "pyttsx3":
            yield self.synth.synthesize(text)  # espeak-ng is fast: the whole line, as it always was
            return
        sentences = split_sentences(text)
        if self.cannot_wait(sentences):
            log.info("an urgent line not cached yet, while the Piper voice is busy: espeak-ng says it")
            yield self._espeak().synthesize(text)
            return
        for i, sentence in enumerate(sentences):
            chunk = self._sentence(sentence)
            if i:
                chunk = AudioChunk(rate=chunk.rate, width=2, channels=1,
                                   audio=AudioChunk.silence(SENTENCE_PAUSE_SECONDS).audio + chunk.audio)
            yield chunk

    def synthesize(self, text: str) -> AudioChunk:
        """The whole line as one piece of audio (``say --out``, rendering, the doctor)."""
        chunks = list(self.pieces(text))
        if len(chunks) == 1:
            return chunks[0]
        return AudioChunk(rate=chunks[0].rate, width=2, channels=1, audio=b"".join(c.audio for c in chunks))

    def _sentence(self, sentence: str) -> AudioChunk:
        if self._broken is None:
            if self.cache is not None:
                cached = self.cache.get(sentence)
                if cached is None and self.composer is not None:
                    cached = self.composer.compose(sentence, self.cache.get)
                if cached is not None:
                    return cached
            try:
                chunk = self.synth.render(sentence)
            except VoicecareError as exc:
                self._give_up(exc.what)
            else:
                if self.cache is not None and self._store_new and not isinstance(self.synth, PiperProcess):
                    self.cache.put(sentence, chunk)  # (the voice's own process has stored it already)
                return chunk
        return self._espeak().synthesize(sentence)

    def cannot_wait(self, sentences: list[str]) -> bool:
        """True for an urgent line Piper cannot say at once: part of it is not cached and the voice's
        process is not started, still loading, or building the cache."""
        if not self.urgent or self._broken is not None or not isinstance(self.synth, PiperProcess):
            return False
        if not any(sentence in self.urgent for sentence in sentences):
            return False
        if all(self._cached(sentence) for sentence in sentences):
            return False
        return not self.synth.answers_at_once()

    def _cached(self, sentence: str) -> bool:
        if self.cache is None:
            return False
        if sentence in self.cache:
            return True
        return self.composer is not None and self.composer.compose(sentence, self.cache.get) is not None

    def _give_up(self, reason: str) -> None:
        """The neural voice failed: say so once, and speak with espeak-ng from now on."""
        with self._lock:
            if self._broken is None:
                self._broken = reason
                log.warning("%s; speaking with pyttsx3/espeak-ng from now on", reason)

    def _espeak(self) -> Any:
        with self._lock:
            if self._fallback is None:
                from voicecare.speech.tts import Voice

                self._fallback = Voice(rate_wpm=self.rate_wpm, volume=self.volume)
            return self._fallback

    def warm_up(self) -> None:
        """Speak once, so the first real sentence does not pay for loading anything."""
        if self.choice.kind == "piper" and self._broken is None:
            if isinstance(self.synth, PiperProcess):
                if not self.synth.cache.complete():
                    self.synth.start()  # its own process loads the voice while this one goes on
                    if self.urgent:
                        try:  # urgent lines may need espeak-ng before Piper is ready
                            self._espeak().synthesize("Ready.")
                        except VoicecareError as exc:
                            log.warning("espeak-ng cannot stand in for Piper during the first start: %s", exc.what)
                return  # with a complete cache it starts only if a sentence needs it
            if getattr(self.synth, "loaded", True) is False:
                return  # a complete phrase cache: the network is loaded only if a line needs it
            try:
                self.synth.render("Ready.")
            except VoicecareError as exc:
                self._give_up(exc.what)
            return
        self.synth.synthesize("Ready.")

    def cache_in_background(self, content_dir: Path, fixed: Mapping[str, str]) -> VoiceWorker | None:
        """Start rendering every content sentence not yet cached, in the voice's own process (Piper only)."""
        if not isinstance(self.synth, PiperProcess) or self._broken is not None or self.synth.cache.complete():
            return None
        self.build = self.synth.build(content_dir, fixed)  # the process that speaks also builds
        return self.build

    def close(self) -> None:
        """Stop a background cache build (what it finished stays cached) and the voice's own process."""
        if self.build is not None:
            self.build.stop()
        if isinstance(self.synth, PiperProcess):
            self.synth.close()
