"""A day beside the television: broadcast talk must raise nothing; requests said to it must be heard.

Run: ``.venv/bin/python -m benchmarks.bench_broadcast [--quick] [--part broadcast|addressed|both]``.

Broadcast: benchmarks/data/broadcast.tsv (news, weather, sport, drama, cooking, adverts, a radio
doctor, household talk; written by someone who never saw the assistant) spoken by six voices with
gaps, played through the real loop (``voicecare run --input --events``): idle, and in guided sessions. In a
session, the broadcast is cut into pieces (``--piece`` lines, about five minutes) and each piece is played
after the person starts a session by voice, as someone would start one again after the television stopped
it; rates are per hour spent in a session (from its start to its stop or its end), and what happened after a
session ended is counted apart. Per hour: escalations by severity, red-flag checks, false wakes (and, apart,
wakes only the first stage proposed that were answered), things said, sessions started, session controls, and
utterances whose wake phrase was proposed in the audio before them ("from lead", confirmed or not).

Addressed: benchmarks/data/addressed.tsv said after the wake phrase by five voices (one neural),
clean and in babble at 20 and 10 dB: wake phrase found, intent right, red flag acted on (escalated
or asked about), with the right severity.

With ``--enroll VOICE`` the person is enrolled first (``voicecare enroll --from-wav``, three clean
recordings of the phrase by that voice, and ``--sentence``, the phrase run on into the enrollment
sentence; ``--no-sentence`` leaves it out), starts the session in that voice, and that voice is left out
of the broadcast's. ``--corpus a|b|c|d|e|f`` plays a blind corpus (a: for choosing thresholds; b: meant to be
measured once, but one listening rule was chosen after seeing it; c and d: measured once, with everything frozen;
e: measured once idle, before and after the follow-up rule read from d's idle run; f: measured once idle, before
and after that rule and the one read from e's). ``--repo DIR`` plays it through another checkout's code (the figures before).
With ``--answer no`` the person (the enrolled voice) sits beside the television and answers every red-flag
check's question with "no" (``benchmarks/answering.py``: the same loop, the answer mixed into the room's sound).
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
           "c": DATA.with_name("broadcast_c.tsv"), "d": DATA.with_name("broadcast_d.tsv"),
           "e": DATA.with_name("broadcast_e.tsv"), "f": DATA.with_name("broadcast_f.tsv")}
ROOT = Path(__file__).resolve().parents[1]
BROADCAST_VOICES = ("slt", "awb", "rms", "kal", "festival:slt-hts", "piper:joe")
SPARE_VOICE = "festival:kal"
"""Takes the enrolled person's place among the broadcast's voices."""
PERSON_VOICES = ("piper:joe", "festival:slt-hts", "rms")
ADDRESSED_VOICES = ("slt", "awb", "rms", "festival:slt-hts", "piper:joe")
WAKE = "hey care"
SESSION_OPENING = ("hey care, start my daily stretches", "no")
CONTROLS = ("paused", "resumed", "skipped", "stopped")
WOKE = ("said", "text", "template", "keyword")
"""How a wake was confirmed (``WakeDecision.how``): by the transcript, or by the enrolled person's templates.
A wake only the first stage heard ("proposed") is counted apart, when it was taken as said to the assistant (in
a voice that was not another's): it is answered, and a red flag after it is checked."""


def broadcast_voices(enrolled: str | None) -> tuple[str, ...]:
    """The broadcast's voices: never the enrolled person's."""
    if enrolled is None:
        return BROADCAST_VOICES
    return tuple(SPARE_VOICE if v == enrolled else v for v in BROADCAST_VOICES)


def broadcast_audio(limit: int | None = None, seed: int = 11, path: Path = DATA,
                    voices: tuple[str, ...] = BROADCAST_VOICES, start: int = 0) -> tuple[object, float]:
    """The broadcast as one stream: each line by the next voice, 0.4-2.5 s apart (seconds of audio);
    lines ``start`` to ``start + limit``, each by the voice it has in the whole corpus."""
    from voicecare.testing import voices as tv

    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    rng = random.Random(seed)
    gaps = [rng.uniform(0.4, 2.5) for _ in rows]
    last = start + limit if limit else len(rows)
    parts: list = [1.0]
    for n in range(start, min(last, len(rows))):
        parts += [tv.speak(rows[n]["text"], voices[n % len(voices)]), gaps[n]]
    audio = tv.conversation(parts)
    return audio, audio.seconds


def with_session_first(broadcast: object, voice: str = "rms") -> object:
    """A guided session started by voice (and its screening question answered), then the broadcast."""
    from voicecare.testing import voices as tv

    ask, answer = (tv.speak(text, voice) for text in SESSION_OPENING)
    return tv.conversation([1.0, ask, 14.0, answer, 4.0, broadcast])


def play(audio: object, folder: Path, name: str, repo: Path = ROOT, enroll: str | None = None,
         sentence: bool = True, answer: str | None = None) -> list[dict]:
    """Run the real loop on the audio (with ``repo``'s code) and return its event log; with ``enroll``,
    that voice is enrolled first through ``voicecare enroll --from-wav`` (and ``--sentence`` where the
    code has it, unless ``sentence`` is off). With ``answer``, the person (the enrolled voice) sits beside
    the television and says it after every red-flag check's question (``benchmarks.answering``)."""
    import os

    from benchmarks.wake_data import enrollment_wavs, sentence_wav
    from voicecare.audio.wav import write_wav

    wav, events = folder / f"{name}.wav", folder / f"{name}.jsonl"
    write_wav(wav, audio)
    config = folder / f"{name}.toml"
    config.write_text(f'[paths]\ndata_dir = "{folder / name}"\n[safety]\non_emergency = ""\n'
                      '[speech]\ntts = "pyttsx3"\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(repo)}
    command = [sys.executable, "-m", "voicecare", "--config", str(config)]
    enroll_py = repo / "voicecare" / "commands" / "enroll.py"
    if enroll is not None and enroll_py.exists():  # not before it existed
        extra = (["--sentence", sentence_wav(folder, enroll, WAKE)]
                 if sentence and "--sentence" in enroll_py.read_text(encoding="utf-8") else [])
        subprocess.run([*command, "enroll", "--from-wav", *enrollment_wavs(folder, enroll, WAKE), *extra], check=True,
                       cwd=repo, env=env, stdout=subprocess.DEVNULL)
    if answer is not None:
        from voicecare.testing import voices as tv

        said = folder / f"{name}-answer.wav"
        write_wav(said, tv.speak(answer, enroll or "rms"))
        subprocess.run([sys.executable, "-m", "benchmarks.answering", str(config), str(wav), str(events), str(said),
                        "--wake", WAKE], check=True, cwd=ROOT, env={**env, "PYTHONPATH": f"{repo}:{ROOT}"},
                       stdout=subprocess.DEVNULL)
    else:
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
        "false wakes": sum(1 for w in wake if w == "said" or isinstance(w, dict) and w.get("how") in WOKE) / hours,
        "proposed": sum(1 for e in heard if e.get("addressed") and isinstance(e.get("wake"), dict)
                        and e["wake"].get("how") == "proposed") / hours,
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


SESSION_ENDS = ("stopped", "completed")


def session_spans(events: list[dict], audio_seconds: float) -> list[tuple[float, float]]:
    """When a session was running: from each ``started`` to its ``stopped`` or ``completed`` (or the end)."""
    spans, began = [], None
    for e in events:
        if e["type"] != "session":
            continue
        if e["state"] == "started" and began is None:
            began = e["t"]
        elif e["state"] in SESSION_ENDS and began is not None:
            spans.append((began, e["t"]))
            began = None
    if began is not None:
        spans.append((began, max(began, audio_seconds)))
    return spans


def in_spans(events: list[dict], spans: list[tuple[float, float]], inside: bool = True) -> list[dict]:
    """The events inside the spans (an event at a span's end counts inside: it is what ended it)."""
    return [e for e in events if any(a <= e.get("t", 0.0) <= b for a, b in spans) == inside]


def across_the_room(audio: object) -> object:
    """A television across the room: quiet, reverberant talk the endpointer often does not take for speech."""
    from voicecare.testing import voices as tv

    return tv.from_the_floor(audio, seed=7)


def run_broadcast(limit: int | None, corpus: str = "broadcast", enroll: str | None = None, repo: Path = ROOT,
                  modes: tuple[str, ...] = ("idle", "in a session"), start: int = 0, piece: int = 40,
                  sentence: bool = True, far: bool = False, answer: str | None = None,
                  keep: Path | None = None) -> None:
    path = CORPORA[corpus]
    voices = broadcast_voices(enroll)
    enroll_code = repo / "voicecare" / "commands" / "enroll.py"
    sentence = sentence and enroll_code.exists() and "--sentence" in enroll_code.read_text(encoding="utf-8")
    with path.open(newline="", encoding="utf-8") as handle:
        total = sum(1 for _ in csv.DictReader(handle, delimiter="\t"))
    last = min(total, start + limit) if limit else total
    audio, seconds = broadcast_audio(last - start, path=path, voices=voices, start=start)
    audio = across_the_room(audio) if far else audio
    hours = seconds / 3600
    print(f"broadcast: {path.name}, lines {start + 1}-{last}, {seconds / 60:.1f} min of speech and gaps"
          f"{' from across the room' if far else ''}, voices "
          f"{', '.join(voices)}; code {repo}; {'enrolled: ' + enroll if enroll else 'nobody enrolled'}"
          f"{'' if not enroll else ' (with the sentence)' if sentence else ' (three phrases only)'}"
          f"{f'; the person answers {answer!r} to every check' if answer else ''}", flush=True)
    rows, causes = {}, {}
    with tempfile.TemporaryDirectory(prefix="voicecare-broadcast-") as tmp:
        folder = Path(tmp) if keep is None else keep
        folder.mkdir(parents=True, exist_ok=True)
        if "idle" in modes:
            played = play(audio, folder, "idle", repo, enroll, sentence, answer)
            rows["idle"] = broadcast_row(played, hours, False)
            causes["idle"] = acted_on(played)
        if "in a session" in modes:
            inside, after, session_seconds, after_seconds = [], [], 0.0, 0.0
            for n, first in enumerate(range(start, last, piece)):
                part, part_seconds = broadcast_audio(min(piece, last - first), path=path, voices=voices, start=first)
                part = across_the_room(part) if far else part
                opened = with_session_first(part, enroll or "rms")
                played = play(opened, folder, f"session{n}", repo, enroll, sentence, answer)
                opening = [e for e in played if e["type"] == "heard"][:2]
                played = [e for e in played if e not in opening]
                spans = session_spans(played, opened.seconds)
                begun = next((e for e in played if e["type"] == "session" and e["state"] == "started"), None)
                played = [e for e in played if e is not begun]  # the person's own start
                span_seconds = sum(b - a for a, b in spans)
                session_seconds += span_seconds
                after_seconds += max(0.0, opened.seconds - (spans[0][0] if spans else 0.0) - span_seconds)
                inside += in_spans(played, spans)
                after += [e for e in in_spans(played, spans, inside=False) if spans and e["t"] > spans[0][0]]
                causes[f"piece {n + 1} (lines {first + 1}-{min(first + piece, last)})"] = acted_on(played)
                print(f"  piece {n + 1}: in a session {span_seconds / 60:.1f} of {part_seconds / 60:.1f} min",
                      file=sys.stderr, flush=True)
            rows["in a session"] = broadcast_row(inside, max(session_seconds, 1.0) / 3600, False)
            rows["after it ended"] = broadcast_row(after, max(after_seconds, 1.0) / 3600, False)
            print(f"in a session for {session_seconds / 60:.1f} min in all ({len(range(start, last, piece))} sessions, "
                  f"one started before each {piece} lines); after a session ended {after_seconds / 60:.1f} min")
    columns = list(next(iter(rows.values())))
    print(f"{'per hour':<16}" + "".join(f"{c:>13}" for c in columns))
    for name, row in rows.items():
        print(f"{name:<16}" + "".join(f"{row[c]:>13.1f}" for c in columns))
    for name, lines in causes.items():
        for line in lines:
            print(f"  {name}: {line}")


def run_person(quick: bool, voices: tuple[str, ...] = PERSON_VOICES, enrolled: bool = True,
               idle: bool = False, sentence: bool = True) -> None:
    from benchmarks.person_flags import CONDITIONS, SessionBench, measure_person, red_flag_rows
    from benchmarks.wake_data import enrollment, enrollment_sentence, shipped_listening
    from voicecare.journal import Journal
    from voicecare.listening.enrolling import Enroller, listeners_for
    from voicecare.listening.enrollment import Enrollment
    from voicecare.listening.pipeline import build_pipeline
    from voicecare.runtime.build import build_brain

    parts = shipped_listening(WAKE)
    config, brain, recognizer, wake, spotter = parts.config, parts.brain, parts.recognizer, parts.wake, parts.spotter
    rows = red_flag_rows()
    rows = rows[::4] if quick else rows
    where = "said as 'hey care, ...' to the idle assistant" if idle else "in a session"
    how = "nobody enrolled" if not enrolled else "enrolled with the sentence" if sentence else \
        "enrolled, three phrases only"
    print(f"\nthe person's red flags {where}: {len(rows)} rows x {len(voices)} voices, "
          f"{how}")
    print(f"{'voice, condition':<34}{'acted on':>10}{'direct':>9}{'after check':>13}{'severity right':>16}"
          f"{'+unanswered':>13}{'s/row':>7}")
    for voice in voices:
        detector = verifier = None
        if enrolled:
            person = Enroller(WAKE, spotter).person("person", enrollment(voice, WAKE),
                                                    enrollment_sentence(voice, WAKE) if sentence else None)
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
    from benchmarks.wake_data import shipped_listening
    from voicecare.journal import Journal
    from voicecare.listening.pipeline import build_pipeline
    from voicecare.runtime.build import build_brain

    parts = shipped_listening(WAKE)
    config, recognizer = parts.config, parts.recognizer
    listener = build_pipeline(parts.brain.understander, parts.wake, parts.spotter)

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
    parser.add_argument("--limit", type=int, help="play only LIMIT lines of the corpus")
    parser.add_argument("--start", type=int, default=0, help="begin at this line (0: the first)")
    parser.add_argument("--piece", type=int, default=40,
                        help="in a session: a session is started before each PIECE lines (default 40)")
    parser.add_argument("--voices", help="person part: comma-separated voices (default: joe, HTS slt, rms)")
    parser.add_argument("--unenrolled", action="store_true", help="person part: nobody enrolled")
    parser.add_argument("--idle", action="store_true", help="person part: said after the wake phrase, idle")
    parser.add_argument("--no-sentence", action="store_true",
                        help="enroll with the three phrases only, without the enrollment sentence")
    parser.add_argument("--far", action="store_true",
                        help="broadcast part: the television across the room (15 dB down, reverberant, a room's rumble)")
    parser.add_argument("--answer", metavar="WORDS",
                        help="broadcast part: the person (the enrolled voice) sits beside the television and says WORDS "
                             "after every red-flag check's question (e.g. no)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="broadcast part: keep the event logs (and audio) in DIR")
    args = parser.parse_args(argv)
    mode = "session" if args.session else args.mode
    modes = {"idle": ("idle",), "session": ("in a session",), "both": ("idle", "in a session")}[mode]
    if args.part in ("broadcast", "both"):
        run_broadcast(args.limit or (60 if args.quick else None), args.corpus, args.enroll, args.repo, modes,
                      args.start, args.piece, sentence=not args.no_sentence, far=args.far, answer=args.answer,
                      keep=args.keep)
    if args.part == "person":
        voices = tuple(args.voices.split(",")) if args.voices else PERSON_VOICES
        run_person(args.quick, voices, enrolled=not args.unenrolled, idle=args.idle, sentence=not args.no_sentence)
    if args.part in ("addressed", "both"):
        run_addressed(args.quick, args.front_end)
    return 0


if __name__ == "__main__":
    sys.exit(main())
