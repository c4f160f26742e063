"""What the recognizer listens for in each waiting state, from content/listening.toml."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from voicecare.asr.lm import number_words, words_of
from voicecare.content.intents import load_intent_content
from voicecare.content.loader import DEFAULT_CONTENT_DIR, file_entry
from voicecare.core.expectation import Expect
from voicecare.errors import ContentError

log = logging.getLogger(__name__)

LISTENING_FILE = "listening.toml"
ALWAYS = "always"
NUMBER = "{n}"
NUMBER_RULE = "<number>"
"""How a compact phrase marks the place of a number (a rule of the grammar: zero to ten)."""
PAIN_NUMBERS = tuple(number_words(n) for n in range(11))


@dataclass(frozen=True, slots=True)
class Listening:
    """Normalized phrases per waiting state (each already holding the ``always`` phrases)."""

    phrases: Mapping[Expect, tuple[str, ...]]
    always: tuple[str, ...]
    compact: Mapping[Expect, tuple[str, ...]] = field(default_factory=dict)
    """The same phrases with ``<number>`` standing for each number: a grammar many times smaller."""

    def for_state(self, expect: Expect) -> tuple[str, ...]:
        """The state's answers plus every red flag and stop/help; empty for ``IDLE`` (open model)."""
        return self.phrases.get(expect, ())

    def compact_for_state(self, expect: Expect) -> tuple[str, ...]:
        """``for_state`` with ``<number>`` in place of the numbers zero to ten."""
        return self.compact.get(expect, self.for_state(expect))


def load_listening(content_dir: Path = DEFAULT_CONTENT_DIR) -> Listening:
    """Load and validate listening.toml; the first problem raises one ``ContentError``."""
    content_dir = Path(content_dir)
    path = content_dir / LISTENING_FILE
    root = file_entry(path)
    table = root.table("listen")
    root.done()
    assert table is not None
    examples = load_intent_content(content_dir).examples
    states = {e.value: e for e in Expect if e is not Expect.IDLE}
    found: dict[str, tuple[str, ...]] = {}
    compact: dict[str, tuple[str, ...]] = {}
    for key, entry in table.children().items():
        if key != ALWAYS and key not in states:
            raise entry.error("is not a waiting state", f"use one of: {ALWAYS}, {', '.join(states)}")
        texts = list(entry.lines("phrases", required=False, minimum=0))
        for intent in entry.lines("intents", required=False, minimum=0):
            if intent not in examples:
                raise entry.error(f"names the unknown intent {intent!r}", "use an intent of intents.toml")
            texts.extend(examples[intent])
        entry.done()
        if not texts:
            raise entry.error("has no phrases or intents", "add phrases = [...] or intents = [...]")
        found[key] = _normalized(texts)
        compact[key] = _unique([_compact(t) for t in texts])
    if ALWAYS not in found:
        raise ContentError(f"{path.name}: no [listen.always] table", "add the red flags and stop/help there")
    missing = [name for name in states if name not in found]
    if missing:
        raise ContentError(f"{path.name}: no [listen.{missing[0]}] table", "add one for every waiting state")
    always = found.pop(ALWAYS)
    always_compact = compact.pop(ALWAYS)
    phrases = {states[k]: _unique((*v, *always)) for k, v in found.items()}
    compacts = {states[k]: _unique((*v, *always_compact)) for k, v in compact.items()}
    log.debug("listening phrases for %d states from %s", len(phrases), path)
    return Listening(MappingProxyType(phrases), always, MappingProxyType(compacts))


def _compact(text: str) -> str:
    """A phrase normalized, with ``<number>`` where its template has ``{n}``."""
    return f" {NUMBER_RULE} ".join(" ".join(words_of(part)) for part in text.split(NUMBER)).strip()


def _normalized(texts: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for text in texts:
        variants = [text.replace(NUMBER, n) for n in PAIN_NUMBERS] if NUMBER in text else [text]
        out.extend(" ".join(words_of(v)) for v in variants)
    return _unique(out)


def _unique(texts: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for t in texts if t))
