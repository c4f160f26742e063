"""Speaker verification on real synthesized voices, and the numpy encoder against its reference."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.speaker_signals import REFERENCE_SIGNALS, synthetic_voice
from voicecare.audio.chunk import AudioChunk
from voicecare.errors import ModelError
from voicecare.listening import speaker_encoder as enc
from voicecare.listening.speaker_encoder import SpeakerEncoder
from voicecare.listening.speaker_verify import SpeakerVerifier, VerifierSettings, VoicePrint

ENROLL = ("hey care", "Hey, care!", "hey care?", "the quick brown fox jumps over the lazy dog")
"""Three ways of saying the wake phrase (a synthesizer says one text the same way every time)
and the optional enrollment sentence."""
LINES = ("my left leg has gone numb and I can't feel my foot",
         "could you start my daily stretches please",
         "I fell over in the garden and I can't get up")


@pytest.fixture(scope="module")
def encoder() -> SpeakerEncoder:
    return SpeakerEncoder()


@pytest.fixture(scope="module")
def prints(voices, encoder) -> dict[str, VoicePrint]:
    return {v: VoicePrint.enroll(v, [voices.speak(t, v) for t in ENROLL], encoder) for v in ("slt", "rms", "awb")}


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_numpy_network_matches_the_reference_embeddings(encoder):
    reference = np.load(Path(__file__).parent / "data" / "speaker_reference.npz")
    full = SpeakerEncoder(max_partials=None)
    for seed, f0, seconds in REFERENCE_SIGNALS:
        mine = full.partial_embeddings(synthetic_voice(seed, f0, seconds)).mean(axis=0)
        assert _cos(mine, reference[f"signal_{seed}"]) >= 0.999


def test_embedding_is_unit_length_and_ignores_loudness(voices, encoder):
    chunk = voices.speak(LINES[0], "slt")
    quiet = AudioChunk.from_array((chunk.array() * 0.1).astype(np.int16))
    a, b = encoder.embed(chunk), encoder.embed(quiet)
    assert a.shape == (256,) and abs(float(np.linalg.norm(a)) - 1.0) < 1e-4
    assert _cos(a, b) > 0.99


def test_each_voice_is_matched_to_its_own_print(voices, encoder, prints):
    verifier = SpeakerVerifier(prints.values(), encoder=encoder)
    for voice in prints:
        for line in LINES:
            match = verifier.verify(voices.speak(line, voice))
            assert match.closest == voice, (voice, line, match)
            assert match.verdict != "other"


def test_another_voice_is_not_taken_for_the_person(voices, encoder, prints):
    verifier = SpeakerVerifier([prints["slt"]], encoder=encoder)
    for voice in ("rms", "espeak:en-us", "awb"):
        for line in LINES:
            match = verifier.verify(voices.speak(line, voice))
            assert match.verdict != "person" and match.person is None, (voice, line, match)
    own = verifier.verify(voices.speak(LINES[0], "slt"))
    assert own.verdict != "other"


def test_an_utterance_under_the_minimum_length_is_unsure(voices, encoder, prints):
    verifier = SpeakerVerifier(prints.values(), encoder=encoder)
    for word in ("yes", "stop"):
        match = verifier.verify(voices.speak(word, "slt"))
        assert match.speech_seconds < verifier.settings.min_speech_seconds
        assert match.verdict == "unsure" and match.person is None


def test_nobody_enrolled_is_unsure(voices, encoder):
    match = SpeakerVerifier([], encoder=encoder).verify(voices.speak(LINES[0], "slt"))
    assert match.verdict == "unsure" and match.closest is None


def test_adaptation_moves_the_print_and_stays_bounded(voices, encoder, prints):
    settings = VerifierSettings(adapt_keep=3)
    verifier = SpeakerVerifier([prints["rms"]], settings, encoder)
    line = voices.speak("I have been doing the stretches every morning this week", "rms")
    before = verifier.judge(encoder.encode(line)).similarity
    sentences = ["the kettle is on and the post has come", "my daughter is visiting on sunday afternoon",
                 "I walked to the shop and back without stopping", "the heat pack helped a little last night",
                 "remind me to take my tablets at six"]
    for text in sentences:
        assert verifier.adapt("rms", encoder.encode(voices.speak(text, "rms")))
    adapted = verifier.prints[0]
    assert adapted.embeddings.shape == (len(ENROLL) + 3, 256)
    np.testing.assert_array_equal(adapted.embeddings[: len(ENROLL)], prints["rms"].embeddings)
    after = verifier.judge(encoder.encode(line))
    assert after.similarity > before
    default = SpeakerVerifier([adapted], encoder=encoder)  # the shipped thresholds
    assert default.judge(encoder.encode(line)).verdict == "person"
    assert default.verify(voices.speak("I have been doing the stretches every morning", "awb")).verdict != "person"


def test_adaptation_refuses_a_short_or_unlike_utterance(voices, encoder, prints):
    verifier = SpeakerVerifier([prints["slt"]], VerifierSettings(adapt_min_similarity=0.6), encoder)
    assert not verifier.adapt("slt", encoder.encode(voices.speak("yes", "slt")))
    assert not verifier.adapt("slt", encoder.encode(voices.speak(LINES[1], "espeak:en-us")))
    assert not verifier.adapt("nobody", encoder.encode(voices.speak(LINES[1], "slt")))
    assert verifier.prints[0].embeddings.shape[0] == len(ENROLL)


def test_a_print_is_stored_as_numbers_and_read_back(prints):
    data = prints["slt"].to_dict()
    assert set(data) == {"person", "enrolled", "embeddings"}
    back = VoicePrint.from_dict(data)
    assert back.person == "slt" and back.enrolled == len(ENROLL)
    assert np.allclose(back.embeddings, prints["slt"].embeddings, atol=1e-4)


def test_missing_weights_give_one_line_error(tmp_path, voices):
    with pytest.raises(ModelError) as caught:
        SpeakerEncoder(tmp_path).embed(voices.speak("hello", "slt"))
    line = caught.value.line()
    assert "\n" not in line and "missing" in line and "convert_speaker_encoder" in line


def test_corrupt_weights_give_one_line_error(tmp_path):
    for name in (enc.WEIGHTS_NAME, enc.MANIFEST_NAME):
        shutil.copyfile(enc.DATA_DIR / name, tmp_path / name)
    weights = tmp_path / enc.WEIGHTS_NAME
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelError) as caught:
        SpeakerEncoder(tmp_path).load()
    line = caught.value.line()
    assert "\n" not in line and "corrupt" in line


def test_speech_from_the_floor_is_quieter_and_rings_on(voices):
    clean = voices.speak(LINES[0], "rms")
    far = voices.from_the_floor(clean)
    assert far.seconds == pytest.approx(clean.seconds + 0.5, abs=0.01)
    drop = 20 * np.log10(voices.active_level(clean) / voices.active_level(far))
    assert 12.0 < drop < 18.0
    frames = clean.array()[: clean.samples // 160 * 160].astype(float).reshape(-1, 160)
    energy = (frames**2).mean(axis=1)
    end = 160 * (int(np.nonzero(energy > energy.max() * 1e-4)[0][-1]) + 1)  # the voice's last 10 ms
    tail = far.array()[end : end + 800].astype(float) / 32768
    later = far.array()[-1600:].astype(float) / 32768
    assert np.mean(tail**2) > 1.5 * np.mean(later**2)  # the room rings on for a while after the voice


def test_weak_speech_is_faster_and_quieter(voices):
    clean = voices.speak(LINES[0], "rms")
    weak = voices.weakly(clean)
    assert weak.seconds == pytest.approx(clean.seconds / 1.25, rel=0.05)
    assert 20 * np.log10(voices.active_level(clean) / voices.active_level(weak)) > 15.0


def test_silence_is_unsure_not_an_error(encoder, prints):
    match = SpeakerVerifier(prints.values(), encoder=encoder).verify(AudioChunk.silence(0.4))
    assert match.verdict == "unsure" and match.speech_seconds == 0.0


def test_one_window_of_a_long_utterance_keeps_its_voice(voices):
    chunk = voices.speak("I fell on the patio this morning and now my hip really hurts when I try to stand up", "kal")
    one, every = SpeakerEncoder(max_partials=1).embed(chunk), SpeakerEncoder(max_partials=None).embed(chunk)
    other = SpeakerEncoder(max_partials=1).embed(voices.speak("I fell on the patio this morning", "rms"))
    assert _cos(one, every) > 0.9 > _cos(one, other)


def _unit(*parts: tuple[int, float]) -> np.ndarray:
    vector = np.zeros(256, np.float32)
    for index, value in parts:
        vector[index] = value
    return vector / np.linalg.norm(vector)


def _heard(vector: np.ndarray, seconds: float = 2.0):
    from voicecare.listening.speaker_encoder import Embedding

    return Embedding(vector=vector, speech_seconds=seconds)


PERSON = _unit((0, 1.0))
ACTOR = _unit((1, 1.0), (0, 0.2))
"""Another voice, far from the person's (similarity 0.2: "other")."""
ACTOR_AGAIN = _unit((1, 1.0), (0, 0.9))
"""The same actor in a line that sounds nearer the person (0.67: unsure), yet 0.94 like their last line."""


