"""The Piper voice: first sound of an answer, the phrase cache, memory of `voicecare run`, hold timing.

Run: .venv/bin/python -m benchmarks.bench_piper [--quick] [--memory | --first-start]
--quick renders a sample of the content (the full build is extrapolated from it), runs a 10 s hold
instead of 60 s and a shorter spoken run; --memory measures only peak memory; --first-start only the
first minute after install: red-flag answers while the empty phrase cache builds
(``benchmarks.first_start``).

"First sound" is the time from the decision to speak (the loop has a Say) until the first audio is
handed to the speaker, which plays it at once; the sound card's own buffer comes on top on a device.
The Raspberry Pi 4 estimate multiplies the speech the cache holds by the real-time factor published
for Piper medium voices on a Pi 4 (0.4 to 0.8, one thread), since no Pi is at hand.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from voicecare.audio.chunk import AudioChunk
from voicecare.audio.wav import write_wav
from voicecare.content.exercises import load_exercises
from voicecare.content.loader import DEFAULT_CONTENT_DIR
from voicecare.runtime.output import FileOutput
from voicecare.speech.parts import cache_items
from voicecare.speech.select import build_voice
from voicecare.speech.voice import AssistantVoice

PI4_RTF = (0.4, 0.8)
"""Published real-time factors of Piper medium voices on a Raspberry Pi 4."""
FIXED = {"number": "999", "wake": "hey care"}
NUMBERED = ["We'll hold for {n} seconds.", "Rest for {n} seconds.", "From {n} to 3.", "Set {n} of 3."]
"""Content sentences with a number (templates from content/), each followed by two whole sentences."""


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def cache_build(voice: AssistantVoice, sentences: list[str | tuple[str, str]]) -> tuple[float, float, int, int]:
    """(build seconds, speech seconds, bytes, sentences rendered) for these sentences."""
    from voicecare.speech.piper_backend import PiperSynth

    assert voice.cache is not None
    synth = PiperSynth(voice.synth.files, voice.synth.settings)  # as `voicecare voice cache` renders
    report = voice.cache.build(sentences, synth.render)
    return report.seconds, report.audio_seconds, report.bytes, report.rendered


def first_sound_cached(voice: AssistantVoice, sentences: list[str], lines: int) -> list[float]:
    """Milliseconds to the first piece handed to the output, for lines made of cached sentences."""
    rng = random.Random(7)
    out = FileOutput(None)
    times = []
    for _ in range(lines):
        text = " ".join(rng.sample(sentences, 3))
        began = time.perf_counter()
        pieces = voice.pieces(text)
        out.play(next(pieces), 0.0)
        times.append((time.perf_counter() - began) * 1000)
        for more in pieces:
            out.play(more, 0.0)
    return times


def numbered_lines(sentences: list[str], count: int) -> list[str]:
    """Lines as the assistant says them: a sentence with a number, then two content sentences."""
    rng = random.Random(11)
    return [" ".join([NUMBERED[i % len(NUMBERED)].format(n=11 + i), *rng.sample(sentences, 2)])
            for i in range(count)]


def first_sound_numbered(voice: AssistantVoice, lines: list[str]) -> list[float]:
    """Milliseconds to the first piece when the first sentence must be joined from parts."""
    times = []
    for text in lines:
        began = time.perf_counter()
        next(voice.pieces(text))
        times.append((time.perf_counter() - began) * 1000)
    return times


def first_sound_uncached(voice: AssistantVoice, lines: list[str]) -> list[tuple[float, float, float, float]]:
    """Per line: (first sound ms, first sentence seconds, RTF, whole-line synthesis ms)."""
    rows = []
    for text in lines:
        began = time.perf_counter()
        pieces = voice.pieces(text)
        first = next(pieces)
        first_ms = (time.perf_counter() - began) * 1000
        rest = list(pieces)
        total = time.perf_counter() - began
        audio = first.seconds + sum(p.seconds for p in rest)
        rows.append((first_ms, first.seconds, total / audio, total * 1000))
    return rows


def spoken_input(folder: Path, seconds: float) -> Path:
    """A WAV standing in for the microphone: a request for a session, then quiet while it runs."""
    from voicecare.testing.voices import speak

    speech = speak("Start my daily stretches.", "slt")
    audio = AudioChunk.silence(1.0).audio + speech.audio + AudioChunk.silence(seconds).audio
    path = folder / "input.wav"
    write_wav(path, AudioChunk(rate=speech.rate, width=2, channels=1, audio=audio))
    return path


def _status_mb(pid: int) -> tuple[float, float]:
    """(resident MB now, peak resident MB) of a process, from /proc."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            values[line[:5]] = int(line.split()[1]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *_children(int(child))]
    return found


