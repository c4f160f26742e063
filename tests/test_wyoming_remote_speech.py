"""The remote recognizer and voice against real Wyoming peers in other processes: voicecare's own asr
service and a wyoming-piper server with a bundled Piper voice. Each is killed mid-request to show the
local fallback, and the back-off before the remote is tried again."""

from __future__ import annotations

import logging
import signal
import socket
import threading
import time

import pytest

from wyoming.info import Describe, Info

from tests.wyoming_peers import free_port, start_cli_service, start_piper, stop
from voicecare.messages import Transcript
from voicecare.remote.client import RemoteSettings, run_exchange
from voicecare.remote.stt import RemoteRecognizer, _merged
from voicecare.remote.tts import RemoteVoice

pytestmark = pytest.mark.speech
SETTINGS = RemoteSettings(connect_timeout_seconds=1.0, timeout_seconds=20.0)


@pytest.fixture(scope="module")
def local():
    """The local recognizer (PocketSphinx with the domain language), as ``voicecare run`` builds it."""
    from voicecare.asr.select import create_recognizer
    from voicecare.asr.transcribe import domain_language

    phrases, vocabulary = domain_language()
    return create_recognizer("pocketsphinx", phrases=phrases, vocabulary=vocabulary)


@pytest.fixture(scope="module")
def understand():
    from voicecare.nlu import Understander

    return Understander.load().understand


class _Clock:
    """A clock the test moves, so the back-off is seen without waiting for it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _kill_during(call, process, after: float = 0.5):
    """Run ``call`` in a thread and kill ``process`` while the request is in flight; the call's result.

    The server is frozen (SIGSTOP) just before the request, so the kernel still accepts the connection
    and the audio or text streams into it, but no answer can come: the kill always lands mid-request.
    """
    result: dict = {}
    process.send_signal(signal.SIGSTOP)
    worker = threading.Thread(target=lambda: result.setdefault("value", call()))
    worker.start()
    time.sleep(after)
    assert worker.is_alive(), "the request finished without its server"
    process.kill()
    worker.join(60)
    return result["value"]


def test_speech_to_text_through_the_asr_service_then_its_fallback(tmp_path, voices, local, understand, caplog):
    port = free_port()
    server = start_cli_service(tmp_path, port)
    clock = _Clock()
    remote = RemoteRecognizer(f"tcp://127.0.0.1:{port}", local, SETTINGS, clock=clock)
    try:
        heard = remote.transcribe(voices.speak("my left glute is cramping"))
        assert remote.last_source == "remote" and heard.engine == "wyoming"
        assert understand(heard.text).intent == "relief.glute"

        long_speech = voices.conversation([voices.speak("my left glute is cramping"), 1.0] * 9)
        assert 20 < long_speech.seconds < 30  # long to recognize, within the service's 30 s limit
        caplog.set_level(logging.WARNING)
        fallback = _kill_during(lambda: remote.transcribe(long_speech), server)
        assert remote.last_source == "local" and fallback.engine != "wyoming"
        assert understand(fallback.text).intent == "relief.glute"
        assert "failed" in caplog.text and "trying the remote again in 1 s" in caplog.text
        assert remote.backoff.failures == 1

        started = time.perf_counter()
        again = remote.transcribe(voices.speak("should I use heat"))
        assert remote.last_source == "local"  # still backing off: the remote is not even tried
        assert understand(again.text).intent == "relief.heat"
        assert time.perf_counter() - started < 5
    finally:
        stop(server)

    # The remote comes back, this time under a stand-in for systemd: after the back-off it is used again.
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(str(tmp_path / "notify.sock"))
    notify.settimeout(30)
    server = start_cli_service(tmp_path, port, env={"NOTIFY_SOCKET": str(tmp_path / "notify.sock")})
    try:
        assert b"READY=1" in notify.recv(4096)
        info = Info.from_event(run_exchange(f"tcp://127.0.0.1:{port}", [Describe().event()],
                                            lambda e: Info.is_type(e.type), SETTINGS)[-1])
        assert [p.name for p in info.asr] == ["voicecare-asr"] and [p.name for p in info.handle] == ["voicecare"]
        clock.now += 1.5
        back = remote.transcribe(voices.speak("how much water should I drink"))
        assert remote.last_source == "remote" and remote.backoff.failures == 0
        assert understand(back.text).intent == "relief.hydration"
        server.send_signal(signal.SIGTERM)  # systemctl stop
        assert server.wait(30) == 0
        assert any(b"STOPPING=1" in message for message in _drain(notify))
    finally:
        stop(server)
        remote.close()
        notify.close()


def _drain(sock: socket.socket) -> list[bytes]:
    sock.settimeout(0.5)
    messages = []
    try:
        while True:
            messages.append(sock.recv(4096))
    except TimeoutError:
        return messages


def test_a_refused_connection_falls_back_at_once(local, voices):
    remote = RemoteRecognizer(f"tcp://127.0.0.1:{free_port()}", local, SETTINGS)
    speech = voices.speak("my leg has gone numb")
    started = time.perf_counter()
    local_alone = local.transcribe(speech)
    local_seconds = time.perf_counter() - started
    started = time.perf_counter()
    heard = remote.transcribe(speech)
    assert remote.last_source == "local" and heard.text == local_alone.text
    assert time.perf_counter() - started < local_seconds + 1.0
    remote.close()


def test_the_local_readings_ride_along_so_a_red_flag_heard_only_locally_is_asked_about(understand):
    merged = _merged("my hip is sore", Transcript(text="my leg is numb", alternatives=("my leg is dumb",)))
    assert merged.text == "my hip is sore"
    assert merged.alternatives == ("my leg is numb", "my leg is dumb")
    assert any(understand(text).is_red_flag for text in merged.alternatives)
    assert _merged("yes", Transcript(text="Yes")).alternatives == ()


def test_text_to_speech_through_wyoming_piper_then_its_fallback(tmp_path, local, understand, caplog):
    from voicecare.speech.tts import Voice

    port = free_port()
    server = start_piper(tmp_path, port)
    clock = _Clock()
    voice = RemoteVoice(f"tcp://127.0.0.1:{port}", Voice(), settings=SETTINGS, clock=clock)
    try:
        audio = voice.synthesize("start my daily stretches")
        assert voice.last_source == "remote" and audio.is_internal and audio.seconds > 0.8
        assert understand(local.transcribe(audio).text).intent == "routine.daily_stretch"  # Piper's voice, understood

        caplog.set_level(logging.WARNING)
        long_text = " ".join(f"Breathe in slowly, then let your hip relax, number {n}." for n in range(40))
        fallback = _kill_during(lambda: voice.synthesize(long_text), server)
        assert voice.last_source == "local" and fallback.seconds > 10
        assert "remote voice" in caplog.text and "using the local voice" in caplog.text

        voice.synthesize("Hold it there.")
        assert voice.last_source == "local"  # backing off
        clock.now += 1.5
        voice.synthesize("Now release.")
        assert voice.last_source == "local" and voice.backoff.failures == 2  # tried again, still down
    finally:
        stop(server)