def _print(rows: int) -> VoicePrint:
    return VoicePrint("person", np.stack([PERSON] * rows), enrolled=rows)


def test_a_voice_heard_as_another_is_known_again_when_a_line_of_it_is_unsure():
    verifier = SpeakerVerifier([_print(4)])
    assert verifier.judge(_heard(ACTOR_AGAIN)).verdict == "unsure"  # nothing heard before it
    assert verifier.judge(_heard(ACTOR)).verdict == "other"
    again = verifier.judge(_heard(ACTOR_AGAIN))
    assert again.verdict == "other" and again.heard_before
    forgetful = SpeakerVerifier([_print(4)], VerifierSettings(others_keep=0))
    forgetful.judge(_heard(ACTOR))
    assert forgetful.judge(_heard(ACTOR_AGAIN)).verdict == "unsure"


def test_remembered_voices_never_overrule_the_person_nor_a_print_of_the_wake_phrases_alone():
    verifier = SpeakerVerifier([_print(4)])
    verifier.judge(_heard(ACTOR))
    near_person = _unit((0, 1.0), (1, 0.3))  # 0.96 like the person: theirs, whatever was heard before
    assert verifier.judge(_heard(near_person)).verdict == "person"
    between = _unit((0, 1.0), (1, 0.8))  # unsure, and not much nearer the actor than the person
    assert verifier.judge(_heard(between)).verdict == "unsure"
    phrases_only = SpeakerVerifier([_print(3)])
    phrases_only.judge(_heard(ACTOR))
    assert phrases_only.judge(_heard(ACTOR_AGAIN)).verdict == "unsure"


