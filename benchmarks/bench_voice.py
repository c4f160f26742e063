"""Voice benchmarks: synthesis speed, endpointer throughput, how fast stop() silences, memory."""

from __future__ import annotations

import resource
import statistics
import time
from types import SimpleNamespace

from voicecare import testvoices
from voicecare.audio import devices
from voicecare.audio.chunk import AudioChunk
from voicecare.audio.endpoint import Endpointer
from voicecare.speech.tts import Voice

SENTENCES = (
    "Lie on your back and bend both knees.",
    "Breathe in slowly through your nose.",
    "Hold for thirty seconds. You are doing well.",
    "If your leg feels numb or weak, stop and get medical help today.",
)


class _PacedStream:
    """A fake output stream that takes real time per write, like a sound card, and logs when writes end."""

    last_write_end = 0.0

    def __init__(self, *, samplerate, **kwargs):
        self.rate = samplerate

    def start(self):
        pass

    def write(self, data: bytes):
        time.sleep(len(data) / 2 / self.rate)
        _PacedStream.last_write_end = time.monotonic()

    def abort(self):
        _PacedStream.last_write_end = time.monotonic()

    def close(self):
        pass


def _stop_latency(block_seconds: float, trials: int = 8) -> list[float]:
    fake = SimpleNamespace(
        PortAudioError=OSError,
        query_devices=lambda: [{"name": "fake", "max_input_channels": 0, "max_output_channels": 1,
                                "default_samplerate": 16000.0}],
        default=SimpleNamespace(device=(-1, 0)),
        check_output_settings=lambda **kw: None,
        RawOutputStream=lambda **kw: _PacedStream(**kw),
    )
    real = devices._sd
    devices._sd = lambda: fake
    try:
        speaker = devices.Speaker(block_seconds=block_seconds)
        out = []
        for k in range(trials):
            speaker.play(AudioChunk.silence(3.0))
            time.sleep(0.3 + 0.0071 * k)  # land anywhere inside a block, not on its edge
            t0 = time.monotonic()
            speaker.stop()
            speaker.wait(timeout=2.0)
            out.append(max(_PacedStream.last_write_end, speaker.last_sound_end) - t0)
        speaker.close()
        return out
    finally:
        devices._sd = real


def main() -> None:
    rows: list[tuple[str, str]] = []
    voice = Voice()
    cold, cached, rtf = [], [], []
    for s in SENTENCES:
        t0 = time.perf_counter()
        chunk = voice.synthesize(s)
        dt = time.perf_counter() - t0
        cold.append(dt)
        rtf.append(dt / chunk.seconds)
        t0 = time.perf_counter()
        voice.synthesize(s)
        cached.append(time.perf_counter() - t0)
    rows.append(("TTS per sentence, cold (median ms)", f"{1000 * statistics.median(cold):.1f}"))
    rows.append(("TTS per sentence, cached (median ms)", f"{1000 * statistics.median(cached):.3f}"))
    rows.append(("TTS real-time factor (median)", f"{statistics.median(rtf):.3f}"))

    speech = [testvoices.speak(s, v) for s, v in zip(SENTENCES, ("slt", "awb", "rms", "kal"))]
    stream = testvoices.conversation([x for s in speech for x in (s, 1.5)] * 5)
    noisy = testvoices.mix(stream, testvoices.noise(stream.seconds, "pink", seed=1), snr_db=20)
    ep = Endpointer()
    block = 960 * 2
    t0 = time.perf_counter()
    found = []
    for i in range(0, len(noisy.audio), block):
        found += ep.feed(AudioChunk(16000, 2, 1, noisy.audio[i : i + block]))
    found += ep.flush()
    dt = time.perf_counter() - t0
    rows.append(("Endpointer throughput (x real time)", f"{noisy.seconds / dt:.0f}"))
    rows.append(("Endpointer utterances found / spoken", f"{len(found)} / {len(speech) * 5}"))

    for block_seconds in (0.02, 0.05):
        lat = _stop_latency(block_seconds)
        rows.append((f"Speaker.stop() to silence, {int(block_seconds * 1000)} ms blocks (max ms)",
                     f"{1000 * max(lat):.1f}"))

    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows.append(("Peak RSS (MB)", f"{rss_kb / 1024:.1f}"))

    width = max(len(k) for k, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  -----")
    for k, v in rows:
        print(f"{k:<{width}}  {v}")


if __name__ == "__main__":
    main()
