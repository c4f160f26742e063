"""Session timing on the real clock: hold drift with speech synthesis in the loop, and "stop" latency.

Run: .venv/bin/python -m benchmarks.bench_timing [--quick]
The 60 s hold takes a little over a minute; --quick runs only the short holds.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass, replace
from typing import Callable

from voicecare.audio.chunk import AudioChunk
from voicecare.content.exercises import Programme, Routine, Sides, Step, StepKind, load_exercises
from voicecare.core.actions import Action, Cue, Heard, Hold, Say, SpeechDone, StopSpeaking, Tick
from voicecare.core.session import SessionRunner, SessionState
from voicecare.messages import Understanding


@dataclass(frozen=True, slots=True)
class HoldRun:
    """One hold on the real clock: how late its cues and its release came."""

    label: str
    seconds: float
    release_drift_ms: float
    worst_cue_drift_ms: float
    synth_ms_total: float
    lines: int


def _routine(exercise: str) -> Routine:
    return Routine("bench", "bench", False, (Step(StepKind.EXERCISE, exercise=exercise, sides=Sides.AFFECTED),))


def run_hold(programme: Programme, seconds: float, synthesize: Callable[[str], AudioChunk], label: str) -> HoldRun:
    """Drive one hold through the runner with a monotonic clock, synthesizing every line inline."""
    ex = replace(programme.exercises["couch_stretch"], hold_seconds=seconds, hold_min=seconds, hold_max=seconds)
    bench = replace(programme, exercises={**programme.exercises, ex.id: ex})  # short holds for the quick runs
    runner = SessionRunner(_routine(ex.id), bench, side="left")
    start = time.monotonic()
    clock = lambda: time.monotonic() - start  # noqa: E731
    hold_at: float | None = None
    release_at: float | None = None
    cue_drifts: list[float] = []
    synth_total = 0.0
    lines = 0
    pending_speech = False

    def execute(actions: list[Action] | None, scheduled: float | None) -> None:
        nonlocal hold_at, release_at, synth_total, lines, pending_speech
        emitted = clock()
        for action in actions or []:
            if isinstance(action, Hold):
                hold_at = emitted
            elif isinstance(action, Cue) and hold_at is not None and scheduled is not None:
                cue_drifts.append(emitted - scheduled)
                if action.kind == "release":
                    release_at = emitted
        for action in actions or []:
            if isinstance(action, Say):
                t = time.perf_counter()
                synthesize(action.text)
                synth_total += time.perf_counter() - t
                lines += 1
                pending_speech = True

    execute(runner.start(clock()), None)
    while release_at is None:
        if pending_speech:  # the voice reports back once synthesis is done (playback not simulated)
            pending_speech = False
            execute(runner.handle(SpeechDone(), clock()), None)
            continue
        deadline = runner.next_deadline()
        assert deadline is not None
        wait = deadline - clock()
        if wait > 0:
            time.sleep(wait)
        execute(runner.handle(Tick(), clock()), deadline)
    assert hold_at is not None
    drift = release_at - (hold_at + seconds)
    return HoldRun(label, seconds, drift * 1000, max(cue_drifts) * 1000, synth_total * 1000, lines)


def stop_latency(programme: Programme, repeats: int = 200) -> list[float]:
    """Seconds from a heard "stop" to the runner handing back StopSpeaking, mid-hold."""
    samples = []
    stop = Heard(Understanding("stop", "control.stop", 1.0))
    for _ in range(repeats):
        runner = SessionRunner(programme.routines["relief_glute"], programme)
        now = 0.0
        runner.start(now)
        while runner.state is not SessionState.HOLD:
            deadline = runner.next_deadline()
            now = deadline if deadline is not None else now + 1
            runner.handle(SpeechDone() if deadline is None else Tick(), now)
        t = time.perf_counter()
        actions = runner.handle(stop, now + 1)
        samples.append(time.perf_counter() - t)
        assert actions and isinstance(actions[0], StopSpeaking)
    return samples


def speaker_silence() -> str:
    """Time from StopSpeaking to silence on the real speaker, when there is one."""
    try:
        from voicecare.audio.devices import Speaker  # type: ignore[import-not-found]
        from voicecare.audio.tones import tone
        speaker = Speaker()
    except Exception as exc:  # no device module or no sound card here: report, don't fail
        return f"n/a ({type(exc).__name__}: no speaker)"
    try:
        speaker.play(AudioChunk.silence(0.1))
        speaker.play(tone("chime"))
        speaker.play(AudioChunk.silence(3.0))
        time.sleep(0.3)
        t = time.perf_counter()
        speaker.stop()
        while speaker.speaking:
            time.sleep(0.001)
        return f"{(time.perf_counter() - t) * 1000:.1f} ms"
    finally:
        speaker.close()


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    quick = "--quick" in args
    programme = load_exercises()
    from voicecare.speech.tts import Voice

    def slow(text: str) -> AudioChunk:
        time.sleep(0.8)  # a synthesizer far slower than espeak-ng
        return AudioChunk.silence(0.5)

    runs = [run_hold(programme, 10.0, Voice().synthesize, "10 s hold, espeak-ng inline"),
            run_hold(programme, 10.0, slow, "10 s hold, 0.8 s per line synth")]
    if not quick:
        runs.append(run_hold(programme, 60.0, Voice().synthesize, "60 s hold, espeak-ng inline"))
    print("Hold timing on the real monotonic clock (target: release drift <= 20 ms)")
    print(f"{'run':<34} {'hold s':>6} {'release drift ms':>17} {'worst cue ms':>13} {'lines':>6} {'synth ms':>9}")
    for r in runs:
        print(f"{r.label:<34} {r.seconds:>6.0f} {r.release_drift_ms:>17.2f} {r.worst_cue_drift_ms:>13.2f} "
              f"{r.lines:>6} {r.synth_ms_total:>9.0f}")
    samples = sorted(stop_latency(programme))
    p99 = samples[int(0.99 * (len(samples) - 1))]
    print()
    print("'stop' during a hold")
    print(f"{'heard -> StopSpeaking (median)':<34} {statistics.median(samples) * 1e6:>8.1f} us")
    print(f"{'heard -> StopSpeaking (p99)':<34} {p99 * 1e6:>8.1f} us")
    print(f"{'StopSpeaking -> speaker silent':<34} {speaker_silence():>8}")


if __name__ == "__main__":
    main()