def test_only_the_most_recent_other_voices_are_remembered():
    verifier = SpeakerVerifier([_print(4)], VerifierSettings(others_keep=2))
    verifier.judge(_heard(ACTOR))
    for n in range(2):
        verifier.judge(_heard(_unit((2 + n, 1.0))))  # two more voices, both "other"
    assert verifier.judge(_heard(ACTOR_AGAIN)).verdict == "unsure"


def test_the_television_cast_is_known_again_and_the_person_is_not_taken_for_it(voices, encoder):
    """Real voices: the person (slt, enrolled with the sentence) and a television of espeak-ng and kal."""
    person = VoicePrint.enroll("slt", [voices.speak(t, "slt") for t in ENROLL], encoder)
    television = ["and now the weather for the rest of the week", "I told you never to call me at work",
                  "my left leg has gone numb and I can't feel my foot", "the doctor will see you in a moment",
                  "scores level at half time here at the stadium", "I fell over in the garden and I can't get up"]
    lines = [encoder.encode(voices.speak(t, v)) for t in television for v in ("espeak:en-us", "kal")]
    remembering, forgetting = SpeakerVerifier([person]), SpeakerVerifier([person], VerifierSettings(others_keep=0))
    with_memory = [remembering.judge(e) for e in lines]
    without = [forgetting.judge(e) for e in lines]
    assert sum(m.verdict == "other" for m in with_memory) > sum(m.verdict == "other" for m in without)
    assert not any(m.verdict == "person" for m in with_memory)
    for line in LINES:  # the person after all that television: never "other"
        assert remembering.verify(voices.speak(line, "slt")).verdict != "other"


def test_the_voice_stage_says_when_a_word_was_too_short_to_tell_a_voice_by(voices, encoder, prints):
    from voicecare.listening.values import Sound
    from voicecare.listening.voice_stage import VoiceStage

    stage = VoiceStage(SpeakerVerifier([prints["slt"]], encoder=encoder))
    word = stage.check(Sound(voices.speak("stop", "slt"), 0.0, 0.5))
    line = stage.check(Sound(voices.speak(LINES[1], "slt"), 0.0, 2.5))
    assert word is not None and word.verdict == "unsure" and word.brief
    assert line is not None and not line.brief


def test_a_voice_the_person_said_was_not_theirs_is_known_again():
    verifier = SpeakerVerifier([_print(4)])
    assert verifier.judge(_heard(ACTOR_AGAIN)).verdict == "unsure"  # nothing known of this voice yet
    first = _unit((1, 1.0), (0, 0.85))  # the actor's line the person said "no" to: unsure, and not remembered
    assert verifier.judge(_heard(first)).verdict == "unsure"
    assert verifier.judge(_heard(ACTOR_AGAIN)).verdict == "unsure"
    assert verifier.remember_other(_heard(first))
    assert verifier.judge(_heard(ACTOR_AGAIN)).verdict == "other"
    assert not verifier.remember_other(_heard(first, seconds=0.3))  # too little voice to tell it by


def test_a_no_to_an_actors_line_teaches_the_voice_stage_that_actors_voice(voices, encoder):
    """Real voices: the person (slt, enrolled with the sentence), an actor (rms) whose lines are all unsure."""
    from voicecare.listening.values import Sound
    from voicecare.listening.voice_stage import VoiceStage

    person = VoicePrint.enroll("slt", [voices.speak(t, "slt") for t in ENROLL], encoder)
    actor = ["my left leg has gone numb and I can't feel my foot", "I fell over in the garden and I can't get up",
             "I've had a temperature since last night and I'm shivering", "my leg keeps giving way on the stairs",
             "it's the pins and needles all down my shin", "I can't feel anything down there at all"]
    sounds = [Sound(voices.speak(t, "rms"), 0.0, 3.0) for t in actor]
    taught, untaught = (VoiceStage(SpeakerVerifier([person], encoder=encoder)) for _ in range(2))
    denied = taught.check(sounds[0])
    untaught.check(sounds[0])
    assert denied is not None and taught.not_theirs(denied)
    after = [taught.check(s) for s in sounds[1:]]
    before = [untaught.check(s) for s in sounds[1:]]
    assert sum(d.verdict == "other" for d in after) >= sum(d.verdict == "other" for d in before) + 3
    for line in LINES:  # the person after that: never "other"
        assert taught.check(Sound(voices.speak(line, "slt"), 0.0, 3.0)).verdict != "other"
