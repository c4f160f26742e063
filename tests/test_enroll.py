"""``voicecare enroll`` and the enrollment store: embeddings only, several people, cleared on request,
a damaged file one clear line (and the assistant listens as if nobody were enrolled); then the enrolled
assistant on real speech through ``voicecare run --input``: the wake phrase found by the person's templates,
a voice check in every heard event, a red flag in another voice checked rather than acted on; the enrollment
sentence (the phrase run on into words): a voice-print row and a run-on template that wakes on the phrase said
in one breath before a request; and the spoken offer at first start, accepted by voice."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from voicecare.audio.chunk import AudioChunk
from voicecare.audio.wav import write_wav
from voicecare.cli import main
from voicecare.listening.enrolling import listeners_for
from voicecare.listening.enrollment import Enrolled, Enrollment, EnrollmentError, EnrollmentStore

PHRASE = "hey care"


def _config(tmp: Path) -> Path:
    config = tmp / "config.toml"
    config.write_text(f'[paths]\ndata_dir = "{tmp / "data"}"\n[speech]\ntts = "pyttsx3"\n'
                      '[safety]\nemergency_number = "999"\non_emergency = ""\n', encoding="utf-8")
    return config


def _recordings(tmp: Path, voice: str) -> list[str]:
    from benchmarks.wake_data import enrollment_wavs

    return enrollment_wavs(tmp, voice, PHRASE)


def _sentence(tmp: Path, voice: str) -> str:
    """The phrase run on into the enrollment sentence (from content), by the voice, as a WAV file."""
    from benchmarks.wake_data import sentence_wav

    return sentence_wav(tmp, voice, PHRASE)


def test_the_store_keeps_embeddings_for_several_people_and_reads_them_back(tmp_path: Path) -> None:
    store = EnrollmentStore.in_data_dir(tmp_path)
    rng = np.random.default_rng(1)
    one = Enrolled("person", PHRASE, tuple(rng.normal(size=(9, 96)).astype(np.float32) for _ in range(3)),
                   rng.normal(size=(3, 256)).astype(np.float32), 3)
    two = Enrolled("carer", PHRASE, (rng.normal(size=(8, 96)).astype(np.float32),), None, 0)
    store.save(Enrollment((one,)).with_person(two))
    back = store.load()
    assert back.names() == ["person", "carer"]
    assert np.array_equal(back.get("person").templates[1], one.templates[1])
    assert np.array_equal(back.get("person").voice, one.voice) and back.get("carer").voice is None
    with np.load(store.path, allow_pickle=False) as data:  # nothing in the file is audio
        assert all(data[name].ndim <= 2 and data[name].shape[-1:] in ((96,), (256,), ()) for name in data.files)


@pytest.mark.parametrize("damage", [b"not a zip at all", b"PK\x03\x04 broken"])
def test_a_damaged_store_is_one_clear_line_and_listening_goes_on_unenrolled(tmp_path: Path, damage: bytes) -> None:
    store = EnrollmentStore.in_data_dir(tmp_path)
    store.path.write_bytes(damage)
    with pytest.raises(EnrollmentError) as caught:
        store.load()
    line = caught.value.line()
    assert line.startswith("Error: the enrollment file") and "voicecare enroll --clear" in line and "\n" not in line
    assert not store.load_or_empty()
    assert listeners_for(store.load_or_empty(), PHRASE) == listeners_for(Enrollment(), PHRASE)


def test_a_store_of_another_version_is_refused_clearly(tmp_path: Path) -> None:
    store = EnrollmentStore.in_data_dir(tmp_path)
    store.save(Enrollment((Enrolled("person", PHRASE, (np.ones((4, 96), np.float32),)),)))
    with np.load(store.path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    header = json.loads(str(arrays["header"][()]))
    arrays["header"] = np.array(json.dumps({**header, "version": 99}))
    with open(store.path, "wb") as handle:
        np.savez(handle, **arrays)
    with pytest.raises(EnrollmentError, match="version 99"):
        store.load()


def test_a_run_on_template_is_kept_as_such_and_a_file_from_before_it_still_loads(tmp_path: Path) -> None:
    store = EnrollmentStore.in_data_dir(tmp_path)
    rng = np.random.default_rng(2)
    frames = tuple(rng.normal(size=(7, 96)).astype(np.float32) for _ in range(4))
    store.save(Enrollment((Enrolled("person", PHRASE, frames, rng.normal(size=(4, 256)).astype(np.float32), 4, 1),)))
    assert store.load().get("person").runon == 1
    with np.load(store.path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    header = json.loads(str(arrays["header"][()]))
    for entry in header["people"]:  # as written before the enrollment sentence existed
        entry.pop("runon")
    arrays["header"] = np.array(json.dumps(header))
    with open(store.path, "wb") as handle:
        np.savez(handle, **arrays)
    old = store.load().get("person")
    assert old.runon == 0 and len(old.templates) == 4 and old.voice_enrolled == 4


@pytest.mark.speech
def test_enroll_from_recordings_then_a_second_person_then_clear(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                                ) -> None:
    config = _config(tmp_path)
    assert main(["--config", str(config), "enroll", "--from-wav", *_recordings(tmp_path, "awb")]) == 0
    said = capsys.readouterr().out
    assert "3 templates of 'hey care'" in said and "No audio is ever stored" in said
    assert "Enrolled without the sentence: the three phrases only (`--sentence F4` adds it)." in said
    assert main(["--config", str(config), "enroll", "--name", "carer", "--from-wav", *_recordings(tmp_path, "slt")]) == 0
    store = EnrollmentStore.in_data_dir(tmp_path / "data")
    assert store.load().names() == ["person", "carer"]
    assert all(len(p.templates) == 3 and p.voice is not None for p in store.load().people)
    capsys.readouterr()
    assert main(["--config", str(config), "enroll", "--clear", "--name", "carer"]) == 0
    assert "Removed carer" in capsys.readouterr().out and store.load().names() == ["person"]
    assert main(["--config", str(config), "enroll", "--clear"]) == 0
    assert "Removed person" in capsys.readouterr().out and not store.exists()


@pytest.mark.speech
def test_a_poor_recording_is_refused_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path)
    good = _recordings(tmp_path, "awb")
    quiet = tmp_path / "quiet.wav"
    write_wav(quiet, AudioChunk.silence(1.5))
    assert main(["--config", str(config), "enroll", "--from-wav", good[0], str(quiet), good[2]]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("Error: the recording") and "quiet.wav" in err and len(err.splitlines()) == 1
    assert not EnrollmentStore.in_data_dir(tmp_path / "data").exists()


@pytest.mark.speech
def test_the_sentence_adds_a_voice_row_and_a_run_on_template_and_the_file_still_loads(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path)
    assert main(["--config", str(config), "enroll", "--from-wav", *_recordings(tmp_path, "awb"),
                 "--sentence", _sentence(tmp_path, "awb")]) == 0
    said = capsys.readouterr().out
    assert "4 templates of 'hey care' (1 of them run on into the sentence)" in said
    assert "a voice print of 4 speaker embeddings" in said and "No audio is ever stored" in said
    person = EnrollmentStore.in_data_dir(tmp_path / "data").load().get("person")
    assert len(person.templates) == 4 and person.runon == 1
    assert person.voice.shape == (4, 256) and person.voice_enrolled == 4
    listeners = listeners_for(EnrollmentStore.in_data_dir(tmp_path / "data").load(), PHRASE)
    names = [t.name for t in listeners.detector.templates]
    assert names == ["person:hey care"] * 3 + ["person:hey care (run-on)"]
    assert listeners.verifier.prints[0].enrolled == 4


@pytest.mark.speech
def test_a_sentence_recording_that_is_missing_or_poor_is_one_clear_line(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from voicecare.testing import voices as tv

    config = _config(tmp_path)
    phrases = _recordings(tmp_path, "awb")
    missing = tmp_path / "nowhere.wav"
    assert main(["--config", str(config), "enroll", "--from-wav", *phrases, "--sentence", str(missing)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("Error: the sentence recording") and "nowhere.wav does not exist" in err
    assert len(err.splitlines()) == 1
    short = tmp_path / "short.wav"  # the phrase alone is no sentence
    write_wav(short, tv.conversation([0.4, tv.speak("hey care", "awb"), 0.4]))
    assert main(["--config", str(config), "enroll", "--from-wav", *phrases, "--sentence", str(short)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("Error: the sentence recording") and "too short; say the whole sentence" in err
    assert len(err.splitlines()) == 1
    assert main(["--config", str(config), "enroll", "--sentence", _sentence(tmp_path, "awb")]) == 2
    assert "--from-wav F1 F2 F3 --sentence F4" in capsys.readouterr().err
    assert not EnrollmentStore.in_data_dir(tmp_path / "data").exists()


@pytest.mark.speech
def test_a_sentence_that_does_not_open_with_the_phrase_keeps_its_voice_but_no_template(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from voicecare.testing import voices as tv

    config = _config(tmp_path)
    other = tmp_path / "other.wav"
    write_wav(other, tv.conversation([0.4, tv.speak("the weather was lovely in the garden this morning", "awb"), 0.4]))
    assert main(["--config", str(config), "enroll", "--from-wav", *_recordings(tmp_path, "awb"),
                 "--sentence", str(other)]) == 0
    said = capsys.readouterr().out
    assert "Note: the sentence's opening is not kept as a wake template" in said
    person = EnrollmentStore.in_data_dir(tmp_path / "data").load().get("person")
    assert len(person.templates) == 3 and person.runon == 0 and person.voice_enrolled == 4


def _run(tmp: Path, config: Path, parts: list, *extra: str) -> list[dict]:
    from voicecare.testing import voices as tv

    audio = tv.conversation([tv.speak(p[0], p[1]) if isinstance(p, tuple) else p for p in parts])
    wav, events = tmp / "in.wav", tmp / "events.jsonl"
    write_wav(wav, audio)
    assert main(["--config", str(config), "run", "--input", str(wav), "--events", str(events),
                 "--wake", PHRASE, *extra]) == 0
    return [json.loads(line) for line in events.read_text(encoding="utf-8").splitlines()]


@pytest.mark.speech
def test_enrolled_the_persons_phrase_wakes_it_and_a_red_flag_in_another_voice_is_checked(tmp_path: Path) -> None:
    config = _config(tmp_path)
    assert main(["--config", str(config), "enroll", "--from-wav", *_recordings(tmp_path, "awb")]) == 0
    events = _run(tmp_path, config, [1.0, ("hey care, start my daily stretches", "awb"), 14.0, ("no", "awb"), 30.0,
                                     ("my leg has gone numb", "slt"), 30.0])
    heard = [e for e in events if e["type"] == "heard"]
    assert heard[0]["wake"]["stage"] == "template" and heard[0]["wake"]["confirmed"]
    assert all("voice" in e and e["voice"]["verdict"] in ("person", "other", "unsure") for e in heard)
    assert [e["state"] for e in events if e["type"] == "session"][0] == "started"
    numb = [e for e in heard if "numb" in e["text"]]
    assert numb and numb[0]["voice"]["verdict"] != "person"
    asked = [e for e in events if e["type"] == "check" and e["state"] == "asked"]
    assert asked and asked[0]["t"] == numb[0]["t"]  # asked about, not acted on at once
    assert all(e["t"] > numb[0]["t"] for e in events if e["type"] == "escalate")  # only if unanswered


@pytest.mark.speech
def test_a_no_to_an_actors_red_flag_makes_that_actors_next_line_another_voice(tmp_path: Path) -> None:
    """slt enrolled with the sentence starts a session; flite rms, unsure against slt's print, says a red flag."""
    runs = {}
    for denied in (True, False):
        folder = tmp_path / str(denied)
        folder.mkdir()
        config = _config(folder)
        assert main(["--config", str(config), "enroll", "--from-wav", *_recordings(folder, "slt"),
                     "--sentence", _sentence(folder, "slt")]) == 0
        answer = [("no", "slt"), 10.0] if denied else [10.0]
        events = _run(folder, config, [1.0, ("hey care, start my daily stretches", "slt"), 14.0, ("no", "slt"), 30.0,
                                       ("my leg has gone numb and I can't feel my foot", "rms"), 8.0, *answer,
                                       ("I fell over in the garden and I can't get up", "rms"), 20.0])
        runs[denied] = [e for e in events if e["type"] == "heard"]
        checks = [e["state"] for e in events if e["type"] == "check"]
        assert checks[0] == "asked" and ("cleared" in checks) == denied
    first = next(e for e in runs[False] if "numb" in e["text"])
    assert first["voice"]["verdict"] == "unsure"  # the actor is not told from the person by the print alone
    fell = {denied: next(e for e in heard if "garden" in e["text"]) for denied, heard in runs.items()}
    assert fell[False]["voice"]["verdict"] == "unsure"
    assert fell[True]["voice"]["verdict"] == "other" and fell[True]["voice"]["heard_before"]


