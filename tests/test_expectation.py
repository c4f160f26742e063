"""What the conversation waits to hear, asking instead of guessing, and red flags in every waiting state.

All on the virtual clock: ``Assistant.expecting()`` per state, unsure answers read back before they
are used or journaled, the noisy-room prompt, and every red flag caught whatever is expected.
"""

from __future__ import annotations

import pytest

from test_assistant import FLAGS, STATES, Talk, _in_state, config, sessions  # noqa: F401 (fixture)

from voicecare.config import Config
from voicecare.core.expectation import Expect

UNSURE = 0.3
"""A recognizer confidence below the read-back threshold."""


def _in_waiting_state(config: Config, state: str) -> Talk:
    """The states of test_assistant plus the ones only this module reaches."""
    if state == "confirming pain":
        talk = _in_state(config, "asking pain")
        talk.chat.type_line("seven", confidence=UNSURE)
        talk.until_asked()
        return talk
    if state == "confirming side":
        talk = _in_state(config, "asking side")
        talk.chat.type_line("the left one", confidence=UNSURE)
        talk.until_asked()
        return talk
    if state == "check":
        talk = _in_state(config, "hold")
        talk.say("my leg is fine", alternatives=["my leg is numb"])
        return talk
    if state == "emergency":
        talk = Talk(config)
        talk.say("I can't control my bladder")
        return talk
    return _in_state(config, state)


EXPECTED = {
    "idle": Expect.IDLE,
    "reminder": Expect.YES_NO,
    "asking side": Expect.SIDE,
    "asking pain": Expect.PAIN,
    "screening": Expect.SCREENING,
    "instruction": Expect.SESSION,
    "hold": Expect.SESSION,
    "paused": Expect.SESSION,
    "confirming pain": Expect.YES_NO,
    "confirming side": Expect.YES_NO,
    "check": Expect.CHECK,
    "emergency": Expect.EMERGENCY,
}
WAITING_STATES = tuple(EXPECTED)


def pains(talk: Talk, since: int = 0) -> list[tuple[int, str, bool]]:
    return [(e["value"], e["when"], e["confirmed"]) for e in talk.of("pain", since)]


@pytest.mark.parametrize("state", WAITING_STATES)
def test_the_assistant_says_what_it_is_waiting_to_hear(config: Config, state: str) -> None:
    talk = _in_waiting_state(config, state)
    expect = talk.assistant.expecting()
    assert expect is EXPECTED[state]
    assert expect.in_conversation is (state != "idle")


def test_the_states_of_the_red_flag_tests_are_all_covered() -> None:
    assert set(STATES) <= set(WAITING_STATES)
    assert {EXPECTED[s] for s in WAITING_STATES} == set(Expect)


@pytest.mark.parametrize("state", [s for s in WAITING_STATES if s not in STATES])
@pytest.mark.parametrize("utterance", sorted(FLAGS))
def test_a_red_flag_is_caught_whatever_answer_is_expected(config: Config, state: str, utterance: str) -> None:
    flag, severity = FLAGS[utterance]
    talk = _in_waiting_state(config, state)
    had_session = bool(talk.of("session")) and "stopped" not in sessions(talk)
    mark = talk.mark()
    talk.chat.type_line(utterance, confidence=UNSURE)
    escalations = [(e["severity"], e["flag"]) for e in talk.of("escalate", mark)]
    if state == "emergency" and severity != "emergency":
        assert escalations == [], "an emergency already runs: the instruction is repeated instead"
        assert "999" in talk.spoken(mark)
    else:
        assert escalations == [(severity, flag)]
        assert talk.of("say", mark)[0]["interrupt"] is True
    if had_session:
        assert "stopped" in sessions(talk, mark)
    assert not talk.of("pain", mark), "no pain rating is taken from a red flag"
    assert talk.journal.history(talk.chat.wall, 1)[-1].pain_start_average is None


def test_a_clear_rating_is_taken_at_once_and_logged_unconfirmed(config: Config) -> None:
    talk = _in_state(config, "asking pain")
    mark = talk.mark()
    talk.chat.type_line("seven", confidence=0.95)
    assert pains(talk, mark) == [(7, "start", False)]
    assert "is that right" not in talk.spoken(mark)


def test_an_unsure_rating_is_read_back_and_journaled_only_after_yes(config: Config) -> None:
    talk = _in_waiting_state(config, "confirming pain")
    assert "7, is that right?" in talk.spoken()
    assert not talk.of("pain") and not talk.of("hold")
    assert talk.journal.history(talk.chat.wall, 1)[-1].pain_start_average is None
    mark = talk.mark()
    talk.say("yes")
    assert pains(talk, mark) == [(7, "start", True)]
    assert talk.journal.history(talk.chat.wall, 1)[-1].pain_start_average == 7
    assert sessions(talk, mark) == ["started"]


