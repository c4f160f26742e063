"""Response latency: from the end of the person's speech to the first sound of the answer.

A spoken conversation (flite voices, one request per turn) is played in real time through
``voicecare run --input --realtime --events`` with PocketSphinx and no wake phrase. For every
``heard`` event, latency = the next ``say`` event's ``t`` minus the utterance's ``end``.

The endpointer's ``end`` lies after the voice has actually stopped (its decision window and hangover),
so the figure that counts is measured from the speech's real end, found in the input audio by its
energy (the last 10 ms frame within 35 dB of the request's loudest): "from energy end".

The loop stamps ``say`` with the loop time it was asked to speak, before recognition and
synthesis ran, so the event log alone understates the wait. The benchmark therefore also
watches the event file as it is written: a ``say`` line appears the moment the sound is
queued on the speaker, which is the "observed" latency. Stage costs are measured in-process.

``--audio KEY=VALUE,...`` sets the ``[audio]`` front-end settings for the run (e.g. ``neural_vad=false``
for the endpointer without Silero VAD); the default is the configured front end.

On a machine shared with other work the real-time figures measure the queue for the CPU more than
the assistant. ``--cpu-model`` therefore replays the loop's own timing in this process, on CPU time:
the endpointer (with the front end) is fed the same stream block by block; the recognition the loop
starts at the first pause (``LoopSettings.speculate_after_seconds``) is ready that pause's time plus
its CPU time, and not before the decision (or, when the person spoke on, the decision's time plus the whole utterance's); then
understanding and the synthesis of the first sentence of the answer the assistant gave (from a
stream-clock run of ``voicecare run``), each by its CPU time. Latency = that moment minus the
voice's energy end.

Run: ``python -m benchmarks.bench_latency [--quick] [--audio neural_vad=false] [--cpu-model]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voicecare.audio.chunk import RATE, AudioChunk
from voicecare.audio.wav import write_wav

TURNS: tuple[tuple[str, str], ...] = (
    ("can I put an ice pack on it", "slt"),
    ("should I drink more water", "awb"),
    ("can I take ibuprofen", "rms"),
    ("help", "kal"),
    ("my hip is cramping", "slt"),
    ("stop", "awb"),
    ("does heat help", "rms"),
    ("what causes hip spasms", "kal"),
    ("how can I prevent this", "slt"),
    ("my groin is cramping", "awb"),
    ("stop", "rms"),
    ("how should I sleep", "kal"),
    ("what should I eat", "slt"),
    ("remind me to move every hour", "awb"),
    ("my leg feels numb", "rms"),
)
QUICK_TURNS = 6
LEAD_SECONDS = 1.5
AFTER_ANSWER_SECONDS = 2.0
"""Silence between the end of one answer and the next request."""
PROBE_GAP_SECONDS = 30.0
"""Spacing of the first, fast run that finds out how long each answer lasts."""


ENERGY_FRAME_SECONDS = 0.01
ENERGY_RANGE_DB = 35.0
"""Frames this far below the request's loudest frame are past its end (breath, synthesis tail)."""


@dataclass(frozen=True, slots=True)
class Placed:
    text: str
    start: float
    audio: AudioChunk

    @property
    def end(self) -> float:
        return self.start + self.audio.seconds

    @property
    def energy_end(self) -> float:
        """Stream seconds where the voice really stops, from the audio's energy."""
        return self.start + energy_end(self.audio)


def energy_end(audio: AudioChunk) -> float:
    """Seconds into ``audio`` where its last frame within ``ENERGY_RANGE_DB`` of the loudest ends."""
    x = audio.array().astype(np.float64)
    frame = int(ENERGY_FRAME_SECONDS * RATE)
    count = len(x) // frame
    if count == 0:
        return 0.0
    level = 10 * np.log10(np.mean(x[: count * frame].reshape(count, frame) ** 2, axis=1) + 1e-9)
    loud = np.flatnonzero(level >= level.max() - ENERGY_RANGE_DB)
    return float((loud[-1] + 1) * ENERGY_FRAME_SECONDS)