@pytest.mark.speech
def test_enrolled_a_wake_phrase_only_the_words_heard_counts_only_in_the_persons_voice(tmp_path: Path) -> None:
    """slt enrolled with the sentence; flite rms (unsure against slt's print, its phrase far from slt's templates)
    says the phrase: the transcript and keyword search hear it, the person's templates do not."""
    config = _config(tmp_path)
    assert main(["--config", str(config), "enroll", "--from-wav", *_recordings(tmp_path, "slt"),
                 "--sentence", _sentence(tmp_path, "slt")]) == 0
    events = _run(tmp_path, config, [1.0, ("hey care, my leg has gone numb", "rms"), 20.0,
                                     ("hey care, my leg has gone numb", "slt"), 20.0])
    heard = [e for e in events if e["type"] == "heard"]
    television, person = heard[0], heard[-1]
    assert television["wake"]["how"] == "proposed" and television["wake"]["stage"] == "transcript"
    assert television["voice"]["verdict"] == "unsure" and not television["addressed"]
    assert all(e["t"] >= person["t"] for e in events if e["type"] in ("check", "escalate", "say"))
    assert person["wake"]["confirmed"] and [e["severity"] for e in events if e["type"] == "escalate"] == ["urgent"]


@pytest.mark.speech
def test_the_first_run_offer_is_accepted_by_voice_and_a_poor_sentence_is_asked_again(tmp_path: Path) -> None:
    # The phrase alone is no sentence: asked again; then the sentence with a pause in it, one take.
    from benchmarks.wake_data import sentence_words

    config = _config(tmp_path)
    phrase = ("hey care", "slt")
    words = sentence_words(PHRASE)
    opening, rest = "hey care I am", words.removeprefix("hey care I am")  # too short alone
    assert words.startswith(opening) and len(rest) > 40
    events = _run(tmp_path, config, [18.0, ("yes", "slt"), 6.0, phrase, 6.0, phrase, 6.0, phrase, 14.0,
                                     phrase, 14.0, (opening, "slt"), 0.8, (rest, "slt"), 8.0],
                  "--offer-enrollment")
    said = [e["text"] for e in events if e["type"] == "say"]
    assert said[0].startswith("I can learn your voice") and "Thank you. I know your voice now." in said
    assert any(s.startswith("Now one sentence") for s in said)
    assert sum(s.startswith("I didn't hear all of it") for s in said) == 1  # the phrase alone is no sentence
    person = EnrollmentStore.in_data_dir(tmp_path / "data").load().get("person")
    assert person is not None and person.voice_enrolled == 4 and len(person.templates) == 4


