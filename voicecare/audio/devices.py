"""Real microphone and speaker through sounddevice (PortAudio); nothing is opened at import time."""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from voicecare.audio.chunk import RATE, AudioChunk
from voicecare.audio.convert import Converter, resample, to_internal
from voicecare.errors import AudioError

log = logging.getLogger(__name__)

NO_MIC_FIX = "plug in a USB microphone, then run `voicecare devices`"
NO_SPEAKER_FIX = "connect a speaker or headphones, then run `voicecare devices`"


def _sd() -> ModuleType:
    """sounddevice, imported on first use: importing it starts PortAudio."""
    try:
        import sounddevice
    except OSError as exc:  # PortAudio library missing
        raise AudioError(f"PortAudio is not available ({exc})", "apt-get install libportaudio2") from exc
    return sounddevice


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """One audio device as PortAudio sees it."""

    index: int
    name: str
    inputs: int
    outputs: int
    default_rate: float
    """Hertz."""
    default_input: bool = False
    default_output: bool = False


def list_devices() -> list[DeviceInfo]:
    """Every audio device, with which ones are the defaults."""
    sd = _sd()
    try:
        raw = sd.query_devices()
        default_in, default_out = sd.default.device
    except sd.PortAudioError as exc:
        raise AudioError(f"cannot list audio devices ({exc})", "check that the sound system is running") from exc
    return [
        DeviceInfo(index=i, name=str(d["name"]), inputs=int(d["max_input_channels"]),
                   outputs=int(d["max_output_channels"]), default_rate=float(d["default_samplerate"]),
                   default_input=i == default_in, default_output=i == default_out)
        for i, d in enumerate(raw)
    ]


def find_device(spec: str | int | None, kind: str) -> DeviceInfo:
    """The device for ``spec`` (index, part of its name, or None for the default); kind is 'input' or 'output'."""
    fix = NO_MIC_FIX if kind == "input" else NO_SPEAKER_FIX
    what = "microphone" if kind == "input" else "speaker"
    usable = [d for d in list_devices() if (d.inputs if kind == "input" else d.outputs) > 0]
    if not usable:
        raise AudioError(f"no {what} found", fix)
    if spec is None or spec == "":
        for d in usable:
            if d.default_input if kind == "input" else d.default_output:
                return d
        return usable[0]
    if isinstance(spec, int) or str(spec).isdigit():
        for d in usable:
            if d.index == int(spec):
                return d
        raise AudioError(f"no {what} with index {spec}", "pick one listed by `voicecare devices`")
    matches = [d for d in usable if str(spec).lower() in d.name.lower()]
    if not matches:
        names = ", ".join(repr(d.name) for d in usable)
        raise AudioError(f"no {what} named {spec!r} (found: {names})", "set the device to one of those names")
    return matches[0]