def layout(speech: list[tuple[str, AudioChunk]], gaps: list[float]) -> tuple[list[Placed], AudioChunk]:
    """Requests placed one after another, each followed by its gap; one WAV-ready chunk."""
    placed, t = [], LEAD_SECONDS
    for (text, audio), gap in zip(speech, gaps):
        placed.append(Placed(text, t, audio))
        t += audio.seconds + gap
    samples = np.zeros(int(t * RATE), dtype=np.int16)
    for p in placed:
        first = int(p.start * RATE)
        samples[first:first + p.audio.samples] = p.audio.array()
    return placed, AudioChunk.from_array(samples)


def write_config(folder: Path, audio_settings: str = "") -> Path:
    """The run's configuration: its own data directory, PocketSphinx, the given front-end settings."""
    config = folder / "config.toml"
    config.write_text(f'[paths]\ndata_dir = "{folder / "data"}"\n[speech]\nengine = "pocketsphinx"\n'
                      '[safety]\nemergency_number = "999"\n'
                      + "[audio]\n" + "".join(f"{kv.strip()}\n" for kv in audio_settings.split(",") if kv.strip()))
    return config


def render_phrase_cache(folder: Path, audio_settings: str = "") -> None:
    """Render the Piper phrase cache into the run's data directory (``voicecare voice cache``), as the
    first start does once on a device: the run then measures an assistant in everyday use, not one
    whose voice process is still rendering the cache on the same cores."""
    config = write_config(folder, audio_settings)
    subprocess.run([sys.executable, "-m", "voicecare", "--config", str(config), "voice", "cache"], check=True,
                   stdout=subprocess.DEVNULL)


def run_assistant(folder: Path, audio: AudioChunk, *, realtime: bool, audio_settings: str = ""
                  ) -> tuple[list[dict], list[float], float | None]:
    """Events, the monotonic time each event line appeared, and when the loop started listening."""
    wav, events_path = folder / "in.wav", folder / "events.jsonl"
    write_wav(wav, audio)
    config = write_config(folder, audio_settings)
    events_path.write_text("")
    argv = [sys.executable, "-m", "voicecare", "--config", str(config), "run", "--input", str(wav),
            "--events", str(events_path), "--wake", "off"] + (["--realtime"] if realtime else [])
    listening: list[float] = []
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def watch_log() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            if "listening (" in line and not listening:
                listening.append(time.monotonic())

    watcher = threading.Thread(target=watch_log, daemon=True)
    watcher.start()
    arrivals: list[float] = []
    lines: list[str] = []
    pending = ""
    with open(events_path, encoding="utf-8") as stream:
        while True:
            done = proc.poll() is not None
            chunk = stream.read()
            now = time.monotonic()
            pending += chunk
            *complete, pending = pending.split("\n")
            for line in complete:
                lines.append(line)
                arrivals.append(now)
            if done and not chunk:
                break
            time.sleep(0.005)
    watcher.join(timeout=5.0)
    if proc.returncode != 0:
        raise RuntimeError(f"voicecare run exited {proc.returncode}")
    return [json.loads(line) for line in lines if line.strip()], arrivals, listening[0] if listening else None


def answer_gaps(placed: list[Placed], events: list[dict]) -> list[float]:
    """For each request, how long after its end the assistant was quiet again, plus a pause."""
    gaps = []
    for i, p in enumerate(placed):
        until = placed[i + 1].start if i + 1 < len(placed) else float("inf")
        ends = [e["t"] + e.get("seconds", 0.0) for e in events if e["type"] == "say" and p.end <= e["t"] < until]
        gaps.append(max([0.0, *(end - p.end for end in ends)]) + AFTER_ANSWER_SECONDS)
    return gaps


@dataclass(frozen=True, slots=True)
class Response:
    heard: str
    intent: str
    said: str
    logged: float
    """Seconds, from the event log's own t."""
    observed: float | None
    """Seconds, from when the say line was written."""
    from_energy: float | None = None
    """Seconds from the voice's real end (by energy) to when the say line was written."""


