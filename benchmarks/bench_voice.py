"""Voice benchmarks: synthesis speed, endpointer throughput, how fast stop() silences, memory."""

from __future__ import annotations

import logging
import resource
import statistics
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

from voicecare.testing import voices as testvoices
from voicecare.audio import devices
from voicecare.audio.chunk import AudioChunk
from voicecare.audio.endpoint import Endpointer
from voicecare.errors import AudioError
from voicecare.speech.tts import Backend, Voice

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


def _program_times(voice: Voice, rounds: int = 3) -> tuple[list[float], list[float]]:
    """Cold times and real-time factors of the espeak-ng program path (the fallback)."""
    cold, rtf = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds):
            for i, s in enumerate(SENTENCES):
                t0 = time.perf_counter()
                chunk = voice._render_program(s, Path(tmp) / f"{r}-{i}.wav")
                dt = time.perf_counter() - t0
                cold.append(dt)
                rtf.append(dt / chunk.seconds)
    return cold, rtf


class _Retries(logging.Handler):
    """Counts the pyttsx3 attempts that had to be repeated."""

    count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "attempt" in record.getMessage():
            _Retries.count += 1


def _reliability(n: int = 100) -> tuple[int, int, int, float]:
    """n new sentences at alternating rates: (not from pyttsx3, failed, wrong-rate, seconds)."""
    slow, fast = Voice(rate_wpm=110, cache_phrases=0), Voice(rate_wpm=220, cache_phrases=0)
    not_pyttsx3 = failed = wrong_rate = 0
    t0 = time.perf_counter()
    for i in range(n // 2):
        text = f"{SENTENCES[i % len(SENTENCES)]} Number {i}."
        try:
            a, b = slow.synthesize(text), fast.synthesize(text)
        except AudioError:  # counted, the run goes on
            failed += 2
            continue
        not_pyttsx3 += (slow.backend is not Backend.PYTTSX3) + (fast.backend is not Backend.PYTTSX3)
        wrong_rate += a.seconds < 1.6 * b.seconds
    return not_pyttsx3, failed, wrong_rate, time.perf_counter() - t0


def _threads(n_threads: int = 4, each: int = 10) -> int:
    """Voices with different rates on several threads at once: sentences whose length is off."""
    out: dict[int, list[float]] = {}

    def speak(rate: int) -> None:
        v = Voice(rate_wpm=rate, cache_phrases=0)
        out[rate] = [v.synthesize(f"Lie on your back and breathe. Number {i}.").seconds for i in range(each)]

    rates = [100 + 60 * k for k in range(n_threads)]
    ts = [threading.Thread(target=speak, args=(r,)) for r in rates]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    bad = 0
    for lo, hi in zip(rates, rates[1:]):
        bad += sum(1 for x in out[hi] if x >= min(out[lo]))
    return bad


def main() -> None:
    rows: list[tuple[str, str]] = []
    voice = Voice()
    t0 = time.perf_counter()
    voice.warm_up()
    rows.append(("TTS first sentence incl. pyttsx3 start (ms)", f"{1000 * (time.perf_counter() - t0):.1f}"))
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
    rows.append(("TTS backend used", voice.backend.value if voice.backend else "none"))
    rows.append(("TTS pyttsx3 per sentence, cold (median ms)", f"{1000 * statistics.median(cold):.1f}"))
    rows.append(("TTS pyttsx3 per sentence, cached (median ms)", f"{1000 * statistics.median(cached):.3f}"))
    rows.append(("TTS pyttsx3 real-time factor (median)", f"{statistics.median(rtf):.3f}"))
    p_cold, p_rtf = _program_times(Voice())
    rows.append(("TTS espeak-ng program per sentence, cold (median ms)", f"{1000 * statistics.median(p_cold):.1f}"))
    rows.append(("TTS espeak-ng program real-time factor (median)", f"{statistics.median(p_rtf):.3f}"))
    backend_log = logging.getLogger("voicecare.speech.pyttsx3_backend")
    handler, level = _Retries(), backend_log.level
    backend_log.addHandler(handler)
    backend_log.setLevel(logging.DEBUG)
    try:
        not_pyttsx3, failed, wrong_rate, secs = _reliability(100)
    finally:
        backend_log.removeHandler(handler)
        backend_log.setLevel(level)
    rows.append(("TTS 100 new sentences, alternating rates (s)", f"{secs:.2f}"))
    rows.append(("TTS  ... failed / fell back / rate not applied", f"{failed} / {not_pyttsx3} / {wrong_rate}"))
    rows.append(("TTS  ... pyttsx3 attempts repeated", f"{_Retries.count}"))
    rows.append(("TTS 4 threads x 10 sentences, lengths out of rate order", f"{_threads()}"))

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
