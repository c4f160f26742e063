"""``voicecare enroll`` and the enrollment store: embeddings only, several people, cleared on request,
a damaged file one clear line (and the assistant listens as if nobody were enrolled); then the enrolled
assistant on real speech through ``voicecare run --input``: the wake phrase found by the person's templates,
a voice check in every heard event, a red flag in another voice checked rather than acted on; and the spoken
offer at first start, accepted by voice."""

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


@pytest.mark.speech
def test_enroll_from_recordings_then_a_second_person_then_clear(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                                ) -> None:
    config = _config(tmp_path)
    assert main(["--config", str(config), "enroll", "--from-wav", *_recordings(tmp_path, "awb")]) == 0
    said = capsys.readouterr().out
    assert "3 templates of 'hey care'" in said and "No audio is ever stored" in said
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
def test_the_first_run_offer_is_accepted_by_voice_and_keeps_the_enrollment(tmp_path: Path) -> None:
    config = _config(tmp_path)
    phrase = ("hey care", "slt")
    events = _run(tmp_path, config, [16.0, ("yes", "slt"), 6.0, phrase, 6.0, phrase, 6.0, phrase, 8.0],
                  "--offer-enrollment")
    said = [e["text"] for e in events if e["type"] == "say"]
    assert said[0].startswith("I can learn your voice") and "Thank you. I know your voice now." in said
    assert EnrollmentStore.in_data_dir(tmp_path / "data").load().names() == ["person"]