def responses(events: list[dict], arrivals: list[float], anchor: float | None,
              placed: list[Placed] = ()) -> list[Response]:
    """Pair every heard event with the first say after it (and with the request it heard)."""
    out = []
    for i, e in enumerate(events):
        if e["type"] != "heard":
            continue
        intent = next((u["intent"] for u in events[i + 1:] if u["type"] == "understood"), "?")
        j = next((k for k in range(i + 1, len(events)) if events[k]["type"] in ("say", "heard")), None)
        if j is None or events[j]["type"] != "say":
            continue
        say = events[j]
        observed = arrivals[j] - anchor - e["end"] if anchor is not None else None
        request = next((p for p in placed if p.start - 0.5 <= e["start"] <= p.end), None)
        from_energy = (arrivals[j] - anchor - request.energy_end
                       if anchor is not None and request is not None else None)
        out.append(Response(e["text"], intent, say["text"], say["t"] - e["end"], observed, from_energy))
    return out


def stage_costs(speech: list[tuple[str, AudioChunk]], said_first: list[str], audio: AudioChunk,
                audio_settings: str = "") -> dict[str, list[float]]:
    """Seconds per utterance for each stage, measured in this process on the same audio."""
    from voicecare.asr.select import create_recognizer
    from voicecare.asr.transcribe import domain_language
    from voicecare.nlu import Understander
    from voicecare.speech.tts import Voice

    understander = Understander.load()
    phrases, vocabulary = domain_language(vocabulary=understander.vocabulary())
    recognizer = create_recognizer("pocketsphinx", phrases=phrases, vocabulary=vocabulary)
    costs: dict[str, list[float]] = {"endpointer trailing window": [], "recognizer transcribe": [],
                                     "understanding": [], "synthesis of the first sentence": []}
    endpointer, step = _endpointer(audio_settings), int(0.03 * RATE)
    samples = audio.array()
    for i in range(0, len(samples), step):
        block = AudioChunk.from_array(samples[i:i + step], timestamp=i / RATE)
        for utterance in endpointer.feed(block):
            costs["endpointer trailing window"].append((i + step) / RATE - utterance.end)
    for _, chunk in speech:
        began = time.perf_counter()
        text = recognizer.transcribe(chunk).text
        costs["recognizer transcribe"].append(time.perf_counter() - began)
        began = time.perf_counter()
        for _ in range(20):
            understander.understand(text)
        costs["understanding"].append((time.perf_counter() - began) / 20)
    for sentence in said_first:
        voice = Voice()  # a fresh voice: no cached phrase
        began = time.perf_counter()
        voice.synthesize(sentence)
        costs["synthesis of the first sentence"].append(time.perf_counter() - began)
    return costs


def _endpointer(audio_settings: str):  # noqa: ANN202 - an Endpointer
    """The loop's endpointer with the configured front end, changed as ``audio_settings`` says."""
    from types import SimpleNamespace

    from voicecare.audio.frontend import listening_endpointer
    from voicecare.config import AudioConfig

    chosen = {k.strip(): v.strip() for k, v in (kv.split("=") for kv in audio_settings.split(",") if kv.strip())}
    front = {"neural_vad": AudioConfig().neural_vad, "noise_suppression": AudioConfig().noise_suppression,
             "auto_gain_dbfs": AudioConfig().auto_gain_dbfs}
    front.update({k: v == "true" if v in ("true", "false") else int(v) for k, v in chosen.items()})
    return listening_endpointer(SimpleNamespace(**front))


