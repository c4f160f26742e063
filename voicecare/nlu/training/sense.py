"""Generated rows labelled with the sense of an utterance: whose body, when, and whether it is denied.

The same red-flag statements are crossed with subjects (the speaker, someone they care for, a
person on the television or down the road, an animal), with times (now, lately, years ago, a
question about what might happen) and with denials, so the model learns what changes the
meaning of a red-flag word rather than the word alone. Every row carries an intent too (a
red flag only for a body we look after, now, not denied). Fixed seed: the same rows on every run.
Word lists are ordinary English, not phrases of any evaluation set.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from typing import Iterator, TypeVar

from voicecare.messages import RED_FLAG_SEVERITY
from voicecare.nlu.model import WHEN, WHO
from voicecare.nlu.training import corpus

_Row = TypeVar("_Row")
"""A labelled row (``voicecare.nlu.training.data.Example``): a dataclass with text, intent, source and sense fields."""

SEED = 23
"""Fixed so the rows, and so the trained weights, are reproducible."""

DENIED = ("no", "yes")


@dataclass(frozen=True, slots=True)
class SenseRow:
    """One generated utterance with its intent and its three sense labels."""

    text: str
    intent: str
    who: str
    when: str
    denied: str


# subject, possessive, third person, reflexive, label
SELF = [("I", "my", False, "myself", "self")] * 3 + [("i", "me", False, "myself", "self")]
CARED = [("my mum", "her", True, "herself"), ("dad", "his", True, "himself"), ("my husband", "his", True, "himself"),
         ("my wife", "her", True, "herself"), ("the gentleman I look after", "his", True, "himself"),
         ("nana", "her", True, "herself"), ("my father in law", "his", True, "himself"),
         ("the lady I care for", "her", True, "herself"), ("my son", "his", True, "himself"),
         ("my partner", "their", True, "themselves")]
OTHERS = [("a man on the telly", "his", True, "himself"), ("the woman next door", "her", True, "herself"),
          ("someone on the news", "their", True, "themselves"), ("a chap at the bus stop", "his", True, "himself"),
          ("my friend from choir", "her", True, "herself"), ("a character in my book", "his", True, "himself"),
          ("a lady on the radio", "her", True, "herself"), ("the footballer in the match", "his", True, "himself"),
          ("my cousin in canada", "her", True, "herself"), ("a patient on that hospital programme", "his", True, "himself"),
          ("the bloke across the road", "his", True, "himself"), ("my workmate", "her", True, "herself")]
ANIMALS = [("the dog", "his", True, "himself"), ("our cat", "her", True, "herself"), ("the old horse", "his", True, "himself"),
           ("my rabbit", "her", True, "herself"), ("next door's spaniel", "his", True, "himself"),
           ("the ewe", "her", True, "herself"), ("our labrador", "her", True, "herself"), ("the pony", "his", True, "himself")]

PARTS = ["leg", "foot", "thigh", "calf", "toes", "knee"]
# (intent, present-tense frame, past-tense frame, hypothetical frame, denied frame); {s} subject, {p} possessive,
# {h} has/have, {is} is/am, {r} reflexive, {x} body part
FLAGS = [
    ("redflag.numbness", "{p} {x} has gone numb", "{p} {x} went numb", "{p} {x} goes numb", "{p} {x} isn't numb"),
    ("redflag.numbness", "{s} can't feel {p} {x}", "{s} couldn't feel {p} {x}", "{s} can't feel {p} {x}",
     "{s} can feel {p} {x} fine, no numbness"),
    ("redflag.numbness", "{p} {x} is all pins and needles", "{p} {x} was all pins and needles",
     "{p} {x} gets pins and needles", "no pins and needles in {p} {x}"),
    ("redflag.weakness", "{p} {x} keeps giving way", "{p} {x} kept giving way", "{p} {x} gives way",
     "{p} {x} isn't giving way"),
    ("redflag.weakness", "{p} {x} has no strength in it", "{p} {x} had no strength in it", "{p} {x} loses its strength",
     "{p} {x} isn't weak"),
    ("redflag.fever", "{s} {h} a temperature of thirty nine", "{s} had a temperature of thirty nine",
     "{s} gets a temperature", "{s} {hn} got a temperature"),
    ("redflag.fever", "{s} {is} burning up and shivering", "{s} was burning up and shivering",
     "{s} starts shivering with a fever", "{s} {isn} feverish at all"),
    ("redflag.trauma", "{s} just fell down the stairs", "{s} fell down the stairs", "{s} falls down the stairs",
     "{s} didn't fall"),
    ("redflag.trauma", "{s} {h} just come off {p} bike and landed on {p} hip", "{s} came off {p} bike and landed on {p} hip",
     "{s} comes off {p} bike", "{s} didn't land on {p} hip"),
    ("redflag.emergency", "{s} {h} wet {r} without feeling it", "{s} wet {r} without feeling it",
     "{s} wets {r} without feeling it", "{s} {hn} had any accidents with {p} bladder"),
    ("redflag.emergency", "{s} can't feel anything down below", "{s} couldn't feel anything down below",
     "{s} can't feel anything down below", "there's no numbness down below"),
    ("redflag.function", "{s} can't get up the stairs because of {p} hip", "{s} couldn't get up the stairs",
     "{s} can't manage the stairs", "{s} can still manage the stairs fine"),
]
NOW = ["", "", "right now", "just now", "this morning"]
LATELY = ["for the last few days", "since last week", "on and off all week", "for a couple of days now"]
PAST = ["years ago", "back in nineteen ninety", "when I was a teenager", "after the op in twenty twelve",
        "a long time ago", "last year"]
OVER = ["but it's fine now", "and it cleared up", "but that's long gone", "and it's never come back", ""]
HYPO = [("what if {c}", "info.professional"), ("when should I get help if {c}", "info.professional"),
        ("what should I do if {c}", "info.professional"), ("is it serious if {c}", "info.professional")]
TAILS = [(", just the usual cramp in {p} hip", "relief.general"), (", it's only {p} bum cramping", "relief.glute"),
         (", just wanted to let you know", "unknown"), (", it's just the groin tightening", "relief.adductor"),
         ("", "unknown")]
OBJECTS = [("the shelf", "gave way"), ("the garden bench", "has no strength left in it"), ("the torch battery", "is weak"),
           ("the fence", "fell down in the night"), ("the ladder", "keeps giving way"), ("the old chair leg", "snapped"),
           ("the wifi", "has gone weak"), ("the bathroom tap", "won't stop leaking"), ("the car", "crashed into a bollard, nobody hurt"),
           ("the picture", "fell off the wall"), ("the bin", "was knocked over by the wind"), ("the phone signal", "is weak")]


def _form(frame: str, who: tuple, part: str) -> str:
    subject, poss, third, refl = who[:4]
    if third and frame.startswith("{p} "):
        frame = "{s}'s " + frame[4:]  # "her leg" alone names nobody: "mum's leg"
    text = frame.format(s=subject, p=poss, x=part, r=refl, h="has" if third else "have",
                        hn="hasn't" if third else "haven't", isn="isn't" if third else "am not",
                        **{"is": "is" if third else "am"})
    return text.replace("I am ", "I'm ").replace("i am ", "i'm ")


def generate_sense(seed: int = SEED) -> list[SenseRow]:
    """Every sense-labelled row, in a fixed order for a fixed seed."""
    rng = random.Random(seed)
    return list(_rows(rng))


def _rows(rng: random.Random) -> Iterator[SenseRow]:
    people = [(w, "self") for w in SELF] + [((*c, "cared_for"), "cared_for") for c in CARED]
    strangers = [((*o, "other"), "other") for o in OTHERS] + [((*a, "animal"), "animal") for a in ANIMALS]
    for intent, now, past, hypo, denied in FLAGS:
        for who, label in rng.sample(people, 6):
            part = rng.choice(PARTS)
            yield SenseRow(f"{_form(now, who, part)} {rng.choice(NOW)}".strip(), intent, label, "now", "no")
            if intent != "redflag.trauma":  # a fall is an event, not a state that lasts
                yield SenseRow(f"{_form(now, who, part)} {rng.choice(LATELY)}", intent, label, "lately", "no")
        for who, label in rng.sample(people, 5):
            part = rng.choice(PARTS)
            text = f"{rng.choice(PAST)} {_form(past, who, part)} {rng.choice(OVER)}".strip()
            yield SenseRow(text, "unknown", label, "past", "no")
            frame, asked = rng.choice(HYPO)
            yield SenseRow(frame.format(c=_form(hypo, who, part)), asked, label, "hypothetical", "no")
            tail, meant = rng.choice(TAILS)
            yield SenseRow(_form(denied, who, part) + tail.format(p=who[1]), meant, label, "now", "yes")
        for who, label in rng.sample(strangers, 6):
            part = rng.choice(PARTS)
            yield SenseRow(f"{_form(now, who, part)} {rng.choice(NOW)}".strip(), "unknown", label, "now", "no")
    for thing, state in OBJECTS:
        yield SenseRow(f"{thing} {state}", "unknown", "object", "now", "no")
        yield SenseRow(f"{thing} {state} {rng.choice(LATELY)}", "unknown", "object", "lately", "no")


# labels for rows written without them ---------------------------------------------------------------
_CARER_WORDS = re.compile(r"\b(mum|mam|mom|mother|dad|father|husband|wife|partner|nan|nana|gran|granny|grandad|grandpa|"
                          r"grandma|son|daughter|he|she|him|her|his|hers|they|them|their|client|patient|gentleman|lady|"
                          r"auntie|uncle|brother|sister|fella|missus|hubby)\b")
_GENERATED = {"animal": corpus.ANIMALS + corpus.LIVESTOCK + corpus.ANIMALS_CARED,
              "other": corpus.OTHERS_FINE + corpus.PASSERS_BY + corpus.NOT_CARED_FOR,
              "object": corpus.THINGS + corpus.WEAK_THINGS + corpus.THINGS_FALL + corpus.VEHICLES}
_REQUESTS = ("control.", "reminder.")


def with_sense(row: _Row) -> _Row:
    """``row`` with sense labels where they follow from its intent or its generator, else as it is.

    A red flag is, by its label, about a body we look after, now or lately, not denied: the
    cared-for person's when a word for another person is in it, else the speaker's. A command is
    about nobody's body. A generated row about an animal, another person or a thing, or a symptom
    long over, is labelled from the word list it came from. Other rows stay unlabelled (the heads
    do not learn from them).
    """
    if row.who:
        return row
    text = row.text.lower()
    if row.intent in RED_FLAG_SEVERITY:
        who = "cared_for" if _CARER_WORDS.search(text) else "self"
        when = "lately" if row.intent == "redflag.persistent" else "now"
        return replace(row, who=who, when=when, denied="no")
    if row.intent.startswith(_REQUESTS):
        return replace(row, who="none", when="now", denied="no")
    if row.source == "generated":
        if any(text.startswith(p.lower()) for p in corpus.PAST_TROUBLE):
            return replace(row, who="self", when="past", denied="no")
        for who, words in _GENERATED.items():
            if any(text.startswith(w.lower()) for w in words):
                return replace(row, who=who, when="now", denied="no")
    return row


__all__ = ["DENIED", "SEED", "SenseRow", "WHEN", "WHO", "generate_sense", "with_sense"]
