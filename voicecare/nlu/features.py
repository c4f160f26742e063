"""Features of an utterance for the learned classifier: words, word pairs, letter n-grams, concepts.

One function shared by training and run time, so the shipped weights always meet the features
they were trained on. Letter n-grams (inside word boundaries) carry misspellings and recognizer
slips ("numm", "tinglin") to the same features as the written word; the lexicon's concept tags
(``@numb``, ``!numb`` when denied, ``@thing``, ``@person``) carry its synonyms to words the
training rows never used.
"""

from __future__ import annotations

from typing import Sequence

from voicecare.nlu.normalize import tokens

CHAR_SIZES = (3, 4, 5)
"""Letter n-gram lengths, taken inside each word padded with spaces."""
MAX_WORDS = 80
"""Words of one utterance looked at; a rambling minute of speech is cut here (keeps latency bounded)."""


def featurize(text: str, tags: Sequence[str] = ()) -> list[str]:
    """The feature strings of ``text`` and its concept ``tags`` (repeats count as term frequency); empty for no words."""
    words = tokens(text)[:MAX_WORDS]
    if not words:
        return []
    tags = list(tags)[:MAX_WORDS]
    out = [f"w:{w}" for w in words]
    padded = ["<s>", *words, "</s>"]
    out.extend(f"b:{a} {b}" for a, b in zip(padded, padded[1:]))
    for word in words:
        marked = f" {word} "
        for size in CHAR_SIZES:
            if len(marked) < size:
                continue
            out.extend(f"c:{marked[i:i + size]}" for i in range(len(marked) - size + 1))
    out.extend(f"t:{t}" for t in tags)
    out.extend(f"t:{a} {b}" for a, b in zip(tags, tags[1:]))
    return out


__all__ = ["CHAR_SIZES", "MAX_WORDS", "featurize"]
