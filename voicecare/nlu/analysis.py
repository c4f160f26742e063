"""Reading one utterance: words corrected and joined, concept phrases found, red-flag concepts
checked for clear negation. Part of ``Matcher``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

from voicecare.nlu.lexicon import END, GAP, MAX_GAP, Pattern
from voicecare.nlu.normalize import tokens

JOIN_MIN_LENGTH = 7
"""Shortest lexicon word that two recognized pieces may be joined into ("nap roxen" -> naproxen)."""
RED_MIN_LENGTH = 5
"""Shortest non-English word that may be corrected into a red-flag word, at one edit at most."""
_SUFFIXES = ("ally", "ly", "s", "es", "ed", "ing", "ness")
"""Endings stripped from a real word the lexicon lacks, to reach a word it has."""
SADDLE_CONCEPT = "saddle_area"
"""Context concept for the saddle area: numbness there is an emergency, in a leg it is urgent."""
LIMB_CONCEPT = "legfoot"
"""Context concept for the leg and foot, the other place a loss of feeling can belong to."""
FEELING_CONCEPTS = frozenset({"feel_loss", "numb"})
"""Symptom concepts whose place decides between saddle numbness and leg numbness."""
SADDLE_REACH = 5
"""Words within which a loss of feeling belongs to the saddle area even when a leg word is nearer."""
OTHER_SYMPTOM_CONCEPTS = frozenset({"spasm", "pain", "stretch"})
"""Symptoms that, next to a saddle-area word, make it the place of a cramp or pain rather than of numbness."""
BODY_SENSE_CONCEPT = "body_sense"
"""Lexicon concept for our body words in another sense ("is that cafe hip", "the foot of the stairs")."""


@dataclass(frozen=True, slots=True)
class Span:
    """A concept found at tokens ``start:end``."""

    concept: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the matcher saw in one utterance, for scoring and for debugging."""

    words: tuple[str, ...]
    spans: tuple[Span, ...]
    present: frozenset[str]
    negated: frozenset[str]


