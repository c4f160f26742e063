"""The learned second opinion: shipped weights, their checksum, the features, and who decides."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from voicecare.messages import Understanding
from voicecare.nlu import Understander
from voicecare.nlu.combine import OFF, RULES_ONLY, Policy, decide
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
    assert nlu.policy != RULES_ONLY


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
        assert 0.0 <= opinion.red <= 1.0


# who decides --------------------------------------------------------------------------------------
def _opinion(intent: str, probability: float, red: float, red_intent: str = "redflag.numbness",
             red_probability: float = 0.0) -> Opinion:
    return Opinion(intent, probability, red, red_intent, red_probability)


RULES_RED = Understanding("x", "redflag.weakness", 0.9, {"side": "left"})
RULES_CALM = Understanding("x", "relief.general", 0.4, {"side": "right"})
POLICY = Policy(veto_sense=0.1, veto_intent=0.8, raise_sense=0.9, raise_intent=0.6, regrade=0.9, override=0.8,
                rules_unsure=0.5)


def test_a_veto_needs_both_heads_to_agree() -> None:
    final, way = decide(RULES_RED, _opinion("unknown", 0.95, 0.05), POLICY)
    assert (final.intent, way) == ("unknown", "veto")
    assert final.slots == {"side": "left"} and final.score == 0.0
    assert decide(RULES_RED, _opinion("unknown", 0.95, 0.2), POLICY)[1] == "rules"
    assert decide(RULES_RED, _opinion("unknown", 0.7, 0.05), POLICY)[1] == "rules"
    assert decide(RULES_RED, _opinion("redflag.fever", 0.95, 0.05), POLICY)[1] == "rules"


def test_a_raise_needs_a_sure_sense_and_is_blocked_by_a_denial() -> None:
    sure = _opinion("redflag.numbness", 0.7, 0.95, "redflag.numbness", 0.7)
    final, way = decide(RULES_CALM, sure, POLICY)
    assert (final.intent, way, final.severity.value) == ("redflag.numbness", "raise", "urgent")
    assert final.slots == {"side": "right"}
    assert decide(RULES_CALM, sure, POLICY, denied_red=True)[1] == "rules"
    assert decide(RULES_CALM, _opinion("redflag.numbness", 0.7, 0.85, "redflag.numbness", 0.7), POLICY)[1] == "rules"
    assert decide(RULES_CALM, _opinion("unknown", 0.5, 0.95, "redflag.numbness", 0.4), POLICY)[1] == "rules"


def test_regrade_and_override_need_a_sure_model() -> None:
    assert decide(RULES_RED, _opinion("redflag.trauma", 0.95, 0.99, "redflag.trauma", 0.95), POLICY)[0].intent == "redflag.trauma"
    assert decide(RULES_RED, _opinion("redflag.trauma", 0.8, 0.99, "redflag.trauma", 0.8), POLICY)[0].intent == "redflag.weakness"
    emergency = Understanding("x", "redflag.emergency", 0.9)
    assert decide(emergency, _opinion("redflag.trauma", 0.99, 0.99, "redflag.trauma", 0.99), POLICY)[1] == "rules"
    assert decide(RULES_CALM, _opinion("relief.glute", 0.9, 0.01), POLICY)[0].intent == "relief.glute"
    sure_rules = Understanding("x", "relief.general", 0.7)
    assert decide(sure_rules, _opinion("relief.glute", 0.9, 0.01), POLICY)[1] == "rules"


def test_rules_only_never_changes_the_rules_answer() -> None:
    assert RULES_ONLY.veto_sense == OFF
    for opinion in (_opinion("unknown", 1.0, 0.0), _opinion("redflag.fever", 1.0, 1.0, "redflag.fever", 1.0),
                    _opinion("relief.cold", 1.0, 0.0)):
        for rules in (RULES_RED, RULES_CALM, Understanding("x", "unknown", 0.0)):
            assert decide(rules, opinion, RULES_ONLY) == (rules, "rules")


def test_explain_says_who_decided(nlu: Understander) -> None:
    explained = nlu.explain("my hip is cramping on the left")
    assert explained.opinion is not None and explained.decided_by == "rules"
    assert explained.final.intent == "relief.general" and explained.final.side == "left"
    empty = nlu.explain("   ")
    assert empty.final.intent == "unknown" and empty.opinion is None


# training -----------------------------------------------------------------------------------------
def test_the_shipped_model_was_trained_on_the_corpora_in_the_repository() -> None:
    from collections import Counter

    from voicecare.nlu.training.data import dedupe, training_rows, validation_rows

    counts = Counter(r.source for r in dedupe(training_rows() + validation_rows()))
    trained_on = read_manifest().trained_on
    assert counts["written"] == trained_on["written"] > 2000
    assert counts["generated"] == trained_on["generated"] > 500


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
    assert np.array_equal(first.sense_weights, second.sense_weights)
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
    from voicecare.nlu.training.data import training_rows, validation_rows

    seen = {normalize(r.text) for r in training_rows() + validation_rows()}
    assert not {normalize(t) for t in NOT_OURS + [_pair(p)[0] for p in OURS]} & seen


@pytest.mark.parametrize("text", NOT_OURS)
def test_everyday_senses_and_other_peoples_mishaps_raise_no_red_flag(nlu: Understander, text: str) -> None:
    assert not nlu.understand(text).is_red_flag


@pytest.mark.parametrize("text,flag", OURS)
def test_the_body_of_the_person_or_the_one_they_care_for_keeps_its_red_flag(nlu: Understander, text: str, flag: str) -> None:
    assert nlu.understand(text).intent == flag


def test_the_model_can_only_add_red_flags_the_rules_would_keep(nlu: Understander) -> None:
    """A red flag the rules raise stays a red flag unless both heads are nearly certain it is not."""
    rules_only = Understander(nlu.matcher)
    for text, _ in map(_pair, OURS):
        if rules_only.understand(text).is_red_flag:
            assert nlu.understand(text).is_red_flag


def test_a_less_likely_reading_raises_no_red_flag_on_the_model_alone() -> None:
    from voicecare.nlu import Understander

    nlu = Understander.load()
    raised = next(t for t in ("my leg is fun", "my leg is wobbly", "my leg feels odd", "the muscles in my lower leg feel switched off")
                  if nlu.explain(t).decided_by == "raise")
    assert nlu.understand(raised).is_red_flag
    assert not nlu.understand_alternative(raised).is_red_flag
    assert nlu.understand_alternative("my leg has gone numb").intent == "redflag.numbness"
