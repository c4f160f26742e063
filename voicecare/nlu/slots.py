"""Slots taken from the words of an utterance: side, pain rating, and weight bearing."""

from __future__ import annotations

from typing import AbstractSet

NO_WEIGHT_CONCEPT = "no_weight"
"""Lexicon concept meaning they cannot stand or bear weight (slot ``weight`` = ``no``)."""
PAIN_CONCEPTS = frozenset({"pain", "spasm", "rating"})
"""Lexicon concepts that make a bare number read as a pain rating."""

_NOT_SIDE_BEFORE = {
    "right": frozenset({"all", "is", "are", "you", "that", "quite", "not", "exactly", "sounds", "okay", "ok"}),
    "left": frozenset({"i", "have", "has", "had", "is", "are", "was", "time", "much", "long", "any", "seconds",
                       "minutes", "many", "anything", "nothing", "just", "he", "she", "they", "we", "it", "much"}),
}
_NOT_SIDE_AFTER = {
    "right": frozenset({"now", "away", "then", "there", "here", "after", "before", "back", "so", "okay", "ok",
                        "yes", "yeah", "thanks", "thank", "got", "good", "fine", "in", "dose", "amount", "posture", "way",
                        "thing", "things", "time", "position", "answer", "place", "moment", "track", "direction",
                        "idea", "choice", "kind", "size", "level", "height", "chair", "mattress", "pillow",
                        "food", "foods", "exercise", "stretch", "doctor", "person", "setup", "sort", "type",
                        "amount", "to", "i", "you", "it", "that", "and", "or"}),
    "left": frozenset({"over", "behind", "home", "work", "the", "it", "me", "to", "for", "a", "an"}),
}
_BOTH = frozenset({"both", "either"})
_UNITS = frozenset({
    "day", "days", "week", "weeks", "month", "months", "year", "years", "hour", "hours", "hrs", "hr",
    "minute", "minutes", "min", "mins", "second", "seconds", "sec", "secs", "mg", "milligrams", "times",
    "glasses", "glass", "reps", "rep", "sets", "set", "oclock", "am", "pm", "more", "of", "steps",
    "litres", "liters", "cups", "tablets", "pills", "kilos", "miles", "km", "feet", "metres", "stairs",
    "degrees", "last", "ago", "weeks", "nights", "night", "mornings", "morning",
})
_NOT_RATING_BEFORE = frozenset({
    "for", "every", "in", "this", "that", "next", "the", "each", "no", "any", "another", "which",
    "other", "at", "last", "past", "than", "take", "took", "after", "since", "only", "just", "right", "left",
    "my", "your", "plus", "minus", "times",
})
_RATING_BEFORE = frozenset({
    "a", "is", "about", "around", "maybe", "probably", "say", "like", "roughly", "solid", "strong",
    "least", "level", "pain", "its", "an", "honestly", "perhaps", "definitely", "nearly", "almost",
})


def side(words: list[str]) -> str | None:
    """``left`` or ``right`` when named once, None when both, either or neither."""
    if any(w in _BOTH for w in words):
        return None
    found: set[str] = set()
    for i, word in enumerate(words):
        if word not in _NOT_SIDE_BEFORE:
            continue
        before = words[i - 1] if i else ""
        after = words[i + 1] if i + 1 < len(words) else ""
        body_after = after in {"side", "hip", "leg", "glute", "groin", "buttock", "thigh", "foot", "knee", "one"}
        if not body_after and (before in _NOT_SIDE_BEFORE[word] or after in _NOT_SIDE_AFTER[word]):
            continue
        found.add(word)
    return found.pop() if len(found) == 1 else None


def rating(words: list[str], concepts: AbstractSet[str]) -> str | None:
    """A pain rating 0-10 as a string: "8 out of 10", "about a 6", "it is a 7", or a bare "10"."""
    meaningful = [w for w in words if w not in {"um", "uh", "er", "erm", "hmm", "i", "would", "it", "is", "so"}]
    for i, word in enumerate(words):
        if not word.isdigit() or int(word) > 10:
            continue
        after = words[i + 1] if i + 1 < len(words) else ""
        before = words[i - 1] if i else ""
        if words[i + 1:i + 4] == ["out", "of", "10"]:
            return str(int(word))
        if after in _UNITS or before in _NOT_RATING_BEFORE:
            continue
        if before in _RATING_BEFORE or len(meaningful) <= 3 or concepts & PAIN_CONCEPTS:
            return str(int(word))
    return None


def extract_slots(words: list[str], concepts: AbstractSet[str]) -> dict[str, str]:
    """Every slot the words give: ``side``, ``number`` (pain rating) and ``weight``."""
    slots: dict[str, str] = {}
    named = side(words)
    if named:
        slots["side"] = named
    number = rating(words, concepts)
    if number is not None:
        slots["number"] = number
    if NO_WEIGHT_CONCEPT in concepts:
        slots["weight"] = "no"
    return slots
