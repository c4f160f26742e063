"""Ordinary English words, so fuzzy correction never turns a real word into a domain word."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

_HEADWORD = re.compile(r"^([a-z]+)[ (]", re.MULTILINE)
"""A dictionary line's word, without its "(2)" variant mark; words with apostrophes are skipped."""


def _dictionary_path() -> Path | None:
    """The pronouncing dictionary that ships with pocketsphinx, when it is installed."""
    try:
        import pocketsphinx
    except ImportError:
        return None
    path = Path(pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"
    return path if path.is_file() else None


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Lowercase words of the CMU pronouncing dictionary; empty (with a warning) when it is missing."""
    path = _dictionary_path()
    if path is None:
        log.warning("no English word list found; fuzzy correction may change real words")
        return frozenset()
    text = path.read_text(encoding="utf-8", errors="replace")
    return frozenset(w for w in _HEADWORD.findall(text))


__all__ = ["english_words"]