def _one_breath_wakes(tmp_path: Path, voice: str, with_sentence: bool) -> list[dict]:
    """Enroll the voice (with the sentence or without), then one breath: "hey care my leg is numb"."""
    tmp_path.mkdir()
    config = _config(tmp_path)
    extra = ["--sentence", _sentence(tmp_path, voice)] if with_sentence else []
    assert main(["--config", str(config), "enroll", "--from-wav", *_recordings(tmp_path, voice), *extra]) == 0
    events = _run(tmp_path, config, [1.0, ("hey care my leg is numb", voice), 6.0])
    return [e for e in events if e["type"] == "heard"]


@pytest.mark.speech
def test_the_run_on_template_wakes_on_the_phrase_said_in_one_breath_before_a_request(tmp_path: Path) -> None:
    # Measured: flite awb's templates of the phrase said alone score this one-breath call 0.86, under the
    # 0.92 that proposes a wake; the template cut from the sentence scores it 0.97.
    before = _one_breath_wakes(tmp_path / "alone", "awb", with_sentence=False)
    assert not before[0]["wake"]["confirmed"] and before[0]["wake"]["score"] < 0.92
    after = _one_breath_wakes(tmp_path / "sentence", "awb", with_sentence=True)
    wake = after[0]["wake"]
    assert wake["confirmed"] and wake["template"] == "person:hey care (run-on)" and wake["score"] >= 0.935
    assert "numb" in after[0]["text"]


