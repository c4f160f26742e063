"""What bench_wake measures, gathered once: each utterance's template score, level spread, keyword
spot and today's verdict, for the wake phrase said by a person (in each condition) and for broadcast
talk by other voices. Decisions under any thresholds are then made from these by the detector's own
code, so thresholds can be chosen on one part of the data and reported on another."""

from __future__ import annotations

import csv
import random
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from voicecare.testing import voices as tv
from voicecare.audio.chunk import AudioChunk
from voicecare.audio.endpoint import Endpointer
from voicecare.listening.embedding import SpeechEmbedder
from voicecare.listening.templates import (WakeTemplate, match, normalized, runon_template,
                                           templates_from_recordings)
from voicecare.listening.wake_detect import level_spread_db

DATA = Path(__file__).parent / "data"
BROADCAST_VOICES = ("slt", "awb", "rms", "kal", "festival:slt-hts", "piper:joe")
"""The television's voices, line by line in turn (as bench_broadcast plays them)."""
MEASURE_ONLY = frozenset({"piper:joe", "festival:slt-hts"})
CONDITIONS = ("clean", "babble 20 dB", "babble 10 dB", "babble 5 dB", "far field", "far + TV 10 dB")
ENROLL_SAYINGS = ("{}!", "{}.", "{},")
ENROLL_TEMPI = (0.94, 1.0, 1.06)
"""Set-up recordings: the phrase said three times, each with its own punctuation and pace."""
ALONE = ("{}", "{}?")


@dataclass(frozen=True)
class Listening:
    """The assistant's listening parts as shipped (built-in configuration), for a wake phrase."""

    config: Any
    brain: Any
    recognizer: Any
    wake: Any
    spotter: Any


def shipped_listening(phrase: str) -> Listening:
    """The built-in configuration, a brain with an in-memory journal, PocketSphinx biased to the domain and
    the phrase, and the phrase's keyword search: what ``voicecare run`` would build, with no files read."""
    from voicecare.asr.select import create_recognizer
    from voicecare.asr.transcribe import domain_language
    from voicecare.config import load_config
    from voicecare.journal import Journal
    from voicecare.listening.wake_stage import listening_for
    from voicecare.runtime.build import build_brain

    nowhere = Path("/nonexistent/voicecare.toml")
    config = load_config(None, system=nowhere, user=nowhere, env={"LANG": "en_GB.UTF-8"})
    brain = build_brain(config, Journal.memory(), wake_phrase=phrase)
    phrases, vocabulary = domain_language(Path(config.paths.content_dir), vocabulary=brain.understander.vocabulary())
    recognizer = create_recognizer("pocketsphinx", phrases=(*phrases, phrase), vocabulary=vocabulary)
    wake, spotter = listening_for(brain.wake, recognizer)
    return Listening(config, brain, recognizer, wake, spotter)


