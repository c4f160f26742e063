"""Turning typed or recognized text into plain lowercase word tokens.

Case, punctuation, contractions and number words are folded here, once, so the
lexicon and the example phrases can be written in one simple form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CONTRACTIONS: dict[str, str] = {
    "can't": "can not", "cannot": "can not", "cant": "can not",
    "won't": "will not", "wont": "will not",
    "shan't": "shall not", "ain't": "is not", "aint": "is not",
    "don't": "do not", "dont": "do not", "doesn't": "does not", "doesnt": "does not",
    "didn't": "did not", "didnt": "did not", "isn't": "is not", "isnt": "is not",
    "aren't": "are not", "arent": "are not", "wasn't": "was not", "wasnt": "was not",
    "weren't": "were not", "werent": "were not", "haven't": "have not", "havent": "have not",
    "hasn't": "has not", "hasnt": "has not", "hadn't": "had not", "hadnt": "had not",
    "couldn't": "could not", "couldnt": "could not", "wouldn't": "would not", "wouldnt": "would not",
    "shouldn't": "should not", "shouldnt": "should not", "mustn't": "must not", "needn't": "need not",
    "i'm": "i am", "im": "i am", "i've": "i have", "ive": "i have", "i'll": "i will", "i'd": "i would",
    "let's": "let us", "lets": "let us", "it's": "it is", "its": "it is", "that's": "that is",
    "thats": "that is", "what's": "what is", "whats": "what is", "there's": "there is",
    "theres": "there is", "here's": "here is", "who's": "who is", "how's": "how is",
    "where's": "where is", "you're": "you are", "youre": "you are", "we're": "we are",
    "they're": "they are", "theyre": "they are", "you've": "you have", "we've": "we have",
    "they've": "they have", "you'll": "you will", "we'll": "we will", "he's": "he is", "she's": "she is",
    "cannae": "can not", "canna": "can not", "cannae'": "can not", "dinnae": "do not", "dinna": "do not",
    "didnae": "did not", "couldnae": "could not", "wouldnae": "would not", "isnae": "is not",
    "doesnae": "does not", "wasnae": "was not", "willnae": "will not", "havnae": "have not", "hasnae": "has not",
    "gonna": "going to", "wanna": "want to", "gotta": "got to", "gimme": "give me", "lemme": "let me",
    "kinda": "kind of", "sorta": "sort of", "y'know": "you know", "o'clock": "oclock",
}

_NUMBERS: dict[str, str] = {
    "zero": "0", "nought": "0", "nil": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10",
    "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15",
    "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19", "twenty": "20",
    "thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "ninety": "90",
}

_TENS = frozenset({"20", "30", "40", "50", "60", "90"})
_UNITS = frozenset("123456789")
"""Spoken compounds such as "forty five" become one number (45)."""

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_WITHOUT = re.compile(r"\bw/o\b")
_OUT_OF_TEN = re.compile(r"(\d+)\s*/\s*10\b")
_DIGIT_LETTER = re.compile(r"(\d)([a-z])")
_SUFFIXES = (("n't", " not"), ("'re", " are"), ("'ve", " have"), ("'ll", " will"), ("'d", " would"),
             ("'m", " am"), ("'s", " is"))


def _fold(text: str) -> str:
    """Lowercase, strip accents, unify quote marks so one table of contractions fits all."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = text.lower().replace("`", "'")
    if "/" in text:
        text = _WITHOUT.sub("without", text)
        text = _OUT_OF_TEN.sub(r"\1 out of 10", text)
    return _DIGIT_LETTER.sub(r"\1 \2", text)


def _expand(word: str) -> list[str]:
    """One raw word as normalized tokens: contractions opened, number words as digits."""
    if word in _CONTRACTIONS:
        return _CONTRACTIONS[word].split()
    if "'" in word:
        for suffix, replacement in _SUFFIXES:
            if word.endswith(suffix):
                stem = word[: -len(suffix)]
                if suffix == "n't":
                    stem = {"ca": "can", "wo": "will", "sha": "shall"}.get(stem, stem)
                return [*_expand(stem), replacement.strip()] if stem else [replacement.strip()]
        word = word.replace("'", "")
    return [_NUMBERS.get(word, word)]


def tokens(text: str) -> list[str]:
    """The normalized words of ``text``: never raises, empty for empty or symbol-only text."""
    if not isinstance(text, str):
        return []
    return list(_tokens(text))


@lru_cache(maxsize=8192)
def _tokens(text: str) -> tuple[str, ...]:
    """Cached: content phrases are tokenized several times while loading."""
    out: list[str] = []
    for word in _WORD.findall(_fold(text)):
        for token in _expand(word):
            if token in _UNITS and out and out[-1] in _TENS:
                out[-1] = str(int(out[-1]) + int(token))
            else:
                out.append(token)
    return tuple(out)


def normalize(text: str) -> str:
    """The normalized text as one space-separated string (for example matching)."""
    return " ".join(tokens(text))