class _Room:
    """The hardware border for the spoken ``voicecare enroll``: what the person says after each tone, heard by a
    microphone paced at five times real time (then silence); the speaker only listens for the tone."""

    PACE = 0.2

    def __init__(self, takes: list) -> None:
        from voicecare.audio.tones import tone

        self.takes = list(takes)
        self.tone = tone("listening").audio
        self.samples = np.zeros(0, np.int16)
        self.prompts = 0

    def speaker(self, *_args: object, **_kwargs: object) -> object:
        room = self

        class Speaker:
            def play(self, chunk: AudioChunk) -> None:
                if chunk.audio == room.tone:  # the person speaks after the tone
                    take = room.takes.pop(0) if room.takes else AudioChunk.silence(0.5)
                    room.samples = take.array()
                else:
                    room.prompts += 1

            def wait(self, timeout: float | None = None) -> bool:
                return True

        return Speaker()

    def microphone(self, *_args: object, **_kwargs: object) -> object:
        import time

        room = self

        class Microphone:
            def open(self) -> None: ...

            def close(self) -> None: ...

            def read(self, timeout: float | None = None) -> AudioChunk:
                time.sleep(0.1 * room.PACE)
                block, room.samples = room.samples[:1600], room.samples[1600:]
                return AudioChunk.from_array(np.pad(block, (0, 1600 - len(block))))

        return Microphone()


