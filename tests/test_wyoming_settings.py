"""The remote parts' configuration, the Home Assistant announcer against a local HTTP server, doctor's
list of remote services, and per-satellite conversations on a virtual clock."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest

from tests.wyoming_peers import TOKEN, FakeHomeAssistant, config_for, free_port, write_token
from voicecare.errors import ConfigError
from voicecare.remote.announce import Announcement, HomeAssistantAnnouncer, NoAnnouncer, announcer_from, read_token
from voicecare.remote.client import Backoff, parse_uri
from voicecare.remote.health import check_remote
from voicecare.remote.wiring import remote_services, with_remote

WALL = datetime(2026, 11, 30, 10, 0).astimezone()


def test_everything_remote_is_off_by_default(tmp_path):
    config = config_for(tmp_path)
    assert remote_services(config) == []
    assert isinstance(announcer_from(config.homeassistant.url, None), NoAnnouncer)
    recognizer, voice = with_remote(config, "local recognizer", "local voice")
    assert (recognizer, voice) == ("local recognizer", "local voice")
    result = check_remote(config)
    assert result.status == "ok" and "nothing is sent off this device" in result.detail


def test_remote_choices_need_their_address(tmp_path):
    with pytest.raises(ConfigError, match="asr_uri"):
        remote_services(config_for(tmp_path, '[speech]\nengine = "wyoming"\n'))
    with pytest.raises(ConfigError, match="tts_uri"):
        remote_services(config_for(tmp_path, '[speech]\ntts = "wyoming"\n'))
    with pytest.raises(ConfigError, match="tcp://HOST:PORT"):
        config_for(tmp_path, '[wyoming]\nasr_uri = "http://example:10300"\n')
    with pytest.raises(ConfigError, match="http"):
        config_for(tmp_path, '[homeassistant]\nurl = "homeassistant.local"\n')


def test_a_remote_voice_falls_back_to_the_local_voice_auto_would_choose(tmp_path):
    from voicecare.remote.tts import RemoteVoice
    from voicecare.speech.select import voice_from_config

    config = config_for(tmp_path, '[speech]\ntts = "wyoming"\n[wyoming]\ntts_uri = "tcp://127.0.0.1:9"\n')
    local = voice_from_config(config, store_new=False)
    auto = voice_from_config(config_for(tmp_path), store_new=False)
    assert local.choice.kind == auto.choice.kind  # Piper where it is installed, else espeak-ng
    _, voice = with_remote(config, "local recognizer", local)
    assert isinstance(voice, RemoteVoice) and voice.local is local


def test_doctor_lists_each_remote_service_and_warns_when_it_does_not_answer(tmp_path):
    port = free_port()
    config = config_for(tmp_path, f'[speech]\nengine = "wyoming"\ntts = "wyoming"\n[wyoming]\n'
                                  f'asr_uri = "tcp://127.0.0.1:{port}"\ntts_uri = "tcp://127.0.0.1:{port}"\n')
    roles = [s.role for s in remote_services(config)]
    assert roles == ["speech recognition", "voice"]
    result = check_remote(config)
    assert result.status == "warn" and "connection refused" in result.detail
    assert "local recognizer and voice are used" in result.fix


def test_doctor_checks_home_assistant_and_its_token(tmp_path):
    home = FakeHomeAssistant()
    try:
        token = write_token(tmp_path, mode=0o644)
        config = config_for(tmp_path, f'[homeassistant]\nurl = "{home.url}"\ntoken_file = "{token}"\n')
        result = check_remote(config)
        assert result.status == "warn" and "can be read by others" in result.detail
        assert TOKEN not in result.detail
    finally:
        home.close()


@pytest.mark.parametrize(("mode", "words"), [(0o644, "can be read by others"), (0o640, "can be read by others")])
def test_a_token_file_others_can_read_is_refused(tmp_path, mode, words):
    with pytest.raises(ConfigError, match=words) as caught:
        read_token(write_token(tmp_path, mode=mode))
    assert "chmod 600" in caught.value.fix and TOKEN not in caught.value.line()


def test_a_missing_or_empty_token_file_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        read_token(tmp_path / "nothing")
    with pytest.raises(ConfigError, match="one token"):
        read_token(write_token(tmp_path, token=""))
    assert read_token(write_token(tmp_path)) == TOKEN


def test_announcements_reach_home_assistant_as_its_rest_api_documents(tmp_path):
    home = FakeHomeAssistant()
    announcer = HomeAssistantAnnouncer(home.url, TOKEN, default_satellite="assist_satellite.bedroom")
    try:
        assert announcer.send(Announcement("assist_satellite.kitchen", "Now release."))
        announcer(None, "Time to get up and move.")  # the default satellite, from the announcer's thread
        announcer(None, "Call 999 now.", "emergency")
        announcer.close()
        assert home.messages("assist_satellite.kitchen") == ["Now release."]
        assert home.messages("assist_satellite.bedroom") == ["Time to get up and move.", "Call 999 now."]
        assert [r["preannounce"] for r in home.received] == [False, False, True]
        assert home.refused == []
    finally:
        home.close()


def test_without_a_satellite_what_is_said_becomes_a_persistent_notification():
    home = FakeHomeAssistant(satellites={"assist_satellite.kitchen"})
    try:
        nowhere = HomeAssistantAnnouncer(home.url, TOKEN)
        assert nowhere.send(Announcement(None, "Time to get up and move."))
        assert nowhere.send(Announcement("assist_satellite.attic", "Call 999 now.", "emergency"))  # not in HA
        assert nowhere.send(Announcement("assist_satellite.kitchen", "Now release."))
        assert [(n["message"], n["notification_id"]) for n in home.notified] == [
            ("Time to get up and move.", "voicecare"), ("Call 999 now.", "voicecare_alarm")]
        assert home.messages("assist_satellite.kitchen") == ["Now release."] and home.refused == []
        assert nowhere.notified == 2
    finally:
        home.close()


def test_refused_and_unreachable_announcements_are_logged_without_the_token(caplog):
    home = FakeHomeAssistant(token="the-right-one")
    caplog.set_level(logging.DEBUG)
    try:
        wrong = HomeAssistantAnnouncer(home.url, TOKEN)
        assert not wrong.send(Announcement("assist_satellite.bedroom", "Hold it there."))
        gone = HomeAssistantAnnouncer(f"http://127.0.0.1:{free_port()}", TOKEN, timeout_seconds=1.0)
        assert not gone.send(Announcement("assist_satellite.bedroom", "Hold it there."))
    finally:
        home.close()
    assert "HTTP 401 (check the token)" in caplog.text and "unreachable" in caplog.text
    assert TOKEN not in caplog.text and TOKEN not in repr(wrong)


def test_backoff_doubles_up_to_its_limit_and_resets():
    backoff = Backoff(1.0, 5.0)
    assert backoff.ready(0.0)
    assert [backoff.failed(t) for t in (0.0, 1.0, 3.0, 7.0, 12.0)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert not backoff.ready(16.9) and backoff.ready(17.0)
    assert backoff.succeeded() and backoff.ready(0.0) and not backoff.succeeded()


@pytest.mark.parametrize("uri", ["tcp://127.0.0.1:0", "udp://127.0.0.1:10300", "tcp://host", "tcp://h:99999", "host:10"])
def test_bad_wyoming_addresses_say_how_to_write_one(uri):
    with pytest.raises(ConfigError, match="tcp://HOST:PORT"):
        parse_uri(uri)


def test_the_cli_rejects_a_bad_uri_with_exit_2(capsys):
    from voicecare.cli import main

    assert main(["wyoming", "--uri", "localhost:10600"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Error: ") and "tcp://HOST:PORT" in err[0]


# --- conversations on a virtual clock ------------------------------------------------------


@pytest.fixture(scope="module")
def brain(tmp_path_factory):
    from voicecare.runtime.build import build_brain

    return build_brain(config_for(tmp_path_factory.mktemp("brain")), None, wake_phrase="off")


def _conversations(brain, **kwargs):
    from voicecare.core.assistant import Assistant, DialogSettings
    from voicecare.remote.conversations import Conversations

    settings = DialogSettings(wake_enabled=False, emergency_number="999")
    return Conversations(lambda: Assistant(brain.texts, brain.programme, None, settings),
                         brain.understander.understand, **kwargs)


def test_a_hold_runs_on_its_own_and_its_cues_come_out_for_its_satellite(brain):
    conversations = _conversations(brain)
    conversations.reply("bedroom", "my left glute is cramping", 0.0, WALL, "assist_satellite.bedroom")
    started = conversations.reply("bedroom", "five", 5.0, WALL)
    assert "buttock" in started.text  # the glute relief session began
    spoken, t = [], 5.0
    while t < 400 and not any("release" in s.text.lower() for s in spoken):
        deadline = conversations.next_deadline(t, WALL)
        assert deadline is not None
        t = max(t, deadline)
        spoken += conversations.due(t, WALL)
    assert spoken and {s.satellite for s in spoken} == {"assist_satellite.bedroom"}
    assert any("release" in s.text.lower() for s in spoken)


def test_idle_conversations_are_let_go_and_a_full_house_makes_room(brain):
    conversations = _conversations(brain, idle_seconds=60.0, max_conversations=2)
    conversations.reply("a", "how much water should I drink", 0.0, WALL)
    conversations.reply("b", "my hip is cramping", 0.0, WALL)  # asks a question: stays
    reply = conversations.reply("c", "how much water should I drink", 1.0, WALL)  # full: "a" (idle) makes room
    assert reply.lines and sorted(conversations.keys()) == ["b", "c"] and conversations.evicted == 1
    conversations.due(100.0, WALL)
    assert "c" not in conversations.keys()  # idle past idle_seconds


def test_a_loopback_service_is_not_advertised_over_zeroconf():
    import asyncio

    from voicecare.remote.discovery import advertise

    assert asyncio.run(advertise("voicecare", "127.0.0.1", 10600)) is None


def test_an_emergency_runs_the_on_emergency_command_once(brain, tmp_path):
    from voicecare.runtime.hooks import EmergencyHook

    marker = tmp_path / "carer-called"
    hook = EmergencyHook(f"touch {marker}", 5.0)
    conversations = _conversations(brain, hook=hook)
    reply = conversations.reply("hall", "I can't control my bladder", 0.0, WALL)
    assert reply.severity == "emergency" and "999" in reply.text
    for thread in hook.threads:
        thread.join(5)
    assert marker.exists() and len(hook.threads) == 1


def test_the_cli_rejects_a_speed_out_of_range_with_exit_2(capsys):
    from voicecare.cli import main

    assert main(["wyoming", "--speed", "0", "--no-zeroconf"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Error: --speed")
