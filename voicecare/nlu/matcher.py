"""Scoring an utterance against the lexicon's concepts and rules, red flags first.

Pieces, not whole sentences: words are corrected (rapidfuzz, word level), concepts are
found as phrases, red-flag concepts are checked for clear negation, each intent rule adds
the weights of the concepts it cares about, and the nearest example sentence adds a bonus.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Iterable, Mapping

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from voicecare.messages import RED_FLAG_SEVERITY, Severity, Understanding, unknown
from voicecare.nlu.english import english_words
from voicecare.nlu.lexicon import END, GAP, MAX_GAP, Lexicon, Pattern, Rule
from voicecare.nlu.neighbours import Neighbour, NeighbourIndex
from voicecare.nlu.normalize import tokens
from voicecare.nlu.slots import extract_slots

log = logging.getLogger(__name__)

EXAMPLE_WEIGHT = 1.5
"""Raw score an exact example match adds to its intent."""
EXAMPLE_FLOOR = 55.0
"""Example similarity (0-100) below which examples add nothing."""
EXAMPLE_ALONE = 86.0
"""Similarity at which an example decides on its own when no rule fired."""
NEGATED_RED_WEIGHT = 2.0
"""Raw score of ``control.no`` when a red-flag symptom is clearly denied ("no numbness")."""
OFFTOPIC_CONCEPT = "offtopic"
"""Lexicon concept for requests outside the domain (music, weather, alarms...)."""
OTHER_BODY_CONCEPT = "other_body"
"""Lexicon concept for body parts outside the hip region (hand, neck, tooth...)."""
OTHER_SENSE_CONCEPT = "other_sense"
"""Lexicon concept for objects that put our treatment words in another sense ("heat up dinner", "stretch limo")."""
OUR_CONTEXT_CONCEPTS = frozenset({"spasm"})
"""Concepts that, like a body part of ours, keep a treatment word in its therapy sense ("awful" alone does not)."""
SHARED_WORD_INTENTS = frozenset({"relief.heat", "relief.cold", "relief.hydration", "routine.daily_stretch",
                                 "routine.strength", "routine.desk_break", "info.sleep", "info.nutrition",
                                 "relief.general", "relief.medication"})
"""Intents whose words have everyday senses too (heat up dinner, ice for the gin, stretch limo, water the plants,
freezing overnight, the hot water keeps going off)."""
VAGUE_SPASM_CONCEPT = "vague_spasm"
"""Spasm words that also describe things ("going off", "playing up"): next to an everyday object they keep nothing ours."""
OUR_BODY_CONCEPTS = frozenset({"hip", "glute", "front_hip", "adductor", "legfoot", "lower_body", "saddle_area"})
"""Concepts naming the hip region: with one of them, another body part does not make it off-topic."""
OFFTOPIC_MARGIN = 4.5
"""Raw score an intent needs to win over an off-topic word in the same utterance."""
SCALE = 3.0
"""Raw score of ``SCALE`` maps to a confidence of 0.63."""
JOIN_MIN_LENGTH = 7
"""Shortest lexicon word that two recognized pieces may be joined into ("nap roxen" -> naproxen)."""
RED_MIN_LENGTH = 5
"""Shortest non-English word that may be corrected into a red-flag word, at one edit at most."""
_SUFFIXES = ("ally", "ly", "s", "es", "ed", "ing", "ness")
"""Endings stripped from a real word the lexicon lacks, to reach a word it has."""
KNN_FLOOR = 0.6
"""Cosine similarity (0-1) of the nearest tagged example below which it adds nothing."""
KNN_WEIGHT = 2.5
"""Raw score a perfect nearest-example match adds to its intent."""
KNN_ALONE = 0.8
"""Similarity at which a nearest example may propose an intent no concept rule fired for."""
KNN_CONFIDENT = 4.5
"""Raw concept score at or above which a nearest example may not propose another intent."""
KNN_UNKNOWN = 0.85
"""Similarity to an off-topic example at which a weak concept match becomes unknown."""
SADDLE_CONCEPT = "saddle_area"
"""Context concept for the saddle area: numbness there is an emergency, in a leg it is urgent."""
LIMB_CONCEPT = "legfoot"
"""Context concept for the leg and foot, the other place a loss of feeling can belong to."""
FEELING_CONCEPTS = frozenset({"feel_loss", "numb"})
"""Symptom concepts whose place decides between saddle numbness and leg numbness."""
SADDLE_REACH = 5
OTHER_SYMPTOM_CONCEPTS = frozenset({"spasm", "pain", "stretch"})
"""Symptoms that, next to a saddle-area word, make it the place of a cramp or pain rather than of numbness."""
"""Words within which a loss of feeling belongs to the saddle area even when a leg word is nearer."""
THING_CONCEPT = "thing"
"""Context concept for things (battery, wifi, the hot water): a red-flag word about one of them is no red flag."""
CLEAR_SYMPTOM_CONCEPT = "clear_symptom"
"""Context concept for words that are symptoms in any sentence (numb, spasm, fever): a thing never cancels them."""
PERSON_CONCEPT = "person"
"""Context concept for people someone may be looking after."""
BODY_SENSE_CONCEPT = "body_sense"
"""Lexicon concept for our body words in another sense ("is that cafe hip", "the foot of the stairs")."""
SELF_WORDS = frozenset({"i", "me", "myself", "we", "us"})
"""Words that make the speaker the subject of a symptom word after them."""
THING_AFTER = 2
"""Words after a symptom word within which a thing is what it describes ("weak signal", "weak tea")."""
_SEVERITY_RANK = {Severity.EMERGENCY: 0, Severity.URGENT: 1, Severity.ROUTINE: 2}


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


def confidence(raw: float) -> float:
    """Map an unbounded raw score to 0.0-1.0."""
    return 0.0 if raw <= 0 else 1.0 - math.exp(-raw / SCALE)


class Matcher:
    """The scoring engine behind ``Understander``; built once from lexicon and examples."""

    def __init__(self, lexicon: Lexicon, examples: Mapping[str, tuple[str, ...]], threshold: float,
                 pool: Mapping[str, tuple[str, ...]] | None = None) -> None:
        """``examples`` feed whole-sentence similarity; ``pool`` (labelled utterances) feeds the nearest-neighbour signal."""
        self.lexicon = lexicon
        self.threshold = threshold
        self._index: dict[str, list[tuple[str, Pattern, frozenset[str] | None]]] = {}
        self._context: dict[str, list[tuple[str, Pattern]]] = {}
        for name, patterns in lexicon.concepts.items():
            for pattern in patterns:
                second = pattern[1] if len(pattern) > 1 else None
                for word in pattern[0]:
                    if name in lexicon.anywhere:
                        self._context.setdefault(word, []).append((name, pattern))
                    else:
                        self._index.setdefault(word, []).append((name, pattern, second))
        self._red_rules = tuple(r for r in lexicon.rules if r.intent in RED_FLAG_SEVERITY)
        self._rules = tuple(r for r in lexicon.rules if r.intent not in RED_FLAG_SEVERITY)
        self._red_concepts = frozenset(c for r in self._red_rules for need, _ in r.when for c in need
                                       if c not in lexicon.anywhere)
        plain = frozenset(c for r in self._rules for need, veto in r.when for c in need | veto) | frozenset(
            c for r in self._rules for c in r.weights)
        self._red_only = self._red_concepts - plain
        """Red-flag symptom concepts no other intent uses: they may overlap one another."""
        self._example_text: list[str] = []
        self._example_intent: list[str] = []
        self._example_of: dict[str, str] | None = None
        """Each example's intent by its words, made on first use."""
        example_words: set[str] = set()
        for intent, phrases in examples.items():
            for phrase in phrases:
                words = tokens(phrase)
                example_words.update(words)
                self._example_text.append(" ".join(words))
                self._example_intent.append(intent)
        concept_words = lexicon.words()
        red_words = frozenset(w for name in self._red_concepts | lexicon.anywhere for pattern in lexicon.concepts[name]
                              for element in pattern if element is not GAP for w in element)
        targets = [w for w in concept_words if len(w) >= 4 and not w.isdigit()]
        self._targets = sorted(w for w in targets if w not in red_words)
        self._red_targets = sorted(w for w in targets if w in red_words)
        self._long_targets = sorted(w for w in targets if len(w) >= JOIN_MIN_LENGTH)
        self._long_set = frozenset(self._long_targets)
        self._english = english_words()
        self._vocab = frozenset(concept_words | lexicon.known | lexicon.filler | lexicon.negation_near
                                | lexicon.negation_far | lexicon.bridge | lexicon.boundary | example_words)
        self._fixes: dict[str, str] = {}
        self._our_body = OUR_BODY_CONCEPTS & frozenset(lexicon.concepts)
        self._rule_of = {r.intent: r for r in self._rules}
        self._uncertain: dict[str, list[Pattern]] = {}
        for pattern in lexicon.uncertain:
            for word in pattern[0]:
                self._uncertain.setdefault(word, []).append(pattern)
        self._neighbours = NeighbourIndex(
            (intent, *self.tags(self.analyse(phrase))) for intent, phrases in pool.items() for phrase in phrases
        ) if pool else None
        self._all_words = self._vocab | frozenset(
            w for phrases in (pool or {}).values() for phrase in phrases for w in tokens(phrase))

    # words -------------------------------------------------------------
    def vocabulary(self) -> frozenset[str]:
        """Every word the lexicon, the examples and the labelled pool use."""
        return self._all_words

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

    def nearest(self, analysis: Analysis, k: int = 5) -> list[Neighbour]:
        """The nearest labelled examples to an analysed utterance (empty when the signal is off)."""
        if self._neighbours is None:
            return []
        tags, extra = self.tags(analysis)
        return self._neighbours.nearest(tags, extra, k)

    # scoring ------------------------------------------------------------
    def _raw(self, rule: Rule, analysis: Analysis) -> float:
        return sum(w for c, w in rule.weights.items() if c in analysis.present)

    def _others(self, rule: Rule, analysis: Analysis) -> int:
        """Meaningful words that the rule's own concepts do not explain."""
        covered = [False] * len(analysis.words)
        for span in analysis.spans:
            if span.concept in rule.weights:
                for j in range(span.start, span.end):
                    covered[j] = True
        return sum(1 for w, c in zip(analysis.words, covered) if not c and w not in self.lexicon.filler)

    def example_intent(self, text: str) -> str | None:
        """The intent of a content example that ``text`` says word for word, if any."""
        if self._example_of is None:
            self._example_of = {}
            for example, intent in zip(self._example_text, self._example_intent):
                self._example_of.setdefault(example, intent)
        return self._example_of.get(" ".join(tokens(text)))

    def _example_bonus(self, text: str) -> tuple[dict[str, float], str, float]:
        """Per-intent bonus from the nearest examples, plus the single best example's intent."""
        hits = process.extract(text, self._example_text, scorer=fuzz.token_sort_ratio, limit=8)
        bonus: dict[str, float] = {}
        for _, score, index in hits:
            intent = self._example_intent[index]
            value = EXAMPLE_WEIGHT * max(0.0, (score - EXAMPLE_FLOOR) / (100.0 - EXAMPLE_FLOOR))
            bonus[intent] = max(bonus.get(intent, 0.0), value)
        if not hits:
            return bonus, "unknown", 0.0
        return bonus, self._example_intent[hits[0][2]], hits[0][1]

    def _knn(self, analysis: Analysis) -> dict[str, float]:
        """Best similarity per intent among the nearest examples; red-flag examples never vote."""
        best: dict[str, float] = {}
        for n in self.nearest(analysis):
            if n.intent not in RED_FLAG_SEVERITY and n.similarity > best.get(n.intent, 0.0):
                best[n.intent] = n.similarity
        return best

    def _knn_proposals(self, scored: list[tuple[float, int, str]], near: dict[str, float],
                       analysis: Analysis) -> list[tuple[float, int, str]]:
        """Add an intent no rule fired for when its nearest example is close and no rule is confident."""
        if scored and max(scored)[0] >= KNN_CONFIDENT:
            return scored
        have = {item[2] for item in scored}
        out = list(scored)
        for intent, similarity in near.items():
            if intent in have or intent == "unknown" or similarity < KNN_ALONE:
                continue
            rule = self._rule_of.get(intent)
            if rule is not None and rule.max_other is not None and self._others(rule, analysis) > rule.max_other:
                continue
            out.append((_lift(similarity), -len(self._rules) - 1, intent))
        return out

    def understand(self, text: str) -> Understanding:
        """One utterance as an Understanding; red flags win whenever present."""
        analysis = self.analyse(text)
        if not analysis.words:
            return unknown(text)
        slots = extract_slots(list(analysis.words), analysis.present)
        red = [(r, self._raw(r, analysis)) for r in self._red_rules if r.triggered(analysis.present)]
        about_thing = bool(red) and self._about_a_thing(analysis, [r for r, _ in red])
        if about_thing:
            log.debug("red-flag words about a thing, not a person: %r", text)
            red = []
            about_thing = not analysis.present & (self._our_body | OUR_CONTEXT_CONCEPTS)
        if red:
            rule, raw = min(red, key=lambda p: (_SEVERITY_RANK[RED_FLAG_SEVERITY[p[0].intent]], -p[1]))
            return Understanding(text, rule.intent, max(0.5, confidence(raw)), slots)
        joined = " ".join(analysis.words)
        bonus, best_intent, best_score = self._example_bonus(joined)
        near = self._knn(analysis)
        scored: list[tuple[float, int, str]] = []
        for order, rule in enumerate(self._rules):
            if not rule.triggered(analysis.present):
                continue
            if rule.max_other is not None and self._others(rule, analysis) > rule.max_other:
                continue
            scored.append((self._raw(rule, analysis) + bonus.get(rule.intent, 0.0) + _lift(near.get(rule.intent, 0.0)),
                           -order, rule.intent))
        scored = self._knn_proposals(scored, near, analysis)
        if near.get("unknown", 0.0) >= KNN_UNKNOWN and (not scored or max(scored)[0] < KNN_CONFIDENT):
            return Understanding(text, "unknown", 0.0, slots)
        if analysis.negated & self._red_concepts:
            scored = [item for item in scored if item[2] != "control.yes"]
            scored.append((NEGATED_RED_WEIGHT + bonus.get("control.no", 0.0), -len(self._rules), "control.no"))
        if scored:
            raw, _, intent = max(scored)
            if intent in SHARED_WORD_INTENTS and self._other_sense(analysis):
                return Understanding(text, "unknown", 0.0, slots)
            foreign = about_thing or OFFTOPIC_CONCEPT in analysis.present or (
                analysis.present & {OTHER_BODY_CONCEPT, BODY_SENSE_CONCEPT} and not analysis.present & self._our_body)
            if foreign and raw < OFFTOPIC_MARGIN:
                return Understanding(text, "unknown", 0.0, slots)
            if best_intent == "unknown" and best_score >= 90 and raw < 3:
                return Understanding(text, "unknown", 0.0, slots)
            score = confidence(raw)
            if score >= self.threshold:
                return Understanding(text, intent, score, slots)
            return Understanding(text, "unknown", score, slots)
        foreign = about_thing or analysis.present & {OFFTOPIC_CONCEPT, OTHER_BODY_CONCEPT}
        if best_score >= EXAMPLE_ALONE and best_intent != "unknown" and not foreign:
            return Understanding(text, best_intent, best_score / 100.0 * 0.8, slots)
        return Understanding(text, "unknown", 0.0, slots)

    def concept_tags(self, text: str) -> list[str]:
        """The concepts found in ``text`` in order (``!`` marks a denied red-flag concept), then context concepts."""
        tags, extra = self.tags(self.analyse(text))
        return [t for t in tags if t[:1] in ("@", "!")] + sorted(extra)

    def denies_red_flag(self, text: str) -> bool:
        """True when a red-flag word in ``text`` is clearly denied and none is affirmed ("no numbness").

        Only words that are red flags on their own count: "the spasm is not going off" denies a
        spasm, which is no red flag, so it leaves the pins and needles said before it standing.
        """
        analysis = self.analyse(text)
        return bool(analysis.negated & self._red_only) and not analysis.present & self._red_only

    def _about_a_thing(self, analysis: Analysis, rules: list[Rule]) -> bool:
        """True when every red-flag word is about a thing ("my laptop battery is weak"), not a body or a person.

        The subject of a symptom word is the nearest thing, body part, person or "I" before it, or
        else a thing just after it ("weak signal"). A red-flag word that is a symptom in any sentence
        (numb, fever), or whose subject is a body part, a person or the speaker, keeps the red flag.
        """
        if THING_CONCEPT not in analysis.present:
            return False
        body = self._our_body | {OTHER_BODY_CONCEPT}
        things = [s.start for s in analysis.spans if s.concept == THING_CONCEPT]
        others = [s.start for s in analysis.spans if s.concept == PERSON_CONCEPT or s.concept in body]
        others += [i for i, w in enumerate(analysis.words) if w in SELF_WORDS]
        clear = [s for s in analysis.spans if s.concept == CLEAR_SYMPTOM_CONCEPT]
        needed = {c for rule in rules for need, veto in rule.when
                  if need <= analysis.present and not veto & analysis.present for c in need}
        symptoms = [s for s in analysis.spans if s.concept in needed and s.concept not in body
                    and s.concept not in self.lexicon.anywhere]
        if not symptoms:
            return False
        for span in symptoms:
            if any(c.start < span.end and span.start < c.end for c in clear):
                return False
            thing = max((t for t in things if t < span.end), default=-1)
            other = max((o for o in others if o < span.end), default=-1)
            if thing > other or (other < 0 and any(span.end <= t <= span.end + THING_AFTER for t in things)):
                continue
            return False
        return True

    def _other_sense(self, analysis: Analysis) -> bool:
        """True when an everyday object puts our words in another sense and nothing of ours is named."""
        if analysis.present & self._our_body:
            return False
        vague = [s for s in analysis.spans if s.concept == VAGUE_SPASM_CONCEPT]
        for span in analysis.spans:
            if span.concept in OUR_CONTEXT_CONCEPTS and not any(
                    v.start <= span.start and span.end <= v.end for v in vague):
                return False
        denied = self.lexicon.negation_near | self.lexicon.negation_far
        return any(span.concept == OTHER_SENSE_CONCEPT and not denied.intersection(analysis.words[max(0, span.start - 2):span.start])
                   for span in analysis.spans)


def _lift(similarity: float) -> float:
    """Raw score a nearest example of this similarity adds to its intent."""
    return KNN_WEIGHT * max(0.0, (similarity - KNN_FLOOR) / (1.0 - KNN_FLOOR))


__all__ = ["Analysis", "Matcher", "Span", "confidence"]