def peak_rss_mb(command: list[str]) -> tuple[float, float, float, float, int]:
    """(peak MB of the command's own process, of its child processes, of all together; wall seconds; exit status).

    Each process's own peak is the kernel's (VmHWM); the peak of the sum is sampled every 20 ms.
    """
    began = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    main_peak, child_peak, total_peak = 0.0, {}, 0.0
    while proc.poll() is None:
        try:
            now, peak = _status_mb(proc.pid)
            main_peak, total = max(main_peak, peak), now
            for child in _children(proc.pid):
                child_now, child_max = _status_mb(child)
                child_peak[child] = max(child_peak.get(child, 0.0), child_max)
                total += child_now
            total_peak = max(total_peak, total)
        except (OSError, ValueError, IndexError):
            pass  # a process ended between two reads
        time.sleep(0.02)
    err = proc.stderr.read() if proc.stderr else ""
    if proc.returncode:
        sys.stderr.write(err[-500:])
    return main_peak, max(child_peak.values(), default=0.0), total_peak, time.perf_counter() - began, proc.returncode


Run = tuple[str, float, float, float, float, int, int]
"""(label, main MB, voice process MB, together MB, seconds, exit status, lines said)."""


def memory_runs(folder: Path, quick: bool) -> list[Run]:
    """Peak memory of a spoken session and of the cache build."""
    wav = spoken_input(folder, 20.0 if quick else 90.0)
    runs = []

    def session(label: str, tts: str) -> None:
        config = folder / f"{tts}.toml"
        config.write_text(f'[paths]\ndata_dir = "{folder / "run"}"\n[speech]\nengine = "pocketsphinx"\ntts = "{tts}"\n')
        events = folder / "events.jsonl"
        events.unlink(missing_ok=True)
        figures = peak_rss_mb([sys.executable, "-m", "voicecare", "--config", str(config), "run", "--wake", "off",
                               "--input", str(wav), "--output", str(folder / "out.wav"), "--events", str(events)])
        said = sum('"type": "say"' in line for line in events.read_text().splitlines()) if events.exists() else 0
        runs.append((label, *figures, said))

    session("voicecare run, espeak-ng (for comparison)", "pyttsx3")
    session("voicecare run, Piper, empty cache (all live)", "piper")
    if not quick:
        cache = [sys.executable, "-m", "voicecare", "--config", str(folder / "piper.toml"), "voice", "cache"]
        runs.append(("voicecare voice cache (all content)", *peak_rss_mb(cache), 0))
        session("voicecare run, Piper, full cache", "piper")
    return runs


