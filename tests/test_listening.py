"""Only what is said to it counts: idle, nothing is acted on without the wake phrase, red flags
included (a television says them all day); in a conversation no wake phrase is needed and a red flag
is acted on at once, at its severity. The emergency alarm and its hook follow only such speech."""

from __future__ import annotations

import pytest

from test_assistant import FLAGS, Talk, config, sessions  # noqa: F401 (fixture)

from voicecare.config import Config
from voicecare.core.actions import Escalate, Heard
from voicecare.core.assistant import Mode

WAKE = "hey care"
CONVERSATION = ("follow-up", "asking side", "asking pain", "screening", "instruction", "hold", "paused", "check")
"""Every state in which the person may speak without the wake phrase."""


def _talking(config: Config, state: str) -> Talk:
    """A conversation with the wake phrase on, brought into ``state`` by addressed speech."""
    talk = Talk(config, wake=WAKE)
    if state == "follow-up":
        talk.say("hey care should I use ice or heat")
        talk.until_asked()
        talk.wait(1)
        return talk
    if state == "check":
        talk.say("hey care my leg is fine", alternatives=["hey care my leg is fun", "hey care my leg is numb"])
        assert talk.of("check")[-1]["state"] == "asked"
        return talk
    openers = {"asking side": "hey care my glute is killing me", "asking pain": "hey care my groin is cramping",
               "screening": "hey care let's do my daily stretches"}
    talk.say(openers.get(state, "hey care start my strengthening exercises"))
    talk.until_asked()
    if state in openers:
        assert talk.assistant.awaiting_answer
        return talk
    talk.say("no")
    if state == "instruction":
        talk.wait(2)
        return talk
    while not talk.of("hold"):
        talk.wait(1)
    talk.wait(3)
    if state == "paused":
        talk.say("pause")
    return talk


@pytest.mark.parametrize("utterance", sorted(FLAGS))
def test_a_red_flag_without_the_wake_phrase_does_nothing_when_idle(config: Config, utterance: str) -> None:
    talk = Talk(config, wake=WAKE)
    talk.wait(60)  # long after anything was said
    talk.say(utterance)
    talk.say("the kettle", alternatives=[utterance])
    talk.wait(300)
    assert not talk.of("escalate") and not talk.of("check") and not talk.of("say")
    assert talk.assistant.mode is Mode.IDLE


@pytest.mark.parametrize("utterance", sorted(FLAGS))
def test_a_red_flag_after_the_wake_phrase_escalates_at_its_severity(config: Config, utterance: str) -> None:
    flag, severity = FLAGS[utterance]
    talk = Talk(config, wake=WAKE)
    talk.say(f"hey care {utterance}")
    assert [(e["severity"], e["flag"]) for e in talk.of("escalate")] == [(severity, flag)]


@pytest.mark.parametrize("utterance", sorted(FLAGS))
def test_the_wake_phrase_then_a_pause_then_a_red_flag_escalates(config: Config, utterance: str) -> None:
    flag, severity = FLAGS[utterance]
    talk = Talk(config, wake=WAKE)
    talk.say("hey care")
    talk.wait(3)
    talk.say(utterance)
    assert [(e["severity"], e["flag"]) for e in talk.of("escalate")] == [(severity, flag)]


@pytest.mark.parametrize("state", CONVERSATION)
@pytest.mark.parametrize("utterance", sorted(FLAGS))
def test_in_a_conversation_a_red_flag_needs_no_wake_phrase(config: Config, state: str, utterance: str) -> None:
    flag, severity = FLAGS[utterance]
    talk = _talking(config, state)
    mark = talk.mark()
    talk.say(utterance)
    assert [(e["severity"], e["flag"]) for e in talk.of("escalate", mark)] == [(severity, flag)]
    talk.wait(600)
    assert "completed" not in sessions(talk, mark)
    assert not talk.of("hold", mark)


def test_a_red_flag_heard_only_in_another_reading_is_asked_about_only_when_addressed(config: Config) -> None:
    talk = Talk(config, wake=WAKE)
    talk.wait(60)
    talk.say("my leg is fine", alternatives=["my leg is numb"])
    assert not talk.of("check")
    talk.say("hey care my leg is fine", alternatives=["hey care my leg is numb"])
    assert [e["state"] for e in talk.of("check")] == ["asked"]


def test_the_follow_up_window_closes(config: Config) -> None:
    talk = Talk(config, wake=WAKE)
    talk.say("hey care should I use ice or heat")
    talk.until_asked()
    talk.wait(talk.assistant.settings.follow_up_seconds + 1)
    mark = talk.mark()
    talk.say("my leg has gone numb")
    assert not talk.of("escalate", mark) and not talk.of("say", mark)


def test_the_emergency_alarm_repeats_only_after_addressed_speech(config: Config) -> None:
    talk = Talk(config, wake=WAKE)
    talk.wait(60)
    talk.say("I can't control my bladder")
    talk.wait(600)
    assert not talk.of("escalate") and not talk.of("say")
    talk.say("hey care I can't control my bladder")
    assert talk.of("escalate")[-1]["severity"] == "emergency"
    talk.wait(120)
    repeats = [e for e in talk.of("say") if e["text"] == talk.of("say")[0]["text"] or "999" in e["text"]]
    assert len(repeats) >= 3, "the instruction repeats until acknowledged"
    talk.say("okay")
    assert talk.assistant.mode is Mode.IDLE


@pytest.mark.parametrize("utterance", sorted(FLAGS))
def test_in_a_session_background_talk_raises_no_red_flag_but_the_wake_phrase_always_does(
        config: Config, utterance: str) -> None:
    flag, severity = FLAGS[utterance]
    talk = _talking(config, "hold")
    understood = talk.chat._understand(utterance)
    assert understood.intent == flag
    quiet = talk.assistant.handle(Heard(understood, addressed=False, background=True), talk.chat.now, talk.chat.wall)
    assert not [a for a in quiet if isinstance(a, Escalate)] and talk.assistant.mode is Mode.SESSION
    said = talk.assistant.handle(Heard(understood, addressed=True, background=True), talk.chat.now, talk.chat.wall)
    assert [(a.severity, a.flag) for a in said if isinstance(a, Escalate)] == [(severity, flag)]


def test_background_talk_still_answers_a_question(config: Config) -> None:
    talk = _talking(config, "asking pain")
    seven = talk.chat._understand("seven")
    talk.assistant.handle(Heard(seven, addressed=False, background=True), talk.chat.now, talk.chat.wall)
    assert talk.assistant.flow is not None and talk.assistant.flow.pain_start == 7