def cpu_model(placed: list[Placed], audio: AudioChunk, events: list[dict], audio_settings: str,
              speculate: float | None = None) -> list[tuple[str, float, float]]:
    """(request, energy end to the endpointer's decision, energy end to the first sound) per request
    heard, from the loop's timing replayed on CPU time (see the module's docstring)."""
    from voicecare.asr.select import create_recognizer
    from voicecare.asr.transcribe import domain_language
    from voicecare.core.expectation import Expect
    from voicecare.nlu import Understander
    from voicecare.runtime.loop import LoopSettings
    from voicecare.speech.tts import Voice

    understander = Understander.load()
    phrases, vocabulary = domain_language(vocabulary=understander.vocabulary())
    recognizer = create_recognizer("pocketsphinx", phrases=phrases, vocabulary=vocabulary)
    speculate = LoopSettings().speculate_after_seconds if speculate is None else speculate
    endpointer, step, samples = _endpointer(audio_settings), int(0.03 * RATE), audio.array()
    recognizer.transcribe(placed[0].audio, Expect.IDLE)  # warm

    def cpu(work) -> float:  # noqa: ANN001
        began = time.process_time()
        work()
        return time.process_time() - began

    out, early = [], None
    for i in range(0, len(samples), step):
        t = (i + step) / RATE
        for utterance in endpointer.feed(AudioChunk.from_array(samples[i:i + step], timestamp=i / RATE)):
            request = next((p for p in placed if p.start - 0.5 <= utterance.start <= p.end), None)
            if early is not None and early[1] == utterance.start:
                ready = max(t, early[0] + cpu(lambda: recognizer.transcribe(early[2], Expect.IDLE)))
            else:
                ready = t + cpu(lambda: recognizer.transcribe(utterance.audio, Expect.IDLE))
            early = None
            if request is None:
                continue
            says = [e for e in events if e["type"] == "say" and request.end <= e["t"] < request.end + 10]
            sentence = says[0]["text"].split(". ")[0] if says else ""
            ready += cpu(lambda: understander.understand(request.text))
            if sentence:
                ready += cpu(lambda: Voice().synthesize(sentence))
            out.append((request.text, t - request.energy_end, ready - request.energy_end))
        if not endpointer.in_speech or endpointer.quiet_seconds < speculate:
            early = None
        elif early is None and (partial := endpointer.partial()) is not None:
            early = (t, partial.start, partial.audio)
    return out


