"""The learned model: shipped weights, their checksum, the features, its sense heads, and the rules' guards."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from voicecare.messages import Understanding
from voicecare.nlu import Understander
from voicecare.nlu.combine import MODEL_ONLY, OFF, Policy, decide
from voicecare.nlu.features import MAX_WORDS, featurize
from voicecare.nlu.model import MANIFEST_NAME, MODEL_DIR, WEIGHTS_NAME, LearnedModel, ModelError, Opinion, file_sha256, read_manifest


@pytest.fixture(scope="module")
def model() -> LearnedModel:
    return LearnedModel.load()


@pytest.fixture(scope="module")
def nlu() -> Understander:
    return Understander.load()


def test_shipped_weights_match_their_manifest() -> None:
    manifest = read_manifest()
    assert file_sha256(MODEL_DIR / WEIGHTS_NAME) == manifest.sha256
    assert set(Policy.from_thresholds(manifest.thresholds).as_thresholds()) == set(manifest.thresholds)
    assert sum(manifest.trained_on.values()) > 5000


def test_the_understander_uses_the_shipped_model(nlu: Understander) -> None:
    assert nlu.learned
    assert nlu.policy == Policy.from_thresholds(read_manifest().thresholds)
    assert nlu.policy != MODEL_ONLY


def _copy_model(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    shutil.copytree(MODEL_DIR, folder)
    return folder


def test_altered_weights_are_refused_and_the_rules_answer_alone(tmp_path: Path, caplog) -> None:
    folder = _copy_model(tmp_path)
    data = bytearray((folder / WEIGHTS_NAME).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / WEIGHTS_NAME).write_bytes(bytes(data))
    with pytest.raises(ModelError, match="SHA-256"):
        LearnedModel.load(folder)
    nlu = Understander.load(model_dir=folder)
    assert not nlu.learned
    assert "rules alone" in caplog.text
    assert nlu.understand("my leg has gone numb").intent == "redflag.numbness"


@pytest.mark.parametrize("damage", ["missing manifest", "missing weights", "other format", "not json"])
def test_a_broken_install_says_how_to_fix_it(tmp_path: Path, damage: str) -> None:
    folder = _copy_model(tmp_path)
    manifest = folder / MANIFEST_NAME
    if damage == "missing manifest":
        manifest.unlink()
    elif damage == "missing weights":
        (folder / WEIGHTS_NAME).unlink()
    elif damage == "other format":
        data = json.loads(manifest.read_text())
        manifest.write_text(json.dumps({**data, "format": 99}))
    else:
        manifest.write_text("{not json")
    with pytest.raises(ModelError, match="voicecare.nlu.training|reinstall"):
        LearnedModel.load(folder)


def test_features_carry_misspellings_to_the_written_word() -> None:
    written, slip = set(featurize("my leg is tingling", ["@numb"])), set(featurize("my leg is tinglin"))
    assert {"t:@numb", "w:tingling"} <= written
    assert "w:tingling" not in slip
    assert {"c:ting", "c:ingl", "c:ngli"} <= written & slip
    assert featurize("") == [] and featurize("?!") == []
    assert sum(f.startswith("w:") for f in featurize("word " * 500)) == MAX_WORDS


def test_run_time_vectors_equal_the_training_matrix(model: LearnedModel, nlu: Understander) -> None:
    pytest.importorskip("scipy")
    from voicecare.nlu.training.data import Example
    from voicecare.nlu.training.fit import _matrix

    tagger = nlu.matcher.concept_tags
    texts = ["my left hip is cramping", "can I put a frozen water bottle on it", "no numbness, my leg feels weak"]
    assert "!numb" in tagger(texts[2])
    matrix = _matrix([Example(t, "unknown", "", "test") for t in texts], model._vocabulary, model._idf, tagger).toarray()
    for row, text in zip(matrix, texts):
        cols, values = model.vector(text, tagger(text))
        dense = np.zeros(len(model._vocabulary), dtype=np.float32)
        dense[cols] = values
        assert np.allclose(dense, row, atol=1e-6)
        assert abs(float(np.linalg.norm(dense)) - 1.0) < 1e-5


def test_probabilities_are_a_distribution(model: LearnedModel) -> None:
    for text in ("my hip is cramping", "zzz qqq", "what's the weather"):
        probs = model.probabilities(text)
        assert abs(sum(probs.values()) - 1.0) < 1e-4
        opinion = model.opinion(text)
        assert opinion.probability == pytest.approx(max(probs.values()), abs=1e-6)
        assert 0.0 <= opinion.red_mass <= 1.0 and 0.0 <= opinion.body_now <= 1.0
        assert abs(sum(opinion.who.values()) - 1.0) < 1e-4 and abs(sum(opinion.when.values()) - 1.0) < 1e-4


# who decides --------------------------------------------------------------------------------------
def _opinion(intent: str, probability: float, red_mass: float, red_intent: str = "redflag.numbness",
             red_probability: float = 0.0, body_now: float = 1.0, second: str = "relief.general") -> Opinion:
    """An opinion whose sense heads multiply to ``body_now`` (who and when sure, denial ``1 - body_now``)."""
    return Opinion(intent, probability, red_intent, red_probability, red_mass, {"self": 1.0}, {"now": 1.0},
                   1.0 - body_now, second, 1.0 - probability)


RULES_RED = Understanding("x", "redflag.weakness", 0.9, {"side": "left"})
RULES_CALM = Understanding("x", "relief.general", 0.4, {"side": "right"})
POLICY = Policy(floor_mass=0.2, floor_score=0.6, floor_body=0.05, sense_gate=0.03, severer=1.0)


def test_the_model_decides_with_the_rules_slots() -> None:
    final, way = decide(RULES_CALM, _opinion("relief.glute", 0.9, 0.01), POLICY)
    assert (final.intent, final.slots, way) == ("relief.glute", {"side": "right"}, "model")
    final, way = decide(RULES_CALM, _opinion("redflag.fever", 0.8, 0.9, "redflag.fever", 0.8), POLICY)
    assert (final.intent, final.severity.value, final.slots, way) == ("redflag.fever", "urgent", {"side": "right"}, "model")
    final, way = decide(RULES_RED, _opinion("redflag.emergency", 0.9, 0.95, "redflag.emergency", 0.9), POLICY)
    assert (final.intent, way) == ("redflag.emergency", "model")  # the model's kind of red flag, not the rules'
    assert decide(RULES_CALM, _opinion("unknown", 0.9, 0.0), POLICY)[0].score == 0.0


def test_the_floor_keeps_a_clear_red_flag_of_the_rules_the_model_half_saw() -> None:
    assert decide(RULES_RED, _opinion("relief.general", 0.6, 0.3), POLICY) == (RULES_RED, "floor")
    assert decide(RULES_RED, _opinion("relief.general", 0.6, 0.1), POLICY)[1] == "model"  # the model saw no red flag at all
    unsure_rules = Understanding("x", "redflag.weakness", 0.5)
    assert decide(unsure_rules, _opinion("relief.general", 0.6, 0.3), POLICY)[1] == "model"
    assert decide(RULES_RED, _opinion("relief.general", 0.6, 0.3, body_now=0.01), POLICY)[1] == "model"  # not our body now


def test_of_two_red_flag_readings_the_graver_stands() -> None:
    emergency = Understanding("x", "redflag.emergency", 0.9)
    numb = _opinion("redflag.numbness", 0.9, 0.95, "redflag.numbness", 0.9)
    assert decide(emergency, numb, POLICY) == (emergency, "severer")
    assert decide(emergency, numb, Policy())[0].intent == "redflag.numbness"


def test_a_threshold_makes_an_unsure_answer_unknown_but_never_a_red_flag() -> None:
    assert decide(RULES_CALM, _opinion("relief.glute", 0.25, 0.0), POLICY, 0.3)[0].intent == "unknown"
    assert decide(RULES_CALM, _opinion("redflag.fever", 0.25, 0.6, "redflag.fever", 0.25), POLICY, 0.3)[0].intent == "redflag.fever"


def test_the_sense_gate_drops_a_red_flag_about_another_body_or_time() -> None:
    final, way = decide(RULES_CALM, _opinion("redflag.numbness", 0.9, 0.9, "redflag.numbness", 0.9, body_now=0.01,
                                             second="unknown"), POLICY)
    assert (final.intent, way) == ("unknown", "sense")
    assert decide(RULES_CALM, _opinion("redflag.numbness", 0.9, 0.9, body_now=0.5), POLICY)[1] == "model"


def test_the_model_alone_policy_never_takes_the_rules_answer() -> None:
    assert MODEL_ONLY.floor_mass == OFF
    for opinion in (_opinion("unknown", 1.0, 0.0), _opinion("redflag.fever", 1.0, 1.0, "redflag.fever", 1.0, body_now=0.0),
                    _opinion("relief.cold", 1.0, 0.9)):
        for rules in (RULES_RED, RULES_CALM, Understanding("x", "unknown", 0.0)):
            final, way = decide(rules, opinion, MODEL_ONLY)
            assert (final.intent, way) == (opinion.intent, "model")


def test_explain_says_who_decided(nlu: Understander) -> None:
    explained = nlu.explain("my hip is cramping on the left")
    assert explained.opinion is not None and explained.decided_by == "model"
    assert explained.final.intent == "relief.general" and explained.final.side == "left"
    empty = nlu.explain("   ")
    assert empty.final.intent == "unknown" and empty.opinion is None


# the sense heads ----------------------------------------------------------------------------------
SENSES = [
    ("my left foot has gone numb", "self", "now"),
    ("my husband says his leg keeps giving way", "cared_for", "now"),
    ("a woman on the radio said her legs went numb", "other", "now"),
    ("the spaniel can't get up the stairs", "animal", "now"),
    ("the garden gate gave way in the wind", "object", "now"),
    ("years ago my foot went numb after an operation but it's fine now", "self", "past"),
    ("what if my leg gives way on the stairs", "self", "hypothetical"),
]


@pytest.mark.parametrize("text,who,when", SENSES)
def test_the_sense_heads_say_whose_body_and_when(model: LearnedModel, text: str, who: str, when: str) -> None:
    opinion = model.opinion(text)
    assert (opinion.head("who"), opinion.head("when")) == (who, when)


def test_the_denial_head_hears_a_symptom_said_not_to_be_there(model: LearnedModel) -> None:
    assert model.opinion("my foot isn't numb at all, it's only the bum cramping").denied > 0.5
    assert model.opinion("my foot is numb and it's only getting worse").denied < 0.5


def test_the_sense_rows_are_reproducible_and_labelled() -> None:
    from voicecare.nlu.model import WHEN, WHO
    from voicecare.nlu.training.sense import generate_sense

    rows = generate_sense()
    assert rows == generate_sense() and rows != generate_sense(seed=5)
    assert {r.who for r in rows} <= set(WHO) and {r.when for r in rows} <= set(WHEN)
    assert not any(r.intent.startswith("redflag.") for r in rows if r.who not in ("self", "cared_for")
                   or r.when in ("past", "hypothetical") or r.denied == "yes")


# training -----------------------------------------------------------------------------------------
def test_the_shipped_model_was_trained_on_the_corpora_in_the_repository() -> None:
    from collections import Counter

    from voicecare.nlu.training.__main__ import shipped_rows

    counts = Counter(r.source for r in shipped_rows())
    trained_on = read_manifest().trained_on
    assert counts == Counter(trained_on)
    assert counts["written"] > 2000 and counts["generated"] > 500 and counts["sense"] > 300


def test_the_generated_corpus_is_reproducible_and_labelled_with_contract_ids() -> None:
    from voicecare.nlu.extra import ALL_INTENTS
    from voicecare.nlu.training.corpus import generate

    rows = generate()
    assert rows == generate() and rows != generate(seed=12)
    assert {intent for _, intent, _ in rows} <= set(ALL_INTENTS)
    assert all(side in ("", "left", "right") for _, _, side in rows)


def test_fitting_is_deterministic_and_learns_its_rows() -> None:
    pytest.importorskip("sklearn")
    from voicecare.nlu.training.data import training_rows
    from voicecare.nlu.training.fit import fit

    rows = [r for r in training_rows() if r.source == "content"][::6]
    first, second = fit(rows), fit(rows)
    assert first.vocabulary == second.vocabulary
    assert np.array_equal(first.intent_weights, second.intent_weights)
    assert all(np.array_equal(first.heads[name][0], second.heads[name][0]) for name in ("who", "when", "denied"))
    model = first.model()
    assert sum(model.opinion(r.text).intent == r.intent for r in rows) / len(rows) > 0.95


# the combination on phrasings in no training row -------------------------------------------------
NOT_OURS = [
    "my granddaughter tumbled off the see-saw but she's giggling away",
    "the leg on the coffee table has gone all wobbly",
    "the bookshelf in the hall gave way this morning",
    "my nephew's hay fever is awful this spring",
]
OURS = [
    ("my dad's leg keeps giving way on the stairs", "redflag.weakness"),
    ("I slipped in the shower this morning and landed on my hip", "redflag.trauma"),
    ("there's pins and needles right down the back of my leg", "redflag.numbness"),
    ("I wet myself in the chair without noticing", "redflag.emergency"),
    ("I've just wet the chair and never felt a thing", "redflag.emergency"),  # the rules read 'chair' as ergonomics
]


def _pair(case) -> tuple[str, str]:
    return tuple(case.values) if hasattr(case, "values") else case


def test_new_phrasings_are_not_training_rows() -> None:
    from voicecare.nlu.normalize import normalize
    from voicecare.nlu.training.__main__ import shipped_rows

    seen = {normalize(r.text) for r in shipped_rows()}
    assert not {normalize(t) for t in NOT_OURS + [_pair(p)[0] for p in OURS]} & seen


@pytest.mark.parametrize("text", NOT_OURS)
def test_everyday_senses_and_other_peoples_mishaps_raise_no_red_flag(nlu: Understander, text: str) -> None:
    assert not nlu.understand(text).is_red_flag


@pytest.mark.parametrize("text,flag", OURS)
def test_the_body_of_the_person_or_the_one_they_care_for_keeps_its_red_flag(nlu: Understander, text: str, flag: str) -> None:
    assert nlu.understand(text).intent == flag


def test_a_less_likely_reading_raises_a_red_flag_only_when_the_rules_see_it_too(nlu: Understander) -> None:
    raised = next(t for t in ("my leg is fun", "my leg is wobbly", "my leg feels odd", "the muscles in my lower leg feel switched off",
                              "my leg feels like jelly")
                  if nlu.understand(t).is_red_flag and not nlu.explain(t).rules.is_red_flag)
    assert not nlu.understand_alternative(raised).is_red_flag
    assert nlu.understand_alternative("my leg has gone numb").intent == "redflag.numbness"