@pytest.mark.speech
def test_spoken_enrollment_asks_again_for_a_poor_sentence_and_joins_one_said_with_a_pause(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks.wake_data import enrollment, sentence_words
    from voicecare.audio import devices
    from voicecare.commands import enroll
    from voicecare.testing import voices as tv

    words = sentence_words(PHRASE)
    opening, rest = "hey care I am", words.removeprefix("hey care I am")
    said = [tv.conversation([0.3, phrase, 1.0]) for phrase in enrollment("awb", PHRASE)]
    said.append(tv.conversation([0.3, tv.speak("hey care", "awb"), 1.0]))  # the phrase alone is no sentence
    said.append(tv.conversation([0.3, tv.speak(opening, "awb"), 0.8, tv.speak(rest, "awb"), 1.0]))
    room = _Room(said)
    monkeypatch.setattr(devices, "Microphone", room.microphone)
    monkeypatch.setattr(devices, "Speaker", room.speaker)
    monkeypatch.setattr(enroll, "SENTENCE_PAUSE_SECONDS", 1.5 * room.PACE)
    assert main(["--config", str(_config(tmp_path)), "enroll"]) == 0
    out = capsys.readouterr().out
    assert "  the sentence: it was too short; say the whole sentence" in out
    assert "Now one sentence, in one go, after the tone. Say: hey care, I am teaching you my voice" in out
    assert "4 templates of 'hey care' (1 of them run on into the sentence)" in out
    person = EnrollmentStore.in_data_dir(tmp_path / "data").load().get("person")
    assert len(person.templates) == 4 and person.voice_enrolled == 4


@pytest.mark.speech
def test_spoken_enrollment_without_a_sentence_keeps_the_three_phrases_and_says_so(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks.wake_data import enrollment
    from voicecare.audio import devices
    from voicecare.commands import enroll
    from voicecare.testing import voices as tv

    room = _Room([tv.conversation([0.3, phrase, 1.0]) for phrase in enrollment("awb", PHRASE)])
    monkeypatch.setattr(devices, "Microphone", room.microphone)
    monkeypatch.setattr(devices, "Speaker", room.speaker)
    monkeypatch.setattr(enroll, "SENTENCE_LISTEN_SECONDS", 8.0 * room.PACE)  # then nothing is said, three times
    assert main(["--config", str(_config(tmp_path)), "enroll"]) == 0
    out = capsys.readouterr().out
    assert out.count("  the sentence: nothing was heard") == 3
    assert "I couldn't hear the sentence clearly. That's all right: I know your wake phrase." in out
    assert "Enrolled without the sentence: the three phrases only (run `voicecare enroll` again to add it)." in out
    person = EnrollmentStore.in_data_dir(tmp_path / "data").load().get("person")
    assert len(person.templates) == 3 and person.voice_enrolled == 3