class AnalysisMixin:
    """Words, concept spans and negation of one utterance (state lives on ``Matcher``)."""

    # words -------------------------------------------------------------
    def _correct(self, word: str) -> str:
        """The lexicon word a misspelled or misheard word stands for, else the word itself."""
        if word in self._vocab or len(word) < 5 or word.isdigit():
            return word
        if word in self._english:
            return self._stem(word)
        fixed = self._fixes.get(word)
        if fixed is None:
            fixed = self._nearest(word)
            if len(self._fixes) < 50_000:
                self._fixes[word] = fixed
        return fixed

    def _joined(self, words: list[str]) -> list[str]:
        """Words with a word split in two or three by the recognizer put back together ("nap roxen", "co coda mol").

        The pieces together must spell a long lexicon word, at one edit at most, and one of them must
        be neither a lexicon word nor an English word; three known pieces may join only exactly.
        """
        out: list[str] = []
        i = 0
        while i < len(words):
            for size in (3, 2):
                pieces = words[i:i + size]
                if len(pieces) == size and not any(w.isdigit() for w in pieces):
                    unknown = any(w not in self._vocab and w not in self._english for w in pieces)
                    whole = self._join("".join(pieces), unknown) if unknown or size == 3 else None
                    if whole is not None:
                        out.append(whole)
                        i += size
                        break
            else:
                out.append(words[i])
                i += 1
        return out

    def _join(self, piece: str, unknown: bool) -> str | None:
        """The long lexicon word joined pieces spell (at one edit when a piece is no known word), else None."""
        if len(piece) < JOIN_MIN_LENGTH:
            return None
        if piece in self._long_set or not unknown:
            return piece if piece in self._long_set else None
        key = "+" + piece
        if key not in self._fixes:
            best = process.extractOne(piece, self._long_targets, scorer=OSA.distance, score_cutoff=1)
            if len(self._fixes) < 50_000:
                self._fixes[key] = best[0] if best else ""
            return best[0] if best else None
        return self._fixes[key] or None

    def _stem(self, word: str) -> str:
        """A real word whose plain form the lexicon knows ("professionally"), else the word itself."""
        for suffix in _SUFFIXES:
            stem = word[: -len(suffix)]
            if word.endswith(suffix) and len(stem) >= 4 and stem in self._vocab:
                return stem
        return word

    def _nearest(self, word: str) -> str:
        """Closest lexicon word within a small edit distance; red-flag words need a closer match."""
        if len(word) >= RED_MIN_LENGTH:
            red = process.extractOne(word, self._red_targets, scorer=OSA.distance, score_cutoff=1)
            if red:
                return red[0]
        limit = 1 if len(word) < 8 else 2
        best = process.extractOne(word, self._targets, scorer=OSA.distance, score_cutoff=limit)
        return best[0] if best else word

    # concepts -----------------------------------------------------------
    def _ends(self, words: list[str], pattern: Pattern, i: int, k: int) -> Iterable[int]:
        """Every end index where ``pattern[k:]`` matches ``words`` from ``i``."""
        if k == len(pattern):
            yield i
            return
        element = pattern[k]
        if element is GAP:
            for skip in range(MAX_GAP + 1):
                if i + skip <= len(words):
                    yield from self._ends(words, pattern, i + skip, k + 1)
            return
        if i < len(words) and words[i] in element:
            yield from self._ends(words, pattern, i + 1, k + 1)

    def _end(self, words: list[str], pattern: Pattern, i: int) -> int | None:
        """The furthest end index where ``pattern`` matches ``words`` from ``i``, else None."""
        if GAP in pattern:
            return max(self._ends(words, pattern, i, 0), default=None)
        end = i + len(pattern)
        if end > len(words):
            return None
        for k, element in enumerate(pattern):
            if words[i + k] not in element:
                return None
        return end

    def _spans(self, words: list[str]) -> list[Span]:
        """Concept spans, longest first and red flags first among equals, without overlaps.

        Body words in another sense ("the bottom of the bed") are claimed first, so no longer phrase
        can read them as a body part.
        """
        found: list[Span] = []
        last = len(words) - 1
        ended = [*words, END]
        for i, word in enumerate(words):
            following = ended[i + 1]
            for name, pattern, second in self._index.get(word, ()):
                if second is not None and following not in second:
                    continue
                end = self._end(ended, pattern, i)
                if end is not None:
                    found.append(Span(name, i, min(end, last + 1)))
        found.sort(key=lambda s: (s.concept != BODY_SENSE_CONCEPT, s.start - s.end, s.concept not in self._red_concepts, s.start))
        taken = [False] * len(words)
        chosen: list[Span] = []
        for span in found:
            red = span.concept in self._red_only
            same = any(c.start == span.start and c.end == span.end for c in chosen)
            if same or not any(taken[span.start:span.end]) or (red and not any(
                    c.start < span.end and span.start < c.end and c.concept not in self._red_only
                    for c in chosen)):
                chosen.append(span)
                for j in range(span.start, span.end):
                    taken[j] = True
        senses = [c for c in chosen if c.concept == BODY_SENSE_CONCEPT]
        context = [c for c in self._context_spans(words)
                   if not any(b.start <= c.start and c.end <= b.end for b in senses)]
        return chosen + context

    def _context_spans(self, words: list[str]) -> list[Span]:
        """Context concepts wherever they occur; among themselves the longest phrase wins."""
        found: list[Span] = []
        for i, word in enumerate(words):
            for name, pattern in self._context.get(word, ()):
                end = self._end(words, pattern, i)
                if end is not None:
                    found.append(Span(name, i, end))
        found.sort(key=lambda s: (s.start - s.end, s.start))
        chosen: list[Span] = []
        for span in found:
            if all(c.end - c.start == span.end - span.start or c.end <= span.start or span.end <= c.start
                   for c in chosen):
                chosen.append(span)
        return chosen

    def _negated(self, words: list[str], start: int, earlier: dict[int, bool]) -> bool:
        """True when a clear negation cue governs the word at ``start`` in its clause.

        ``earlier`` maps tokens of red-flag spans already judged to their verdict, so "no numbness
        or tingling" negates both, while the "not" inside "can not sit" negates nothing.
        """
        lex = self.lexicon
        between = 0
        for j in range(start - 1, -1, -1):
            word = words[j]
            if j in earlier:
                return earlier[j] and between <= 2
            if word in lex.boundary:
                return False
            if word in lex.negation_near:
                return between <= 3 and all(w in lex.bridge_near for w in words[j + 1:start])
            if word in lex.negation_far and between <= 5:
                return not (j and words[j - 1] in lex.negation_far)  # "not nothing" affirms
            if word not in lex.bridge:
                return False
            between += 1
        return False

    def analyse(self, text: str) -> Analysis:
        """Words, concept spans, present and negated concepts of one utterance."""
        words = [self._correct(w) for w in self._joined(tokens(text))]
        spans = self._spans(words)
        unsure = any(self._end(words, p, i) is not None
                     for i, w in enumerate(words) for p in self._uncertain.get(w, ()))
        present: set[str] = set()
        negated: set[str] = set()
        verdicts: dict[int, bool] = {}
        for span in sorted(spans, key=lambda s: s.start):
            if span.concept not in self._red_concepts:
                present.add(span.concept)
                continue
            is_negated = not unsure and self._negated(words, span.start, verdicts)
            for j in range(span.start, span.end):
                verdicts[j] = verdicts.get(j, False) or is_negated
            (negated if is_negated else present).add(span.concept)
        if SADDLE_CONCEPT in present and present & FEELING_CONCEPTS and not self._feeling_in_saddle(spans):
            present.discard(SADDLE_CONCEPT)
        return Analysis(tuple(words), tuple(spans), frozenset(present), frozenset(negated - present))

    @staticmethod
    def _feeling_in_saddle(spans: list[Span]) -> bool:
        """True when some loss of feeling is about the saddle area rather than a leg ("groin cramping, leg tingling").

        A feeling belongs to the nearest place named, or to a saddle word close by ("my leg is numb and
        so is my bum"), unless that saddle word is nearer a spasm, pain or stretch of its own ("stretching
        my bum, now tingling down my leg"); a tie keeps the emergency.
        """
        def gap(a: Span, b: Span) -> int:
            return max(0, b.start - a.end, a.start - b.end)

        far = 1_000
        limb = [s for s in spans if s.concept == LIMB_CONCEPT]
        other = [s for s in spans if s.concept in OTHER_SYMPTOM_CONCEPTS]
        for feeling in (s for s in spans if s.concept in FEELING_CONCEPTS):
            near_limb = min((gap(feeling, s) for s in limb), default=far)
            for saddle in (s for s in spans if s.concept == SADDLE_CONCEPT):
                distance = gap(feeling, saddle)
                if min((gap(saddle, s) for s in other), default=far) < distance:
                    continue
                if distance <= near_limb or distance <= SADDLE_REACH:
                    return True
        return False

    def tags(self, analysis: Analysis) -> tuple[list[str], list[str]]:
        """The utterance as a sequence of concept tags and leftover words, plus context concepts."""
        starts: dict[int, list[Span]] = {}
        covered = [False] * len(analysis.words)
        extra: list[str] = []
        for span in analysis.spans:
            if span.concept in self.lexicon.anywhere:
                extra.append("@" + span.concept)
                continue
            starts.setdefault(span.start, []).append(span)
            for j in range(span.start, span.end):
                covered[j] = True
        out: list[str] = []
        for i, word in enumerate(analysis.words):
            for span in starts.get(i, ()):
                out.append(("!" if span.concept in analysis.negated else "@") + span.concept)
            if not covered[i]:
                out.append(word)
        return out, extra


__all__ = ["Analysis", "AnalysisMixin", "Span"]
