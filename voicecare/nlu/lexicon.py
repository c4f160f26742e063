"""The lexicon: concepts (words and phrases that mean one thing) and per-intent scoring rules.

Loaded from ``content/lexicon.toml`` and validated once; see that file for the schema.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from voicecare.content.loader import DEFAULT_CONTENT_DIR, Entry, file_entry
from voicecare.nlu.extra import ALL_INTENTS
from voicecare.nlu.normalize import tokens

log = logging.getLogger(__name__)

GAP = None
"""A pattern element that skips zero to ``MAX_GAP`` words (written ``*``)."""
END = "$"
"""A pattern element (written ``$``) that matches only after the last word of the utterance."""
MAX_GAP = 3

Element = frozenset[str] | None
Pattern = tuple[Element, ...]


@dataclass(frozen=True, slots=True)
class Rule:
    """How one intent is scored: which concept combinations trigger it, and their weights."""

    intent: str
    when: tuple[tuple[frozenset[str], frozenset[str]], ...]
    """Alternatives of (concepts that must all be present, concepts that must be absent)."""
    weights: Mapping[str, float]
    max_other: int | None
    """Short-command guard: at most this many meaningful words outside the rule's concepts."""

    def triggered(self, present: frozenset[str]) -> bool:
        """True when any alternative has all its concepts present and none of its exclusions."""
        return any(need <= present and not (veto & present) for need, veto in self.when)


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Everything the matcher knows about words, validated from ``lexicon.toml``."""

    concepts: Mapping[str, tuple[Pattern, ...]]
    rules: tuple[Rule, ...]
    filler: frozenset[str]
    known: frozenset[str]
    negation_near: frozenset[str]
    negation_far: frozenset[str]
    bridge: frozenset[str]
    """Words that may stand between "not"/"never" and what they negate."""
    bridge_near: frozenset[str]
    """Words that may stand between "no"/"without" and what they negate."""
    boundary: frozenset[str]
    uncertain: tuple[Pattern, ...]
    anywhere: frozenset[str] = frozenset()
    """Context concepts (body areas, toilet words) found wherever they occur, never negated and
    never hidden by a longer overlapping phrase, so red-flag rules can combine them with symptoms."""

    def words(self) -> frozenset[str]:
        """Every word any concept pattern can match."""
        out: set[str] = set()
        for patterns in (*self.concepts.values(), self.uncertain):
            for pattern in patterns:
                for element in pattern:
                    if element is not GAP:
                        out |= element - {END}
        return frozenset(out)


def compile_pattern(phrase: str, where: Entry) -> Pattern:
    """``"can not feel * leg|foot"`` as elements; words are normalized like utterances are."""
    elements: list[Element] = []
    for raw in phrase.split():
        if raw == "*":
            elements.append(GAP)
            continue
        if raw == END:
            elements.append(frozenset([END]))
            continue
        alternatives: set[str] = set()
        for alt in raw.split("|"):
            normal = tokens(alt)
            if len(normal) != 1:
                raise where.error(f"phrase {phrase!r}: {alt!r} is not one word once normalized",
                                  "write contractions as separate words (can not) inside | alternatives")
            alternatives.add(normal[0])
        elements.append(frozenset(alternatives))
    if END in phrase.split()[:-1] or phrase.split()[:1] == [END]:
        raise where.error(f"phrase {phrase!r} has $ before its end", "put $ only last, after a word")
    if not elements or elements[0] is GAP or elements[-1] is GAP:
        raise where.error(f"phrase {phrase!r} is empty or starts or ends with *", "put * only between words")
    return tuple(elements)


def _phrase_patterns(phrases: tuple[str, ...], where: Entry) -> tuple[Pattern, ...]:
    """Expand a phrase list: a plain phrase is normalized whole, so contractions work there."""
    out: list[Pattern] = []
    for phrase in phrases:
        if "|" in phrase or "*" in phrase or END in phrase.split():
            out.append(compile_pattern(phrase, where))
        else:
            words = tokens(phrase)
            if not words:
                raise where.error(f"phrase {phrase!r} has no words", "remove it or write words")
            out.append(tuple(frozenset([w]) for w in words))
    return tuple(out)


def _word_set(entry: Entry, key: str) -> frozenset[str]:
    return frozenset(w for line in entry.lines(key) for w in tokens(line))


def load_lexicon(content_dir: Path = DEFAULT_CONTENT_DIR) -> Lexicon:
    """Read and check ``lexicon.toml``; any mistake is one ContentError naming entry and fix."""
    root = file_entry(content_dir / "lexicon.toml")
    words = root.table("words")
    filler = _word_set(words, "filler")
    known = _word_set(words, "known")
    negation_near = _word_set(words, "negation_near")
    negation_far = _word_set(words, "negation_far")
    bridge_near = _word_set(words, "bridge_near")
    bridge = _word_set(words, "bridge") | bridge_near
    boundary = _word_set(words, "boundary")
    uncertain = _phrase_patterns(words.lines("uncertain"), words)
    words.done()

    raw_concepts = root.raw("concepts")
    table = Entry(raw_concepts, "lexicon.toml [concepts]")
    concepts: dict[str, tuple[Pattern, ...]] = {}
    for name in raw_concepts:
        concepts[name] = _phrase_patterns(table.lines(name), table)
    table.done()
    anywhere = _anywhere(root, concepts)
    rules = tuple(_rule(intent, entry, concepts) for intent, entry in root.table("intents").children().items())
    root.done()
    return Lexicon(concepts=concepts, rules=rules, filler=filler, known=known, negation_near=negation_near,
                   negation_far=negation_far, bridge=bridge, bridge_near=bridge_near, boundary=boundary, uncertain=uncertain,
                   anywhere=anywhere)


def _anywhere(root: Entry, concepts: Mapping[str, object]) -> frozenset[str]:
    """The ``[matching] anywhere`` list of context concept names, each checked to exist."""
    raw = root.raw("matching", {})
    table = Entry(raw, "lexicon.toml [matching]")
    names = table.raw("anywhere", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise table.error("'anywhere' must be a list of concept names", 'write anywhere = ["legfoot"]')
    for name in names:
        if name not in concepts:
            raise table.error(f"'anywhere' names the unknown concept '{name}'", "define it under [concepts] or fix the spelling")
    table.done()
    return frozenset(names)


def _rule(intent: str, entry: Entry, concepts: Mapping[str, object]) -> Rule:
    """One ``[intents."id"]`` table as a Rule, checking every concept name it uses."""
    if intent not in ALL_INTENTS or intent == "unknown":
        raise entry.error(f"'{intent}' is not an intent id", "use an id from CONTRACT.md or voicecare.nlu.EXTRA_INTENTS")
    raw_when = entry.raw("when")
    if not isinstance(raw_when, list) or not raw_when or not all(
            isinstance(alt, list) and alt and all(isinstance(c, str) for c in alt) for alt in raw_when):
        raise entry.error("'when' must be a list of lists of concept names", 'write when = [["spasm", "glute"]]')
    when: list[tuple[frozenset[str], frozenset[str]]] = []
    weights: dict[str, float] = {}
    for alt in raw_when:
        need = frozenset(c for c in alt if not c.startswith("!"))
        veto = frozenset(c[1:] for c in alt if c.startswith("!"))
        for name in need | veto:
            if name not in concepts:
                raise entry.error(f"'when' names the unknown concept '{name}'", "define it under [concepts] or fix the spelling")
        if not need:
            raise entry.error("a 'when' alternative has no required concept", "name at least one concept without !")
        when.append((need, veto))
        for name in need:
            weights.setdefault(name, 1.0)
    raw_weights = entry.raw("weights", {})
    table = Entry(raw_weights, f"{entry.where}.weights")
    for name in raw_weights:
        if name not in concepts:
            raise table.error(f"'{name}' is not a concept", "define it under [concepts] or fix the spelling")
        weights[name] = float(table.number(name))
    table.done()
    max_other = entry.raw("max_other")
    if max_other is not None and (isinstance(max_other, bool) or not isinstance(max_other, int) or max_other < 0):
        raise entry.error("'max_other' must be a whole number of at least 0", "write max_other = 1")
    entry.done()
    return Rule(intent=intent, when=tuple(when), weights=weights, max_other=max_other)


__all__ = ["END", "GAP", "Lexicon", "Rule", "load_lexicon"]
