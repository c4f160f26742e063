"""Conversations of the Wyoming service on a virtual clock: a full house makes room instead of refusing,
a person gone quiet with no satellite to speak on is not talked at, and red flags still go through."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.wyoming_peers import config_for
from voicecare.core.dialog import Mode

WALL = datetime(2026, 11, 30, 10, 0).astimezone()
SATELLITE = "assist_satellite.bedroom"


@pytest.fixture(scope="module")
def brain(tmp_path_factory):
    from voicecare.runtime.build import build_brain

    return build_brain(config_for(tmp_path_factory.mktemp("brain")), None, wake_phrase="off")


@pytest.fixture
def journal(tmp_path):
    from voicecare.runtime.build import open_journal

    opened = open_journal(config_for(tmp_path), in_memory=True)
    yield opened
    opened.close()


def _conversations(brain, **kwargs):
    from voicecare.core.assistant import Assistant, DialogSettings
    from voicecare.remote.conversations import Conversations

    settings = DialogSettings(wake_enabled=False, emergency_number="999")
    return Conversations(lambda: Assistant(brain.texts, brain.programme, None, settings),
                         brain.understander.understand, **kwargs)


def _run(conversations, start: float, until: float) -> list:
    """Step from deadline to deadline up to ``until``; everything said on its own, with its time."""
    said, t = [], start
    while True:
        deadline = conversations.next_deadline(t, WALL)
        if deadline is None or deadline > until:
            return said
        t = max(t, deadline)
        said += [(t, s) for s in conversations.due(t, WALL)]


def test_a_question_says_the_conversation_waits_and_an_answer_does_not(brain):
    conversations = _conversations(brain)
    asked = conversations.reply("k", "my left glute is cramping", 0.0, WALL, SATELLITE)
    assert asked.awaiting and asked.text.endswith(brain.texts.prompt("pain_rating_start"))
    answered = conversations.reply("k", "how much water should I drink", 60.0, WALL, "assist_satellite.other")
    assert not conversations.reply("w", "how much water should I drink", 0.0, WALL).awaiting
    assert answered.lines


def test_a_full_house_never_refuses_and_lets_go_the_least_recently_used_idle_first(brain, journal):
    conversations = _conversations(brain, max_conversations=3, journal=journal)
    conversations.reply("asking", "my hip is cramping", 0.0, WALL, SATELLITE)  # waits for a rating
    conversations.reply("idle-old", "my groin is cramping", 1.0, WALL)
    conversations.reply("idle-old", "stop", 1.5, WALL)  # its episode is in the journal; idle again
    conversations.reply("idle-new", "should I use ice or heat", 2.0, WALL)
    for n in range(50):
        reply = conversations.reply(f"new-{n}", "how much water should I drink", 3.0 + n, WALL)
        assert reply.lines and len(conversations) <= 3
    assert "asking" in conversations.keys()  # still running: idle ones went first
    assert "idle-old" not in conversations.keys() and conversations.evicted == 50
    assert {e.muscle for e in journal.recent_episodes(WALL, 1)} >= {"adductor"}


def test_when_all_are_running_the_oldest_without_an_alarm_makes_room(brain):
    conversations = _conversations(brain, max_conversations=2)
    conversations.reply("alarm", "I can't control my bladder", 0.0, WALL, SATELLITE)
    conversations.reply("asking", "my hip is cramping", 1.0, WALL, SATELLITE)
    reply = conversations.reply("third", "my groin is cramping", 2.0, WALL, SATELLITE)
    assert reply.lines and sorted(conversations.keys()) == ["alarm", "third"]
    assert conversations.assistant("alarm").mode is Mode.EMERGENCY


def test_a_quiet_person_with_no_satellite_is_not_talked_at(brain):
    conversations = _conversations(brain, follow_up_seconds=30.0)
    conversations.reply("peer", "my left glute is cramping", 0.0, WALL)
    conversations.reply("peer", "six", 5.0, WALL)  # the session begins; nobody speaks again
    said = _run(conversations, 5.0, 3000.0)
    assert said and all(t <= 35.0 for t, _ in said)  # cues while the person may still be there, then none
    assistant = conversations.assistant("peer")
    assert assistant.runner is not None and assistant.runner.state.value == "paused"
    assert conversations.paused == 1
    resumed = conversations.reply("peer", "resume", 3000.0, WALL)
    assert resumed.lines and assistant.runner.state.value != "paused"


def test_an_unanswered_question_with_no_satellite_stops_instead_of_starting_the_routine(brain):
    conversations = _conversations(brain, follow_up_seconds=30.0)
    conversations.reply("peer", "my left glute is cramping", 0.0, WALL)
    said = _run(conversations, 0.0, 3000.0)
    assert all(t <= 30.0 for t, _ in said)
    assert not any("buttock" in s.text for _, s in said)  # the routine never started by itself
    assert conversations.assistant("peer").mode is Mode.IDLE


def test_with_a_satellite_the_session_carries_on_without_turns(brain):
    conversations = _conversations(brain, follow_up_seconds=30.0)
    conversations.reply("bedroom", "my left glute is cramping", 0.0, WALL, SATELLITE)
    conversations.reply("bedroom", "six", 5.0, WALL)
    said = _run(conversations, 5.0, 200.0)
    assert any(t > 60.0 and "release" in s.text.lower() for t, s in said)
    assert conversations.paused == 0


def test_an_emergency_with_no_satellite_keeps_its_alarm_and_hook_when_the_person_is_quiet(brain, tmp_path):
    from voicecare.runtime.hooks import EmergencyHook

    marker = tmp_path / "carer-called"
    hook = EmergencyHook(f"touch {marker}", 5.0)
    conversations = _conversations(brain, hook=hook, follow_up_seconds=30.0)
    conversations.reply("peer", "my left glute is cramping", 0.0, WALL)
    reply = conversations.reply("peer", "I have lost control of my bowels", 2.0, WALL)
    assert reply.severity == "emergency" and "999" in reply.text
    said = _run(conversations, 2.0, 300.0)
    repeats = [(t, s) for t, s in said if "999" in s.text]
    assert repeats and max(t for t, _ in repeats) > 60.0  # long after the window, still repeated
    assert all(s.satellite is None for _, s in repeats) and conversations.paused == 0
    for thread in hook.threads:
        thread.join(5)
    assert marker.exists()


@pytest.mark.parametrize(("context", "key", "entity"), [
    (None, "peer:10.0.0.2", None),  # Home Assistant 2025.6 and earlier: the text alone
    ({"conversation_id": "01JX"}, "conversation:01JX", None),  # 2025.7 to 2026.2
    ({"conversation_id": "01JX", "device_id": "d1"}, "device:d1", None),
    ({"conversation_id": "01JX", "device_id": "d1", "satellite_id": SATELLITE}, SATELLITE, SATELLITE),  # 2026.6+
    ({"satellite_id": "kitchen-esp"}, "kitchen-esp", None),  # not an entity: no announcements to it
    ({"conversation_id": "  "}, "peer:10.0.0.2", None),
])
def test_the_conversation_follows_what_home_assistant_tells(context, key, entity):
    from voicecare.remote.server import conversation_key

    assert conversation_key(context, "peer:10.0.0.2") == (key, entity)
