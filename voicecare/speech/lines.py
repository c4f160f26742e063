"""The sentences the assistant can say, read from content, so a slow voice can render them ahead.

Everything voicecare says comes from ``content/``. Speech is cached sentence by sentence, so a line
built from several content sentences still comes from the cache, and only a sentence with a
number in it ("Hold for 25 seconds.") is synthesised when it is first needed.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path
from typing import Any, Iterator, Mapping

NOT_SPOKEN_FILES = frozenset({"intents.toml", "lexicon.toml"})
"""What people say, for the understanding; the assistant never speaks these."""
NOT_SPOKEN_KEYS = frozenset({"kind", "muscle", "severity", "sides", "exercise", "id"})
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
SIDE_VALUES: tuple[Mapping[str, str], ...] = ({"side": "left", "other": "right"}, {"side": "right", "other": "left"})


def split_sentences(text: str) -> list[str]:
    """Sentences of a line, split after . ! or ? and a space; whitespace normalised."""
    text = " ".join(text.split())
    return [s for s in _SENTENCE_END.split(text) if s] if text else []


def content_version(content_dir: Path) -> str:
    """A short digest of every content file: a change to any of them makes a new cache."""
    digest = hashlib.sha256()
    for path in sorted(Path(content_dir).glob("*.toml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def content_strings(value: Any, key: str = "") -> Iterator[str]:
    """Every string in a parsed content file, except values of keys that are never spoken."""
    if key in NOT_SPOKEN_KEYS:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from content_strings(item, key)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from content_strings(v, k)


def expand(sentence: str, fixed: Mapping[str, str]) -> list[str]:
    """The sentence with every known placeholder filled in; [] when one is only known at run time."""
    names = set(_PLACEHOLDER.findall(sentence))
    if not names:
        return [sentence]
    choices: list[Mapping[str, str]] = [{}]
    if names & {"side", "other"}:
        choices = list(SIDE_VALUES)
    if names - {"side", "other"} - set(fixed):
        return []
    out = []
    for values in choices:
        merged = {**fixed, **values}
        out.append(_PLACEHOLDER.sub(lambda m: merged[m[1]], sentence))
    return out


def spoken_sentences(content_dir: Path, fixed: Mapping[str, str] | None = None) -> list[str]:
    """Every distinct sentence content can make the assistant say without a run-time number.

    ``fixed`` fills placeholders known at start-up (``wake``, the emergency ``number``); sides are
    filled both ways; sentences with any other placeholder are left to be synthesised when said.
    """
    fixed = dict(fixed or {})
    seen: dict[str, None] = {}
    for sentence in content_sentences(content_dir):
        for filled in expand(sentence, fixed):
            seen.setdefault(filled, None)
    return list(seen)


def content_sentences(content_dir: Path) -> Iterator[str]:
    """Each sentence of every spoken content file, placeholders unfilled, in file order."""
    for path in sorted(Path(content_dir).glob("*.toml")):
        if path.name in NOT_SPOKEN_FILES:
            continue
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        for text in content_strings(data):
            yield from split_sentences(text)