def print_memory(runs: list[Run]) -> None:
    print("Peak memory (target < 250 MB); the spoken session: 'start my daily stretches', then quiet")
    print(f"{'':<44} {'voicecare':>9} {'voice process':>14} {'together':>9}")
    for label, mb, child, together, seconds, code, said in runs:
        lines = f", {said} lines said" if said else ""
        voice = f"{child:>11.1f} MB" if child else f"{'-':>14}"
        print(f"{label:<44} {mb:>6.1f} MB {voice} {together:>6.1f} MB   ({seconds:.1f} s{lines}, exit {code})")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    quick = "--quick" in args
    if "--memory" in args:  # only the memory figures (a few minutes)
        with tempfile.TemporaryDirectory(prefix="bench-piper-") as tmp:
            runs = memory_runs(Path(tmp), quick)
        print_memory(runs)
        return 0 if all(run[5] == 0 for run in runs) else 1
    if "--first-start" in args:
        from benchmarks import first_start

        first_start.print_table(first_start.run(quick))
        return 0
    from benchmarks.bench_timing import run_hold

    all_sentences = cache_items(DEFAULT_CONTENT_DIR, FIXED)  # sentences, then (key, text) parts
    with tempfile.TemporaryDirectory(prefix="bench-piper-") as tmp:
        folder = Path(tmp)
        began = time.perf_counter()
        voice = build_voice("piper", data_dir=folder / "data", content_dir=DEFAULT_CONTENT_DIR)
        load_s = time.perf_counter() - began
        if voice.kind != "piper":
            print(f"Piper is not available: {voice.choice.reason} ({voice.choice.fix})")
            return 1
        voice.warm_up()
        sample = random.Random(3).sample(all_sentences, 60) if quick else all_sentences
        whole = [s for s in sample if isinstance(s, str) and s.endswith((".", "?", "!"))]  # not names alone
        build_s, speech_s, size, rendered = cache_build(voice, sample)
        scale = len(all_sentences) / len(sample)
        full_build, full_speech, full_size = build_s * scale, speech_s * scale, size * scale
        cached = first_sound_cached(voice, whole, 40 if quick else 150)
        uncached_voice = build_voice("piper", data_dir=folder / "fresh", content_dir=DEFAULT_CONTENT_DIR,
                                     store_new=False)
        uncached_voice.warm_up()
        lines = numbered_lines([s for s in all_sentences if isinstance(s, str) and s.endswith(".")],
                               8 if quick else 24)
        uncached = first_sound_uncached(uncached_voice, lines)
        process_voice = build_voice("piper", data_dir=folder / "worker", content_dir=DEFAULT_CONTENT_DIR)
        process_voice.warm_up()
        process_voice.synthesize("Ready.")  # the voice's own process has loaded it, as at start-up
        through_process = first_sound_uncached(process_voice, lines)
        process_voice.cache_in_background(DEFAULT_CONTENT_DIR, FIXED)  # the first start: the build runs too
        during_build = first_sound_uncached(process_voice, [
            f"This is the {word} line nobody wrote down. It is said while the phrase cache is being built."
            for word in ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")])
        process_voice.close()
        joined = first_sound_numbered(voice, lines) if not quick else []
        programme = load_exercises()
        hold_s = 10.0 if quick else 60.0
        cached_hold = run_hold(programme, hold_s, voice.synthesize, "Piper, phrase cache")
        live_hold = run_hold(programme, hold_s, uncached_voice.synthesize, "Piper, every line synthesised")
        runs = memory_runs(folder, quick)

    print(f"Piper voice {voice.choice.voice}: loaded in {load_s:.2f} s")
    print()
    print(f"Phrase cache, all content with one voice ({len(all_sentences)} sentences and parts)"
          + (f", extrapolated from {len(sample)}" if quick else ""))
    rtf = build_s / speech_s if speech_s else float("nan")
    print(f"{'speech held':<44} {full_speech / 60:>8.1f} min")
    print(f"{'size on disk':<44} {full_size / 1e6:>8.1f} MB")
    print(f"{'build time, this machine':<44} {full_build:>8.1f} s   (RTF {rtf:.3f}, {rendered} rendered)")
    print(f"{'build time, Raspberry Pi 4 (estimate)':<44} {full_speech * PI4_RTF[0] / 60:>8.1f} to "
          f"{full_speech * PI4_RTF[1] / 60:.1f} min (speech x RTF {PI4_RTF[0]}-{PI4_RTF[1]})")
    print()
    print("First sound after the decision to speak")
    print(f"{'cached lines (3 sentences), median / p95 / max':<44} {statistics.median(cached):>8.2f} / "
          f"{_pct(cached, 0.95):.2f} / {max(cached):.2f} ms   (target <= 30 ms)")
    if joined:
        print(f"{'lines with a number, joined from parts':<44} {statistics.median(joined):>8.2f} / "
              f"{_pct(joined, 0.95):.2f} / {max(joined):.2f} ms")
    first = [r[0] for r in uncached]
    bound = [r[2] * r[1] * 1000 for r in uncached]
    whole_ms = [r[3] for r in uncached]
    print(f"{'uncached lines, first sound median / max':<44} {statistics.median(first):>8.1f} / {max(first):.1f} ms")
    print(f"{'  RTF x first sentence, median':<44} {statistics.median(bound):>8.1f} ms   (RTF "
          f"{statistics.median(r[2] for r in uncached):.3f}; first sound within it in "
          f"{sum(f <= b * 1.2 + 5 for f, b in zip(first, bound))} of {len(first)})")
    print(f"{'  whole line synthesised first, median':<44} {statistics.median(whole_ms):>8.1f} ms   (without sentence "
          "by sentence)")
    via = [r[0] for r in through_process]
    busy = [r[0] for r in during_build]
    print(f"{'  through the voice process (run, cache not full)':<44} {statistics.median(via):>8.1f} / {max(via):.1f} ms"
          "   (median / max; the main process never loads the network)")
    print(f"{'  the same, while the cache builds':<44} {statistics.median(busy):>8.1f} / {max(busy):.1f} ms"
          "   (a request waits for the build's sentence in hand)")
    print()
    print(f"Hold timing on the real clock, {hold_s:.0f} s hold (target: release drift <= 20 ms)")
    for h in (cached_hold, live_hold):
        print(f"{h.label:<44} {h.release_drift_ms:>8.2f} ms   (worst cue {h.worst_cue_drift_ms:.2f} ms, "
              f"{h.lines} lines, synth {h.synth_ms_total:.0f} ms)")
    print()
    print_memory(runs)
    return 0 if all(run[5] == 0 for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
