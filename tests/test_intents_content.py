"""The intent examples and the lexicon are validated on load, with errors naming file, entry and fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from voicecare.content.intents import MIN_EXAMPLES, load_intents
from voicecare.content.loader import DEFAULT_CONTENT_DIR
from voicecare.errors import ContentError
from voicecare.messages import INTENTS
from voicecare.nlu import EXTRA_INTENTS, Understander
from voicecare.nlu.lexicon import load_lexicon
from voicecare.nlu.normalize import normalize


def test_every_intent_has_enough_distinct_examples() -> None:
    examples = load_intents()
    assert set(examples) == set(INTENTS) | set(EXTRA_INTENTS)
    for intent, phrases in examples.items():
        assert len(phrases) >= MIN_EXAMPLES, intent
        assert len({normalize(p) for p in phrases}) == len(phrases), intent


def test_examples_are_understood_as_their_own_intent() -> None:
    nlu = Understander.load()
    wrong = [(i, p, nlu.understand(p).intent) for i, ps in load_intents().items() for p in ps
             if nlu.understand(p).intent != i]
    assert not wrong


def test_lexicon_rules_are_the_red_flags_alone() -> None:
    """Every other intent is learned from examples: the rules only guard the red flags."""
    lexicon = load_lexicon()
    assert {r.intent for r in lexicon.rules} == {i for i in INTENTS if i.startswith("redflag.")}


@pytest.fixture()
def content(tmp_path: Path) -> Path:
    for name in ("intents.toml", "lexicon.toml"):
        shutil.copy(DEFAULT_CONTENT_DIR / name, tmp_path / name)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_duplicate_example_across_intents(content: Path) -> None:
    _edit(content / "intents.toml", '"pause", "hold on",', '"pause", "hold on", "Carry on!",')
    with pytest.raises(ContentError) as err:
        load_intents(content)
    assert "intents.toml" in err.value.line() and "carry on" in err.value.line().lower()
    assert "control.resume" in err.value.line()


def test_unknown_intent_id(content: Path) -> None:
    _edit(content / "intents.toml", '[intents."relief.cold"]', '[intents."relief.colde"]')
    with pytest.raises(ContentError) as err:
        load_intents(content)
    assert "relief.colde" in err.value.line() and "—" in err.value.line()


def test_too_few_examples(content: Path) -> None:
    _edit(content / "intents.toml", 'examples = ["start", "let\'s begin", "go", "ready",', 'examples = [')
    with pytest.raises(ContentError) as err:
        load_intents(content)
    assert "control.start" in err.value.line() and "at least 12" in err.value.line()


def test_missing_intent(content: Path) -> None:
    text = (content / "intents.toml").read_text()
    start = text.index('[intents."info.sleep"]')
    end = text.index('[intents."info.nutrition"]')
    (content / "intents.toml").write_text(text[:start] + text[end:])
    with pytest.raises(ContentError, match="info.sleep"):
        load_intents(content)


def test_lexicon_rule_with_unknown_concept(content: Path) -> None:
    _edit(content / "lexicon.toml", 'when = [["fever", "!normal_temp"], ', 'when = [["feever"], ')
    with pytest.raises(ContentError) as err:
        load_lexicon(content)
    assert "lexicon.toml" in err.value.line() and "feever" in err.value.line()


def test_lexicon_unknown_key_and_bad_weight(content: Path) -> None:
    _edit(content / "lexicon.toml", '[intents."redflag.function"]\n', '[intents."redflag.function"]\nmax_otter = 1\n')
    with pytest.raises(ContentError, match="max_otter"):
        load_lexicon(content)


def test_lexicon_bad_weight(content: Path) -> None:
    _edit(content / "lexicon.toml", "weights = { fever = 4, ", "weights = { fever = \"high\", ")
    with pytest.raises(ContentError, match="fever"):
        load_lexicon(content)


def test_lexicon_bad_phrase(content: Path) -> None:
    _edit(content / "lexicon.toml", 'hip = ["hip",', 'hip = ["* hip",')
    with pytest.raises(ContentError, match=r"\*"):
        load_lexicon(content)


def test_lexicon_rule_for_unknown_intent(content: Path) -> None:
    _edit(content / "lexicon.toml", '[intents."redflag.fever"]', '[intents."redflag.feever"]')
    with pytest.raises(ContentError, match="redflag.feever"):
        load_lexicon(content)


def test_broken_toml(content: Path) -> None:
    (content / "lexicon.toml").write_text("[words\n")
    with pytest.raises(ContentError, match="lexicon.toml"):
        Understander.load(content)


def test_lexicon_anywhere_names_unknown_concept(content: Path) -> None:
    _edit(content / "lexicon.toml", 'anywhere = ["legfoot",', 'anywhere = ["legfeet",')
    with pytest.raises(ContentError, match="legfeet"):
        load_lexicon(content)
