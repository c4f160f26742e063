"""The Wyoming handle service driven by the wyoming package's own client (the code Home Assistant uses),
over TCP on localhost: conversations per satellite, red flags at their severity, announcements of what is
said on its own, and peers that misbehave."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time

import pytest
from wyoming.asr import Transcript
from wyoming.client import AsyncTcpClient
from wyoming.event import Event
from wyoming.handle import Handled
from wyoming.info import Describe, Info

from tests.wyoming_peers import TOKEN, FakeHomeAssistant, ServiceThread, config_for, write_token
from voicecare.content.texts import load_texts
from voicecare.core.escalation import escalation_lines
from voicecare.remote.app import ServeOptions
from voicecare.remote.protocol import Limits

BEDROOM = "assist_satellite.bedroom"
KITCHEN = "assist_satellite.kitchen"
SPEED = 25.0
"""Conversation time runs this much faster than the real clock, so holds and alarms end soon."""


@pytest.fixture
def home(tmp_path):
    ha = FakeHomeAssistant()
    yield ha
    ha.close()


@pytest.fixture
def service(tmp_path, home):
    token = write_token(tmp_path)
    config = config_for(tmp_path, f'[homeassistant]\nurl = "{home.url}"\ntoken_file = "{token}"\n'
                                  f'satellite = "{BEDROOM}"\n')
    limits = Limits(idle_seconds=20.0, read_seconds=2.0)
    running = ServiceThread(config, ServeOptions(asr=False, zeroconf=False, in_memory_journal=True,
                                                 limits=limits, speed=SPEED))
    yield running
    running.close()


@pytest.fixture(scope="module")
def texts():
    from voicecare.content.loader import DEFAULT_CONTENT_DIR

    return load_texts(DEFAULT_CONTENT_DIR)


async def _say(client: AsyncTcpClient, text: str, satellite: str) -> Handled:
    await client.write_event(Transcript(text=text, context={"satellite_id": satellite,
                                                            "conversation_id": f"conv-{satellite}"}).event())
    event = await asyncio.wait_for(client.read_event(), 10)
    assert event is not None and Handled.is_type(event.type), event
    return Handled.from_event(event)


async def _conversation(port: int, satellite: str, lines: list[str]) -> list[str]:
    async with AsyncTcpClient("127.0.0.1", port) as client:
        return [(await _say(client, line, satellite)).text or "" for line in lines]


def test_describe_lists_the_handle_program(service):
    async def go() -> Info:
        async with AsyncTcpClient("127.0.0.1", service.port) as client:
            await client.write_event(Describe().event())
            return Info.from_event(await asyncio.wait_for(client.read_event(), 10))

    info = asyncio.run(go())
    assert [p.name for p in info.handle] == ["voicecare"]
    assert info.handle[0].installed and "en" in info.handle[0].models[0].languages
    assert info.asr == []  # asr was not asked for


def test_relief_flow_answers_in_the_room_and_announces_the_hold_there(service, home, texts):
    said = asyncio.run(_conversation(service.port, BEDROOM, ["my left glute is cramping", "five"]))
    assert said[0] == texts.prompt("relief_start") + " " + texts.prompt("pain_rating_start")
    assert "buttock" in said[1]  # the glute relief session has started
    # The hold's cues are said on their own: they reach the bedroom satellite through Home Assistant.
    announced = home.wait_for(BEDROOM, "release", timeout=60)
    assert announced and home.refused == []
    assert home.messages(KITCHEN) == []


@pytest.mark.parametrize(("words", "flag"), [
    ("I can't control my bladder", "redflag.emergency"),
    ("my leg has gone numb", "redflag.numbness"),
    ("the spasms keep coming back for weeks", "redflag.persistent"),
])
def test_red_flag_is_answered_at_its_severity(service, texts, words, flag):
    said = asyncio.run(_conversation(service.port, KITCHEN, ["my hip is cramping", words]))
    expected = " ".join(escalation_lines(texts.red_flags[flag], "999"))
    assert said[1] == expected


def test_emergency_alarm_repeats_are_announced_until_acknowledged(service, home, texts):
    said = asyncio.run(_conversation(service.port, KITCHEN, ["I have lost control of my bowels"]))
    assert "999" in said[0]
    repeats = home.wait_for(KITCHEN, "999", timeout=30)
    assert repeats and home.messages(BEDROOM) == []
    acknowledged = asyncio.run(_conversation(service.port, KITCHEN, ["okay"]))
    assert acknowledged[0]
    assert service.built.service.conversations.assistant(KITCHEN).mode.value == "idle"


def test_two_satellites_at_once_keep_their_own_conversations(service, texts):
    async def both() -> tuple[list[str], list[str]]:
        bedroom = AsyncTcpClient("127.0.0.1", service.port)
        kitchen = AsyncTcpClient("127.0.0.1", service.port)
        async with bedroom, kitchen:
            first = await asyncio.gather(_say(bedroom, "my groin is in spasm on the right", BEDROOM),
                                         _say(kitchen, "should I use ice or heat", KITCHEN))
            second = await asyncio.gather(_say(kitchen, "seven", KITCHEN), _say(bedroom, "seven", BEDROOM))
        return [first[0].text, second[1].text], [first[1].text, second[0].text]

    bedroom, kitchen = asyncio.run(both())
    assert bedroom[0].endswith(texts.prompt("pain_rating_start"))
    assert "inner thigh" in bedroom[1].lower() or "groin" in bedroom[1].lower()  # the adductor session began
    assert texts.prompt("pain_rating_start") not in kitchen[0] and ("heat" in kitchen[0].lower() or "cold" in kitchen[0].lower())
    assert texts.prompt("pain_rating_start") not in kitchen[1]  # "seven" in the kitchen started nothing
    conversations = service.built.service.conversations
    assert conversations.assistant(BEDROOM).mode.value == "session"
    assert conversations.assistant(KITCHEN).mode.value == "idle"


def test_a_client_that_disconnects_mid_conversation_leaves_it_to_continue(service, texts):
    async def first_half() -> str:
        client = AsyncTcpClient("127.0.0.1", service.port)
        await client.connect()
        handled = await _say(client, "my hip flexor is cramping on the left", BEDROOM)
        header = json.dumps({"type": "transcript", "data_length": 200}).encode() + b"\n"
        client._writer.write(header + b'{"text": "fi')  # cut off in the middle of an event
        await client._writer.drain()
        client._writer.transport.abort()
        return handled.text or ""

    asked = asyncio.run(first_half())
    assert asked.endswith(texts.prompt("pain_rating_start"))
    later = asyncio.run(_conversation(service.port, BEDROOM, ["four"]))
    assert "hip" in later[0].lower()  # the same conversation took the rating and began the session
    assert service.built.service.conversations.assistant(BEDROOM).mode.value == "session"


def _raw_exchange(port: int, data: bytes) -> list[dict]:
    """Send raw bytes; the JSON headers of what comes back before the service closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return [json.loads(line) for line in received.splitlines() if line.startswith(b"{")]


