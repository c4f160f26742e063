"""A red flag heard only in another reading of unclear words is asked about, never dropped.

The recognizer offers other ways the same audio could be heard. When the best reading is not a
red flag but another one is, the core stops, asks "did you say ...?", and acts on the answer:
yes, or no answer at all, escalates at the flag's severity; no carries on where it was.
"""

from __future__ import annotations

import pytest

from test_assistant import FLAGS, STATES, Talk, _in_state, config, sessions  # noqa: F401 (fixture)

from voicecare.config import Config
from voicecare.core.assistant import Mode

UNCLEAR = "my leg is fine"
"""The best reading in these tests: not a red flag, and no other request either."""


def checks(talk: Talk, since: int = 0) -> list[tuple[str, str]]:
    return [(e["flag"], e["state"]) for e in talk.of("check", since)]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("utterance", sorted(FLAGS))
def test_a_possible_red_flag_in_any_state_is_asked_about_and_yes_escalates(
        config: Config, state: str, utterance: str) -> None:
    flag, severity = FLAGS[utterance]
    talk = _in_state(config, state)
    mark = talk.mark()
    talk.say(UNCLEAR, alternatives=["my leg is fun", utterance])
    assert checks(talk, mark) == [(flag, "asked")]
    assert not talk.of("escalate", mark)
    question = talk.of("say", mark)[0]
    assert question["interrupt"] is True and question["text"].startswith("Did you say")
    assert not talk.of("hold", mark), "a hold must not run on while the question waits"
    talk.say("yes")
    assert [(e["severity"], e["flag"]) for e in talk.of("escalate", mark)] == [(severity, flag)]
    assert checks(talk, mark)[-1] == (flag, "confirmed")
    talk.wait(600)
    assert "completed" not in sessions(talk, mark)


@pytest.mark.parametrize("utterance", sorted(FLAGS))
def test_no_answer_to_the_check_escalates_after_asking_twice(config: Config, utterance: str) -> None:
    flag, severity = FLAGS[utterance]
    talk = _in_state(config, "hold")
    mark = talk.mark()
    talk.say(UNCLEAR, alternatives=[utterance])
    talk.wait(10)
    assert not talk.of("escalate", mark)
    talk.wait(120)
    asked = [e for e in talk.of("say", mark) if e["text"].startswith("Did you say")]
    assert len(asked) == 2
    assert [(e["severity"], e["flag"]) for e in talk.of("escalate", mark)] == [(severity, flag)]
    assert checks(talk, mark)[-1] == (flag, "unanswered")


def test_mumbling_twice_is_no_answer_and_escalates(config: Config) -> None:
    talk = Talk(config)
    talk.say(UNCLEAR, alternatives=["my leg has gone numb"])
    talk.say("the kettle")
    assert not talk.of("escalate")
    assert "yes, or no" in talk.spoken().lower()
    talk.say("the kettle")
    assert talk.of("escalate")[-1]["flag"] == "redflag.numbness"


def test_no_in_a_hold_carries_on_with_the_time_that_was_left(config: Config) -> None:
    talk = _in_state(config, "hold")
    hold = talk.of("hold")[-1]
    mark = talk.mark()
    talk.say(UNCLEAR, alternatives=["my foot feels weak"])
    assert sessions(talk, mark) == ["paused"]
    talk.say("no")
    assert checks(talk, mark) == [("redflag.weakness", "asked"), ("redflag.weakness", "cleared")]
    assert sessions(talk, mark) == ["paused", "resumed"]
    assert not talk.of("escalate", mark)
    resumed_at = talk.of("session", mark)[-1]["t"]
    talk.wait(hold["seconds"])
    assert "stopped" not in sessions(talk, mark)
    release = next(e for e in talk.of("cue", mark) if e["kind"] == "release")
    assert release["t"] - resumed_at < hold["seconds"] - 2, "the hold carries on, it does not start again"


