"""Real synthesized speech through PocketSphinx with the waiting states' grammars."""

from __future__ import annotations

import shutil

import pytest

from voicecare.asr import create_recognizer
from voicecare.asr.transcribe import domain_language
from voicecare.content.listening import load_listening
from voicecare.core.expectation import Expect
from voicecare.nlu import Understander
from voicecare.runtime.alternatives import possible_red_flag

pytestmark = [
    pytest.mark.speech,
    pytest.mark.skipif(not (shutil.which("flite") and shutil.which("espeak-ng")), reason="needs flite and espeak-ng"),
]

RED_FLAGS = (
    ("I have lost control of my bladder", "redflag.emergency"),
    ("my leg has gone numb", "redflag.numbness"),
    ("my leg feels weak", "redflag.weakness"),
    ("I have a fever", "redflag.fever"),
    ("I fell down the stairs", "redflag.trauma"),
    ("it's been a week and it's not getting better", "redflag.persistent"),
    ("I can't climb the stairs", "redflag.function"),
)
WAITING = tuple(e for e in Expect if e is not Expect.IDLE)


@pytest.fixture(scope="module")
def understander() -> Understander:
    return Understander.load()


@pytest.fixture(scope="module")
def recognizer(tmp_path_factory: pytest.TempPathFactory, understander: Understander):
    mp = pytest.MonkeyPatch()
    mp.setenv("VOICECARE_CACHE_DIR", str(tmp_path_factory.mktemp("asr-cache")))
    phrases, vocabulary = domain_language(vocabulary=understander.vocabulary())
    yield create_recognizer("pocketsphinx", phrases=phrases, vocabulary=vocabulary, listening=load_listening())
    mp.undo()


@pytest.mark.parametrize(("sentence", "flag"), RED_FLAGS)
def test_every_red_flag_is_heard_in_every_waiting_state(recognizer, understander, voices, sentence, flag) -> None:
    audio = voices.speak(sentence, "slt")
    for expect in WAITING:
        heard = recognizer.transcribe(audio, expect)
        best = understander.understand(heard.text)
        checked = possible_red_flag(heard.alternatives, understander.understand_alternative)
        assert best.intent == flag or (checked is not None and checked.intent == flag), (expect, heard)


@pytest.mark.parametrize(("said", "rating"), [("seven", "7"), ("ten", "10"), ("about a six", "6"),
                                              ("eight out of ten", "8"), ("three", "3")])
def test_a_pain_rating_is_heard_through_the_pain_grammar(recognizer, understander, voices, said, rating) -> None:
    heard = recognizer.transcribe(voices.speak(said, "slt"), Expect.PAIN)
    assert heard.search == "pain", heard
    assert understander.understand(heard.text).slots.get("number") == rating, heard


def test_short_answers_the_open_model_mishears_come_through_their_grammar(recognizer, understander, voices) -> None:
    for said, expect, intent in (("pause", Expect.SESSION, "control.pause"), ("nope", Expect.YES_NO, "control.no"),
                                 ("the left one", Expect.SIDE, None)):
        heard = recognizer.transcribe(voices.speak(said, "slt"), expect)
        understood = understander.understand(heard.text)
        assert (understood.side == "left") if intent is None else (understood.intent == intent), heard


@pytest.mark.parametrize("expect", [Expect.PAIN, Expect.SESSION, Expect.YES_NO])
def test_other_speech_is_not_forced_onto_an_answer(recognizer, understander, voices, expect) -> None:
    for sentence in ("what is the weather like today", "I would like a cup of tea"):
        heard = recognizer.transcribe(voices.speak(sentence, "slt"), expect)
        assert heard.search == "open", (expect, heard)
        assert not understander.understand(heard.text).is_red_flag