@pytest.mark.parametrize(("data", "code"), [
    (b"this is not json\n", "bad-event"),
    (b"[1, 2, 3]\n", "bad-event"),
    (b'{"data": {"text": "no type"}}\n', "bad-event"),
    (b'{"type": "transcript", "payload_length": 1073741824}\n', "too-large"),
    (b'{"type": "transcript", "data_length": 104857600}\n', "too-large"),
    (b'{"type": "transcript", "data": {"text": "' + b"a" * 100_000 + b'"}}\n', "too-large"),
    (b'{"type": "transcript", "data_length": -5}\n', "bad-event"),
])
def test_garbage_and_oversized_events_are_rejected_and_the_service_lives(service, data, code):
    replies = _raw_exchange(service.port, data)
    assert replies[0]["type"] == "error" and replies[1]["code"] == code  # a header, then its data
    assert service.built.service.rejected >= 1
    assert asyncio.run(_conversation(service.port, KITCHEN, ["how much water should I drink"]))[0]


def test_unknown_events_get_an_error_and_the_connection_stays(service):
    async def go() -> tuple[str, str]:
        async with AsyncTcpClient("127.0.0.1", service.port) as client:
            await client.write_event(Event(type="run-satellite"))
            reply = await asyncio.wait_for(client.read_event(), 10)
            handled = await _say(client, "how do I stretch my glute", KITCHEN)
            return reply.type, handled.text or ""

    kind, text = asyncio.run(go())
    assert kind == "error" and text


def test_the_token_is_never_logged(tmp_path, caplog):
    refusing = FakeHomeAssistant(token="another-token")
    try:
        token = write_token(tmp_path)
        config = config_for(tmp_path, f'[homeassistant]\nurl = "{refusing.url}"\ntoken_file = "{token}"\n'
                                      f'satellite = "{BEDROOM}"\n[logging]\ndebug = true\n')
        caplog.set_level(logging.DEBUG)
        running = ServiceThread(config, ServeOptions(asr=False, zeroconf=False, in_memory_journal=True,
                                                     speed=SPEED))
        try:
            asyncio.run(_conversation(running.port, BEDROOM, ["I can't control my bladder"]))
            end = time.monotonic() + 20
            while not refusing.refused and time.monotonic() < end:
                time.sleep(0.05)
            time.sleep(0.3)
        finally:
            running.close()
    finally:
        refusing.close()
    assert refusing.refused and refusing.refused[0][0] == 401
    assert "HTTP 401" in caplog.text
    assert TOKEN not in caplog.text
    assert TOKEN not in repr(running.built.announcer)


# --- following the person, keeping the satellite listening, never refusing -----------------------------


