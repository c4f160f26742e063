"""Grammars for a waiting state: the answers it expects, every red flag and stop/help, and a path for
anything else (JSGF for PocketSphinx, a phrase list with ``[unk]`` for Vosk)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from voicecare.messages import Transcript

UNKNOWN = "[unk]"
NUMBER_RULE = "<number>"
NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
"""What ``<number>`` in a compact phrase stands for: a pain rating."""
_WORD = re.compile(r"^[a-z][a-z']*$")


@dataclass(frozen=True, slots=True)
class GrammarSettings:
    """How much room the grammar leaves for speech that is none of its answers."""

    other_words: int = 0
    """Everyday words (most frequent first, answer words left out) for an "other" path inside the
    grammar. Off by default: PocketSphinx's finite-state search slows down badly when speech takes
    such a loop (60 words: a 2 s off-topic sentence took 6 s to decode, against 0.3 s without),
    so the open model's decoding of the same audio serves as the "other" path (``min_similarity``)."""
    other_weight: float = 0.05
    """Prior weight of the "other" path against the answers (1.0)."""
    min_similarity: float = 0.5
    """A grammar's answer is taken only when it sounds this much like (0-1, phone by phone) what the
    open model heard, best or in another reading: speech the grammar does not hold gets forced onto
    some answer that sounds nothing like it ("what is the weather like today" became "my legs feel
    like jelly"), while a real answer the open model misheard still sounds close ("paws", "pause")."""


@dataclass(frozen=True, slots=True)
class StateGrammar:
    """One waiting state's grammar: the phrases it accepts and the words of its "other" path."""

    name: str
    phrases: tuple[str, ...]
    other: tuple[str, ...]
    compact: tuple[str, ...] = ()
    """The phrases written with ``<number>``: what the JSGF holds (``phrases`` is what it accepts)."""

    def accepts(self, text: str) -> bool:
        """True when ``text`` is one of the answers (not the "other" path, not silence)."""
        return bool(text) and text in self.phrases

    def jsgf(self, other_weight: float) -> str:
        """The JSGF text PocketSphinx compiles into a finite-state search."""
        answers = " | ".join(self.compact or self.phrases)
        lines = ["#JSGF V1.0;", f"grammar {self.name};"]
        if self.other:
            lines.append(f"public <utterance> = /1.0/ <answer> | /{other_weight:g}/ <other>+;")
            lines.append("<other> = " + " | ".join(self.other) + ";")
        else:
            lines.append("public <utterance> = <answer>;")
        lines.append(f"<answer> = {answers};")
        if any(NUMBER_RULE in p for p in self.compact):
            lines.append(f"{NUMBER_RULE} = {' | '.join(NUMBERS)};")
        return "\n".join(lines) + "\n"


def state_grammar(name: str, phrases: Sequence[str], general: Iterable[str], settings: GrammarSettings,
                  known: Callable[[str], bool], compact: Sequence[str] = ()) -> StateGrammar:
    """Keep phrases whose every word the decoder can pronounce; the "other" path takes everyday words
    that are in no answer, so an answer is never reached through it."""
    def sayable(phrase: str) -> bool:
        return bool(phrase) and all(w == NUMBER_RULE or _WORD.match(w) and known(w) for w in phrase.split())

    kept = tuple(p for p in phrases if sayable(p))
    kept_compact = tuple(p for p in compact if sayable(p))
    answer_words = {w for p in kept for w in p.split()}
    other: list[str] = []
    for word in general:
        if len(other) >= settings.other_words:
            break
        if word not in answer_words and _WORD.match(word) and known(word):
            other.append(word)
    return StateGrammar(_jsgf_name(name), kept, tuple(other), kept_compact)


def sounds_alike(answer: str, heard: Sequence[str], phones: Callable[[str], list[str]]) -> float:
    """How much ``answer`` sounds like the closest of ``heard`` (0-1, phone sequences' edit distance)."""
    from rapidfuzz.distance import Levenshtein

    target = phones(answer)
    if not target:
        return 0.0
    return max((Levenshtein.normalized_similarity(target, phones(text)) for text in heard if text), default=0.0)


def vosk_grammar(phrases: Sequence[str]) -> list[str]:
    """A Vosk grammar: the answers, then ``[unk]`` for anything else."""
    return [*dict.fromkeys(p for p in phrases if p), UNKNOWN]


def _jsgf_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def combine(open_reading: Transcript, answer: Transcript | None, accepted: bool) -> Transcript:
    """One transcript from both decodings of an utterance.

    An answer the grammar accepted wins (the open model mishears lone numbers and short answers);
    the open model's readings become its alternatives, so a red flag heard only there is still
    checked with the person. Speech the grammar sent down its "other" path is what the open model
    heard: not understood, or a request the state's answers do not cover.
    """
    if answer is None or not accepted:
        return open_reading
    others = [t for t in (open_reading.text, *open_reading.alternatives, *answer.alternatives)
              if t and t != answer.text]
    return Transcript(text=answer.text, confidence=answer.confidence, engine=answer.engine,
                      alternatives=tuple(dict.fromkeys(others)), search=answer.search,
                      open_text=open_reading.text)
