"""Sentences with a number or a name in them, put together from parts rendered ahead.

"Hold for {seconds} seconds." can be said with any number, so it cannot be cached whole ahead of
time. Its fixed words ("Hold for", "seconds.") are rendered as parts, and so are the numbers 0 to
60 and the unit words; exercise names are content, so they are cached already. A sentence that
fits a content template is then joined from those parts, trimmed and spaced, without running the
network; the voice is only loaded for what cannot be built that way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping

import numpy as np

from voicecare.audio.chunk import RATE, AudioChunk
from voicecare.speech.lines import SIDE_VALUES, content_sentences, spoken_sentences

PART_PREFIX = "\x1fpart:"
"""Cache keys of parts start with this, so a part never answers for a whole sentence."""
NUMBERS = tuple(str(n) for n in range(61))
UNIT_WORDS = ("second", "seconds", "minute", "minutes", "hour", "hours", "day", "days", "and")
GAP_SECONDS = 0.06
"""Quiet between two parts: close enough to sound like one sentence, apart enough to be clear."""
EDGE_SECONDS = 0.015
QUIET = 250
"""Samples quieter than this (about -42 dBFS) at a part's edges are trimmed."""
_SLOT = re.compile(r"\{([a-z_]+)\}")


def part_key(text: str) -> str:
    """The cache key of a part (case does not matter: "Twenty" and "twenty" are one part)."""
    return PART_PREFIX + " ".join(text.split()).lower()


@dataclass(frozen=True, slots=True)
class Template:
    """A content sentence with slots filled at run time."""

    pattern: re.Pattern[str]
    segments: tuple[str | None, ...]
    """Fixed words in order, None where a slot's value goes."""


def _template(sentence: str) -> Template:
    segments: list[str | None] = []
    regex = ""
    last = 0
    for match in _SLOT.finditer(sentence):
        literal = sentence[last:match.start()]
        regex += re.escape(literal) + r"(.+?)"
        segments += [literal.strip(), None]
        last = match.end()
    regex += re.escape(sentence[last:])
    segments.append(sentence[last:].strip())
    kept = tuple(s for s in segments if s is None or re.search(r"\w", s))
    return Template(re.compile(regex, re.IGNORECASE), kept)


def templates(content_dir: Path, fixed: Mapping[str, str] | None = None) -> list[Template]:
    """Every content sentence with a slot only known at run time, sides and fixed values filled in."""
    fixed = dict(fixed or {})
    found: dict[str, None] = {}
    for sentence in content_sentences(content_dir):
        names = set(_SLOT.findall(sentence))
        if not names - {"side", "other"} - set(fixed):
            continue  # whole sentences: cached as they are
        for values in SIDE_VALUES if names & {"side", "other"} else ({},):
            merged = {**fixed, **values}
            found.setdefault(_SLOT.sub(lambda m: merged.get(m[1], m[0]), sentence), None)
    return [_template(sentence) for sentence in found]


def part_texts(content_dir: Path, fixed: Mapping[str, str] | None = None) -> list[str]:
    """The parts to render ahead: the templates' fixed words, numbers and unit words."""
    parts: dict[str, None] = {}
    for template in templates(content_dir, fixed):
        for segment in template.segments:
            if segment is not None:
                parts.setdefault(segment, None)
    for word in (*NUMBERS, *UNIT_WORDS):
        parts.setdefault(word, None)
    return list(parts)


def cache_items(content_dir: Path, fixed: Mapping[str, str] | None = None) -> list[str | tuple[str, str]]:
    """Everything the phrase cache is built from, whole sentences and (key, text) parts, in the order
    they are most needed (red flags first: ``voicecare.speech.priority``)."""
    from voicecare.speech.priority import by_need

    items: list[str | tuple[str, str]] = list(spoken_sentences(content_dir, fixed))
    items += [(part_key(text), text) for text in part_texts(content_dir, fixed)]
    return by_need(items, content_dir, fixed)


def _trim(chunk: AudioChunk) -> np.ndarray:
    samples = chunk.array()
    loud = np.nonzero(np.abs(samples) > QUIET)[0]
    if not len(loud):
        return samples[:0]
    edge = int(EDGE_SECONDS * RATE)
    return samples[max(0, loud[0] - edge): loud[-1] + edge]


def join(chunks: Iterable[AudioChunk]) -> AudioChunk:
    """Parts as one sentence: edges trimmed, a short gap between them."""
    gap = np.zeros(int(GAP_SECONDS * RATE), dtype="<i2")
    pieces: list[np.ndarray] = []
    for chunk in chunks:
        if pieces:
            pieces.append(gap)
        pieces.append(_trim(chunk))
    return AudioChunk.from_array(np.concatenate(pieces) if pieces else gap)


class Composer:
    """Builds a sentence from cached parts when it fits a template; None when it does not."""

    def __init__(self, templates: list[Template]) -> None:
        self._templates = templates

    def compose(self, sentence: str, lookup: Callable[[str], AudioChunk | None]) -> AudioChunk | None:
        for template in self._templates:
            match = template.pattern.fullmatch(sentence)
            if match is None:
                continue
            chunks = self._parts(template, match, lookup)
            if chunks is not None:
                return join(chunks)
        return None

    def _parts(self, template: Template, match: re.Match[str],
               lookup: Callable[[str], AudioChunk | None]) -> list[AudioChunk] | None:
        chunks: list[AudioChunk] = []
        values = iter(match.groups())
        for segment in template.segments:
            if segment is not None:
                found = lookup(part_key(segment))
                if found is None:
                    return None
                chunks.append(found)
                continue
            value = next(values).strip()
            whole = lookup(part_key(value)) or lookup(value)  # a name is content, cached whole
            if whole is not None:
                chunks.append(whole)
                continue
            for word in value.split():
                found = lookup(part_key(word.strip(",.;:")))
                if found is None:
                    return None
                chunks.append(found)
        return chunks
