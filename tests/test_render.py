"""Rendering whole sessions: hold lengths measured in the WAV itself, and the routine command."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from voicecare.audio.chunk import RATE, AudioChunk
from voicecare.audio.wav import read_wav
from voicecare.cli import main
from voicecare.content.exercises import load_exercises
from voicecare.render import render_routine

PROGRAMME = load_exercises()
TONE_HZ = {"start": 1500.0, "release": 2500.0}


def fake_voice(text: str) -> AudioChunk:
    """Low voiced sound, about as long as real speech: nothing near the test tones."""
    n = int(RATE * (0.25 + 0.33 * len(text.split())))
    t = np.arange(n) / RATE
    return AudioChunk.from_array(0.3 * np.sin(2 * np.pi * 140 * t) + 0.2 * np.sin(2 * np.pi * 280 * t))


def fake_tones(name: str) -> AudioChunk:
    t = np.arange(int(RATE * 0.12)) / RATE
    return AudioChunk.from_array(0.4 * np.sin(2 * np.pi * TONE_HZ.get(name, 600.0) * t))


def onsets(audio: AudioChunk, hz: float) -> list[float]:
    """Seconds at which a tone of ``hz`` starts sounding (narrow-band energy rising past half)."""
    x = audio.array().astype(np.float64) / 32768.0
    win, hop = 160, 8
    frames = np.lib.stride_tricks.sliding_window_view(x, win)[::hop]
    phase = np.exp(-2j * np.pi * hz * np.arange(win) / RATE)
    level = np.abs(frames @ phase) / win
    on = level > 0.5 * level.max()
    rising = np.flatnonzero(on[1:] & ~on[:-1]) + 1
    return [(i * hop + win / 2) / RATE for i in rising]


@pytest.mark.parametrize(("name", "side"), [("relief_glute", "left"), ("relief_hip_flexor", "right"), ("desk_break", None)])
def test_each_hold_lasts_its_stated_seconds_in_the_wav(name: str, side: str | None) -> None:
    audio, events = render_routine(name, PROGRAMME, fake_voice, fake_tones, side=side)
    holds = [e for e in events if e["type"] == "hold"]
    assert holds, "the routine has holds"
    starts, releases = onsets(audio, TONE_HZ["start"]), onsets(audio, TONE_HZ["release"])
    assert len(starts) == len(releases) == len(holds)
    for hold, begin, end in zip(holds, starts, releases):
        assert end - begin == pytest.approx(hold["seconds"], abs=0.05)
        assert begin == pytest.approx(hold["t"], abs=0.05)


def test_render_events_are_a_timeline_with_the_automatic_answer() -> None:
    audio, events = render_routine("relief_glute", PROGRAMME, fake_voice, fake_tones, side="left")
    times = [e["t"] for e in events]
    assert times == sorted(times) and events[0]["type"] == "session" and events[-1]["state"] == "completed"
    auto = [e for e in events if e["type"] == "heard"]
    assert auto and all(e["auto"] and e["text"] == "no" for e in auto)
    said = [e for e in events if e["type"] == "say"]
    # speech is placed one line after another: no line starts before the previous one ended
    for a, b in zip(said, said[1:]):
        assert b["t"] >= a["t"] + fake_voice(a["text"]).seconds - 1e-3
    assert audio.seconds == pytest.approx(said[-1]["t"] + fake_voice(said[-1]["text"]).seconds, abs=0.01)


def test_daily_stretch_render_answers_screening_no() -> None:
    _, events = render_routine("daily_stretch", PROGRAMME, fake_voice, fake_tones)
    assert events[0]["type"] == "session" and any(e["type"] == "heard" and e["auto"] for e in events)
    sides = [(e["exercise"], e["side"]) for e in events if e["type"] == "hold"]
    assert ("pigeon", "left") in sides and ("pigeon", "right") in sides and len(sides) == 10


@pytest.mark.speech
@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")
def test_routine_command_renders_real_speech(tmp_path, capsys) -> None:
    out = tmp_path / "session.wav"
    assert main(["routine", "relief_adductor", "--render", str(out), "--json"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    audio = read_wav(out)
    assert audio.rate == RATE and audio.seconds > 40
    (hold,) = [e for e in events if e["type"] == "hold"]
    (release,) = [e for e in events if e["type"] == "cue" and e["kind"] == "release" and e["t"] > hold["t"]][:1]
    assert release["t"] - hold["t"] == pytest.approx(hold["seconds"], abs=0.05)
    x = audio.array()[int(hold["t"] * RATE):int(release["t"] * RATE)]
    assert np.abs(x).max() > 0  # cue words and tones are in the hold, not silence only


def test_routine_command_unknown_name_lists_the_routines(capsys) -> None:
    assert main(["routine", "yoga"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: there is no routine called 'yoga'") and "daily_stretch" in err


def _level(audio: AudioChunk, hz: float, start: float, end: float) -> float:
    """Mean narrow-band level of ``hz`` between ``start`` and ``end`` seconds."""
    x = audio.array().astype(np.float64)[int(start * RATE):int(end * RATE)] / 32768.0
    phase = np.exp(-2j * np.pi * hz * np.arange(len(x)) / RATE)
    return float(np.abs(x @ phase) / max(1, len(x)))


@pytest.mark.parametrize("name", ["relief_glute", "desk_break"])
def test_tones_and_words_take_turns(name: str) -> None:
    """The start and release tones never sound on top of "And hold." / "And release."."""
    audio, events = render_routine(name, PROGRAMME, fake_voice, fake_tones, side="left")
    tone_seconds = fake_tones("start").seconds
    says = [e for e in events if e["type"] == "say"]
    checked = 0
    for hz in TONE_HZ.values():
        for onset in onsets(audio, hz):
            during = _level(audio, 140.0, onset + 0.01, onset + tone_seconds - 0.01)
            assert during < 0.005, f"voice under the tone at {onset:.2f} s"
            after = [e for e in says if onset - 0.05 <= e["t"] < onset + tone_seconds + 0.5]
            assert all(e["t"] >= onset + tone_seconds - 0.02 for e in after), (onset, after)
            checked += len(after)
    assert checked >= 2  # "And hold." and "And release." follow their tones
