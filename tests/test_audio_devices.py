"""Microphone and speaker logic against a fake PortAudio at the hardware border."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import numpy as np
import pytest

from voicecare.audio import devices
from voicecare.audio.chunk import RATE, AudioChunk
from voicecare.errors import AudioError


class FakePortAudioError(Exception):
    pass


class FakeOutputStream:
    """Accepts writes at real-time pace, like a sound card."""

    instances: list["FakeOutputStream"] = []

    def __init__(self, *, samplerate, blocksize, fail_after=None, **kwargs):
        self.rate = samplerate
        self.written: list[bytes] = []
        self.aborted = 0
        self.fail_after = fail_after
        FakeOutputStream.instances.append(self)

    def start(self):
        pass

    def write(self, data: bytes):
        if self.fail_after is not None and len(self.written) >= self.fail_after:
            raise FakePortAudioError("device unplugged")
        self.written.append(bytes(data))
        time.sleep(len(data) / 2 / self.rate)

    def abort(self):
        self.aborted += 1

    def close(self):
        pass


class FakeInputStream:
    def __init__(self, *, samplerate, blocksize, callback, **kwargs):
        self.rate, self.blocksize, self.callback = samplerate, blocksize, callback
        self.active = False

    def start(self):
        self.active = True
        t = np.arange(self.rate) / self.rate
        tone = (0.3 * 32767 * np.sin(2 * np.pi * 440 * t)).astype("<i2")
        for i in range(0, len(tone), self.blocksize):
            self.callback(tone[i : i + self.blocksize].tobytes(), self.blocksize, None, None)

    def close(self):
        self.active = False


def _fake_sd(device_list, native_only=False, **stream_kwargs):
    def check(device=None, samplerate=None, **kw):
        if native_only and samplerate != 48000:
            raise FakePortAudioError("Invalid sample rate")

    return SimpleNamespace(
        PortAudioError=FakePortAudioError,
        query_devices=lambda: device_list,
        default=SimpleNamespace(device=(0, 1)),
        check_output_settings=check,
        check_input_settings=check,
        RawOutputStream=lambda **kw: FakeOutputStream(**kw, **stream_kwargs),
        RawInputStream=lambda **kw: FakeInputStream(**kw),
    )


DEVICES = [
    {"name": "USB PnP Sound Device: Audio", "max_input_channels": 1, "max_output_channels": 0, "default_samplerate": 48000.0},
    {"name": "bcm2835 Headphones", "max_input_channels": 0, "max_output_channels": 2, "default_samplerate": 48000.0},
    {"name": "USB Speaker", "max_input_channels": 0, "max_output_channels": 2, "default_samplerate": 44100.0},
]


@pytest.fixture
def fake_sd(monkeypatch):
    FakeOutputStream.instances.clear()

    def install(device_list=DEVICES, **kw):
        sd = _fake_sd(device_list, **kw)
        monkeypatch.setattr(devices, "_sd", lambda: sd)
        return sd

    return install


def test_find_device_by_default_index_and_name(fake_sd):
    fake_sd()
    assert devices.find_device(None, "input").name.startswith("USB PnP")
    assert devices.find_device(None, "output").name == "bcm2835 Headphones"
    assert devices.find_device(2, "output").name == "USB Speaker"
    assert devices.find_device("usb speaker", "output").index == 2
    with pytest.raises(AudioError, match="no speaker named 'hdmi'"):
        devices.find_device("hdmi", "output")
    with pytest.raises(AudioError, match="no microphone with index 2"):
        devices.find_device(2, "input")


def test_no_devices_gives_the_fix(fake_sd):
    fake_sd([])
    with pytest.raises(AudioError) as err:
        devices.Microphone()
    assert err.value.line() == f"Error: no microphone found — {devices.NO_MIC_FIX}"
    with pytest.raises(AudioError, match="no speaker found"):
        devices.Speaker()


def _tone(seconds: float) -> AudioChunk:
    t = np.arange(int(seconds * RATE)) / RATE
    return AudioChunk.from_array(0.5 * np.sin(2 * np.pi * 440 * t))


def test_speaker_plays_everything_in_order(fake_sd):
    fake_sd()
    speaker = devices.Speaker(block_seconds=0.02)
    a, b = _tone(0.1), AudioChunk.from_array(np.full(800, 1000, dtype=np.int16))
    speaker.play(a)
    speaker.play(b)
    assert speaker.wait(timeout=5.0)
    assert not speaker.speaking
    written = b"".join(FakeOutputStream.instances[0].written)
    assert written == a.audio + b.audio
    assert all(len(block) == 2 * 320 for block in FakeOutputStream.instances[0].written[:5])
    speaker.close()


def test_speaker_volume_scales(fake_sd):
    fake_sd()
    speaker = devices.Speaker(volume=0.5)
    speaker.play(AudioChunk.from_array(np.full(320, 20000, dtype=np.int16)))
    assert speaker.wait(timeout=5.0)
    assert set(np.frombuffer(FakeOutputStream.instances[0].written[0], "<i2")) == {10000}
    speaker.close()


def test_stop_silences_and_forgets_the_queue(fake_sd):
    fake_sd()
    speaker = devices.Speaker(block_seconds=0.02)
    speaker.play(_tone(2.0))
    speaker.play(_tone(2.0))
    deadline = time.monotonic() + 5.0
    while not speaker.speaking and time.monotonic() < deadline:
        time.sleep(0.005)
    assert speaker.speaking
    speaker.stop()
    assert speaker.wait(timeout=5.0)
    assert not speaker.speaking
    stream = FakeOutputStream.instances[0]
    assert stream.aborted == 1
    played = sum(len(b) for b in stream.written) / 2 / RATE
    assert played < 1.0
    assert speaker.last_sound_end <= time.monotonic()
    speaker.play(_tone(0.1))  # still usable after a stop
    assert speaker.wait(timeout=5.0)
    speaker.close()


def test_speaker_failure_is_reported_on_next_play(fake_sd):
    fake_sd(fail_after=2)
    speaker = devices.Speaker()
    speaker.play(_tone(0.5))
    assert speaker.wait(timeout=5.0)
    with pytest.raises(AudioError, match="device unplugged"):
        speaker.play(_tone(0.1))
    speaker.close()


def test_speaker_resamples_for_a_device_without_16k(fake_sd):
    fake_sd(native_only=True)
    speaker = devices.Speaker()
    speaker.play(_tone(0.5))
    assert speaker.wait(timeout=5.0)
    stream = FakeOutputStream.instances[0]
    assert stream.rate == 48000
    assert abs(sum(len(b) for b in stream.written) / 2 - 24000) <= 3
    speaker.close()


def test_microphone_converts_native_rate_blocks(fake_sd):
    fake_sd(native_only=True)
    mic = devices.Microphone(block_seconds=0.03)
    blocks = []
    while (block := mic.read(timeout=0.05)) is not None:
        blocks.append(block)
    mic.close()
    assert all(b.is_internal for b in blocks)
    assert 0 <= RATE - sum(b.samples for b in blocks) <= 500  # the streaming resampler holds ~20 ms back
    assert blocks[1].timestamp == pytest.approx(blocks[0].seconds)
