"""A day beside the television: broadcast talk must raise nothing; requests said to it must be heard.

Run: ``.venv/bin/python -m benchmarks.bench_broadcast [--quick] [--part broadcast|addressed|both]``.

Broadcast: benchmarks/data/broadcast.tsv (news, weather, sport, drama, cooking, adverts, a radio
doctor, household talk; written by someone who never saw the assistant) spoken by six voices with
gaps, played through the real loop (``voicecare run --input --events``) twice: idle, and with a
guided session started by voice first. Per hour: escalations by severity, red-flag checks, false
wakes, utterances whose wake phrase was proposed in the audio before them ("from lead", confirmed or
not), things said, sessions started, session controls.

Addressed: benchmarks/data/addressed.tsv said after the wake phrase by five voices (one neural),
clean and in babble at 20 and 10 dB: wake phrase found, intent right, red flag acted on (escalated
or asked about), with the right severity.

With ``--enroll VOICE`` the person is enrolled first (``voicecare enroll --from-wav``, three clean
recordings of the phrase by that voice), starts the session in that voice, and that voice is left out
of the broadcast's. ``--corpus a|b|c`` plays a blind corpus (a: for choosing thresholds; b: meant to be
measured once, but one listening rule was chosen after seeing it; c: measured once, with everything frozen). ``--repo DIR`` plays it through another checkout's code (the figures before).
Person: the person's own red flags said into a session (``benchmarks/person_flags.py``).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

DATA = Path(__file__).parent / "data" / "broadcast.tsv"
CORPORA = {"broadcast": DATA, "a": DATA.with_name("broadcast_a.tsv"), "b": DATA.with_name("broadcast_b.tsv"),
           "c": DATA.with_name("broadcast_c.tsv")}
ROOT = Path(__file__).resolve().parents[1]
BROADCAST_VOICES = ("slt", "awb", "rms", "kal", "festival:slt-hts", "piper:joe")
SPARE_VOICE = "festival:kal"
"""Takes the enrolled person's place among the broadcast's voices."""
PERSON_VOICES = ("piper:joe", "festival:slt-hts", "rms")
ADDRESSED_VOICES = ("slt", "awb", "rms", "festival:slt-hts", "piper:joe")
WAKE = "hey care"
SESSION_OPENING = ("hey care, start my daily stretches", "no")
CONTROLS = ("paused", "resumed", "skipped", "stopped")


def broadcast_voices(enrolled: str | None) -> tuple[str, ...]:
    """The broadcast's voices: never the enrolled person's."""
    if enrolled is None:
        return BROADCAST_VOICES
    return tuple(SPARE_VOICE if v == enrolled else v for v in BROADCAST_VOICES)


def broadcast_audio(limit: int | None = None, seed: int = 11, path: Path = DATA,
                    voices: tuple[str, ...] = BROADCAST_VOICES) -> tuple[object, float]:
    """The broadcast as one stream: each line by the next voice, 0.4-2.5 s apart (seconds of audio)."""
    from voicecare.testing import voices as tv

    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    rows = rows[:limit] if limit else rows
    rng = random.Random(seed)
    parts: list = [1.0]
    for n, row in enumerate(rows):
        parts += [tv.speak(row["text"], voices[n % len(voices)]), rng.uniform(0.4, 2.5)]
    audio = tv.conversation(parts)
    return audio, audio.seconds


def with_session_first(broadcast: object, voice: str = "rms") -> object:
    """A guided session started by voice (and its screening question answered), then the broadcast."""
    from voicecare.testing import voices as tv

    ask, answer = (tv.speak(text, voice) for text in SESSION_OPENING)
    return tv.conversation([1.0, ask, 14.0, answer, 4.0, broadcast])


def play(audio: object, folder: Path, name: str, repo: Path = ROOT, enroll: str | None = None) -> list[dict]:
    """Run the real loop on the audio (with ``repo``'s code) and return its event log; with ``enroll``,
    that voice is enrolled first through ``voicecare enroll --from-wav``."""
    import os

    from benchmarks.wake_data import enrollment_wavs
    from voicecare.audio.wav import write_wav

    wav, events = folder / f"{name}.wav", folder / f"{name}.jsonl"
    write_wav(wav, audio)
    config = folder / f"{name}.toml"
    config.write_text(f'[paths]\ndata_dir = "{folder / name}"\n[safety]\non_emergency = ""\n'
                      '[speech]\ntts = "pyttsx3"\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(repo)}
    command = [sys.executable, "-m", "voicecare", "--config", str(config)]
    if enroll is not None and (repo / "voicecare" / "commands" / "enroll.py").exists():  # not before it existed
        subprocess.run([*command, "enroll", "--from-wav", *enrollment_wavs(folder, enroll, WAKE)], check=True,
                       cwd=repo, env=env, stdout=subprocess.DEVNULL)
    subprocess.run([*command, "run", "--input", str(wav), "--events", str(events), "--wake", WAKE], check=True,
                   cwd=repo, env=env, stdout=subprocess.DEVNULL)
    return [json.loads(line) for line in events.read_text(encoding="utf-8").splitlines() if line.strip()]


def broadcast_row(events: list[dict], hours: float, skip_opening: bool) -> dict[str, float]:
    """Per-hour counts of everything the broadcast made the assistant do."""
    heard = [e for e in events if e["type"] == "heard"]
    if skip_opening:  # the person's own two utterances that started the session
        opening = heard[:2]
        heard = heard[2:]
        events = [e for e in events if e not in opening]
    escalations = Counter(e["severity"] for e in events if e["type"] == "escalate")
    wake = [e.get("wake") for e in heard]
    sessions = [e for e in events if e["type"] == "session"]
    started = sum(1 for e in sessions if e["state"] == "started") - (1 if skip_opening else 0)
    controls = sum(1 for e in sessions if e["state"] in CONTROLS)
    return {
        "emergency": escalations["emergency"] / hours,
        "urgent": escalations["urgent"] / hours,
        "routine": escalations["routine"] / hours,
        "checks": sum(1 for e in events if e["type"] == "check" and e["state"] == "asked") / hours,
        "escalations": sum(escalations.values()) / hours,
        "false wakes": sum(1 for w in wake if w == "said" or isinstance(w, dict) and w.get("how") == "said") / hours,
        "from lead": sum(1 for w in wake if isinstance(w, dict) and "reached" in w) / hours,
        "things said": sum(1 for e in events if e["type"] == "say") / hours,
        "sessions": max(0, started) / hours,
        "controls": controls / hours,
    }


def acted_on(events: list[dict]) -> list[str]:
    """What the broadcast made the assistant do, each with the words heard just before it."""
    lines, last = [], ""
    for e in events:
        if e["type"] == "heard":
            last = e.get("text", "")
        elif e["type"] == "escalate" or (e["type"] == "check" and e.get("state") == "asked") or (
                e["type"] == "session" and e.get("state") in CONTROLS):
            what = e.get("severity") or e.get("state")
            lines.append(f"{e['type']} {what} at {e.get('t', 0.0):.0f} s after {last!r}")
    return lines


def run_broadcast(limit: int | None, corpus: str = "broadcast", enroll: str | None = None, repo: Path = ROOT,
                  modes: tuple[str, ...] = ("idle", "in a session"), far: bool = False) -> None:
    path = CORPORA[corpus]
    voices = broadcast_voices(enroll)
    audio, seconds = broadcast_audio(limit, path=path, voices=voices)
    if far:  # a television across the room: quiet, reverberant talk the endpointer often does not take for speech
        from voicecare.testing import voices as tv

        audio = tv.from_the_floor(audio, seed=7)
    hours = seconds / 3600
    print(f"broadcast: {path.name}, {seconds / 60:.1f} min of speech and gaps{' from across the room' if far else ''}, "
          f"voices {', '.join(voices)}; code {repo}; {'enrolled: ' + enroll if enroll else 'nobody enrolled'}")
    with tempfile.TemporaryDirectory(prefix="voicecare-broadcast-") as tmp:
        folder = Path(tmp)
        played, rows = {}, {}
        if "idle" in modes:
            played["idle"] = play(audio, folder, "idle", repo, enroll)
            rows["idle"] = broadcast_row(played["idle"], hours, False)
        if "in a session" in modes:
            played["in a session"] = play(with_session_first(audio, enroll or "rms"), folder, "session", repo, enroll)
            rows["in a session"] = broadcast_row(played["in a session"], hours, True)
        causes = {name: acted_on(play_events) for name, play_events in played.items()}
    columns = list(next(iter(rows.values())))
    print(f"{'per hour':<14}" + "".join(f"{c:>13}" for c in columns))
    for name, row in rows.items():
        print(f"{name:<14}" + "".join(f"{row[c]:>13.1f}" for c in columns))
    for name, lines in causes.items():
        for line in lines:
            print(f"  {name}: {line}")


def run_person(quick: bool, voices: tuple[str, ...] = PERSON_VOICES, enrolled: bool = True,
               idle: bool = False) -> None:
    from benchmarks.person_flags import CONDITIONS, SessionBench, measure_person, red_flag_rows
    from benchmarks.wake_data import enrollment
    from voicecare.asr.select import create_recognizer
    from voicecare.asr.transcribe import domain_language
    from voicecare.config import load_config
    from voicecare.journal import Journal
    from voicecare.listening.enrolling import Enroller, listeners_for
    from voicecare.listening.enrollment import Enrollment
    from voicecare.listening.pipeline import build_pipeline
    from voicecare.listening.wake_stage import listening_for
    from voicecare.runtime.build import build_brain

    nowhere = Path("/nonexistent/voicecare.toml")
    config = load_config(None, system=nowhere, user=nowhere, env={"LANG": "en_GB.UTF-8"})
    brain = build_brain(config, Journal.memory(), wake_phrase=WAKE)
    phrases, vocabulary = domain_language(Path(config.paths.content_dir), vocabulary=brain.understander.vocabulary())
    recognizer = create_recognizer("pocketsphinx", phrases=(*phrases, WAKE), vocabulary=vocabulary)
    wake, spotter = listening_for(brain.wake, recognizer)
    rows = red_flag_rows()
    rows = rows[::4] if quick else rows
    where = "said as 'hey care, ...' to the idle assistant" if idle else "in a session"
    print(f"\nthe person's red flags {where}: {len(rows)} rows x {len(voices)} voices, "
          f"{'enrolled' if enrolled else 'nobody enrolled'}")
    print(f"{'voice, condition':<34}{'acted on':>10}{'direct':>9}{'after check':>13}{'severity right':>16}"
          f"{'+unanswered':>13}{'s/row':>7}")
    for voice in voices:
        detector = verifier = None
        if enrolled:
            person = Enroller(WAKE, spotter).person("person", enrollment(voice, WAKE))
            listeners = listeners_for(Enrollment((person,)), WAKE, spotter)
            detector, verifier = listeners.detector, listeners.verifier
        pipeline = build_pipeline(brain.understander, wake, spotter, detector=detector, verifier=verifier)
        bench = SessionBench(lambda: build_brain(config, Journal.memory(), wake_phrase=WAKE), pipeline, recognizer, wake,
                             idle=idle)
        for condition in CONDITIONS:
            tally = measure_person(bench, voice, condition, rows)
            pct = lambda a, b: f"{100 * a / b:.1f}%" if b else "-"  # noqa: E731
            print(f"{voice + ', ' + condition:<34}{pct(tally.acted, tally.total):>10}{tally.direct:>9}"
                  f"{tally.after_check:>13}{pct(tally.severity_right, tally.total):>16}{tally.unanswered:>13}"
                  f"{tally.seconds / max(1, tally.total):>7.2f}", flush=True)
            for miss in tally.misses[:6]:
                print(f"    {miss}")


def run_addressed(quick: bool, front_end: str | None = None) -> None:
    from benchmarks.addressed import measure, read_requests
    from voicecare.asr.select import create_recognizer
    from voicecare.asr.transcribe import domain_language
    from voicecare.config import load_config
    from voicecare.journal import Journal
    from voicecare.runtime.build import build_brain
    from voicecare.listening.pipeline import build_pipeline
    from voicecare.listening.wake_stage import listening_for

    nowhere = Path("/nonexistent/voicecare.toml")
    config = load_config(None, system=nowhere, user=nowhere, env={"LANG": "en_GB.UTF-8"})
    brain = build_brain(config, Journal.memory(), wake_phrase=WAKE)
    phrases, vocabulary = domain_language(Path(config.paths.content_dir), vocabulary=brain.understander.vocabulary())
    recognizer = create_recognizer("pocketsphinx", phrases=(*phrases, WAKE), vocabulary=vocabulary)
    wake, spotter = listening_for(brain.wake, recognizer)
    listener = build_pipeline(brain.understander, wake, spotter)

    def endpointer() -> object:  # the front end as configured, or as --front-end says
        from dataclasses import asdict
        from types import SimpleNamespace

        from voicecare.audio.frontend import listening_endpointer

        chosen = dict(kv.split("=") for kv in front_end.split(",")) if front_end else {}
        return listening_endpointer(SimpleNamespace(**{**asdict(config.audio), **{k: int(v) for k, v in chosen.items()}}))

    def fresh() -> object:
        return build_brain(config, Journal.memory(), wake_phrase=WAKE).assistant

    requests = read_requests()
    requests = requests[::4] if quick else requests
    print(f"\naddressed: {len(requests)} requests x {len(ADDRESSED_VOICES)} voices "
          f"({', '.join(ADDRESSED_VOICES)}), said as '{WAKE} <request>' in one breath and "
          f"'{WAKE}, <request>' with a pause")
    print(f"{'condition':<22}{'wake found':>12}{'intent right':>14}{'red acted':>12}{'severity right':>16}{'s/req':>7}")
    for joiner, style in ((" ", "one breath"), (", ", "pause")):
        for snr in (None, 20.0, 10.0):
            tally = measure(requests, list(ADDRESSED_VOICES), snr, recognizer, listener, fresh, WAKE, joiner, endpointer)
            name = f"{'clean' if snr is None else f'{snr:.0f} dB babble'}, {style}"
            pct = lambda a, b: f"{100 * a / b:.1f}%" if b else "-"  # noqa: E731
            print(f"{name:<22}{pct(tally.found, tally.total):>12}{pct(tally.intent_right, tally.total):>14}"
                  f"{pct(tally.red_acted, tally.red_total):>12}{pct(tally.red_severity_right, tally.red_total):>16}"
                  f"{tally.seconds / max(1, tally.total):>7.2f}")
            for miss in tally.misses[:8]:
                print(f"    {miss}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_broadcast", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the broadcast, a quarter of the requests")
    parser.add_argument("--part", choices=("broadcast", "addressed", "person", "both"), default="both")
    parser.add_argument("--front-end", help="addressed: front-end settings, e.g. neural_vad=0,noise_suppression=2")
    parser.add_argument("--corpus", choices=tuple(CORPORA), default="broadcast")
    parser.add_argument("--enroll", metavar="VOICE", help="enroll this voice first (left out of the broadcast)")
    parser.add_argument("--mode", choices=("idle", "session", "both"), default="both")
    parser.add_argument("--session", action="store_true", help="only in a session (as --mode session)")
    parser.add_argument("--repo", type=Path, default=ROOT, help="the checkout whose code plays the broadcast")
    parser.add_argument("--limit", type=int, help="play only the first LIMIT lines of the corpus")
    parser.add_argument("--voices", help="person part: comma-separated voices (default: joe, HTS slt, rms)")
    parser.add_argument("--unenrolled", action="store_true", help="person part: nobody enrolled")
    parser.add_argument("--idle", action="store_true", help="person part: said after the wake phrase, idle")
    parser.add_argument("--far", action="store_true",
                        help="broadcast part: the television across the room (15 dB down, reverberant, a room's rumble)")
    args = parser.parse_args(argv)
    mode = "session" if args.session else args.mode
    modes = {"idle": ("idle",), "session": ("in a session",), "both": ("idle", "in a session")}[mode]
    if args.part in ("broadcast", "both"):
        run_broadcast(args.limit or (60 if args.quick else None), args.corpus, args.enroll, args.repo, modes,
                      far=args.far)
    if args.part == "person":
        voices = tuple(args.voices.split(",")) if args.voices else PERSON_VOICES
        run_person(args.quick, voices, enrolled=not args.unenrolled, idle=args.idle)
    if args.part in ("addressed", "both"):
        run_addressed(args.quick, args.front_end)
    return 0


if __name__ == "__main__":
    sys.exit(main())
