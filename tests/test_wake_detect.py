"""The wake detector on real speech embeddings of real synthesized speech: the person's own phrase is
found, in quiet and in babble; look-alike phrases and other talk are not taken for it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from voicecare.audio.chunk import AudioChunk
from voicecare.errors import ModelError
from voicecare.listening.embedding import DIM, FRAME_SECONDS, SpeechEmbedder
from voicecare.listening.templates import (WakeTemplate, check_recording, disagreeing,
                                           templates_from_recordings)
from voicecare.listening.wake_detect import WakeDetector, WakeScore

PERSON = "rms"
SAYINGS = ("hey care", "hey care.", "hey care!")
"""Three set-up recordings: the synthesizer says each with its own prosody."""


@pytest.fixture(scope="module")
def embedder() -> SpeechEmbedder:
    return SpeechEmbedder()


@pytest.fixture(scope="module")
def detector(voices: ModuleType, embedder: SpeechEmbedder) -> WakeDetector:
    recordings = [voices.conversation([0.3, voices.speak(text, PERSON), 0.3]) for text in SAYINGS]
    assert [check_recording(r) for r in recordings] == [None, None, None]
    from voicecare.asr.keyword import KeywordSpotter

    return WakeDetector(templates_from_recordings(embedder, recordings, "hey care", "ann"), embedder=embedder,
                        spotter=KeywordSpotter("hey care"))


def _said(voices: ModuleType, text: str, voice: str = PERSON) -> AudioChunk:
    return voices.conversation([0.5, voices.speak(text, voice), 0.5])


def test_embeddings_come_one_per_80_ms_and_streaming_gives_the_same(voices: ModuleType,
                                                                     embedder: SpeechEmbedder) -> None:
    samples = _said(voices, "hey care, my hip hurts").array()
    whole = embedder.embed(samples)
    assert whole.shape == (len(samples) // int(FRAME_SECONDS * 16_000), DIM) and whole.dtype == np.float32
    stream = embedder.stream()
    pieces = np.concatenate([stream.feed(samples[i:i + 700]) for i in range(0, len(samples), 700)])
    np.testing.assert_allclose(pieces, whole, atol=1e-4)


@pytest.mark.parametrize("snr", [None, 10.0])
def test_the_enrolled_phrase_is_found_in_the_persons_later_request(voices: ModuleType, detector: WakeDetector,
                                                                    snr: float | None) -> None:
    speech = voices.speak("hey care, my leg has gone numb", PERSON)
    audio = voices.conversation([0.5, speech, 0.5])
    if snr is not None:
        audio = voices.mix(audio, voices.babble(8.0, talkers=4, seed=3), snr)
    score = detector.detect(audio)
    assert score.proposed and score.stage == "template" and score.template == "ann:hey care"
    assert detector.confirm(score, audio, transcript_has_phrase=False).woke
    # the phrase ends about 0.6 s into the speech, well before the request does
    assert score.end_seconds is not None and 0.8 < score.end_seconds < 1.6


@pytest.mark.parametrize("text, voice", [
    ("take care on the roads tonight", "awb"),
    ("they care about the truth", "slt"),
    ("the weather turns colder from tomorrow", "awb"),
    ("they care about the truth", "kal"),
])
def test_look_alike_phrases_and_other_talk_are_not_confirmed(voices: ModuleType, detector: WakeDetector,
                                                             text: str, voice: str) -> None:
    audio = _said(voices, text, voice)
    score = detector.detect(audio)
    assert not detector.confirm(score, audio, transcript_has_phrase=False).woke


def test_without_enrollment_the_transcript_and_keyword_search_decide_as_before(voices: ModuleType) -> None:
    class Hears:
        def __init__(self, heard: bool) -> None:
            self.heard = heard

        def spot(self, chunk: AudioChunk) -> object | None:
            return object() if self.heard else None

    audio = _said(voices, "hey care")
    plain = WakeDetector([], spotter=Hears(True))
    score = plain.detect(audio)
    assert score == WakeScore(0.0, None, "transcript", False, None)
    assert plain.confirm(score, audio, transcript_has_phrase=True).how == "said"
    assert not plain.confirm(score, audio, transcript_has_phrase=False).woke
    assert plain.confirm(score, audio, transcript_has_phrase=True).woke
    assert WakeDetector([], spotter=Hears(False)).confirm(score, audio, True).how == "unconfirmed"
    assert WakeDetector([]).confirm(score, audio, True).how == "text"


def test_a_poor_set_up_recording_is_reported_with_its_reason(voices: ModuleType, embedder: SpeechEmbedder) -> None:
    good = voices.conversation([0.3, voices.speak("hey care", PERSON), 0.3])
    quiet = AudioChunk.from_array((good.array() * 0.004).astype(np.int16))
    assert "too quiet" in (check_recording(quiet) or "")
    loud = AudioChunk.from_array(np.clip(good.array().astype(np.int32) * 30, -32768, 32767).astype(np.int16))
    assert "too loud" in (check_recording(loud) or "")
    assert "nothing" in (check_recording(AudioChunk.silence(1.0)) or "")
    long = voices.conversation([0.3, voices.speak("hey care, I would like to hear about my stretches today",
                                                   PERSON), 0.3])
    assert "too long" in (check_recording(long) or "")
    other = voices.conversation([0.3, voices.speak("what time", PERSON), 0.3])
    templates = templates_from_recordings(embedder, [good, good, other], "hey care", "ann")
    assert disagreeing(templates) == [2]


def test_missing_models_give_one_line_with_a_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as caught:
        SpeechEmbedder(tmp_path).embed(np.zeros(16_000, np.int16))
    assert caught.value.line().startswith("Error: the speech-embedding model") and "\n" not in caught.value.line()
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    source = Path(__file__).parents[1] / "voicecare" / "listening" / "data"
    for name in ("melspectrogram.onnx", "embedding_model.onnx"):
        shutil.copy(source / name, damaged / name)
    with open(damaged / "embedding_model.onnx", "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ModelError, match="damaged"):
        SpeechEmbedder(damaged).check()


def test_templates_keep_embeddings_only_and_read_back() -> None:
    frames = np.random.default_rng(1).standard_normal((7, DIM)).astype(np.float32)
    template = WakeTemplate("ann", "hey care", frames)
    assert template.name == "ann:hey care"
    with pytest.raises(AttributeError):
        template.person = "bob"  # type: ignore[misc]
    stored = json.loads(json.dumps(template.to_json()))
    assert set(stored) == {"person", "phrase", "frames", "runon"}
    back = WakeTemplate.from_json(stored)
    assert (back.person, back.phrase, back.runon) == ("ann", "hey care", False)
    runon = WakeTemplate.from_json(WakeTemplate("ann", "hey care", frames, runon=True).to_json())
    assert runon.runon and runon.name == "ann:hey care (run-on)"
    stored.pop("runon")  # written before run-on templates existed
    assert not WakeTemplate.from_json(stored).runon
    np.testing.assert_allclose(back.frames, frames, atol=1e-4)
    with pytest.raises(ValueError):
        WakeTemplate.from_json({"person": "ann", "phrase": "hey care", "frames": [[1.0, 2.0]]})


def test_a_stream_fed_block_by_block_proposes_once_as_the_phrase_ends(voices: ModuleType,
                                                                      detector: WakeDetector) -> None:
    audio = voices.conversation([1.2, voices.speak("the kettle is on", "awb"), 0.6,
                                 voices.speak("hey care, my back is stiff", PERSON), 0.8])
    stream = detector.stream()
    samples = audio.array()
    fired = [score for i in range(0, len(samples), 1600)
             if (score := stream.feed(AudioChunk.from_array(samples[i:i + 1600]))) is not None]
    assert len(fired) == 1 and fired[0].proposed
    phrase_starts = 1.2 + voices.speak("the kettle is on", "awb").seconds + 0.6
    assert phrase_starts + 0.2 < (fired[0].end_seconds or 0.0) < phrase_starts + 1.3


def test_far_field_speech_is_quieter_and_rings_on(voices: ModuleType) -> None:
    speech = voices.speak("hey care", PERSON)
    clip = voices.conversation([0.3, speech, 1.0])
    far = voices.far_field(clip, tail_seconds=0, rumble_below_db=20.0)
    assert far.samples == clip.samples

    def loudest_db(chunk: AudioChunk) -> float:  # the five loudest 20 ms frames: the voice, not its tail
        x = chunk.array().astype(float)
        n = len(x) // 320
        return float(10 * np.log10(np.sort((x[: n * 320].reshape(n, 320) ** 2).mean(axis=1))[-5:].mean()))

    assert -17.0 < loudest_db(far) - loudest_db(clip) < -13.0
    end = int((0.3 + speech.seconds) * 16_000)
    after = slice(end + 1600, end + 4800)  # 0.1-0.3 s after the words: silence, unless it reverberates
    tail = np.sqrt(np.mean((far.array()[after].astype(float)) ** 2))
    dry = np.sqrt(np.mean((clip.array()[after].astype(float)) ** 2))
    assert tail > 10 * max(dry, 1.0)


def test_a_run_on_template_gets_no_noise_allowance_and_the_score_names_it() -> None:
    rng = np.random.default_rng(4)
    said_alone, run_on = (rng.standard_normal((7, DIM)).astype(np.float32) for _ in range(2))
    heard = np.vstack([rng.standard_normal((3, DIM)), run_on, rng.standard_normal((3, DIM))]).astype(np.float32)
    detector = WakeDetector([WakeTemplate("ann", "hey care", said_alone),
                             WakeTemplate("ann", "hey care", run_on, runon=True)])
    noisy, clean = detector.score_frames(heard, spread_db=12.0), detector.score_frames(heard, spread_db=80.0)
    assert detector.allowance(12.0) == pytest.approx(0.16) and detector.allowance(80.0) == 0.0
    assert clean.template == noisy.template == "ann:hey care (run-on)"
    assert noisy.score == noisy.raw == clean.score == pytest.approx(1.0, abs=1e-3)  # no allowance added
    plain = WakeDetector([WakeTemplate("ann", "hey care", run_on)]).score_frames(heard, spread_db=12.0)
    assert plain.template == "ann:hey care" and plain.score == pytest.approx(plain.raw + 0.16, abs=1e-3)
