"""The spoken offer, at the first start with nobody enrolled, to learn the person's wake phrase and voice.

Made once (the journal remembers it was made), declined by saying no (or by saying nothing); accepted, it
asks for the phrase three times after a tone, then for the phrase run on into one sentence, each take
checked for level and length and asked again when poor (a sentence still poor is left out, and the three
phrases are enrolled alone). While it runs, what is heard goes to it instead of the conversation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable

from voicecare.core.actions import Action, Say, Tone
from voicecare.core.dialog import says_yes
from voicecare.listening.enrolling import SENTENCE_PAUSE_SECONDS, TAKES, Enroller, joined, sentence_text
from voicecare.listening.enrollment import DEFAULT_PERSON, EnrollmentStore
from voicecare.errors import VoicecareError

log = logging.getLogger(__name__)

STATE_KEY = "enrollment_offer"
"""Journal state: the offer was made (and how it ended)."""


class Stage(Enum):
    ASKED = "asked"
    TAKING = "taking"
    OVER = "over"


@dataclass(frozen=True, slots=True)
class OfferSettings:
    answer_seconds: float = 25.0
    """With no answer (or no take) this long after asking, the offer ends as declined."""
    tries: int = 3
    """Each take is asked again at most this many times when poor."""


class EnrollOffer:
    """``start()`` speaks the offer; ``heard(hearing, now)`` takes the answer and then each take."""

    def __init__(self, texts: Any, enroller: Enroller, store: EnrollmentStore,
                 on_enrolled: Callable[[], None], remember: Callable[[str], None],
                 settings: OfferSettings = OfferSettings()) -> None:
        self.texts = texts
        self.enroller = enroller
        self.store = store
        self._on_enrolled = on_enrolled
        self._remember = remember
        self.settings = settings
        self.stage = Stage.ASKED
        self._takes: list[Any] = []
        self._sentence_asked = False
        self._parts: list[Any] = []
        """The sentence's utterances so far (a pause at a comma splits it)."""
        self._parts_heard = 0.0
        self._tries = 0
        self._asked_at = 0.0

    @property
    def active(self) -> bool:
        return self.stage is not Stage.OVER

    def start(self, now: float) -> list[Action]:
        self._asked_at = now
        self._remember("offered")
        return [Say(self.texts.prompt("enroll_offer", wake=self.enroller.phrase))]

    def expired(self, now: float, speaking_until: float, in_speech: bool = False) -> list[Action]:
        """Nothing said for too long after the last question: the offer ends, quietly (with the three
        phrases taken and the sentence not said, they are enrolled alone). ``in_speech``: someone is speaking
        now (the sentence's parts are judged only once a pause longer than a comma's follows them)."""
        if self._parts and not in_speech and now >= self._parts_heard + SENTENCE_PAUSE_SECONDS:
            parts, self._parts = self._parts, []
            return self._heard_sentence(joined(parts))
        if self.active and now > max(self._asked_at, speaking_until) + self.settings.answer_seconds:
            if self._sentence_asked:  # the three phrases are taken: they are kept without the sentence
                log.info("the enrollment sentence was not said; enrolling the three phrases")
                return [Say(self.texts.prompt("enroll_sentence_skipped")), *self._finish(None)]
            log.info("the enrollment offer was not answered")
            self.stage = Stage.OVER
            self._remember("unanswered")
        return []

    def heard(self, hearing: Any, now: float) -> list[Action]:
        self._asked_at = now
        if self.stage is Stage.ASKED:
            intent = hearing.heard.understanding.intent
            if says_yes(hearing.heard):
                self.stage = Stage.TAKING
                return self._ask_take("enroll_say")
            if intent in ("control.no", "control.stop"):
                self.stage = Stage.OVER
                self._remember("declined")
                return [Say(self.texts.prompt("enroll_declined"))]
            return [Say(self.texts.prompt("check_yes_no"))]
        if self._sentence_asked:  # judged once a pause longer than a comma's follows it (``expired``)
            self._parts.append(hearing.sound.audio)
            self._parts_heard = now
            return []
        problem = self.enroller.problem(hearing.sound.audio)
        if problem is not None:
            log.info("enrollment take %d: %s", len(self._takes) + 1, problem)
            self._tries += 1
            if self._tries >= self.settings.tries:
                return self._end("enroll_failed", "failed")
            return self._ask_take("enroll_again")
        self._takes.append(hearing.sound.audio)
        self._tries = 0
        if len(self._takes) < TAKES:
            return self._ask_take("enroll_say")
        self._sentence_asked = True
        return self._ask_sentence("enroll_sentence")

    def _heard_sentence(self, audio: Any) -> list[Action]:
        problem = self.enroller.sentence_problem(audio)
        if problem is None:
            return self._finish(audio)
        log.info("enrollment sentence: %s", problem)
        self._tries += 1
        if self._tries >= self.settings.tries:
            return [Say(self.texts.prompt("enroll_sentence_skipped")), *self._finish(None)]
        return self._ask_sentence("enroll_sentence_again")

    def _ask_take(self, key: str) -> list[Action]:
        return [Say(self.texts.prompt(key, wake=self.enroller.phrase)), Tone("listening")]

    def _ask_sentence(self, key: str) -> list[Action]:
        words = sentence_text(self.texts, self.enroller.phrase)
        return [Say(self.texts.prompt(key, sentence=words)), Tone("listening")]

    def _finish(self, sentence: Any) -> list[Action]:
        try:
            person = self.enroller.person(DEFAULT_PERSON, self._takes, sentence)
            self.store.save(self.store.load_or_empty().with_person(person))
        except VoicecareError as exc:
            log.error("enrollment not kept: %s", exc.line())
            return self._end("enroll_failed", "failed")
        log.info("enrolled %s", person.describe())
        actions = self._end("enroll_done", "enrolled")
        self._on_enrolled()
        return actions

    def _end(self, key: str, how: str) -> list[Action]:
        self.stage = Stage.OVER
        self._takes = []
        self._remember(how)
        return [Say(self.texts.prompt(key))]
