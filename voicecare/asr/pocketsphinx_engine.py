"""PocketSphinx: the engine that works on a fresh install, with a language model built from content."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from voicecare.asr.base import require_internal
from voicecare.asr.cache import cache_dir, write_atomic
from voicecare.asr.dictionary import build_lexicon
from voicecare.asr.grammar import GrammarSettings, StateGrammar, combine, sounds_alike, state_grammar
from voicecare.asr.lm import LmSpec, build_arpa, make_spec, vocabulary_of
from voicecare.asr.wordlist import load_general_words
from voicecare.audio.chunk import AudioChunk
from voicecare.core.expectation import Expect
from voicecare.errors import ModelError
from voicecare.messages import Transcript

log = logging.getLogger(__name__)

NAME = "pocketsphinx"
FILLERS = {"<s>", "</s>", "<sil>", "[noise]", "[NOISE]", "++noise++"}


@dataclass(frozen=True, slots=True)
class PocketsphinxSettings:
    """Decoder tuning; the defaults were measured with benchmarks/bench_speech.py."""

    general_words: int = 3000
    """How many everyday words sit beside the domain phrases in the language model."""
    general_share: float = 0.2
    """Their share of unigram probability mass."""
    min_speech_seconds: float = 0.15
    """Less voiced audio than this is treated as silence."""
    language_weight: float = 6.5
    word_insertion_penalty: float = 0.65
    beam: float = 1e-48
    word_beam: float = 7e-29
    max_hmms_per_frame: int = 30000
    top_gaussians: int = 8
    """Gaussians scored per codebook and frame (the model's own default is 4). On the spoken dev set,
    8 with no flat-lexicon second pass (``fwdflat``) was 1.2 points more accurate and 17% faster than
    4 with it; 12 gained 0.9 more but cost 20% more time, and more again in noise."""
    fwdflat: bool = False
    bestpath: bool = True
    """The lattice pass: it gives the confidence and the alternatives, so it stays on."""
    alternatives: int = 2
    """How many other readings of an utterance to report beside the best (from the N-best list)."""
    nbest_scan: int = 40
    """How many N-best entries to look through for them (many differ only in silences and fillers)."""
    dither_lsb: float = 16.0
    """Gaussian dither (in 16-bit steps) added before decoding: stretches of exact digital zero in
    files and synthesized speech upset the front end's noise tracking; a real microphone never has them."""


@dataclass(frozen=True, slots=True)
class ModelFiles:
    """The generated language model and dictionary on disk."""

    lm: Path
    dictionary: Path
    added_words: tuple[str, ...]


def prepare_model(phrases: Iterable[str], vocabulary: Iterable[str], settings: PocketsphinxSettings,
                  cmudict: Path) -> ModelFiles:
    """Build (or reuse from the cache) the ARPA model and its dictionary."""
    spec: LmSpec = make_spec(phrases, vocabulary, load_general_words(settings.general_words),
                             settings.general_share)
    folder = cache_dir() / f"ps-{spec.key()}"
    lm_path, dict_path, added_path = folder / "domain.lm", folder / "domain.dict", folder / "added.txt"
    if lm_path.exists() and dict_path.exists() and added_path.exists():
        log.debug("reusing cached language model %s", folder)
        added = tuple(added_path.read_text(encoding="utf-8").split())
        return ModelFiles(lm_path, dict_path, added)
    log.info("building the domain language model (%d sentences) in %s", len(spec.sentences), folder)
    lexicon = build_lexicon(sorted(vocabulary_of(spec)), cmudict)
    arpa = build_arpa(_drop_unpronounceable(spec, set(lexicon.entries)))
    folder.mkdir(parents=True, exist_ok=True)
    lexicon_tmp = folder / "domain.dict.building"
    lexicon.write(lexicon_tmp)
    lexicon_tmp.replace(dict_path)
    write_atomic(added_path, "\n".join(sorted(lexicon.added)) + "\n")
    write_atomic(lm_path, arpa)
    return ModelFiles(lm_path, dict_path, tuple(sorted(lexicon.added)))


def _drop_unpronounceable(spec: LmSpec, known: set[str]) -> LmSpec:
    """The decoder refuses an LM word without a pronunciation, so leave those out."""
    sentences = tuple(" ".join(w for w in s.split() if w in known) for s in spec.sentences)
    return LmSpec(
        sentences=tuple(s for s in sentences if s),
        extra_words=tuple(w for w in spec.extra_words if w in known),
        general=tuple((w, p) for w, p in spec.general if w in known),
        general_share=spec.general_share,
        domain_repeat=spec.domain_repeat,
    )


class PocketsphinxRecognizer:
    """One warm decoder reused for every utterance (``start_utt``/``end_utt`` per call)."""

    name = NAME

    def __init__(self, phrases: Sequence[str] = (), vocabulary: Sequence[str] = (),
                 settings: PocketsphinxSettings | None = None, listening: Any = None,
                 grammar: GrammarSettings = GrammarSettings()) -> None:
        """``listening`` (``voicecare.content.listening.Listening``) adds a grammar search per waiting state."""
        started = time.perf_counter()
        try:
            import pocketsphinx
        except ImportError as exc:  # pragma: no cover - dependency of the package
            raise ModelError("PocketSphinx is not installed", "run `pip install pocketsphinx`") from exc
        self.settings = settings or PocketsphinxSettings()
        hmm = Path(pocketsphinx.get_model_path("en-us/en-us"))
        cmudict = Path(pocketsphinx.get_model_path("en-us/cmudict-en-us.dict"))
        if not hmm.is_dir() or not cmudict.is_file():
            raise ModelError(f"PocketSphinx's US-English model is missing under {hmm.parent}",
                             "reinstall it with `pip install --force-reinstall pocketsphinx`")
        self.files = prepare_model(phrases, vocabulary, self.settings, cmudict)
        config = pocketsphinx.Config(
            hmm=str(hmm), lm=str(self.files.lm), dict=str(self.files.dictionary),
            lw=self.settings.language_weight, wip=self.settings.word_insertion_penalty,
            beam=self.settings.beam, wbeam=self.settings.word_beam, maxhmmpf=self.settings.max_hmms_per_frame,
            topn=self.settings.top_gaussians,
            fwdflat=self.settings.fwdflat, bestpath=self.settings.bestpath, loglevel="FATAL",
        )
        try:
            self._decoder = pocketsphinx.Decoder(config)
        except RuntimeError as exc:
            raise ModelError(f"PocketSphinx could not load its model ({exc})",
                             f"delete the cache folder {self.files.lm.parent} and try again") from exc
        self._initial_cmn = self._decoder.get_cmn()
        self._default_search = self._decoder.current_search()
        self._grammars: dict[Expect, StateGrammar] = {}
        self.grammar_settings = grammar
        if listening is not None:
            self._add_grammars(listening, grammar)
        self.load_seconds = time.perf_counter() - started
        log.debug("pocketsphinx ready in %.2f s", self.load_seconds)

    @property
    def added_words(self) -> tuple[str, ...]:
        """Words CMUdict lacked, given pronunciations at start-up."""
        return self.files.added_words

    def _add_grammars(self, listening: Any, settings: GrammarSettings) -> None:
        """One JSGF search per waiting state, compiled once beside the language model."""
        general = [w for w, _ in load_general_words(settings.other_words * 3)]
        known = lambda word: self._decoder.lookup_word(word) is not None  # noqa: E731
        for expect in Expect:
            phrases = listening.for_state(expect)
            if not phrases:
                continue
            grammar = state_grammar(expect.value, phrases, general, settings, known,
                                    compact=listening.compact_for_state(expect))
            try:
                self._decoder.add_jsgf_string(grammar.name, grammar.jsgf(settings.other_weight))
            except (ValueError, RuntimeError) as exc:
                raise ModelError(f"PocketSphinx could not compile the {expect.value} grammar ({exc})",
                                 "check content/listening.toml") from exc
            self._grammars[expect] = grammar
        log.debug("grammar searches for %s", ", ".join(e.value for e in self._grammars))

    @property
    def grammar_states(self) -> tuple[Expect, ...]:
        """The waiting states that have a grammar of their own."""
        return tuple(self._grammars)

    def transcribe(self, chunk: AudioChunk, expect: Expect = Expect.IDLE) -> Transcript:
        """Decode a whole utterance with the open model, and with the waiting state's grammar when
        there is one; silence and noise give empty text."""
        open_reading = self.decode(chunk)
        grammar = self._grammars.get(expect)
        if grammar is None or not open_reading.text and open_reading.confidence == 0.0 and \
                _voiced_seconds(chunk) < self.settings.min_speech_seconds:
            return open_reading
        answer = self.decode(chunk, expect)
        return combine(open_reading, answer, self.accepts(expect, answer, open_reading))

    def accepts(self, expect: Expect, answer: Transcript, open_reading: Transcript) -> bool:
        """An answer of the state's grammar that sounds like what the open model heard."""
        grammar = self._grammars.get(expect)
        if grammar is None or not grammar.accepts(answer.text):
            return False
        heard = (open_reading.text, *open_reading.alternatives)
        return sounds_alike(answer.text, heard, self._phones) >= self.grammar_settings.min_similarity

    def _phones(self, text: str) -> list[str]:
        """The phones of ``text`` from the decoder's dictionary (unknown words add none)."""
        out: list[str] = []
        for word in text.split():
            found = self._decoder.lookup_word(word)
            if found:
                out.extend(found.split())
        return out

    def decode(self, chunk: AudioChunk, expect: Expect | None = None) -> Transcript:
        """One decoding: with the open language model, or with ``expect``'s grammar."""
        require_internal(chunk)
        if _voiced_seconds(chunk) < self.settings.min_speech_seconds:
            return Transcript(text="", confidence=0.0, engine=NAME)
        grammar = self._grammars.get(expect) if expect is not None else None
        search = grammar.name if grammar is not None else None
        decoder = self._decoder
        if decoder.current_search() != (search or self._default_search):
            decoder.activate_search(search)
        decoder.set_cmn(self._initial_cmn)  # each utterance stands alone: no drift from earlier audio
        decoder.start_utt()
        decoder.process_raw(_dithered(chunk, self.settings.dither_lsb), no_search=False, full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp()
        label = expect.value if grammar is not None and expect is not None else "open"
        if hyp is None:
            return Transcript(text="", confidence=0.0, engine=NAME, search=label)
        text = _spoken(seg.word for seg in decoder.seg())
        confidence = self._confidence(hyp.prob, len(text.split())) if text else 0.0
        alternatives = self._alternatives(text) if text else ()
        log.debug("pocketsphinx heard %r with %s (confidence %.2f; or %s)", text, label, confidence, alternatives)
        return Transcript(text=text, confidence=confidence, engine=NAME, alternatives=alternatives, search=label)

    def _alternatives(self, best: str) -> tuple[str, ...]:
        """Other word sequences from the lattice's N-best list, most likely first, without repeats."""
        wanted = self.settings.alternatives
        if wanted <= 0:
            return ()
        found: list[str] = []
        try:
            for n, hyp in enumerate(self._decoder.nbest()):
                if n >= self.settings.nbest_scan or len(found) >= wanted:
                    break
                if hyp is None:  # the N-best list can end in an empty entry (seen in noise)
                    break
                text = _spoken(hyp.hypstr.split()) if hyp.hypstr else ""
                if text and text != best and text not in found:
                    found.append(text)
        except RuntimeError as exc:  # no lattice (e.g. the search gave up): the best reading stands alone
            log.debug("no N-best list: %s", exc)
        return tuple(found)

    @staticmethod
    def _confidence(posterior: float, words: int) -> float:
        """Per-word geometric mean of the best path's lattice posterior: near 1 for clear speech, near 0 for garbage."""
        value = float(posterior)
        if not math.isfinite(value) or value <= 0.0:
            return 0.0
        return min(1.0, value ** (1.0 / max(1, words)))


def _spoken(words: Iterable[str]) -> str:
    """The words of a hypothesis without fillers, silences and pronunciation variants (``word(2)``)."""
    return " ".join(w.split("(")[0] for w in words if w not in FILLERS and not w.startswith("["))


def _dithered(chunk: AudioChunk, lsb: float) -> bytes:
    """The audio with a little fixed-seed noise added, so the same input always decodes the same."""
    if lsb <= 0:
        return chunk.audio
    rng = np.random.default_rng(len(chunk.audio))
    samples = chunk.array().astype(np.float32) + rng.standard_normal(chunk.samples).astype(np.float32) * lsb
    return np.clip(np.round(samples), -32768, 32767).astype("<i2").tobytes()


def _voiced_seconds(chunk: AudioChunk, frame_seconds: float = 0.02) -> float:
    """Seconds of audio loud enough to hold speech; digital silence and a quiet room give zero."""
    samples = chunk.array().astype(np.float32)
    frame = int(chunk.rate * frame_seconds)
    count = len(samples) // frame
    if count == 0:
        return 0.0
    energy = np.sqrt(np.mean(samples[: count * frame].reshape(count, frame) ** 2, axis=1))
    loud = energy > 150.0  # about -47 dBFS: quieter than any voice at the microphone
    return float(np.count_nonzero(loud)) * frame_seconds