def test_no_when_idle_acts_on_the_words_as_first_heard(config: Config) -> None:
    talk = Talk(config)
    talk.say("start my strengthening exercises", alternatives=["start my leg has gone weak"])
    assert checks(talk) == [("redflag.weakness", "asked")]
    assert not talk.of("session")
    talk.say("no")
    assert sessions(talk) == ["started"]
    assert talk.assistant.mode is Mode.SESSION


def test_no_while_asking_the_side_asks_it_again(config: Config) -> None:
    talk = _in_state(config, "asking side")
    mark = talk.mark()
    talk.say("lift", alternatives=["I fell"])
    talk.say("no")
    assert "left or right" in talk.spoken(mark).lower()
    talk.say("left")
    assert talk.assistant.flow is not None and talk.assistant.flow.side == "left"


def test_a_clear_red_flag_during_the_check_escalates_at_once(config: Config) -> None:
    talk = Talk(config)
    talk.say(UNCLEAR, alternatives=["I've got a fever"])
    talk.say("I can't control my bladder")
    assert [e["flag"] for e in talk.of("escalate")] == ["redflag.emergency"]
    assert talk.assistant.mode is Mode.EMERGENCY


def test_during_an_emergency_a_possible_lesser_flag_asks_nothing(config: Config) -> None:
    talk = Talk(config)
    talk.say("I can't control my bladder")
    mark = talk.mark()
    talk.say(UNCLEAR, alternatives=["my leg is numb"])
    assert not checks(talk, mark)
    assert talk.assistant.mode is Mode.EMERGENCY
    assert "999" in talk.spoken(mark)


def test_a_possible_red_flag_is_asked_about_only_when_said_to_the_assistant(config: Config) -> None:
    talk = Talk(config, wake="hey care")
    talk.say("the telly is loud", alternatives=["my leg is numb"])  # idle, not addressed: the television
    assert checks(talk) == []
    talk.say("hey care the telly is loud", alternatives=["hey care my leg is numb"])
    assert checks(talk) == [("redflag.numbness", "asked")]


def test_a_reminder_waits_while_a_check_is_open(config: Config) -> None:
    talk = _in_state(config, "idle")
    talk.say(UNCLEAR, alternatives=["my leg is numb"])
    assert talk.assistant.busy and talk.assistant.awaiting_answer
    mark = talk.mark()
    talk.say("repeat")
    assert [e["text"] for e in talk.of("say", mark)] == [talk.assistant.texts.red_flags["redflag.numbness"].check]


def test_a_yes_heard_only_as_an_alternative_confirms(config: Config) -> None:
    talk = Talk(config)
    talk.say(UNCLEAR, alternatives=["my leg is numb"])
    talk.say("pants", alternatives=["yes", "dads"])
    assert checks(talk)[-1] == ("redflag.numbness", "confirmed")
    assert talk.of("escalate")[-1]["flag"] == "redflag.numbness"


def test_a_no_heard_only_as_an_alternative_does_not_clear(config: Config) -> None:
    talk = Talk(config)
    talk.say(UNCLEAR, alternatives=["my leg is numb"])
    talk.say("snow", alternatives=["no"])
    assert checks(talk) == [("redflag.numbness", "asked")]
    assert talk.assistant.awaiting_answer and not talk.of("escalate")
    talk.say("no")
    assert checks(talk)[-1] == ("redflag.numbness", "cleared")
    assert not talk.of("escalate")


def test_a_yes_heard_only_as_an_alternative_answers_the_screening_question(config: Config) -> None:
    talk = _in_state(config, "screening")
    mark = talk.mark()
    talk.say("pants", alternatives=["yes"])
    assert talk.of("escalate", mark)[-1]["severity"] == "urgent"
    talk.wait(300)
    assert not talk.of("hold", mark)


def test_an_alternative_yes_is_not_taken_for_other_questions(config: Config) -> None:
    talk = _in_state(config, "asking side")
    talk.say("pants", alternatives=["yes"])
    assert not talk.of("escalate") and talk.assistant.mode is Mode.ASKING
