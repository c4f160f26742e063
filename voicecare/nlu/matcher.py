"""Scoring an utterance against the lexicon's concepts and rules, red flags first.

Pieces, not whole sentences: words are corrected (rapidfuzz, word level), concepts are
found as phrases, red-flag concepts are checked for clear negation, each intent rule adds
the weights of the concepts it cares about, and the nearest example sentence adds a bonus.

Reading an utterance (words, concept spans, negation) is ``analysis``; this module builds the
matcher, scores each rule and decides.
"""

from __future__ import annotations

import logging
import math
from typing import Mapping

from rapidfuzz import fuzz, process

from voicecare.messages import RED_FLAG_SEVERITY, Understanding, unknown
from voicecare.nlu.analysis import BODY_SENSE_CONCEPT, JOIN_MIN_LENGTH, Analysis, AnalysisMixin, Span
from voicecare.nlu.english import english_words
from voicecare.nlu.lexicon import GAP, Lexicon, Pattern, Rule
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
EVERYDAY_CONCEPTS = frozenset({"hip", "glute", "front_hip", "adductor", "pain", "spasm"})
"""Concepts red-flag rules use that are everyday complaints too (a place of ours, pain, spasm): never a red flag alone."""
OUR_BODY_CONCEPTS = frozenset({"hip", "glute", "front_hip", "adductor", "legfoot", "lower_body", "saddle_area"})
"""Concepts naming the hip region: with one of them, another body part does not make it off-topic."""
OFFTOPIC_MARGIN = 4.5
"""Raw score an intent needs to win over an off-topic word in the same utterance."""
SCALE = 3.0
"""Raw score of ``SCALE`` maps to a confidence of 0.63."""
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
THING_CONCEPT = "thing"
"""Context concept for things (battery, wifi, the hot water): a red-flag word about one of them is no red flag."""
CLEAR_SYMPTOM_CONCEPT = "clear_symptom"
"""Context concept for words that are symptoms in any sentence (numb, spasm, fever): a thing never cancels them."""
PERSON_CONCEPT = "person"
"""Context concept for people someone may be looking after."""
SELF_WORDS = frozenset({"i", "me", "myself", "we", "us"})
"""Words that make the speaker the subject of a symptom word after them."""
THING_AFTER = 2
"""Words after a symptom word within which a thing is what it describes ("weak signal", "weak tea")."""


def confidence(raw: float) -> float:
    """Map an unbounded raw score to 0.0-1.0."""
    return 0.0 if raw <= 0 else 1.0 - math.exp(-raw / SCALE)


class Matcher(AnalysisMixin):
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
            c for r in self._rules for c in r.weights)  # empty with only red-flag rules in the lexicon
        self._red_only = self._red_concepts - plain - EVERYDAY_CONCEPTS
        """Red-flag symptom concepts no other intent uses: they may overlap one another."""
        self._example_text: list[str] = []
        self._example_intent: list[str] = []
        example_words: set[str] = set()
        for intent, phrases in examples.items():
            for phrase in phrases:
                words = tokens(phrase)
                example_words.update(words)
                self._example_text.append(" ".join(words))
                self._example_intent.append(intent)
        self._example_of: dict[str, str] = {}
        """Each example's intent by its words (the first, where two intents share one)."""
        for example, intent in zip(self._example_text, self._example_intent):
            self._example_of.setdefault(example, intent)
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

    def vocabulary(self) -> frozenset[str]:
        """Every word the lexicon, the examples and the labelled pool use."""
        return self._all_words

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
        return self._example_of.get(" ".join(tokens(text)))

    def nearest(self, analysis: Analysis, k: int = 5) -> list[Neighbour]:
        """The nearest labelled examples to an analysed utterance (empty when the signal is off)."""
        if self._neighbours is None:
            return []
        tags, extra = self.tags(analysis)
        return self._neighbours.nearest(tags, extra, k)

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
            rule, raw = min(red, key=lambda p: (RED_FLAG_SEVERITY[p[0].intent].rank, -p[1]))
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
