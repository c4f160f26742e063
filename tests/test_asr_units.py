"""Recognizer parts that need no audio: pronunciations, language model, grammar, engine choice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pocketsphinx import get_model_path

from voicecare.asr import create_recognizer
from voicecare.asr.dictionary import KNOWN, build_lexicon, ipa_to_cmu, read_cmudict
from voicecare.asr.lm import build_arpa, make_spec, number_words, words_of
from voicecare.asr.models import DEFAULT_MODEL
from voicecare.asr.select import parse_engine, resolve_vosk_model
from voicecare.asr.vosk_engine import UNKNOWN, grammar_phrases, parse_results
from voicecare.errors import ConfigError, ModelError

CMUDICT = Path(get_model_path("en-us/cmudict-en-us.dict"))
MUST_ADD = ("glute", "glutes", "flexor", "flexors", "spasming", "naproxen", "adductors", "physiotherapist")
CMU_PHONES = set(
    "AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH UW V W Y Z ZH".split()
)


def test_domain_words_missing_from_cmudict_are_found_and_filled() -> None:
    present = read_cmudict(CMUDICT, set(MUST_ADD) | {"hip", "stretch"})
    assert set(present) == {"hip", "stretch"}  # the brief's list really is missing
    lexicon = build_lexicon([*MUST_ADD, "hip", "stretch", "iliopsoas", "clamshells"], CMUDICT)
    assert set(lexicon.added) == set(MUST_ADD) | {"iliopsoas", "clamshells"}
    for word in MUST_ADD:
        assert lexicon.added[word] == "table"
    assert lexicon.added["iliopsoas"] == lexicon.added["clamshells"] == "espeak-ng"  # letter-to-sound fallback
    for word, prons in lexicon.entries.items():
        for phones in prons:
            assert set(phones.split()) <= CMU_PHONES, (word, phones)


def test_ipa_mapping_gives_cmu_phones() -> None:
    assert ipa_to_cmu("ɡlˈuːts") == "G L UW T S"
    assert ipa_to_cmu("spˈæzəmɪŋ") == "S P AE Z AH M IH NG"
    assert ipa_to_cmu("tʃˈɑːɹdʒ") == "CH AA R JH"


def test_lexicon_writes_sphinx_format_with_variants(tmp_path: Path) -> None:
    lexicon = build_lexicon(["naproxen", "the"], CMUDICT)
    out = tmp_path / "d.dict"
    lexicon.write(out)
    lines = out.read_text().splitlines()
    assert f"naproxen {KNOWN['naproxen'][0]}" in lines
    assert f"naproxen(2) {KNOWN['naproxen'][1]}" in lines
    assert any(line.startswith("the(2) ") for line in lines)


def test_words_of_spells_numbers_and_drops_punctuation() -> None:
    assert words_of("Hold it for 30 seconds, then ease off!") == "hold it for thirty seconds then ease off".split()
    assert words_of("I can’t lift my left hip-flexor") == ["i", "can't", "lift", "my", "left", "hip", "flexor"]
    assert number_words(440) == "four hundred forty"


def test_language_model_weights_domain_above_general() -> None:
    spec = make_spec(["my hip is spasming"], ["heat"], [("the", -1.4), ("government", -3.5)], general_share=0.2)
    arpa = build_arpa(spec)
    unigrams = {parts[1]: float(parts[0]) for parts in (line.split() for line in arpa.split("\\1-grams:")[1]
                                                      .split("\\2-grams:")[0].splitlines()) if len(parts) >= 2}
    assert {"hip", "spasming", "heat", "the", "government"} <= set(unigrams)
    assert unigrams["spasming"] > unigrams["government"]
    assert "my hip is" in arpa  # the domain trigram is there
    same = make_spec(["My hip is spasming!"], ["heat"], [("the", -1.4), ("government", -3.5)], general_share=0.2)
    assert same.key() == spec.key()  # normalization makes the cache key stable


def test_vosk_grammar_has_phrases_words_and_unknown_path() -> None:
    grammar = grammar_phrases(["My hip is spasming.", "Stop"], ["glute", "stop"])
    assert grammar[0] == "my hip is spasming"
    assert grammar[-1] == UNKNOWN
    assert {"glute", "hip", "stop"} <= set(grammar)
    assert len(grammar) == len(set(grammar))
    json.dumps(grammar)  # passed to KaldiRecognizer as JSON


def test_vosk_results_drop_unknown_and_average_confidence() -> None:
    heard = parse_results([
        {"result": [{"word": "my", "conf": 1.0}, {"word": "hip", "conf": 0.5}], "text": "my hip"},
        {"result": [{"word": UNKNOWN, "conf": 0.2}], "text": UNKNOWN},
    ])
    assert heard.text == "my hip" and heard.engine == "vosk"
    assert heard.confidence == pytest.approx(0.75)
    assert parse_results([{"text": ""}]).text == ""


def test_engine_names() -> None:
    assert parse_engine(" Vosk ").value == "vosk"
    with pytest.raises(ConfigError, match="auto \\| vosk \\| pocketsphinx"):
        parse_engine("whisper")


def test_vosk_without_model_says_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as err:
        create_recognizer("vosk", model_dir=tmp_path)
    assert "voicecare model install" in err.value.line()
    assert resolve_vosk_model(tmp_path) is None


def test_auto_prefers_an_installed_model(tmp_path: Path) -> None:
    model = tmp_path / DEFAULT_MODEL
    (model / "am").mkdir(parents=True)
    (model / "am" / "final.mdl").write_bytes(b"x")
    (model / "conf").mkdir()
    assert resolve_vosk_model(tmp_path) == model
    assert resolve_vosk_model(model) == model
    # A folder that looks complete but holds no real model: Vosk itself refuses it, with the fix.
    with pytest.raises(ModelError, match="model install"):
        create_recognizer("auto", model_dir=tmp_path, phrases=["stop"])


def test_auto_without_vosk_model_falls_back_to_pocketsphinx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOICECARE_CACHE_DIR", str(tmp_path / "cache"))
    recognizer = create_recognizer("auto", model_dir=tmp_path, phrases=["my glutes are spasming"], vocabulary=["ice"])
    assert recognizer.name == "pocketsphinx"
    assert recognizer.load_seconds > 0
    assert {"glutes", "spasming"} <= set(recognizer.added_words)


def test_domain_language_leaves_out_typos_weights_red_flags_and_excludes(tmp_path) -> None:
    import shutil

    from voicecare.asr.transcribe import domain_language
    from voicecare.content.intents import load_intent_content
    from voicecare.content.loader import DEFAULT_CONTENT_DIR
    from voicecare.messages import RED_FLAG_SEVERITY

    content = load_intent_content(DEFAULT_CONTENT_DIR)
    red_example = content.examples[sorted(RED_FLAG_SEVERITY)[0]][0]
    other_example = content.examples["control.pause"][0]
    phrases, vocabulary = domain_language(red_flag_weight=3)
    assert phrases.count(red_example) == 3 and phrases.count(other_example) == 1
    assert vocabulary
    held_out, _ = domain_language(red_flag_weight=1, exclude=[other_example.upper()])
    assert other_example not in held_out and held_out.count(red_example) == 1
    folder = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, folder)
    intents = folder / "intents.toml"
    text = intents.read_text(encoding="utf-8")
    section = text.index('[intents."control.pause"]')
    at = text.index("heard = [", section) + len("heard = [")
    intents.write_text(text[:at] + '"pause it qwzxv please", "hold it there a sec please", ' + text[at:], encoding="utf-8")
    phrases, _ = domain_language(folder, red_flag_weight=1)
    assert "hold it there a sec please" in phrases and "pause it qwzxv please" not in phrases
