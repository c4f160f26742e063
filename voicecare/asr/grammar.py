"""Grammars for a waiting state: the answers it expects, every red flag and stop/help, and a path for
anything else (JSGF for PocketSphinx, a phrase list with ``[unk]`` for Vosk)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from voicecare.messages import Transcript

UNKNOWN = "[unk]"
_WORD = re.compile(r"^[a-z][a-z']*$")


@dataclass(frozen=True, slots=True)
class GrammarSettings:
    """How much room the grammar leaves for speech that is none of its answers."""

    other_words: int = 400
    """Everyday words (most frequent first, answer words left out) that make up the "other" path."""
    other_weight: float = 0.05
    """Prior weight of the "other" path against the answers (1.0)."""


@dataclass(frozen=True, slots=True)
class StateGrammar:
    """One waiting state's grammar: the phrases it accepts and the words of its "other" path."""

    name: str
    phrases: tuple[str, ...]
    other: tuple[str, ...]

    def accepts(self, text: str) -> bool:
        """True when ``text`` is one of the answers (not the "other" path, not silence)."""
        return bool(text) and text in self.phrases

    def jsgf(self, other_weight: float) -> str:
        """The JSGF text PocketSphinx compiles into a finite-state search."""
        answers = " | ".join(self.phrases)
        lines = ["#JSGF V1.0;", f"grammar {self.name};"]
        if self.other:
            lines.append(f"public <utterance> = /1.0/ <answer> | /{other_weight:g}/ <other>+;")
            lines.append("<other> = " + " | ".join(self.other) + ";")
        else:
            lines.append("public <utterance> = <answer>;")
        lines.append(f"<answer> = {answers};")
        return "\n".join(lines) + "\n"


def state_grammar(name: str, phrases: Sequence[str], general: Iterable[str], settings: GrammarSettings,
                  known: Callable[[str], bool]) -> StateGrammar:
    """Keep phrases whose every word the decoder can pronounce; the "other" path takes everyday words
    that are in no answer, so an answer is never reached through it."""
    kept = tuple(p for p in phrases if p and all(_WORD.match(w) and known(w) for w in p.split()))
    answer_words = {w for p in kept for w in p.split()}
    other: list[str] = []
    for word in general:
        if len(other) >= settings.other_words:
            break
        if word not in answer_words and _WORD.match(word) and known(word):
            other.append(word)
    return StateGrammar(_jsgf_name(name), kept, tuple(other))


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
