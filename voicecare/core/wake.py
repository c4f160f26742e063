"""The wake phrase: is an utterance addressed to the assistant, and what follows it."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

_FILLERS = frozenset({"um", "uh", "er", "erm", "oh", "ok", "okay", "so"})
_CALLS = frozenset({"hey", "hay", "hi", "a", "eh", "ay", "he", "k", "ok", "okay", "oi"})
"""Short openings a recognizer makes of "hey" (PocketSphinx often hears "a care")."""


@dataclass(frozen=True, slots=True)
class WakePhrase:
    """Finds the wake phrase at the start of a transcript, tolerating small mis-recognitions."""

    phrase: str = "hey care"
    min_similarity: float = 80.0
    """Percent (rapidfuzz ratio) the opening words must reach to count as the wake phrase."""
    sounds: frozenset[str] = frozenset()
    """Words the recognizer makes of the name in "hey <name>" ("carer" for "care"); the name itself
    always counts. The shell fills this from the recognizer's dictionary (``asr.keyword.sound_alikes``)
    and accepts such a reading only where the keyword search heard the phrase too."""

    def split(self, text: str) -> tuple[bool, str]:
        """Return (wake phrase present, the rest of the utterance without it)."""
        words = text.lower().split()
        while words and words[0] in _FILLERS:
            words.pop(0)
        wanted = self.phrase.lower().split()
        if not wanted:
            return True, text
        if len(wanted) == 2 and wanted[0] in _CALLS:
            # "hey <name>": a recognizer turns "hey" into many short words, but the name must be right,
            # or "the care home" and "a car" would wake it.
            if len(words) >= 2 and words[0] in _CALLS and (words[1] == wanted[1] or words[1] in self.sounds):
                return True, " ".join(words[2:])
            return False, text
        for extra in (0, 1, -1):
            count = len(wanted) + extra
            if count <= 0 or count > len(words):
                continue
            if fuzz.ratio(" ".join(words[:count]), " ".join(wanted)) >= self.min_similarity:
                return True, " ".join(words[count:])
        return False, text