@dataclass
class Cost:
    """CPU seconds spent on each stage and seconds of audio it ran on."""

    embed_cpu: float = 0.0
    dtw_cpu: float = 0.0
    keyword_cpu: float = 0.0
    keyword_seconds: float = 0.0
    audio_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Heard:
    """One utterance as the wake detector and today's path saw it."""

    raw: dict[str, tuple[float, float]]
    """Person (voice) -> (template score, template end in seconds)."""
    spread_db: float
    spot_end: float | None
    before: bool | None
    """Today's verdict (transcript and keyword search); None when not measured."""
    utterances: int = -1
    """How many utterances the endpointer made of the clip (-1: not run)."""
    runon: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Person -> (score, end) of their run-on template alone, where they have one (``raw`` is the rest)."""


@dataclass
class Item:
    """A clip: a positive (the person's phrase) or broadcast talk, with its utterances."""

    voice: str
    text: str
    kind: str
    """"alone", "one breath", "pause" or "broadcast"."""
    condition: str
    seconds: float
    heard: list[Heard] = field(default_factory=list)


def tempo(chunk: AudioChunk, factor: float) -> AudioChunk:
    """The same words a little faster or slower (sox ``tempo``), pitch kept."""
    if abs(factor - 1.0) < 1e-3:
        return chunk
    return tv.sox(chunk, "tempo", "-s", f"{factor:.3f}")


def enrollment(voice: str, phrase: str) -> list[AudioChunk]:
    """Three clean set-up recordings of the phrase by the voice."""
    return [tv.conversation([0.4, tempo(tv.speak(form.format(phrase), voice), pace), 0.4])
            for form, pace in zip(ENROLL_SAYINGS, ENROLL_TEMPI)]


def sentence_words(phrase: str) -> str:
    """The enrollment sentence as the person says it: in one breath, so without the comma's pause."""
    from voicecare.content.texts import load_texts
    from voicecare.listening.enrolling import sentence_text

    text = sentence_text(load_texts(), phrase)
    return text.replace(f"{phrase},", phrase, 1) if text.lower().startswith(f"{phrase},") else text


def enrollment_sentence(voice: str, phrase: str) -> AudioChunk:
    """The fourth set-up recording: the phrase run straight on into the enrollment sentence, clean."""
    return tv.conversation([0.4, tv.speak(sentence_words(phrase), voice), 0.4])


def enrollment_wavs(folder: Path, voice: str, phrase: str) -> list[str]:
    """``enrollment``'s recordings written as WAV files in ``folder`` (for ``voicecare enroll --from-wav``)."""
    from voicecare.audio.wav import write_wav

    paths = []
    for n, recording in enumerate(enrollment(voice, phrase), 1):
        path = folder / f"enroll-{voice.replace(':', '-')}-{n}.wav"
        write_wav(path, recording)
        paths.append(str(path))
    return paths


def sentence_wav(folder: Path, voice: str, phrase: str) -> str:
    """``enrollment_sentence`` written as a WAV file in ``folder`` (for ``voicecare enroll --sentence``)."""
    from voicecare.audio.wav import write_wav

    path = folder / f"enroll-{voice.replace(':', '-')}-sentence.wav"
    write_wav(path, enrollment_sentence(voice, phrase))
    return str(path)


def read_lines(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [row["text"].strip() for row in csv.DictReader(handle, delimiter="\t") if row.get("text", "").strip()]


class Conditions:
    """Puts a clean clip into each listening condition (fixed seeds: the same noise for every row)."""

    def __init__(self) -> None:
        self.babble = tv.babble(40.0, talkers=5, seed=7)
        lines = read_lines(DATA / "broadcast.tsv")[300:330]
        self.television = tv.conversation([part for n, line in enumerate(lines)
                                           for part in (tv.speak(line, ("slt", "awb", "kal")[n % 3]), 0.3)])

    def apply(self, condition: str, clip: AudioChunk, speech: AudioChunk, seed: int) -> AudioChunk:
        if condition == "clean":
            return clip
        if condition.startswith("babble"):
            snr = float(condition.split()[1])
            return _mix_at(clip, _slice(self.babble, clip, seed), tv.active_level(speech), snr)
        far = tv.far_field(clip, tail_seconds=0, rumble_below_db=20.0, seed=seed)
        if condition == "far field":
            return far
        return _mix_at(far, _slice(self.television, far, seed), tv.active_level(speech) * 10 ** (-15 / 20), 10.0)


def _slice(noise: AudioChunk, clip: AudioChunk, seed: int) -> np.ndarray:
    x = noise.array().astype(np.float64) / 32768.0
    start = random.Random(seed).randrange(0, max(1, len(x) - clip.samples))
    return np.resize(x[start:], clip.samples)


def _mix_at(clip: AudioChunk, noise: np.ndarray, speech_level: float, snr: float) -> AudioChunk:
    x = clip.array().astype(np.float64) / 32768.0
    level = float(np.sqrt(np.mean(noise**2))) or 1.0
    return AudioChunk.from_array(np.clip(x + noise * speech_level / level * 10 ** (-snr / 20), -1.0, 1.0))


class Gatherer:
    """Runs the embedder, template matching, keyword search and (optionally) today's path."""

    def __init__(self, phrase: str, templates: dict[str, list[WakeTemplate]], spotter: Any,
                 before: Callable[[AudioChunk, Any], bool] | None) -> None:
        self.phrase = phrase
        self.embedder = SpeechEmbedder()
        self.templates = {p: [normalized(t.frames) for t in ts if not t.runon] for p, ts in templates.items()}
        self.runon = {p: [normalized(t.frames) for t in ts if t.runon] for p, ts in templates.items()}
        self.spotter = spotter
        self.before = before
        self.cost = Cost()
        self.spot_all = False
        self.frames_cache: dict[int, np.ndarray] = {}
        """Broadcast lines' frames, shared between phrases (the same audio whatever the phrase)."""
        self.keep_frames = False

    def hear_utterances(self, audio: AudioChunk, persons: list[str]) -> list[Heard]:
        """The detector as ``WakeDetector.detect`` runs it: on each utterance the endpointer makes of
        the audio, its opening only, the phrase starting in its first two seconds."""
        endpointer = Endpointer()
        out = []
        for utterance in endpointer.feed(audio) + endpointer.flush():
            opening = AudioChunk.from_array(utterance.audio.array()[:OPENING_SAMPLES])
            out += self.hear(opening, persons, False, max_start=MAX_START_FRAMES)
        return out

    def hear(self, audio: AudioChunk, persons: list[str], with_before: bool,
             max_start: int | None = None) -> list[Heard]:
        """The detector on the whole clip, as it runs on every block (the phrase may be anywhere), and
        today's path on each utterance the endpointer makes of it."""
        samples = audio.array()
        began = time.process_time()
        key = hash(audio.audio)
        frames = self.frames_cache.get(key)
        if frames is None:
            frames = normalized(self.embedder.embed(samples))
            if self.keep_frames:
                self.frames_cache[key] = frames
        mid = time.process_time()
        raw, runon = {}, {}
        for person in persons:
            best = max((match(t, frames, max_start or len(frames)) for t in self.templates[person]),
                       key=lambda m: m.score)
            raw[person] = (best.score, (best.end_frame + 1) * 0.08 - 0.16)
            for t in self.runon.get(person, []):
                found = match(t, frames, max_start or len(frames))
                runon[person] = (found.score, (found.end_frame + 1) * 0.08 - 0.16)
        done = time.process_time()
        self.cost.embed_cpu += mid - began
        self.cost.dtw_cpu += (done - mid) / max(1, len(persons))
        self.cost.audio_seconds += audio.seconds
        spread = level_spread_db(samples)
        could_propose = max(r for r, _ in (*raw.values(), *runon.values())) >= LOWEST_PROPOSE - MOST_ALLOWANCE * min(
            1.0, max(0.0, (40.0 - spread) / 25.0))
        spot = None
        if self.spot_all or could_propose:
            spot = self.spotter.spot(audio)
            self.cost.keyword_cpu += time.process_time() - done
            self.cost.keyword_seconds += audio.seconds
        verdict, utterances = None, -1
        if with_before and self.before is not None:
            endpointer = Endpointer()
            chunks = [u.audio for u in endpointer.feed(audio) + endpointer.flush()]
            utterances = len(chunks)
            verdict = False
            for chunk in chunks:
                heard = self.spotter.spot(chunk)
                if heard is not None and self.before(chunk, heard):
                    verdict = True
                    break
        return [Heard(raw, spread, None if spot is None else float(spot.end), verdict, utterances, runon)]


OPENING_SAMPLES = int((2.0 + 1.6) * 16_000)
MAX_START_FRAMES = 25
"""``WakeSettings.max_start_seconds`` and ``max_phrase_seconds``: what ``detect`` looks at."""
LOWEST_PROPOSE = 0.80
MOST_ALLOWANCE = 0.12
"""The widest first stage bench_wake tries: the keyword search is only needed where it could propose."""


def make_templates(voices: list[str], phrase: str, sentence: bool = True) -> dict[str, list[WakeTemplate]]:
    """Each voice's templates as ``voicecare enroll`` makes them: three phrases, and with ``sentence`` the
    run-on template cut from the enrollment sentence when it agrees with them."""
    embedder = SpeechEmbedder()
    made = {}
    for v in voices:
        alone = templates_from_recordings(embedder, enrollment(v, phrase), phrase, v)
        runon = runon_template(embedder, enrollment_sentence(v, phrase), alone)[0] if sentence else None
        made[v] = alone + ([runon] if runon is not None else [])
    return made


def positives(gatherer: Gatherer, voices: list[str], requests: list[str], conditions: list[str],
              cond: Conditions, with_before: bool) -> list[Item]:
    """The phrase alone and before each request (one breath, and after a comma), by each voice."""
    items = []
    phrase = gatherer.phrase
    for voice in voices:
        texts = [(form.format(phrase), "alone") for form in ALONE]
        texts += [(f"{phrase} {r}", "one breath") for r in requests] + [(f"{phrase}, {r}", "pause") for r in requests]
        for n, (text, kind) in enumerate(texts):
            speech = tv.speak(text, voice)
            clip = tv.conversation([0.5, speech, 1.0])
            for condition in conditions:
                audio = cond.apply(condition, clip, speech, seed=n)
                item = Item(voice, text, kind, condition, audio.seconds)
                item.heard = gatherer.hear(audio, [voice], with_before)
                items.append(item)
    return items


def broadcast(gatherer: Gatherer, path: Path, persons: list[str], with_before: bool,
              stride: int = 1) -> list[Item]:
    """Each broadcast line by its voice (in turn), scored against every person's templates."""
    items = []
    gatherer.keep_frames = True
    for n, line in enumerate(read_lines(path)):
        if n % stride:
            continue
        voice = BROADCAST_VOICES[n % len(BROADCAST_VOICES)]
        audio = tv.conversation([0.4, tv.speak(line, voice), 0.6])
        item = Item(voice, line, "broadcast", "clean", audio.seconds)
        item.heard = gatherer.hear_utterances(audio, persons)
        items.append(item)
    gatherer.keep_frames = False
    return items


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
