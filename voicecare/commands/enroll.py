"""``voicecare enroll``: the person says the wake phrase three times, then the phrase run on into one
sentence, and the assistant knows them.

What is kept is embeddings only (numbers describing the sounds of the phrase and the voice), in the data
directory; never audio. ``--from-wav`` sets up from three recordings instead of the microphone (and
``--sentence`` from a fourth, of the sentence); ``--clear`` removes it; ``--name`` enrolls (or clears)
someone else too, a carer say. The sentence is optional: without it (or when it cannot be heard clearly)
the three phrases are enrolled alone.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path
from typing import Any

from voicecare.commands._common import config_from
from voicecare.errors import BadInputError
from voicecare.listening.enrollment import DEFAULT_PERSON, EnrollmentError, EnrollmentStore
from voicecare.listening.enrolling import SENTENCE_PAUSE_SECONDS, TAKES, Enroller, joined, sentence_text

log = logging.getLogger(__name__)

KEPT = ("Kept: speech embeddings of the wake phrase and of the voice (numbers that describe sounds), in {path}. "
        "No audio is ever stored. `voicecare enroll --clear` removes it.")
MAX_TRIES = 3
"""Each take is asked again at most this many times when it was poor."""
LISTEN_SECONDS = 6.0
SENTENCE_LISTEN_SECONDS = 12.0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("enroll", help="learn the person's wake phrase and voice (embeddings only, no audio)")
    p.add_argument("--from-wav", nargs=TAKES, metavar=("F1", "F2", "F3"),
                   help="set up from three recordings of the wake phrase instead of the microphone")
    p.add_argument("--sentence", metavar="F4",
                   help="with --from-wav: a recording of the phrase run on into the enrollment sentence, in one breath")
    p.add_argument("--clear", action="store_true", help="remove the enrollment (everyone's, or --name's)")
    p.add_argument("--name", default=None, help=f"who is enrolling (default '{DEFAULT_PERSON}'); a second person too")
    p.add_argument("--wake", metavar="PHRASE", help="the wake phrase to enroll (default: the configured one)")
    p.set_defaults(func=enroll)


def enroll(args: argparse.Namespace) -> int:
    config = config_from(args)
    store = EnrollmentStore.in_data_dir(config.paths.data_dir)
    if args.clear:
        return _clear(store, args.name)
    phrase = args.wake or config.wake.phrase
    if not config.wake.enabled or phrase.strip().lower() == "off":
        raise BadInputError("the wake phrase is off, so there is nothing to enroll",
                            "turn it on in the configuration ([wake] enabled = true), or pass --wake PHRASE")
    name = args.name or DEFAULT_PERSON
    if args.sentence and not args.from_wav:
        raise BadInputError("--sentence is only for setting up from recordings",
                            "give the three phrase recordings too: --from-wav F1 F2 F3 --sentence F4")
    enroller = Enroller(phrase, _spotter(phrase))
    if args.from_wav:
        recordings = _from_files(args.from_wav, enroller)
        sentence = _sentence_file(args.sentence, enroller) if args.sentence else None
    else:
        taken = _spoken(config, enroller)
        if taken is None:
            return 1
        recordings, sentence = taken
    person = enroller.person(name, recordings, sentence)
    try:
        enrollment = store.load()
    except EnrollmentError as exc:
        log.warning("%s; starting a new enrollment file", exc.line())
        store.clear()
        enrollment = store.load()
    replaced = enrollment.get(name) is not None
    store.save(enrollment.with_person(person))
    print(f"{'Enrolled again' if replaced else 'Enrolled'} {person.describe()}.")
    for note in enroller.notes:
        print(f"Note: {note}.")
    if sentence is None:
        how = "`--sentence F4` adds it" if args.from_wav else "run `voicecare enroll` again to add it"
        print(f"Enrolled without the sentence: the three phrases only ({how}).")
    print(KEPT.format(path=store.path))
    print(f"The wake phrase is '{phrase}': if it is changed in the configuration, enroll again.")
    return 0


def _clear(store: EnrollmentStore, name: str | None) -> int:
    try:
        enrollment = store.load()
    except EnrollmentError:
        removed = store.clear()
        print(f"Removed the unreadable enrollment file {store.path}." if removed else "Nobody was enrolled.")
        return 0
    if not enrollment:
        print("Nobody was enrolled.")
        return 0
    if name is not None and enrollment.get(name) is None:
        raise BadInputError(f"nobody called {name!r} is enrolled",
                            f"enrolled: {', '.join(enrollment.names())}; or clear everyone without --name")
    gone = [p for p in enrollment.people if name is None or p.name == name]
    store.save(enrollment.without(name))
    for person in gone:
        print(f"Removed {person.describe()}.")
    left = enrollment.without(name)
    print(f"Still enrolled: {', '.join(left.names())}." if left else f"Nothing is kept any more ({store.path} is gone).")
    return 0


def _spotter(phrase: str) -> Any:
    """The recognizer's keyword search for the phrase, to check each recording holds it (None if unavailable)."""
    from voicecare.asr.keyword import KeywordSpotter
    from voicecare.errors import ModelError

    try:
        return KeywordSpotter(phrase)
    except ModelError as exc:
        log.info("recordings are checked without the keyword search: %s", exc.line())
        return None


