"""The conversation core on a virtual clock: relief flows, questions, wake phrase, escalation."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from voicecare.config import Config, load_config
from voicecare.core.actions import PatternFound
from voicecare.core.assistant import Mode
from voicecare.journal import Journal
from voicecare.runtime.build import build_brain
from voicecare.runtime.eventlog import EventLog
from voicecare.runtime.virtual import VirtualConversation

MONDAY_10AM = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    folder = tmp_path_factory.mktemp("config")
    return load_config(None, system=folder / "none.toml", user=folder / "none.toml", env={"LANG": "en_GB.UTF-8"})


class Talk:
    """A conversation with the assistant on a virtual clock, recording every event."""

    def __init__(self, config: Config, *, wake: str = "off", start: datetime = MONDAY_10AM,
                 journal: Journal | None = None) -> None:
        self.journal = journal or Journal.memory()
        brain = build_brain(config, self.journal, wake_phrase=wake)
        self.assistant = brain.assistant
        self.log = EventLog(keep=True)
        self.chat = VirtualConversation(self.assistant, brain.understander.understand, self.log,
                                        journal=self.journal, wake=brain.wake, wall_start=start,
                                        understand_other=brain.understander.understand_alternative)

    def say(self, text: str, at: float | None = None, alternatives: tuple[str, ...] | list[str] = ()) -> None:
        self.chat.type_line(text, at, alternatives)

    def wait(self, seconds: float) -> None:
        self.chat.advance_to(self.chat.now + seconds)

    def until_asked(self) -> None:
        self.chat.run_until_quiet(until_asked=True)

    @property
    def events(self) -> list[dict]:
        assert self.log.events is not None
        return self.log.events

    def of(self, kind: str, since: int = 0) -> list[dict]:
        return [e for e in self.events[since:] if e["type"] == kind]

    def spoken(self, since: int = 0) -> str:
        return " ".join(e["text"] for e in self.of("say", since))

    def mark(self) -> int:
        return len(self.events)


def sessions(talk: Talk, since: int = 0) -> list[str]:
    return [e["state"] for e in talk.of("session", since)]


# --- relief flows ---------------------------------------------------------------------


def test_glute_relief_flow_runs_from_complaint_to_pain_check(config: Config) -> None:
    talk = Talk(config)
    talk.say("my left glute is cramping")
    assert "0 to 10" in talk.spoken()
    assert "left or right" not in talk.spoken().lower()
    talk.until_asked()
    talk.say("seven")
    talk.until_asked()
    holds = talk.of("hold")
    assert holds and holds[0]["exercise"] == "figure_four" and holds[0]["side"] == "left"
    assert 20 <= holds[0]["seconds"] <= 30
    assert "cold pack" in talk.spoken()
    talk.say("no thanks")
    talk.until_asked()
    assert sessions(talk) == ["started", "completed"]
    assert talk.assistant.awaiting_answer
    mark = talk.mark()
    talk.say("about a three")
    assert "7" in talk.spoken(mark) and "3" in talk.spoken(mark)
    episodes = talk.journal.recent_episodes(talk.chat.wall, 1)
    assert [(e.muscle, e.side) for e in episodes] == [("glute", "left")]
    assert talk.journal.history(talk.chat.wall, 1)[-1].pain_start_average == 7


def test_side_is_asked_only_when_the_stretch_is_one_sided(config: Config) -> None:
    talk = Talk(config)
    talk.say("the front of my hip has gone into spasm")
    assert "left or right" in talk.spoken().lower()
    talk.until_asked()
    talk.say("the right one")
    talk.until_asked()
    talk.say("6")
    talk.until_asked()
    assert talk.of("hold")[0]["side"] == "right"

    groin = Talk(config)
    groin.say("my groin is cramping up")
    assert "left or right" not in groin.spoken().lower()
    assert "0 to 10" in groin.spoken()


def test_an_unanswered_question_is_asked_once_more_then_the_flow_goes_on(config: Config) -> None:
    talk = Talk(config)
    talk.say("my bum muscle is in a knot")
    talk.wait(120)
    spoken = talk.spoken().lower()
    assert spoken.count("left or right") + spoken.count("left, or right") + spoken.count("left side") >= 2
    assert "0 to 10" in spoken
    assert talk.assistant.mode in (Mode.ASKING, Mode.SESSION)


def test_noise_during_a_question_is_not_guessed(config: Config) -> None:
    talk = Talk(config)
    talk.say("my hip is spasming")
    talk.until_asked()
    mark = talk.mark()
    talk.say("")
    assert "didn't catch" in talk.spoken(mark).lower() or "missed" in talk.spoken(mark).lower()
    assert not talk.of("session", mark)


def test_severe_pain_and_unable_to_stand_escalates_as_urgent(config: Config) -> None:
    talk = Talk(config)
    talk.say("my groin is cramping")
    talk.until_asked()
    talk.say("it's a ten and I can't put any weight on it")
    escalations = talk.of("escalate")
    assert escalations and escalations[0]["severity"] == "urgent"
    assert not talk.of("hold")


# --- red flags, in every state -----------------------------------------------------------


def _in_state(config: Config, state: str) -> Talk:
    if state == "reminder":
        every_minute = replace(config.reminders, interval_minutes=1, quiet_start=datetime.min.time(),
                               quiet_end=datetime.min.time())
        talk = Talk(replace(config, reminders=every_minute))
        talk.wait(75)
        assert "spoken" in [e["state"] for e in talk.of("reminder")]
        return talk
    talk = Talk(config)
    if state == "idle":
        return talk
    if state == "asking side":
        talk.say("my glute is killing me")
        talk.until_asked()
        return talk
    if state == "asking pain":
        talk.say("my groin is cramping")
        talk.until_asked()
        return talk
    if state == "screening":
        talk.say("let's do my daily stretches")
        talk.until_asked()
        assert talk.assistant.awaiting_answer
        return talk
    talk.say("start my strengthening exercises")
    talk.until_asked()
    talk.say("no")
    if state == "instruction":
        talk.wait(2)
        return talk
    if state == "hold":
        while not talk.of("hold"):
            talk.wait(1)
        talk.wait(3)
        return talk
    if state == "paused":
        while not talk.of("hold"):
            talk.wait(1)
        talk.say("pause")
        return talk
    raise AssertionError(state)


STATES = ("idle", "reminder", "asking side", "asking pain", "screening", "instruction", "hold", "paused")
FLAGS = {
    "I can't control my bladder": ("redflag.emergency", "emergency"),
    "my leg has gone numb": ("redflag.numbness", "urgent"),
    "my foot feels weak and keeps dragging": ("redflag.weakness", "urgent"),
    "I've got a fever and chills": ("redflag.fever", "urgent"),
    "it started after I fell down the stairs": ("redflag.trauma", "urgent"),
    "it's been over a week and it's not getting better": ("redflag.persistent", "routine"),
    "I can't climb the stairs or tie my shoes because of it": ("redflag.function", "routine"),
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("utterance", sorted(FLAGS))
def test_a_red_flag_in_any_state_stops_everything_and_escalates(config: Config, state: str, utterance: str) -> None:
    flag, severity = FLAGS[utterance]
    talk = _in_state(config, state)
    had_session = bool(talk.of("session"))
    mark = talk.mark()
    talk.say(utterance)
    new = talk.events[mark:]
    escalations = [e for e in new if e["type"] == "escalate"]
    assert escalations == [{"t": escalations[0]["t"], "type": "escalate", "severity": severity, "flag": flag}]
    says = [e for e in new if e["type"] == "say"]
    assert says[0]["interrupt"] is True
    if had_session:
        assert sessions(talk, mark) == ["stopped"]
    talk.wait(600)
    assert "completed" not in sessions(talk, mark)
    assert not talk.of("hold", mark)
    if severity != "emergency":
        assert talk.assistant.mode is Mode.IDLE


def test_emergency_is_repeated_until_acknowledged_and_nothing_resumes(config: Config) -> None:
    talk = _in_state(config, "hold")
    talk.say("I've wet myself and can't feel down there")
    assert talk.of("escalate")[-1]["severity"] == "emergency"
    assert "999" in talk.spoken()
    mark = talk.mark()
    talk.wait(90)
    repeats = [e for e in talk.of("say", mark) if "999" in e["text"]]
    assert len(repeats) >= 3
    talk.say("resume")
    assert talk.assistant.mode is Mode.EMERGENCY
    talk.say("okay")
    assert talk.assistant.mode is Mode.IDLE
    mark = talk.mark()
    talk.wait(300)
    assert not talk.of("say", mark)
    talk.say("resume")
    assert sessions(talk, mark) == []


def test_screening_yes_escalates_instead_of_starting(config: Config) -> None:
    talk = _in_state(config, "screening")
    talk.say("yes I do")
    assert talk.of("escalate")[-1]["severity"] == "urgent"
    assert "medical help today" in talk.spoken().lower()
    talk.wait(300)
    assert not talk.of("hold")


# --- wake phrase ---------------------------------------------------------------------


def test_without_the_wake_phrase_nothing_is_heard_when_idle(config: Config) -> None:
    talk = Talk(config, wake="hey care")
    talk.say("my hip is cramping")
    assert talk.of("say") == []
    talk.wait(30)
    talk.say("hey care my hip is cramping")
    assert talk.of("say")


def test_the_wake_phrase_alone_opens_a_short_listening_window(config: Config) -> None:
    talk = Talk(config, wake="hey care")
    talk.say("hey care")
    assert talk.of("say") == [] and talk.assistant.expects_speech(talk.chat.now)
    talk.wait(1)
    talk.say("should I use ice or heat")
    assert talk.of("say")


def test_off_topic_gets_one_sentence_of_what_i_can_do(config: Config) -> None:
    talk = Talk(config)
    talk.say("play some music")
    says = talk.of("say")
    assert len(says) == 1 and "help" in says[0]["text"].lower()


def test_repeat_says_the_last_answer_again(config: Config) -> None:
    talk = Talk(config)
    talk.say("how much water should I drink")
    first = [e["text"] for e in talk.of("say")]
    talk.wait(30)
    mark = talk.mark()
    talk.say("say that again")
    assert [e["text"] for e in talk.of("say", mark)] == first


# --- patterns and reminders ----------------------------------------------------------


def test_a_pattern_notice_waits_for_a_free_moment_and_is_said_once(config: Config) -> None:
    talk = _in_state(config, "hold")
    talk.assistant.handle(PatternFound("recurring", 3), talk.chat.now, talk.chat.wall)
    talk.wait(2)
    assert "GP" not in talk.spoken()
    talk.wait(3600)
    talk.say("stop")
    talk.wait(60)
    assert talk.spoken().count("GP") == 1


def test_a_reminder_waits_behind_a_session(config: Config) -> None:
    settings = replace(config.reminders, interval_minutes=2, quiet_start=datetime.min.time(),
                       quiet_end=datetime.min.time())
    talk = Talk(replace(config, reminders=settings))
    talk.say("start my strengthening exercises")
    talk.until_asked()
    talk.say("no")
    talk.wait(180)
    states = [e["state"] for e in talk.of("reminder")]
    assert "deferred" in states and "spoken" not in states
    talk.say("stop")
    talk.wait(30)
    assert "spoken" in [e["state"] for e in talk.of("reminder")]


def test_journal_failure_never_stops_an_escalation(config: Config, tmp_path: Path) -> None:
    journal = Journal.open(tmp_path / "j.sqlite3", max_bytes=4096)
    talk = Talk(config, journal=journal)
    for _ in range(20):
        talk.say("my leg is numb and tingling")
    assert len(talk.of("escalate")) == 20


def test_stop_while_the_voice_speaks_needs_no_wake_phrase(config: Config) -> None:
    talk = Talk(config, wake="hey care")
    talk.say("hey care what causes hip spasms")
    talk.wait(2)
    mark = talk.mark()
    talk.say("stop", at=talk.chat.now)
    assert [e["type"] for e in talk.events[mark:] if e["type"] not in ("heard", "understood")] == ["silenced"]