def test_no_to_a_read_back_rating_asks_the_question_again_and_journals_nothing(config: Config) -> None:
    talk = _in_waiting_state(config, "confirming pain")
    mark = talk.mark()
    talk.say("no")
    assert not talk.of("pain", mark)
    assert talk.assistant.expecting() is Expect.PAIN
    assert "0 to 10" in talk.spoken(mark)
    talk.until_asked()
    talk.chat.type_line("four", confidence=0.9)
    assert pains(talk, mark) == [(4, "start", False)]


def test_a_correction_is_read_back_in_its_turn(config: Config) -> None:
    talk = _in_waiting_state(config, "confirming pain")
    mark = talk.mark()
    talk.chat.type_line("it's a six", confidence=UNSURE)
    assert "6, is that right?" in talk.spoken(mark)
    assert not talk.of("pain", mark)
    talk.say("yes")
    assert pains(talk, mark) == [(6, "start", True)]


def test_mumbling_at_a_read_back_never_journals_the_guess(config: Config) -> None:
    talk = _in_waiting_state(config, "confirming pain")
    mark = talk.mark()
    talk.say("what's the weather like")
    assert "7, is that right?" in talk.spoken(mark) or "Did you say 7?" in talk.spoken(mark)
    talk.until_asked()
    talk.say("bananas in pyjamas")
    talk.wait(200)
    assert not talk.of("pain", mark)
    assert talk.journal.history(talk.chat.wall, 1)[-1].pain_start_average is None


def test_no_answer_to_a_read_back_journals_nothing(config: Config) -> None:
    talk = _in_waiting_state(config, "confirming pain")
    mark = talk.mark()
    talk.wait(300)
    assert not talk.of("pain", mark)
    assert talk.journal.history(talk.chat.wall, 1)[-1].pain_start_average is None


def test_an_unsure_side_is_read_back_before_the_stretch_uses_it(config: Config) -> None:
    talk = _in_waiting_state(config, "confirming side")
    assert "The left side, is that right?" in talk.spoken()
    talk.say("yes")
    talk.until_asked()
    talk.say("five")
    talk.until_asked()
    assert talk.of("hold")[0]["side"] == "left"


def test_an_unsure_end_rating_is_read_back_too(config: Config) -> None:
    talk = _in_state(config, "asking pain")
    talk.say("six")
    talk.chat.run_until_quiet(until_asked=True)
    while talk.assistant.expecting() is not Expect.PAIN:
        talk.say("no")
        talk.chat.run_until_quiet(until_asked=True)
    mark = talk.mark()
    talk.chat.type_line("three", confidence=UNSURE)
    assert not talk.of("pain", mark)
    talk.say("yes")
    assert pains(talk, mark) == [(3, "end", True)]
    assert "6" in talk.spoken(mark) and "3" in talk.spoken(mark)


def test_a_noisy_room_is_mentioned_once_in_a_while_not_every_time(config: Config) -> None:
    talk = _in_state(config, "asking pain")
    mark = talk.mark()
    talk.chat.type_line("", noisy=True)
    talk.until_asked()
    talk.chat.type_line("", noisy=True)
    assert talk.spoken(mark).count("noisy here") == 1
    quiet = _in_state(config, "asking pain")
    mark = quiet.mark()
    quiet.chat.type_line("mumble mumble", noisy=False)
    assert "noisy here" not in quiet.spoken(mark)


def test_the_noisy_room_prompt_comes_back_after_its_interval(config: Config) -> None:
    talk = Talk(config)
    talk.chat.type_line("blah blah", noisy=True)
    talk.wait(30)
    talk.chat.type_line("blah blah", noisy=True)
    talk.wait(400)
    talk.chat.type_line("blah blah", noisy=True)
    assert talk.spoken().count("noisy here") == 2


def test_an_answer_understood_in_a_noisy_room_is_read_back_however_sure(config: Config) -> None:
    talk = _in_state(config, "asking pain")
    mark = talk.mark()
    talk.chat.type_line("eight", noisy=True)  # typed text is sure (1.0); the noise alone makes it unsure
    assert "noisy here" not in talk.spoken(mark)
    assert "8, is that right?" in talk.spoken(mark) and not talk.of("pain", mark)
    talk.say("yes")
    assert pains(talk, mark) == [(8, "start", True)]
