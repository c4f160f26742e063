"""The first start with Piper: the cache is built red flags first, and an urgent line not cached yet
is said at once by espeak-ng while the voice's process loads or builds; later, Piper says it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from voicecare.speech.parts import cache_items
from voicecare.speech.priority import red_flag_sentences, tiers, urgent_sentences

CONTENT = Path(__file__).resolve().parent.parent / "content"
FIXED = {"number": "999", "wake": "hey care"}
EMERGENCY = "Call emergency services now, on 999. This is a medical emergency. Stop all exercise."


def _rank(items: list, wanted: frozenset[str]) -> list[int]:
    return [i for i, item in enumerate(items) if isinstance(item, str) and item in wanted]


def test_the_cache_is_built_red_flags_first_then_the_relief_flow_then_the_rest():
    items = cache_items(CONTENT, FIXED)
    red_flags = red_flag_sentences(CONTENT, FIXED)
    safety, relief = tiers(CONTENT, FIXED)
    assert "Call emergency services now, on 999." in red_flags and "Please call 999 now." in red_flags
    assert "Find a safe place to sit or lie down." in relief  # the relief routine and answer
    assert "Put one hand on your chest, and one on your belly." in relief  # an exercise a relief routine uses
    flags, others_safe, flow = _rank(items, red_flags), _rank(items, safety - red_flags), _rank(items, relief)
    rest = [i for i, item in enumerate(items) if i not in {*flags, *others_safe, *flow}]
    assert len(flags) == len(red_flags) and max(flags) < min(others_safe) <= max(others_safe) < min(flow)
    assert max(flow) < min(rest)
    assert flags[0] == 0 and len(flags) + len(others_safe) < len(items) / 10  # a small first slice of ~700
    assert len(items) == len(set(items))  # reordered, nothing lost or doubled


def test_urgent_lines_are_the_red_flags_and_relief_not_the_weekly_summary():
    urgent = urgent_sentences(CONTENT, FIXED)
    assert "This is a medical emergency." in urgent and "Stop what you are doing." in urgent
    assert "I have nothing recorded for the last 7 days." not in urgent
    assert "Movement reminders are off." not in urgent


@pytest.mark.speech
def test_on_first_start_a_red_flag_answer_sounds_at_once_and_is_piper_once_cached(tmp_path: Path):
    pytest.importorskip("piper")
    from voicecare.speech.select import build_voice
    from voicecare.speech.tts import Voice
    from voicecare.speech.voice_worker import PiperProcess

    voice = build_voice("piper", data_dir=tmp_path / "data", content_dir=CONTENT, fixed=FIXED)
    if not isinstance(voice.synth, PiperProcess):
        pytest.skip(f"needs the Piper voice: {voice.choice.reason}")
    try:
        voice.warm_up()  # the first start: the voice's process loads while the assistant listens
        build = voice.cache_in_background(CONTENT, FIXED)
        assert build is not None and not voice.synth.answers_at_once()
        pieces = list(voice.pieces(EMERGENCY))
        assert len(pieces) == 1  # the whole line, in espeak-ng, not sentence by sentence from Piper
        espeak = Voice(rate_wpm=voice.rate_wpm, volume=voice.volume).synthesize(EMERGENCY)
        assert abs(pieces[0].seconds - espeak.seconds) < 0.3  # espeak-ng's own length, give or take its jitter
        assert voice.kind == "piper" and voice.fallback_reason is None  # Piper is not given up on

        sentences = ["Call emergency services now, on 999.", "This is a medical emergency.", "Stop all exercise."]
        deadline = time.monotonic() + 240
        while not all(s in voice.cache for s in sentences) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert all(s in voice.cache for s in sentences)
        assert build.building  # the red flags were rendered while most of the content still waits
        later = list(voice.pieces(EMERGENCY))
        assert len(later) == 3 and later[0].audio == voice.cache.get(sentences[0]).audio  # Piper, from the cache
        assert abs(sum(p.seconds for p in later) - espeak.seconds) > 0.3  # so the first was not Piper's
        assert voice.cache.get("I have nothing recorded for the last 7 days.") is None
    finally:
        voice.close()


@pytest.mark.speech
def test_a_line_that_is_not_urgent_waits_for_piper_during_the_build(tmp_path: Path):
    pytest.importorskip("piper")
    from voicecare.speech.select import build_voice
    from voicecare.speech.voice_worker import PiperProcess

    voice = build_voice("piper", data_dir=tmp_path / "data", content_dir=CONTENT, fixed=FIXED)
    if not isinstance(voice.synth, PiperProcess):
        pytest.skip(f"needs the Piper voice: {voice.choice.reason}")
    try:
        voice.cache_in_background(CONTENT, FIXED)
        line = "Movement reminders are off."
        assert list(voice.pieces(line))[0].audio == voice.cache.get(line).audio  # rendered by Piper, kept
    finally:
        voice.close()