class Microphone:
    """16 kHz mono blocks from a sound card; the PortAudio callback only queues raw frames."""

    def __init__(self, device: str | int | None = None, block_seconds: float = 0.03) -> None:
        self.info = find_device(device, "input")
        self.block_seconds = block_seconds
        self._queue: queue.Queue[bytes] = queue.Queue(maxsize=int(10 / block_seconds))
        self._stream = None
        self._rate = RATE
        self._converter: Converter | None = None
        self._failed: str | None = None

    def open(self) -> None:
        """Start capturing (at 16 kHz when the device allows, else its own rate, converted)."""
        if self._stream is not None:
            return
        sd = _sd()
        try:
            sd.check_input_settings(device=self.info.index, samplerate=RATE, channels=1, dtype="int16")
            self._rate = RATE
        except (sd.PortAudioError, ValueError):
            self._rate = int(self.info.default_rate)
        self._converter = Converter(self._rate, 2, 1)
        try:
            self._stream = sd.RawInputStream(device=self.info.index, samplerate=self._rate, channels=1,
                                             dtype="int16", blocksize=int(self._rate * self.block_seconds),
                                             callback=self._callback)
            self._stream.start()
        except sd.PortAudioError as exc:
            self._stream = None
            raise AudioError(f"cannot open microphone {self.info.name!r} ({exc})", NO_MIC_FIX) from exc
        log.info("microphone %r at %d Hz", self.info.name, self._rate)

    def _callback(self, indata, frames, time_info, status) -> None:  # noqa: ANN001 - PortAudio signature
        if status:
            log.debug("microphone status: %s", status)
        try:
            self._queue.put_nowait(bytes(indata))
        except queue.Full:
            self._failed = "audio is not being read fast enough"

    def read(self, timeout: float | None = None) -> AudioChunk | None:
        """The next block in internal format, or None after ``timeout`` seconds; AudioError if the device failed."""
        self.open()
        try:
            raw = self._queue.get(timeout=timeout)
        except queue.Empty:
            if self._stream is not None and not self._stream.active:
                raise AudioError(f"microphone {self.info.name!r} stopped", NO_MIC_FIX) from None
            return None
        if self._failed:
            log.warning("microphone: %s", self._failed)
            self._failed = None
        assert self._converter is not None
        return self._converter.convert(AudioChunk(rate=self._rate, width=2, channels=1, audio=raw))

    def close(self) -> None:
        if self._stream is not None:
            stream, self._stream = self._stream, None
            stream.close()

    def __enter__(self) -> "Microphone":
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Speaker:
    """Plays chunks on its own thread in small blocks, so ``stop()`` silences it within one block."""

    def __init__(self, device: str | int | None = None, volume: float = 1.0, block_seconds: float = 0.02) -> None:
        self.info = find_device(device, "output")
        self.volume = volume
        self.block_seconds = block_seconds
        self._queue: queue.Queue[AudioChunk | None] = queue.Queue()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._speaking = False
        self._last_sound_end = 0.0
        self._error: AudioError | None = None
        self._thread: threading.Thread | None = None
        self._rate = RATE

    @property
    def speaking(self) -> bool:
        """True while sound is coming out."""
        return self._speaking

    @property
    def last_sound_end(self) -> float:
        """time.monotonic() when the last sound ended (for ignoring the microphone just after)."""
        return time.monotonic() if self._speaking else self._last_sound_end

    def play(self, chunk: AudioChunk) -> None:
        """Queue a chunk; returns at once. Raises the error of an earlier failed playback, once."""
        if self._error is not None:
            err, self._error = self._error, None
            raise err
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="speaker", daemon=True)
            self._thread.start()
        self._idle.clear()
        self._queue.put(to_internal(chunk))

    def stop(self) -> None:
        """Silence now and forget anything queued."""
        self._stop.set()
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break

    def wait(self, timeout: float | None = None) -> bool:
        """Block until everything queued has played; False on timeout."""
        return self._idle.wait(timeout)

    def close(self) -> None:
        self.stop()
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=2.0)
            self._thread = None

    def _open_stream(self):  # noqa: ANN202 - sounddevice type
        sd = _sd()
        try:
            sd.check_output_settings(device=self.info.index, samplerate=RATE, channels=1, dtype="int16")
            self._rate = RATE
        except (sd.PortAudioError, ValueError):
            self._rate = int(self.info.default_rate)
        stream = sd.RawOutputStream(device=self.info.index, samplerate=self._rate, channels=1, dtype="int16",
                                    blocksize=int(self._rate * self.block_seconds), latency="low")
        stream.start()
        return stream

    def _run(self) -> None:
        stream = None
        while True:
            chunk = self._queue.get()
            if chunk is None:
                break
            self._stop.clear()
            try:
                if stream is None:
                    stream = self._open_stream()
                self._play_blocks(stream, chunk)
            except Exception as exc:  # any PortAudio failure: report on the next play(), keep the thread
                log.warning("speaker failed: %s", exc)
                self._error = AudioError(f"speaker {self.info.name!r} failed ({exc})", NO_SPEAKER_FIX)
                stream = None
            finally:
                if self._speaking:
                    self._speaking = False
                    self._last_sound_end = time.monotonic()
                if self._queue.empty():
                    self._idle.set()
        if stream is not None:
            stream.close()

    def _play_blocks(self, stream, chunk: AudioChunk) -> None:  # noqa: ANN001 - sounddevice type
        out = resample(chunk, self._rate) if self._rate != RATE else chunk
        samples = out.array()
        if self.volume != 1.0:
            samples = np.clip(samples * self.volume, -32768, 32767).astype("<i2")
        step = max(1, int(self._rate * self.block_seconds))
        self._speaking = True
        for i in range(0, len(samples), step):
            if self._stop.is_set():
                stream.abort()  # drop what the device still holds
                stream.start()
                break
            stream.write(samples[i : i + step].tobytes())