def _from_files(paths: list[str], enroller: Enroller) -> list[Any]:
    return [_recording(path, "recording", enroller.problem, f"record '{enroller.phrase}' again, on its own, "
                       "near the microphone") for path in paths]


def _sentence_file(path: str, enroller: Enroller) -> Any:
    """The enrollment sentence from a recording, checked like a spoken one."""
    return _recording(path, "sentence recording", enroller.sentence_problem,
                      f"record '{enroller.phrase}' run straight on into a sentence of 3-4 seconds, in one breath",
                      missing="check the path, or leave out --sentence")


def _recording(path: str, what: str, problem_of: Any, fix: str, missing: str = "check the path") -> Any:
    """A set-up recording read from ``path``; a missing or poor one is one clear line."""
    from voicecare.audio.wav import load_wav

    if not Path(path).exists():
        raise BadInputError(f"the {what} {path} does not exist", missing)
    recording = load_wav(path)
    problem = problem_of(recording)
    if problem is not None:
        raise BadInputError(f"the {what} {path} will not do: {problem}", fix)
    return recording


def _spoken(config: Any, enroller: Enroller) -> tuple[list[Any], Any] | None:
    """On the devices: "Say 'hey care' after the tone", three times, then the phrase run on into a sentence;
    each take checked and asked again if poor. A sentence not heard clearly is left out (None)."""
    from voicecare.audio.devices import Microphone, Speaker
    from voicecare.audio.tones import tone
    from voicecare.content.texts import load_texts
    from voicecare.speech.select import voice_from_config

    texts = load_texts(Path(config.paths.content_dir))
    speaker = Speaker(config.audio.output_device, volume=config.audio.volume)
    microphone = Microphone(config.audio.input_device)
    voice = voice_from_config(config)
    print(KEPT.format(path=Path(config.paths.data_dir)).split(" `voicecare")[0])

    def say(text: str) -> None:
        print(text)
        speaker.play(voice.synthesize(text))
        speaker.wait()

    def take(key: str, again: str, check: Any, seconds: float, label: str, pause: float = 0.0,
             **values: str) -> Any:
        for _attempt in range(MAX_TRIES):
            say(texts.prompt(key, **values))
            speaker.play(tone("listening"))
            speaker.wait()
            recording = _capture(microphone, seconds, pause)
            problem = "nothing was heard" if recording is None else check(recording)
            if problem is None:
                return recording
            print(f"  {label}: {problem}")
            key = again
        return None

    microphone.open()
    try:
        recordings = []
        for n in range(TAKES):
            recording = take("enroll_say", "enroll_again", enroller.problem, LISTEN_SECONDS, f"take {n + 1}",
                             wake=enroller.phrase)
            if recording is None:
                say(texts.prompt("enroll_failed"))
                return None
            recordings.append(recording)
        words = sentence_text(texts, enroller.phrase)
        sentence = take("enroll_sentence", "enroll_sentence_again", enroller.sentence_problem,
                        SENTENCE_LISTEN_SECONDS, "the sentence", SENTENCE_PAUSE_SECONDS, sentence=words)
        if sentence is None:
            say(texts.prompt("enroll_sentence_skipped"))
        say(texts.prompt("enroll_done"))
        return recordings, sentence
    finally:
        microphone.close()
        getattr(voice, "close", lambda: None)()


def _capture(microphone: Any, seconds: float, pause: float = 0.0) -> Any:
    """The first utterance begun within ``seconds``, or None; with ``pause``, it and those that follow it
    with shorter pauses between, joined (a sentence split where the person paused)."""
    from voicecare.audio.endpoint import Endpointer

    endpointer = Endpointer()
    parts: list[Any] = []
    began = last = time.monotonic()
    while True:
        now = time.monotonic()
        if parts and not endpointer.in_speech and now - last >= pause:
            break
        if (not parts and not endpointer.in_speech and now >= began + seconds) or now >= began + 2 * seconds:
            break
        block = microphone.read(0.1)
        if block is None:
            continue
        for utterance in endpointer.feed(block):
            if not pause:
                return utterance.audio
            parts.append(utterance.audio)
            last = time.monotonic()
    parts += [u.audio for u in endpointer.flush()]
    if not parts:
        return None
    return joined(parts) if pause else parts[0]
