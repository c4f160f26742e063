"""Example phrases per intent (``content/intents.toml``), validated once when loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from voicecare.content.loader import DEFAULT_CONTENT_DIR, file_entry
from voicecare.nlu.extra import ALL_INTENTS
from voicecare.nlu.normalize import normalize

MIN_EXAMPLES = 12
"""Every intent needs this many varied phrasings: they feed matching and the recognizer."""


def load_intents(content_dir: Path = DEFAULT_CONTENT_DIR) -> Mapping[str, tuple[str, ...]]:
    """Intent id -> example phrases; a wrong id, a short list or a duplicate is a ContentError."""
    root = file_entry(content_dir / "intents.toml")
    table = root.table("intents")
    seen: dict[str, str] = {}
    out: dict[str, tuple[str, ...]] = {}
    for intent, entry in table.children().items():
        if intent not in ALL_INTENTS:
            raise entry.error(f"'{intent}' is not an intent id",
                              "use an id from CONTRACT.md or voicecare.nlu.EXTRA_INTENTS, or fix the spelling")
        examples = entry.lines("examples", minimum=MIN_EXAMPLES)
        entry.done()
        for example in examples:
            key = normalize(example)
            if key in seen:
                where = "twice in this list" if seen[key] == intent else f"also under [intents.\"{seen[key]}\"]"
                raise entry.error(f"the example {example!r} is listed {where}",
                                  "keep each phrase under one intent only")
            seen[key] = intent
        out[intent] = examples
    root.done()
    missing = [i for i in ALL_INTENTS if i not in out]
    if missing:
        raise table.error(f"no examples for '{missing[0]}'", f'add [intents."{missing[0]}"] with {MIN_EXAMPLES} examples')
    return out