async def _raw_turn(client: AsyncTcpClient, text: str, context: dict | None) -> dict:
    """One transcript as a given Home Assistant sends it (``context`` None: 2025.6 and earlier send none);
    the reply's data as it arrives, whatever the wyoming library here would parse."""
    data = {"text": text} if context is None else {"text": text, "context": context}
    await client.write_event(Event(type="transcript", data=data))
    event = await asyncio.wait_for(client.read_event(), 10)
    assert event is not None and event.type == "handled", event
    return event.data


def _turns(port: int, turns: list[tuple[str, dict | None]]) -> list[dict]:
    """Each turn on a connection of its own, as Home Assistant's Wyoming agent opens one per turn."""
    async def go() -> list[dict]:
        replies = []
        for text, context in turns:
            async with AsyncTcpClient("127.0.0.1", port) as client:
                replies.append(await _raw_turn(client, text, context))
        return replies
    return asyncio.run(go())


def test_without_context_the_answer_follows_the_question_and_the_satellite_is_kept_listening(service, texts):
    replies = _turns(service.port, [("my left glute is cramping", None), ("six", None)])
    assert replies[0]["text"].endswith(texts.prompt("pain_rating_start"))
    assert replies[0]["continue_conversation"] is True  # the question waits for its answer
    assert "buttock" in replies[1]["text"] and replies[1]["continue_conversation"] is False


def test_home_assistants_conversation_id_keeps_two_conversations_apart(service, texts):
    first, second = {"conversation_id": "01JAAAAAAAAAAAAAAAAAAAAAAA"}, {"conversation_id": "01JBBBBBBBBBBBBBBBBBBBBBBB"}
    replies = _turns(service.port, [("my left glute is cramping", first), ("how much water should I drink", second),
                                    ("six", first)])
    assert replies[0]["context"] == first
    assert texts.prompt("pain_rating_start") not in replies[1]["text"]
    assert "buttock" in replies[2]["text"]


def test_a_flood_of_connections_is_all_answered_and_stays_bounded(service):
    conversations = service.built.service.conversations

    async def one(n: int) -> str:
        async with AsyncTcpClient("127.0.0.1", service.port) as client:
            return (await _say(client, "how much water should I drink", f"assist_satellite.flood_{n}")).text or ""

    async def waves() -> list[str]:
        said: list[str] = []
        for wave in range(5):
            said += await asyncio.gather(*(one(wave * 50 + n) for n in range(50)))
            settle = time.monotonic() + 10
            while service.built.service.connections and time.monotonic() < settle:
                await asyncio.sleep(0.05)  # the last wave's closes reach the service a moment later
        return said

    said = asyncio.run(waves())
    assert len(said) == 250 and all(said)
    assert len(conversations) <= conversations.max_conversations
    assert conversations.evicted >= 250 - conversations.max_conversations
    end = time.monotonic() + 10
    while service.built.service.connections and time.monotonic() < end:
        time.sleep(0.05)  # the service sees each client's close a moment later
    assert service.built.service.connections == 0 and service.built.service.turned_away == 0


def test_connections_past_the_limit_are_told_busy_and_the_service_goes_on(tmp_path):
    config = config_for(tmp_path)
    running = ServiceThread(config, ServeOptions(asr=False, zeroconf=False, in_memory_journal=True,
                                                 limits=Limits(max_connections=3)))

    async def go() -> tuple[str, str]:
        held = [AsyncTcpClient("127.0.0.1", running.port) for _ in range(3)]
        for client in held:
            await client.connect()
        await asyncio.sleep(0.2)
        async with AsyncTcpClient("127.0.0.1", running.port) as extra:
            refused = await asyncio.wait_for(extra.read_event(), 10)
        for client in held:
            await client.disconnect()
        await asyncio.sleep(0.2)
        async with AsyncTcpClient("127.0.0.1", running.port) as later:
            answered = await _say(later, "how much water should I drink", KITCHEN)
        return refused.data.get("code"), answered.text or ""

    try:
        code, text = asyncio.run(go())
    finally:
        running.close()
    assert code == "busy" and text and running.built.service.turned_away == 1


def test_a_satellite_home_assistant_does_not_have_gets_notifications_instead(tmp_path):
    home = FakeHomeAssistant(satellites=set())
    token = write_token(tmp_path)
    config = config_for(tmp_path, f'[homeassistant]\nurl = "{home.url}"\ntoken_file = "{token}"\n'
                                  f'satellite = "{BEDROOM}"\n')
    running = ServiceThread(config, ServeOptions(asr=False, zeroconf=False, in_memory_journal=True, speed=SPEED))
    try:
        asyncio.run(_conversation(running.port, BEDROOM, ["my left glute is cramping", "five"]))
        said = home.wait_for_notification("release", timeout=60)
        asyncio.run(_conversation(running.port, KITCHEN, ["I have lost control of my bowels"]))
        home.wait_for_notification("999", timeout=30)
    finally:
        running.close()
        home.close()
    assert said and home.received == [] and home.refused == []
    alarms = [n for n in home.notified if "999" in n["message"]]
    assert alarms and {n["notification_id"] for n in alarms} == {"voicecare_alarm"}
