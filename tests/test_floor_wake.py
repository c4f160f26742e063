"""The wake phrase said from the floor (15 dB down, a reverberant tail, a room's rumble) by an enrolled
person: the endpointer does not take the faint phrase for speech and begins the utterance at the words after
it; the wake stage finds the phrase in the audio before the utterance (its lead), so a red flag said so is
acted on, and a call whose words are not made out is asked "What's wrong?" and then "Do you need help?".
On synthesized speech (flite awb, not a measure-only voice) through the real loop (``voicecare run``)."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

from voicecare.audio.chunk import AudioChunk
from voicecare.audio.endpoint import EndpointSettings, Endpointer
from voicecare.audio.frontend import listening_endpointer
from voicecare.audio.wav import write_wav
from voicecare.cli import main
from voicecare.listening.room_stage import RoomStage
from voicecare.listening.templates import speech_span

PHRASE = "hey care"
PERSON = "awb"
LEAD_IN = 3.0


@pytest.fixture(scope="module")
def enrolled(tmp_path_factory: pytest.TempPathFactory, voices: ModuleType) -> Path:
    """A config whose data directory holds the person's enrollment (three clean sayings of the phrase)."""
    from benchmarks.wake_data import enrollment_wavs

    tmp = tmp_path_factory.mktemp("floor")
    config = tmp / "config.toml"
    config.write_text(f'[paths]\ndata_dir = "{tmp / "data"}"\n[speech]\ntts = "pyttsx3"\n'
                      '[safety]\nemergency_number = "999"\non_emergency = ""\n', encoding="utf-8")
    assert main(["--config", str(config), "enroll", "--from-wav", *enrollment_wavs(tmp, PERSON, PHRASE)]) == 0
    return config


def _from_the_floor(voices: ModuleType, *lines: str) -> AudioChunk:
    parts: list = [LEAD_IN]
    for line in lines:
        parts += [voices.speak(line, PERSON), 6.0]
    return voices.from_the_floor(voices.conversation(parts), seed=0)


def _run(config: Path, audio: AudioChunk, tmp: Path) -> list[dict]:
    wav, events = tmp / "in.wav", tmp / "events.jsonl"
    write_wav(wav, audio)
    assert main(["--config", str(config), "run", "--input", str(wav), "--events", str(events), "--wake", PHRASE]) == 0
    return [json.loads(line) for line in events.read_text(encoding="utf-8").splitlines()]


def _phrase_end(voices: ModuleType) -> float:
    """Stream seconds where the voice of the phrase ends, in a clip that begins with it after ``LEAD_IN``."""
    span = speech_span(voices.speak(PHRASE, PERSON).array())
    assert span is not None
    return LEAD_IN + span.end


@pytest.mark.speech
def test_from_the_floor_the_endpointer_begins_after_the_phrase_and_its_lead_holds_it(voices: ModuleType) -> None:
    floor = _from_the_floor(voices, "hey care, my leg has gone numb")
    endpointer = listening_endpointer(SimpleNamespace(neural_vad=True))
    first = (endpointer.feed(floor) + endpointer.flush())[0]
    assert first.start >= _phrase_end(voices) - 0.1  # the diagnosis: the phrase is not in the utterance
    assert first.lead is not None and first.lead.timestamp is not None
    assert first.lead.timestamp <= LEAD_IN and first.lead.seconds <= EndpointSettings().lead_seconds + 0.05


@pytest.mark.speech
def test_a_lead_never_holds_an_earlier_utterance_nor_the_assistants_own_voice(voices: ModuleType) -> None:
    said = voices.conversation([1.0, voices.speak("my hip hurts", "slt"), 0.8, voices.speak("it is sore", "slt"), 1.0])
    endpointer = Endpointer()
    first, second = endpointer.feed(said) + endpointer.flush()
    assert second.lead is not None and second.lead.timestamp is not None
    assert second.lead.timestamp >= first.audio.timestamp + first.audio.seconds - 1e-6
    assert second.lead.timestamp + second.lead.seconds <= second.audio.timestamp + 1e-6
    room = RoomStage()
    assert room.sound(second, None).lead == second.lead
    after = second.lead.timestamp + 0.2
    trimmed = room.sound(second, None, not_before=after).lead
    assert trimmed is not None and abs(trimmed.timestamp - after) < 1e-3
    assert room.sound(second, None, not_before=second.audio.timestamp + 1.0).lead is None


@pytest.mark.speech
def test_a_red_flag_said_after_the_phrase_from_the_floor_is_acted_on(enrolled: Path, voices: ModuleType,
                                                                     tmp_path: Path) -> None:
    events = _run(enrolled, _from_the_floor(voices, "hey care, my leg has gone numb"), tmp_path)
    heard = [e for e in events if e["type"] == "heard"]
    assert heard[0]["wake"]["confirmed"] and heard[0]["wake"]["stage"] == "template"
    assert heard[0]["wake"]["reached"] > 0 and heard[0]["start"] < _phrase_end(voices)
    escalated = [e for e in events if e["type"] == "escalate"]
    assert escalated and escalated[0]["severity"] == "urgent" and escalated[0]["t"] == heard[0]["t"]


@pytest.mark.speech
def test_a_call_from_the_floor_not_made_out_is_asked_what_is_wrong_then_whether_help_is_needed(
        enrolled: Path, voices: ModuleType, tmp_path: Path) -> None:
    events = _run(enrolled, _from_the_floor(voices, "hey care, uh uh uh", "uh uh"), tmp_path)
    said = [e["text"] for e in events if e["type"] == "say"]
    assert said[0] == "I'm here. What's wrong?"
    assert said[1] == "Do you need help? Say yes or no."
    assert [e["state"] for e in events if e["type"] == "check"] == ["asked", "unanswered"]
    escalated = [e for e in events if e["type"] == "escalate"]
    assert escalated and escalated[0]["severity"] == "urgent"


@pytest.mark.speech
def test_said_close_the_phrase_is_heard_once_and_not_again_in_the_next_utterances_lead(
        enrolled: Path, voices: ModuleType, tmp_path: Path) -> None:
    clean = voices.conversation([LEAD_IN, voices.speak("hey care", PERSON), 1.2,
                                 voices.speak("my leg has gone numb", PERSON), 6.0])
    events = _run(enrolled, clean, tmp_path)
    heard = [e for e in events if e["type"] == "heard"]
    assert not any("reached" in e["wake"] for e in heard)
    assert sum(e["wake"]["how"] in ("said", "proposed") for e in heard) == 1
    assert [e["severity"] for e in events if e["type"] == "escalate"][:1] == ["urgent"]