def _ms(values: list[float], q: float) -> str:
    if not values:
        return "-"
    return f"{1000 * float(np.quantile(values, q)):.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"only the first {QUICK_TURNS} requests")
    parser.add_argument("--audio", default="", help="[audio] settings for the run, e.g. neural_vad=false")
    parser.add_argument("--cpu-model", action="store_true", help="replay the loop's timing on CPU time (no real-time run)")
    parser.add_argument("--speculate-after", type=float, default=None,
                        help="with --cpu-model: quiet (s) before recognition starts early (default: the loop's)")
    parser.add_argument("--first-start", action="store_true",
                        help="do not render the phrase cache first: the voice's process renders it during the run")
    args = parser.parse_args(argv)
    from voicecare.testing.voices import speak

    turns = TURNS[:QUICK_TURNS] if args.quick else TURNS
    speech = [(text, speak(text, voice)) for text, voice in turns]
    with tempfile.TemporaryDirectory(prefix="voicecare-latency-") as tmp:
        probe_dir, real_dir = Path(tmp) / "probe", Path(tmp) / "real"
        probe_dir.mkdir()
        real_dir.mkdir()
        placed, audio = layout(speech, [PROBE_GAP_SECONDS] * len(speech))
        probe_events, _, _ = run_assistant(probe_dir, audio, realtime=False, audio_settings=args.audio)
        placed, audio = layout(speech, answer_gaps(placed, probe_events))
        if args.cpu_model:
            events = run_assistant(real_dir, audio, realtime=False, audio_settings=args.audio)[0]
            modelled = cpu_model(placed, audio, events, args.audio, args.speculate_after)
            cut = [m for m in modelled if m[1] < -0.05]  # a piece handed over before the voice ended
            print(f"requests {len(placed)}; pieces handed over before the voice's end (cut): {len(cut)} "
                  f"({', '.join(repr(m[0]) for m in cut) or 'none'})")
            modelled = [m for m in modelled if m[1] >= -0.05]
            print(f"\n{'request':<34} {'decision ms':>11} {'first sound ms':>14}  (from the voice's energy end)")
            for text, decided, sound in modelled:
                print(f"{text[:34]:<34} {1000 * decided:>11.0f} {1000 * sound:>14.0f}")
            decisions, sounds = [m[1] for m in modelled], [m[2] for m in modelled]
            print(f"\n{'CPU-time model':<40} {'n':>3} {'median':>7} {'p90':>7} {'max':>7}  (ms)")
            print(f"{'energy end -> endpointer decision':<40} {len(decisions):>3} {_ms(decisions, .5):>7} "
                  f"{_ms(decisions, .9):>7} {_ms(decisions, 1):>7}")
            print(f"{'energy end -> first sound':<40} {len(sounds):>3} {_ms(sounds, .5):>7} "
                  f"{_ms(sounds, .9):>7} {_ms(sounds, 1):>7}")
            median = statistics.median(sounds) if sounds else float("inf")
            print(f"\ntarget: median <= 300 ms -> {'met' if median <= 0.3 else 'NOT met'} ({1000 * median:.0f} ms)")
            return 0
        if not args.first_start:
            print("rendering the phrase cache first (as the first start does once) ...", flush=True)
            render_phrase_cache(real_dir, args.audio)
        print(f"playing {len(placed)} requests, {audio.seconds:.0f} s of audio, in real time ...", flush=True)
        events, arrivals, anchor = run_assistant(real_dir, audio, realtime=True, audio_settings=args.audio)
    answered = responses(events, arrivals, anchor, placed)
    costs = stage_costs(speech, [r.said for r in answered], audio, args.audio)

    print(f"\n{'heard':<34} {'intent':<22} {'log ms':>7} {'seen ms':>7} {'energy ms':>9}")
    for r in answered:
        seen = f"{1000 * r.observed:.0f}" if r.observed is not None else "-"
        energy = f"{1000 * r.from_energy:.0f}" if r.from_energy is not None else "-"
        print(f"{r.heard[:34]:<34} {r.intent:<22} {1000 * r.logged:>7.0f} {seen:>7} {energy:>9}")
    heard = sum(1 for e in events if e["type"] == "heard")
    print(f"\nrequests {len(placed)}, heard {heard}, answered {len(answered)}")
    logged = [r.logged for r in answered]
    observed = [r.observed for r in answered if r.observed is not None]
    print(f"\n{'end of speech -> first answer':<40} {'n':>3} {'median':>7} {'p95':>7} {'max':>7}  (ms)")
    print(f"{'event log (say.t - heard.end)':<40} {len(logged):>3} {_ms(logged, .5):>7} {_ms(logged, .95):>7} {_ms(logged, 1):>7}")
    print(f"{'observed (say line written - heard.end)':<40} {len(observed):>3} {_ms(observed, .5):>7} "
          f"{_ms(observed, .95):>7} {_ms(observed, 1):>7}")
    energy = [r.from_energy for r in answered if r.from_energy is not None]
    print(f"{'from energy end (say written - voice end)':<40} {len(energy):>3} {_ms(energy, .5):>7} "
          f"{_ms(energy, .95):>7} {_ms(energy, 1):>7}")
    marker = [p.end - p.energy_end for p in placed]
    print(f"{'(energy end to the end of the request clip)':<40} {len(marker):>3} {_ms(marker, .5):>7} "
          f"{_ms(marker, .95):>7} {_ms(marker, 1):>7}")
    print(f"\n{'stage (in-process)':<40} {'n':>3} {'median':>7} {'p95':>7} {'max':>7}  (ms)")
    for name, values in costs.items():
        print(f"{name:<40} {len(values):>3} {_ms(values, .5):>7} {_ms(values, .95):>7} {_ms(values, 1):>7}")
    total = sum(statistics.median(v) for v in costs.values() if v)
    print(f"{'sum of stage medians':<40} {'':>3} {1000 * total:>7.0f}")
    target = statistics.median(energy or observed or logged) if answered else float("inf")
    print(f"\ntarget: from energy end, median <= 300 ms -> {'met' if target <= 0.3 else 'NOT met'} "
          f"({1000 * target:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
