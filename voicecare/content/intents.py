"""Example phrases per intent (``content/intents.toml``), validated once when loaded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from voicecare.content.loader import DEFAULT_CONTENT_DIR, file_entry
from voicecare.nlu.extra import ALL_INTENTS
from voicecare.nlu.normalize import normalize

MIN_EXAMPLES = 12
"""Every intent needs this many varied phrasings: they feed matching and the recognizer."""


@dataclass(frozen=True, slots=True)
class IntentContent:
    """Hand-written ``examples`` and labelled real utterances (``heard``) per intent."""

    examples: Mapping[str, tuple[str, ...]]
    heard: Mapping[str, tuple[str, ...]]

    def combined(self) -> Mapping[str, tuple[str, ...]]:
        """Both lists per intent, examples first (what the recognizer's language model is built from)."""
        return {intent: (*phrases, *self.heard.get(intent, ())) for intent, phrases in self.examples.items()}


def load_intent_content(content_dir: Path = DEFAULT_CONTENT_DIR) -> IntentContent:
    """Both phrase lists; a wrong id, a short list or a phrase under two intents is a ContentError."""
    root = file_entry(content_dir / "intents.toml")
    table = root.table("intents")
    seen: dict[str, str] = {}
    examples: dict[str, tuple[str, ...]] = {}
    heard: dict[str, tuple[str, ...]] = {}
    for intent, entry in table.children().items():
        if intent not in ALL_INTENTS:
            raise entry.error(f"'{intent}' is not an intent id",
                              "use an id from CONTRACT.md or voicecare.nlu.EXTRA_INTENTS, or fix the spelling")
        written = entry.lines("examples", minimum=MIN_EXAMPLES)
        collected = entry.lines("heard") if entry.has("heard") else ()
        entry.done()
        for example in (*written, *collected):
            key = normalize(example)
            if key in seen:
                where = "twice in this table" if seen[key] == intent else f"also under [intents.\"{seen[key]}\"]"
                raise entry.error(f"the example {example!r} is listed {where}",
                                  "keep each phrase under one intent only")
            seen[key] = intent
        examples[intent] = written
        heard[intent] = collected
    root.done()
    missing = [i for i in ALL_INTENTS if i not in examples]
    if missing:
        raise table.error(f"no examples for '{missing[0]}'", f'add [intents."{missing[0]}"] with {MIN_EXAMPLES} examples')
    return IntentContent(examples, heard)


def load_intents(content_dir: Path = DEFAULT_CONTENT_DIR) -> Mapping[str, tuple[str, ...]]:
    """Intent id -> every phrase (examples, then heard utterances); errors as in ``load_intent_content``."""
    return load_intent_content(content_dir).combined()
